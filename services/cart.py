"""Cart use cases: each buyer's one open cart, batches of line changes (all or none), priced view.

Prices are live: every view prices the lines at the product's current net price through
domain.cart, and shows the price seen when the line was added beside it when they differ.
Delivery estimates count business days from today's date in Türkiye (Europe/Istanbul, see
services/local_time.py), whatever the server's time zone. A mutation first touches its cart
row, so two changes of one cart run one after the other (a row lock on PostgreSQL, SQLite
serialises writers anyway) and never lose an update.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db import catalogue_queries as queries
from db.catalogue_queries import ProductRow
from db.models import Cart, CartLine, Product
from domain import cart as rules
from domain import money, search
from domain.accounts import Actor
from domain.errors import DomainError, InputErrors, InvalidInput, NotFound
from services.local_time import today_in_turkiye


@dataclass(frozen=True)
class LineAdd:
    product_id: str | None  # None: the client sent a malformed id (reported like an unknown one)
    quantity: int


@dataclass(frozen=True)
class LineUpdate:
    line_id: str | None
    quantity: int


@dataclass(frozen=True)
class LineView:
    row: CartLine
    product: ProductRow
    amounts: rules.LineAmounts  # at the live price
    added_unit_price: Decimal
    price_changed: bool
    delivery_date: date


@dataclass(frozen=True)
class CartView:
    cart: Cart
    lines: tuple[LineView, ...]
    totals: rules.Totals
    delivery_date: date | None


async def get(*, actor: Actor, now: datetime) -> CartView:
    """The actor's open cart, created empty on first use."""
    return await _view(await _open_cart(actor, now), now)


async def add_lines(lines: Sequence[LineAdd], *, actor: Actor, now: datetime) -> CartView:
    """Add products; a product already in the cart adds to its line (the sum is checked)."""
    rules.check_line_count(len(lines))
    cart = await _open_cart(actor, now)
    async with in_transaction() as conn:
        await _lock(cart, now, conn)
        existing = {str(row.product_id): row for row in await _lines(cart, conn)}  # type: ignore[attr-defined]
        products = await _products([line.product_id for line in lines], conn)
        totals = _checked_adds(lines, existing, products)
        rules.check_line_count(len(existing) + len(set(totals) - set(existing)))
        for product_id, total in totals.items():
            if product_id in existing:
                await (
                    CartLine.filter(id=existing[product_id].id)
                    .using_db(conn)
                    .update(quantity=total)
                )
        new = [
            CartLine(
                cart_id=cart.id,
                product_id=product_id,
                quantity=total,
                added_unit_price=money.round_kurus(products[product_id].price_net),
                added_at=now,
            )
            for product_id, total in totals.items()
            if product_id not in existing
        ]
        if new:
            await CartLine.bulk_create(new, using_db=conn)
    return await _view(cart, now)


def _checked_adds(
    lines: Sequence[LineAdd], existing: dict[str, CartLine], products: dict[str, Product]
) -> dict[str, int]:
    """Product id -> the line's quantity after the batch; InputErrors with every bad line.

    Each input quantity is checked on its own (1 to MAX_QUANTITY), then what the line will hold
    (already in the cart + this batch) against the minimum order quantity and the maximum; that
    error goes on the product's last input line, where the sum is reached.
    """
    errors: list[tuple[int, DomainError]] = []
    wanted: dict[str, list[int]] = {}  # product id -> indexes of its input lines
    for index, line in enumerate(lines):
        product = products.get(line.product_id or "")
        if product is None or not product.active:
            errors.append((index, NotFound("No such product.", field=_at(index, "productId"))))
            continue
        try:
            rules.check_quantity(line.quantity, min_order_quantity=1, field=_at(index))
        except DomainError as error:
            errors.append((index, error))
            continue
        wanted.setdefault(str(product.id), []).append(index)
    totals: dict[str, int] = {}
    for product_id, indexes in wanted.items():
        held = existing[product_id].quantity if product_id in existing else 0
        total = held + sum(lines[i].quantity for i in indexes)
        moq = products[product_id].min_order_quantity
        try:
            totals[product_id] = rules.check_quantity(
                total, min_order_quantity=moq, field=_at(indexes[-1])
            )
        except DomainError as error:
            errors.append((indexes[-1], _with_held(error, held)))
    _refuse([error for _, error in sorted(errors, key=lambda pair: pair[0])])
    return totals


