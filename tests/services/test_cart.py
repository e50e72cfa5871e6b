"""Cart service: Türkiye's date for estimates, one cart per buyer, concurrent changes, limits."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from db.models import Cart, CartLine, Category, Institution, Product, Supplier, User
from domain import cart as rules
from domain.accounts import Actor, InstitutionType, Role
from domain.errors import InputErrors, InvalidInput, NotFound
from services import cart
from services.local_time import today_in_turkiye

THURSDAY_EVENING = datetime(2026, 3, 5, 20, 59, tzinfo=UTC)  # 23:59 in Ankara, still Thursday
FRIDAY_IN_ANKARA = datetime(2026, 3, 5, 21, 0, tzinfo=UTC)  # 00:00 on Friday in Ankara


@dataclass
class Shop:
    buyer: Actor
    colleague: Actor  # another buyer of the same institution
    products: list[Product]


async def _buyer(institution: Institution, username: str) -> Actor:
    user = await User.create(
        username=username,
        display_name=username,
        email=f"{username}@kurum.example",
        institution=institution,
        password_hash="-",
        totp_secret="-",
        created_at=THURSDAY_EVENING,
    )
    return Actor(user.id, username, frozenset({Role.BUYER}), institution.id)


@pytest.fixture
async def shop(db: str) -> Shop:
    institution = await Institution.create(
        name="Ankara Şehir Hastanesi",
        type=InstitutionType.HOSPITAL,
        vkn="4740132157",
        province_code=6,
        created_at=THURSDAY_EVENING,
    )
    category = await Category.create(
        code="39831200-8", digits="39831200", path="39831200/", depth=1, name_en="Detergents"
    )
    supplier = await Supplier.create(name="Test Tedarik A.Ş.", slug="test-tedarik")
    products = [
        await Product.create(
            sku=f"T-{n}",
            name=f"Ürün {n:03d}",
            category=category,
            supplier=supplier,
            price_net=Decimal("1.66"),
            price_kurus=166,
            kdv_rate=20,
            stock=500,
            lead_time_days=2,
        )
        for n in range(5)
    ]
    return Shop(
        buyer=await _buyer(institution, "alici"),
        colleague=await _buyer(institution, "alici2"),
        products=products,
    )


def _add(product: Product, quantity: int) -> cart.LineAdd:
    return cart.LineAdd(str(product.id), quantity)


def test_today_is_the_date_in_turkiye() -> None:
    assert today_in_turkiye(THURSDAY_EVENING) == date(2026, 3, 5)
    assert today_in_turkiye(FRIDAY_IN_ANKARA) == date(2026, 3, 6)
    with pytest.raises(ValueError):
        today_in_turkiye(datetime(2026, 3, 5, 21, 0))


async def test_estimates_count_from_the_date_in_turkiye(shop: Shop) -> None:
    lines = [_add(shop.products[0], 36)]
    thursday = await cart.add_lines(lines, actor=shop.buyer, now=THURSDAY_EVENING)
    # Thursday + 2 business days is Monday; from Friday (already, in Ankara) it is Tuesday.
    assert thursday.lines[0].delivery_date == date(2026, 3, 9)
    friday = await cart.get(actor=shop.buyer, now=FRIDAY_IN_ANKARA)
    assert friday.lines[0].delivery_date == date(2026, 3, 10)
    assert friday.delivery_date == date(2026, 3, 10)
    assert friday.totals == rules.Totals(
        Decimal("59.76"),
        Decimal("11.95"),
        Decimal("71.71"),
        (rules.RateTotal(20, Decimal("59.76"), Decimal("11.95"), Decimal("71.71")),),
    )


async def test_added_unit_price_is_the_net_unit_price_when_added(shop: Shop) -> None:
    product = shop.products[0]
    await cart.add_lines([_add(product, 10)], actor=shop.buyer, now=THURSDAY_EVENING)
    await Product.filter(id=product.id).update(price_net=Decimal("2.00"), price_kurus=200)
    view = await cart.add_lines([_add(product, 5)], actor=shop.buyer, now=FRIDAY_IN_ANKARA)
    (line,) = view.lines
    # Merging more into the line keeps the price and the moment it was first added.
    assert (line.row.quantity, line.added_unit_price, line.row.added_at) == (
        15,
        Decimal("1.66"),
        THURSDAY_EVENING,
    )
    assert (line.amounts.unit_price, line.price_changed, line.amounts.net) == (
        Decimal("2.00"),
        True,
        Decimal("30.00"),
    )


async def test_each_buyer_has_one_cart_of_their_own(shop: Shop) -> None:
    mine = await cart.add_lines([_add(shop.products[0], 3)], actor=shop.buyer, now=THURSDAY_EVENING)
    theirs = await cart.get(actor=shop.colleague, now=THURSDAY_EVENING)
    assert theirs.lines == ()
    assert theirs.cart.id != mine.cart.id
    line_id = str(mine.lines[0].row.id)
    with pytest.raises(InputErrors) as refused:
        await cart.update_lines(
            [cart.LineUpdate(line_id, 1)], actor=shop.colleague, now=THURSDAY_EVENING
        )
    assert [(type(e), e.field) for e in refused.value.errors] == [(NotFound, "lines.0.lineId")]
    with pytest.raises(InputErrors):
        await cart.remove_lines([line_id], actor=shop.colleague, now=THURSDAY_EVENING)
    assert await CartLine.filter(id=line_id).values_list("quantity", flat=True) == [3]


async def test_concurrent_adds_to_a_new_cart_lose_nothing(shop: Shop) -> None:
    """Ten adds at once, before the buyer even has a cart: one cart, one line of 10."""
    product = shop.products[0]
    await asyncio.gather(
        *(
            cart.add_lines([_add(product, 1)], actor=shop.buyer, now=THURSDAY_EVENING)
            for _ in range(10)
        )
    )
    assert await Cart.filter(user_id=shop.buyer.user_id).count() == 1
    assert await CartLine.all().values_list("quantity", flat=True) == [10]


async def test_concurrent_updates_and_adds_serialise(shop: Shop) -> None:
    first, second = shop.products[:2]
    view = await cart.add_lines([_add(first, 1)], actor=shop.buyer, now=THURSDAY_EVENING)
    line_id = str(view.lines[0].row.id)
    await asyncio.gather(
        *(
            cart.add_lines(
                [_add(first, 2), _add(second, 1)], actor=shop.buyer, now=THURSDAY_EVENING
            )
            for _ in range(5)
        ),
        cart.remove_lines([], actor=shop.buyer, now=THURSDAY_EVENING),
    )
    final = await cart.get(actor=shop.buyer, now=THURSDAY_EVENING)
    assert sorted((line.product.sku, line.row.quantity) for line in final.lines) == [
        ("T-0", 11),
        ("T-1", 5),
    ]
    await cart.update_lines([cart.LineUpdate(line_id, 4)], actor=shop.buyer, now=THURSDAY_EVENING)
    assert await CartLine.filter(id=line_id).values_list("quantity", flat=True) == [4]


async def test_a_cart_holds_at_most_max_lines(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "MAX_LINES", 3)
    products = shop.products
    await cart.add_lines([_add(p, 1) for p in products[:2]], actor=shop.buyer, now=THURSDAY_EVENING)
    with pytest.raises(InvalidInput) as refused:
        await cart.add_lines(
            [_add(p, 1) for p in products[2:4]], actor=shop.buyer, now=THURSDAY_EVENING
        )
    assert (refused.value.field, refused.value.message) == (
        "lines",
        "At most 3 lines per cart or batch.",
    )
    # More of what is already in the cart is no new line; one new product still fits.
    view = await cart.add_lines(
        [_add(products[0], 1), _add(products[2], 1)], actor=shop.buyer, now=THURSDAY_EVENING
    )
    assert [(line.product.sku, line.row.quantity) for line in view.lines] == [
        ("T-0", 2),
        ("T-1", 1),
        ("T-2", 1),
    ]


async def test_dmo_staff_have_no_cart(shop: Shop) -> None:
    staff = Actor(uuid.uuid4(), "dmo.siparis", frozenset({Role.ORDER_DESK}), None)
    with pytest.raises(InvalidInput):
        await cart.get(actor=staff, now=THURSDAY_EVENING)
    assert await Cart.all().count() == 0
