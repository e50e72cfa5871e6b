"""The demo purchasing data: loaded once through the services, every request state there with
exact counts, budget reservations that add up to the kuruş, and what each demo user sees."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tortoise.models import Model

from db.demo import loader
from db.models import (
    Address,
    ApprovalAction,
    AuditEvent,
    BudgetLine,
    Delegation,
    Order,
    OrderLine,
    Product,
    PurchaseRequest,
    User,
)
from domain.accounts import Actor, Role
from domain.approvals import ApprovalStep, Decision
from domain.errors import NotFound
from services import (
    approvals,
    budgets,
    cart,
    decisions,
    demo,
    demo_purchasing,
    orders,
    purchase_requests,
    sessions,
)
from services.approvals import PolicyScope
from services.keyring import Keyring

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # 12:00 in Türkiye
LOADED = [
    "177 products in 74 categories",
    "2 demo institutions, 4 spending units, 17 demo users",
    "5 addresses, 11 budget lines, 2 approval policies, 4 delegations, 2 carts,"
    " 17 purchase requests, 4 orders",
]
HOSPITAL, CITY = "Ankara Şehir Hastanesi", "İzmir Büyükşehir Belediyesi"
S_A, R_O = Role.SPENDING_AUTHORITY, Role.REALISATION_OFFICER


@pytest.fixture
async def loaded(db: str) -> None:
    assert await demo.load_if_empty(keys=Keyring.generate(), now=NOW) == LOADED


async def person(username: str) -> Actor:
    user = await User.get(username=username)
    return Actor(
        user_id=user.id,
        username=username,
        roles=await sessions.roles_of(user.id),
        institution_id=user.institution_id,  # type: ignore[attr-defined]
        unit_id=user.unit_id,  # type: ignore[attr-defined]
    )


def keys_by_justification() -> dict[str, str]:
    document = json.loads(demo_purchasing.PURCHASING.read_text(encoding="utf-8"))
    return {
        r["justification"]: f"{i['admin'].split('.')[0]}.{r['key']}"
        for i in document["institutions"]
        for r in i["requests"]
    }


async def requests_by_key() -> dict[str, PurchaseRequest]:
    names = keys_by_justification()
    return {names[r.justification]: r for r in await PurchaseRequest.all()}


async def everything() -> dict[str, Any]:
    """Every row count the demo touches, product stock and budget reservations."""
    models: tuple[type[Model], ...] = (
        *demo_purchasing.TABLES,
        ApprovalAction,
        OrderLine,
        AuditEvent,
        User,
    )
    return {
        "counts": [await model.all().count() for model in models],
        "stock": sorted(await Product.all().values_list("sku", "stock")),
        "budget": sorted(await BudgetLine.all().values_list("id", "reserved_kurus")),
    }


async def test_loaded_once_a_second_start_adds_nothing(loaded: None) -> None:
    before = await everything()
    assert before["counts"][:7] == [5, 11, 2, 4, 6, 17, 4]  # addresses ... orders
    assert await demo.load_if_empty(keys=Keyring.generate(), now=NOW + timedelta(days=1)) == []
    assert await demo_purchasing.load_if_empty(now=NOW) is None
    assert await everything() == before


async def test_not_loaded_over_someone_elses_purchasing(db: str) -> None:
    keys = Keyring.generate()
    await demo.load_accounts(keys=keys, now=NOW)
    admin = await person("hastane.admin")
    await approvals.set_policy(None, [ApprovalStep(S_A)], actor=admin, now=NOW)
    assert await demo.load_if_empty(keys=keys, now=NOW) == LOADED[:1]
    assert [await model.all().count() for model in demo_purchasing.TABLES] == [0, 0, 1, 0, 0, 0, 0]


async def test_every_request_state_with_exact_counts(loaded: None) -> None:
    found = Counter(
        (r.institution.name, r.status.value, r.current_step + 1, r.awaiting_role)
        for r in await PurchaseRequest.all().select_related("institution")
    )
    assert found == {
        (HOSPITAL, "DRAFT", 1, None): 1,
        (HOSPITAL, "IN_APPROVAL", 1, R_O): 1,
        (HOSPITAL, "IN_APPROVAL", 1, S_A): 1,  # under the 10,000 TRY threshold: one step
        (HOSPITAL, "IN_APPROVAL", 2, S_A): 1,
        (HOSPITAL, "RETURNED", 1, None): 1,
        (HOSPITAL, "REJECTED", 2, None): 1,
        (HOSPITAL, "CANCELLED", 1, None): 1,
        (HOSPITAL, "ORDERED", 2, None): 2,
        (CITY, "DRAFT", 1, None): 1,
        (CITY, "IN_APPROVAL", 1, R_O): 1,
        (CITY, "IN_APPROVAL", 2, S_A): 1,
        (CITY, "RETURNED", 2, None): 1,
        (CITY, "REJECTED", 1, None): 1,
        (CITY, "CANCELLED", 1, None): 1,
        (CITY, "ORDERED", 2, None): 2,
    }
    # Returned and rejected requests say why, in the approver's words.
    stopped = await ApprovalAction.filter(decision__in=[Decision.RETURN, Decision.REJECT])
    assert sorted((a.decision.value, bool(a.note.strip())) for a in stopped) == [
        ("REJECT", True),
        ("REJECT", True),
        ("RETURN", True),
        ("RETURN", True),
        ("RETURN", True),  # the city's ORDERED cleaning request was returned once, in round 1
    ]
    stand_ins = await ApprovalAction.filter(on_behalf_of_id__isnull=False).values_list(
        "actor__username", "on_behalf_of__username", "role"
    )
    assert sorted(stand_ins) == [
        ("belediye.admin", "belediye.harcama", S_A),
        ("hastane.muayene", "hastane.gerceklestirme", R_O),
    ]


async def test_orders_placed_and_confirmed_one_backordered_line_each(loaded: None) -> None:
    placed = Counter(
        (o.institution.name, o.status.value)
        for o in await Order.all().select_related("institution")
    )
    assert placed == {
        (HOSPITAL, "PLACED"): 1,
        (HOSPITAL, "CONFIRMED"): 1,
        (CITY, "PLACED"): 1,
        (CITY, "CONFIRMED"): 1,
    }
    short = await OrderLine.filter(backordered__gt=0).values_list(
        "order__status", "product__sku", "quantity", "from_stock", "backordered"
    )
    assert sorted(short) == [
        ("CONFIRMED", "BT-UP-0004", 3, 2, 1),
        ("PLACED", "AR-AK-0004", 4, 0, 4),
    ]
    assert await OrderLine.filter(backordered__gt=0, backorder_eta__isnull=True).count() == 0
    assert (await Product.get(sku="BT-UP-0004")).stock == 0  # 2 in stock, both taken
    for order in await Order.all().select_related("request"):
        lines = await OrderLine.filter(order_id=order.id)
        assert (order.gross, sum(line.gross for line in lines)) == (order.request.gross,) * 2


async def test_reserved_amounts_are_the_ordered_gross_totals(loaded: None) -> None:
    ordered = await PurchaseRequest.filter(status="ORDERED")
    for line in await BudgetLine.all():
        charged = [r.gross for r in ordered if r.budget_line_id == line.id]  # type: ignore[attr-defined]
        assert line.reserved_kurus == sum(budgets.to_kurus(gross) for gross in charged)
        assert line.spent_kurus == 0
        assert line.available_kurus == line.appropriation_kurus - line.reserved_kurus
        assert line.fiscal_year == 2026
    used = await BudgetLine.filter(reserved_kurus__gt=0).values_list(
        "unit__name", "economic_code", "appropriation_kurus", "reserved_kurus"
    )
    assert sorted(used) == [
        ("Bilgi İşlem Birimi", "03.7.1.02", 125_000_000, 42_516_000),
        ("Destek Hizmetleri Daire Başkanlığı", "03.2.2.02", 60_000_000, 4_210_680),
        ("Fen İşleri Daire Başkanlığı", "03.2.9.90", 90_000_000, 8_796_000),
        ("Satın Alma Birimi", "03.2.6.03", 180_000_000, 4_548_280),
    ]
    assert sorted(str(r.gross) for r in ordered) == [
        "42106.80",
        "425160.00",
        "45482.80",
        "87960.00",
    ]


async def inbox(username: str) -> list[str]:
    names = keys_by_justification()
    page = await approvals.inbox(actor=await person(username), now=NOW, after=None, size=100)
    return [names[r.justification] for r in page.rows]


async def test_each_demo_user_sees_their_own(loaded: None) -> None:
    hospital_buyer, city_buyer = await person("hastane.alici"), await person("belediye.alici")
    mine = await purchase_requests.list_requests(
        actor=hospital_buyer, status=None, after=None, size=100
    )
    assert (len(mine.rows), mine.has_next) == (9, False)
    theirs = await purchase_requests.list_requests(
        actor=city_buyer, status=None, after=None, size=100
    )
    assert len(theirs.rows) == 8
    with pytest.raises(NotFound):
        await purchase_requests.get(str(mine.rows[0].id), actor=city_buyer)
    assert mine.rows[0].status == "DRAFT"  # newest first: the draft of this morning
    # The approval inbox at each step, delegations (vekalet) included.
    assert {name: await inbox(name) for name in INBOXES} == INBOXES
    desk = await person("dmo.siparis")
    assert len((await orders.list_orders(actor=desk, status=None, after=None, size=100)).rows) == 4
    own = await orders.list_orders(actor=hospital_buyer, status=None, after=None, size=100)
    assert [o.status.value for o in own.rows] == ["PLACED", "CONFIRMED"]
    basket = await cart.get(actor=hospital_buyer, now=NOW)
    assert [(v.product.sku, v.row.quantity) for v in basket.lines] == [
        ("TB-MK-0001", 1000),  # one batch: in Turkish alphabetical order of the names
        ("TB-EN-0004", 500),
        ("TB-SR-0001", 200),
    ]
    chain = await approvals.get_policy(None, actor=await person("hastane.admin"))
    assert (chain.scope, chain.steps) == (
        PolicyScope.INSTITUTION,
        (ApprovalStep(R_O, Decimal("10000.00")), ApprovalStep(S_A)),
    )
    assert await Address.filter(institution__name=CITY).count() == 3
    assert await Delegation.all().count() == 4


INBOXES = {
    "hastane.gerceklestirme": ["hastane.eldiven-maske"],
    "hastane.muayene": ["hastane.eldiven-maske"],  # standing in for the realisation officer
    "hastane.harcama": ["hastane.termometre", "hastane.dizustu"],
    "hastane.admin": [],  # the spending authority's delegation starts in two weeks
    "hastane.alici": [],
    "belediye.gerceklestirme": ["belediye.kagit-kalem"],
    "belediye.harcama": ["belediye.kis-lastigi"],
    "belediye.admin": ["belediye.kis-lastigi"],  # standing in for the spending authority
    "belediye.muayene": [],
}


async def test_what_waits_can_be_carried_through_to_an_order(loaded: None) -> None:
    """The demo's waiting requests are there to be tried: their budget lines cover them."""
    later = NOW + timedelta(minutes=5)
    for key, steps in {
        "hastane.eldiven-maske": ["hastane.gerceklestirme", "hastane.harcama"],
        "hastane.termometre": ["hastane.harcama"],
        "hastane.dizustu": ["hastane.harcama"],
        "belediye.kagit-kalem": ["belediye.gerceklestirme", "belediye.harcama"],
        "belediye.kis-lastigi": ["belediye.admin"],
    }.items():
        request = (await requests_by_key())[key]
        for username in steps:
            await decisions.decide(
                str(request.id), Decision.APPROVE, None, actor=await person(username), now=later
            )
        assert (await PurchaseRequest.get(id=request.id)).status == "ORDERED", key
    assert await Order.all().count() == 9


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 31, 21, 30, tzinfo=UTC),  # 00:30 on New Year's Day in Türkiye
        datetime(2028, 2, 29, 6, 0, tzinfo=UTC),  # a leap day
        datetime(2026, 6, 14, 20, 59, tzinfo=UTC),  # late on a Sunday
    ],
)
async def test_loads_whatever_the_day(db: str, now: datetime) -> None:
    """Every date in the file is relative to `now`: no day of the year refuses a step."""
    assert await demo.load_if_empty(keys=Keyring.generate(), now=now) == LOADED
    years = {line.fiscal_year for line in await BudgetLine.all()}
    assert years == {(now + timedelta(hours=3)).year}


async def test_a_file_that_no_longer_fits_leaves_nothing_behind(
    db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """All or nothing: the last request of the file ends elsewhere than it says, after every
    other request, order, stock and budget reservation was made; the next start tries again."""
    keys = Keyring.generate()
    await demo.load_accounts(keys=keys, now=NOW)
    await loader.load_if_empty()
    stock = sorted(await Product.all().values_list("sku", "stock"))
    audit = await AuditEvent.all().count()
    document = json.loads(demo_purchasing.PURCHASING.read_text(encoding="utf-8"))
    document["institutions"][-1]["requests"][-1]["status"] = "SUBMITTED"
    path = tmp_path / "purchasing.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert await demo_purchasing.load_if_empty(now=NOW, path=path) is None
    assert "request tuvalet-kagidi ended DRAFT, not SUBMITTED" in caplog.text
    assert [await model.all().count() for model in demo_purchasing.TABLES] == [0] * 7
    assert await ApprovalAction.all().count() == 0
    assert (
        await AuditEvent.all().count(),
        sorted(await Product.all().values_list("sku", "stock")),
    ) == (
        audit,
        stock,
    )
    assert await demo_purchasing.load_if_empty(now=NOW) == LOADED[2]