async def update_lines(lines: Sequence[LineUpdate], *, actor: Actor, now: datetime) -> CartView:
    """Set the quantities of lines of the actor's cart (0 is refused: remove the line)."""
    rules.check_line_count(len(lines))
    cart = await _open_cart(actor, now)
    async with in_transaction() as conn:
        await _lock(cart, now, conn)
        own = {str(row.id): row for row in await _lines(cart, conn)}
        products = await _products([str(row.product_id) for row in own.values()], conn)  # type: ignore[attr-defined]
        errors: list[DomainError] = []
        seen: set[str] = set()
        for index, line in enumerate(lines):
            row = own.get(line.line_id or "")
            if row is None:
                errors.append(NotFound("No such cart line.", field=_at(index, "lineId")))
                continue
            if str(row.id) in seen:
                message = "This line is already changed earlier in this batch."
                errors.append(InvalidInput(message, field=_at(index, "lineId")))
                continue
            seen.add(str(row.id))
            product = products[str(row.product_id)]  # type: ignore[attr-defined]
            try:
                rules.check_quantity(
                    line.quantity, min_order_quantity=product.min_order_quantity, field=_at(index)
                )
            except DomainError as error:
                errors.append(error)
        _refuse(errors)
        for line in lines:
            await CartLine.filter(id=line.line_id).using_db(conn).update(quantity=line.quantity)
    return await _view(cart, now)


async def remove_lines(line_ids: Sequence[str | None], *, actor: Actor, now: datetime) -> CartView:
    """Remove lines of the actor's cart; naming a line twice removes it once."""
    rules.check_line_count(len(line_ids), field="lineIds")
    cart = await _open_cart(actor, now)
    async with in_transaction() as conn:
        await _lock(cart, now, conn)
        own = {str(row.id) for row in await _lines(cart, conn)}
        errors: list[DomainError] = [
            NotFound("No such cart line.", field=f"lineIds.{index}")
            for index, line_id in enumerate(line_ids)
            if line_id not in own
        ]
        _refuse(errors)
        await (
            CartLine.filter(cart_id=cart.id, id__in=list(own & set(line_ids)))
            .using_db(conn)
            .delete()
        )
    return await _view(cart, now)


# --- Loading and pricing ------------------------------------------------------------------------


async def _open_cart(actor: Actor, now: datetime) -> Cart:
    if actor.institution_id is None:
        raise InvalidInput("Only an institution's buyers have a cart.", field=None)
    found = await Cart.get_or_none(user_id=actor.user_id)
    if found is not None:
        return found
    try:
        return await Cart.create(
            user_id=actor.user_id, institution_id=actor.institution_id, updated_at=now
        )
    except IntegrityError:  # the buyer's first two requests raced; the other one created it
        return await Cart.get(user_id=actor.user_id)


async def _lock(cart: Cart, now: datetime, conn: BaseDBAsyncClient) -> None:
    # The first statement of every cart mutation: later ones wait for this one's commit.
    await Cart.filter(id=cart.id).using_db(conn).update(updated_at=now)


async def _lines(cart: Cart, conn: BaseDBAsyncClient | None = None) -> list[CartLine]:
    return await CartLine.filter(cart_id=cart.id).using_db(conn)


async def _products(
    product_ids: Sequence[str | None], conn: BaseDBAsyncClient
) -> dict[str, Product]:
    valid = [product_id for product_id in product_ids if product_id and _is_uuid(product_id)]
    if not valid:
        return {}
    rows = await Product.filter(id__in=list(set(valid))).using_db(conn)
    return {str(row.id): row for row in rows}


async def _view(cart: Cart, now: datetime) -> CartView:
    rows = await _lines(cart)
    products = await queries.products_by_ids(
        list({str(row.product_id) for row in rows}),  # type: ignore[attr-defined]
        active_only=False,  # a withdrawn product's line still shows until it is removed
    )
    today = today_in_turkiye(now)
    views = [_line_view(row, products[str(row.product_id)], today) for row in rows]  # type: ignore[attr-defined]
    views.sort(key=lambda view: line_order(view.row, view.product.name))
    return CartView(
        cart=cart,
        lines=tuple(views),
        totals=rules.totals([view.amounts for view in views]),
        delivery_date=rules.cart_delivery_date([view.delivery_date for view in views]),
    )


def line_order(row: CartLine, product_name: str) -> tuple[datetime, str, str]:
    """The order the cart shows its lines, for sorted(): oldest first, and one batch's lines
    (added at the same moment) in Turkish alphabetical order of the product name. A request made
    from the cart keeps this order, so the buyer finds the lines as they left them."""
    return row.added_at, search.sort_key(product_name), str(row.id)


def _line_view(row: CartLine, product: ProductRow, today: date) -> LineView:
    price = money.round_kurus(product.price_net)
    added = money.round_kurus(row.added_unit_price)
    return LineView(
        row=row,
        product=product,
        amounts=rules.price_line(price, row.quantity, product.kdv_rate),
        added_unit_price=added,
        price_changed=rules.price_changed(added, price),
        delivery_date=rules.line_delivery_date(
            today, lead_time_days=product.lead_time_days, stock=product.stock, quantity=row.quantity
        ),
    )


# --- Errors -------------------------------------------------------------------------------------


def _at(index: int, name: str = "quantity") -> str:
    return f"lines.{index}.{name}"


def _with_held(error: DomainError, held: int) -> DomainError:
    if held == 0:
        return error
    message = f"{error.message} The cart already holds {held:,} of this product."
    return InvalidInput(message, field=error.field)


def _refuse(errors: Sequence[DomainError]) -> None:
    if errors:
        raise InputErrors(list(errors))


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
