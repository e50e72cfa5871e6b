"""Orders through the services: placed by the final approval (stock reserved, the rest
backordered, the budget reserved), confirmed, cancelled, scoped; and the races on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from db.config import dialect
from db.models import (
    ApprovalAction,
    ApprovalPolicy,
    AuditEvent,
    BudgetLine,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    PurchaseRequest,
)
from domain.accounts import Actor, AuditAction
from domain.approvals import Decision
from domain.errors import DomainError
from domain.orders import OrderStatus
from domain.purchase_requests import RequestStatus
from services import decisions, orders, purchase_requests
from subscriptions.memory import MemoryEventBus
from tests.services.purchasing import (
    NOW,
    World,
    build,
    draft_for,
    fill_cart,
    refused,
    snapshot,
    unknown,
)

ON_POSTGRES = dialect(os.environ.get("ESATIS_TEST_DATABASE_URL") or "") == "postgres"
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="concurrency test: SQLite serialises every write, so races cannot happen there;"
    " set ESATIS_TEST_DATABASE_URL=postgres://... to run it",
)


@pytest.fixture
async def world(db: str) -> World:
    return await build()


async def awaiting_final(world: World, items: dict[str, int], buyer: str = "alici") -> str:
    """A submitted request at its last step (the unit's chain: the spending authority alone)."""
    own = world.hastane
    if not await ApprovalPolicy.exists(unit_id=own.unit.id):
        await ApprovalPolicy.create(
            institution=own.institution,
            unit=own.unit,
            steps=[{"role": "SPENDING_AUTHORITY", "min_gross": None}],
            updated_at=NOW,
        )
    await fill_cart(own[buyer], {world.products[k]: q for k, q in items.items()})
    request = await purchase_requests.create(draft_for(own), actor=own[buyer], now=NOW)
    await purchase_requests.submit(str(request.id), actor=own[buyer], now=NOW)
    return str(request.id)


async def place(world: World, items: dict[str, int]) -> Order:
    rid = await awaiting_final(world, items)
    decided = await decisions.decide(
        rid, Decision.APPROVE, None, actor=world.hastane["harcama"], now=NOW
    )
    assert decided.order is not None
    return decided.order


async def stock(key: str, world: World) -> int:
    return (await Product.get(id=world.products[key].id)).stock


async def budget(world: World) -> tuple[int, int]:
    line = await BudgetLine.get(id=world.hastane.line.id)
    return line.reserved_kurus, line.available_kurus


async def test_the_final_approval_places_the_order(world: World) -> None:
    rid = await awaiting_final(world, {"paper": 4, "toner": 5})
    bus = MemoryEventBus()
    await bus.connect()
    async with bus.subscribe(bus.channels.channel("purchase_requests", rid)) as updates:
        decided = await decisions.decide(
            rid, Decision.APPROVE, "Onaylandı.", actor=world.hastane["harcama"], now=NOW, bus=bus
        )
        event = await anext(updates)
    await bus.disconnect()
    order = decided.order
    assert order is not None
    assert (decided.request.status, order.status) == (RequestStatus.ORDERED, OrderStatus.PLACED)
    # 4 x 120.00 + 5 x 950.50 = 5,232.50 net, KDV 20 %: 1,046.50.
    assert (order.net, order.kdv, order.gross) == (
        Decimal("5232.50"),
        Decimal("1046.50"),
        Decimal("6279.00"),
    )
    lines = await OrderLine.filter(order_id=order.id).order_by("position")
    assert [
        (line.position, line.quantity, line.from_stock, line.backordered, line.backorder_eta)
        for line in lines
    ] == [
        (0, 4, 4, 0, None),
        # Toner: 2 in stock, 3 backordered, expected in 5 + 10 business days from Monday.
        (1, 5, 2, 3, date(2026, 3, 23)),
    ]
    assert [(line.unit_price, line.gross) for line in lines] == [
        (Decimal("120.00"), Decimal("576.00")),
        (Decimal("950.50"), Decimal("5703.00")),
    ]
    assert (await stock("paper", world), await stock("toner", world)) == (6, 0)
    assert await budget(world) == (627_900, 10_000_000 - 627_900)
    history = await OrderEvent.filter(order_id=order.id).values_list("status", "actor_id")
    assert history == [(OrderStatus.PLACED, world.hastane["harcama"].user_id)]
    assert await AuditEvent.filter(action=AuditAction.ORDER_PLACED).count() == 1
    assert (event.type, event.data["status"]) == ("PurchaseRequestUpdated", "ORDERED")  # type: ignore[union-attr]


async def test_approving_again_places_no_second_order(world: World) -> None:
    order = await place(world, {"paper": 1})
    before = await snapshot()
    for approver in ("harcama", "harcama2"):
        call = decisions.decide(
            str(order.request_id),  # type: ignore[attr-defined]
            Decision.APPROVE,
            None,
            actor=world.hastane[approver],
            now=NOW,
        )
        assert await refused(call) == (
            "INVALID_TRANSITION",
            None,
            "A request in state ORDERED cannot become APPROVED.",
        )
    assert await snapshot() == before


async def test_the_order_desk_confirms(world: World) -> None:
    order = await place(world, {"paper": 1})
    confirmed = await orders.confirm(str(order.id), actor=world.desk, now=NOW)
    assert confirmed.status == OrderStatus.CONFIRMED
    before = await snapshot()
    assert await refused(orders.confirm(str(order.id), actor=world.desk, now=NOW)) == (
        "INVALID_TRANSITION",
        None,
        "An order in state CONFIRMED cannot become CONFIRMED.",
    )
    assert await snapshot() == before
    history = await OrderEvent.filter(order_id=order.id).values_list("status", flat=True)
    assert sorted(history) == sorted([OrderStatus.PLACED, OrderStatus.CONFIRMED])


@pytest.mark.parametrize("who", ["alici", "admin"])
async def test_the_institution_cancels_before_confirmation(world: World, who: str) -> None:
    order = await place(world, {"paper": 4, "toner": 5})
    assert (await stock("paper", world), await stock("toner", world)) == (6, 0)
    cancelled = await orders.cancel(
        str(order.id), "Yanlışlıkla verildi.", actor=world.hastane[who], now=NOW
    )
    assert cancelled.status == OrderStatus.CANCELLED
    assert (await stock("paper", world), await stock("toner", world)) == (10, 2)
    assert await budget(world) == (0, 10_000_000)
    last = await OrderEvent.get(order_id=order.id, status=OrderStatus.CANCELLED)
    assert (last.note, last.actor_id) == ("Yanlışlıkla verildi.", world.hastane[who].user_id)  # type: ignore[attr-defined]
    # The request stays ORDERED: what happened to the order is the order's history.
    request = await PurchaseRequest.get(id=order.request_id)  # type: ignore[attr-defined]
    assert request.status == RequestStatus.ORDERED
    assert await refused(orders.cancel(str(order.id), "", actor=world.desk, now=NOW)) == (
        "INVALID_TRANSITION",
        None,
        "An order in state CANCELLED cannot become CANCELLED.",
    )


async def test_who_may_cancel_when(world: World) -> None:
    order = await place(world, {"paper": 2})
    oid = str(order.id)
    before = await snapshot()
    assert await refused(orders.cancel(oid, "", actor=world.hastane["alici2"], now=NOW)) == (
        "FORBIDDEN",
        "orderId",
        "Only the person who made the request or an institution administrator can cancel this"
        " order.",
    )
    assert await snapshot() == before
    await orders.confirm(oid, actor=world.desk, now=NOW)
    before = await snapshot()
    for name in ("alici", "admin"):
        assert await refused(orders.cancel(oid, "", actor=world.hastane[name], now=NOW)) == (
            "INVALID_TRANSITION",
            None,
            "An order in state CONFIRMED can no longer be cancelled by the institution: ask"
            " DMO's order desk.",
        )
    assert await snapshot() == before
    # The order desk still may, when DMO cannot fulfil it.
    cancelled = await orders.cancel(oid, "Tedarikçi teslim edemiyor.", actor=world.desk, now=NOW)
    assert cancelled.status == OrderStatus.CANCELLED
    assert (await stock("paper", world), await budget(world)) == (10, (0, 10_000_000))


async def test_orders_are_scoped(world: World) -> None:
    order = await place(world, {"paper": 1})
    oid = str(order.id)
    for actor in (world.hastane["muayene"], world.desk):
        assert (await orders.get(oid, actor=actor)).id == order.id
    not_found = ("NOT_FOUND", "id", "No such order.")
    for actor in (world.belediye["admin"], world.catalogue_manager):
        assert await refused(orders.get(oid, actor=actor)) == not_found
        page = await orders.list_orders(actor=actor, status=None, after=None, size=20)
        assert page.rows == []
    assert await refused(orders.get(unknown(), actor=world.desk)) == not_found
    before = await snapshot()
    for call in (
        orders.confirm(oid, actor=world.catalogue_manager, now=NOW),
        orders.cancel(oid, "", actor=world.belediye["admin"], now=NOW),
    ):
        assert await refused(call) == ("NOT_FOUND", "orderId", "No such order.")
    assert await snapshot() == before
    listed = await orders.list_orders(
        actor=world.desk, status=OrderStatus.PLACED, after=None, size=20
    )
    assert [row.id for row in listed.rows] == [order.id]
    confirmed = await orders.list_orders(
        actor=world.desk, status=OrderStatus.CONFIRMED, after=None, size=20
    )
    assert confirmed.rows == []


# --- Races (PostgreSQL) ------------------------------------------------------------------------


async def _approve_all(world: World, request_ids: list[str], approvers: list[Actor]) -> list[Any]:
    calls = [
        decisions.decide(rid, Decision.APPROVE, None, actor=approver, now=NOW)
        for rid, approver in zip(request_ids, approvers, strict=True)
    ]
    return await asyncio.gather(*calls, return_exceptions=True)


@postgres_only
async def test_fifty_concurrent_orders_never_oversell(world: World) -> None:
    await Product.filter(id=world.products["paper"].id).update(stock=10)
    request_ids = [await awaiting_final(world, {"paper": 1}) for _ in range(50)]
    results = await _approve_all(world, request_ids, [world.hastane["harcama"]] * 50)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await stock("paper", world) == 0
    lines = await OrderLine.all().values_list("from_stock", "backordered")
    assert len(lines) == 50
    assert sum(from_stock for from_stock, _ in lines) == 10
    assert sum(backordered for _, backordered in lines) == 40
    assert sorted(lines) == [(0, 1)] * 40 + [(1, 0)] * 10


@postgres_only
async def test_a_budget_line_covering_five_lets_exactly_five_through(world: World) -> None:
    # One paper is 144.00 TRY gross: the line covers exactly five.
    await BudgetLine.filter(id=world.hastane.line.id).update(
        appropriation_kurus=72_000, available_kurus=72_000
    )
    request_ids = [await awaiting_final(world, {"paper": 1}) for _ in range(20)]
    results = await _approve_all(world, request_ids, [world.hastane["harcama"]] * 20)
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert [r for r in results if isinstance(r, BaseException) and r not in refusals] == []
    assert len(refusals) == 15
    assert {r.code for r in refusals} == {"BUDGET_EXCEEDED"}
    assert await budget(world) == (72_000, 0)
    assert await Order.all().count() == 5
    statuses = await PurchaseRequest.all().values_list("status", "current_step")
    assert sorted(statuses) == sorted(
        [(RequestStatus.ORDERED, 0)] * 5 + [(RequestStatus.IN_APPROVAL, 0)] * 15
    )
    assert await ApprovalAction.all().count() == 5
    assert await stock("paper", world) == 5


@postgres_only
async def test_two_concurrent_final_approvals_place_one_order(world: World) -> None:
    rid = await awaiting_final(world, {"paper": 3})
    own = world.hastane
    results = await _approve_all(world, [rid, rid], [own["harcama"], own["harcama2"]])
    winners = [r for r in results if isinstance(r, decisions.Decided)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert (losers[0].code, losers[0].message) == (
        "INVALID_TRANSITION",
        "A request in state ORDERED cannot become APPROVED.",
    )
    assert await Order.all().count() == 1
    assert await ApprovalAction.all().count() == 1
    assert await stock("paper", world) == 7
    assert await budget(world) == (43_200, 10_000_000 - 43_200)


@postgres_only
async def test_one_approver_approving_twice_at_once_places_one_order(world: World) -> None:
    rid = await awaiting_final(world, {"paper": 3})
    own = world.hastane
    results = await _approve_all(world, [rid, rid], [own["harcama"], own["harcama"]])
    assert sum(isinstance(r, decisions.Decided) for r in results) == 1
    assert await Order.all().count() == 1
    assert (await stock("paper", world), await budget(world)) == (
        7,
        (43_200, 10_000_000 - 43_200),
    )
