"""Orders use cases: placing an approved request's order (stock reserved without overselling,
the rest backordered), confirmation by DMO's order desk, cancellation, and reads.

DMO staff who handle orders (ORDER_DESK, DMO_ACCOUNTING, PLATFORM_ADMIN) see every
institution's orders; an institution's users see only their own, and another institution's
order raises exactly the NotFound an unknown id raises.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from db.models import (
    Address,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    PurchaseRequest,
    PurchaseRequestLine,
)
from domain import orders
from domain.accounts import Actor, AuditAction, Forbidden, Role
from domain.errors import InvalidInput, InvalidTransition, NotFound
from domain.orders import Allocation, OrderStatus
from services import audit, budgets, events, paging
from services.conflicts import ChangedMeanwhile
from services.local_time import today_in_turkiye
from subscriptions import EventBus

ORDER_READERS = frozenset({Role.ORDER_DESK, Role.DMO_ACCOUNTING, Role.PLATFORM_ADMIN})
NO_SUCH_ORDER = "No such order."
NOTE_MAX = 1000  # order_events.note


# --- Placing (inside the final approval's transaction) -------------------------------------


@dataclass(frozen=True)
class Placement:
    """An order written by `open_order` whose stock `reserve_stock` has yet to reserve."""

    order: Order
    lines: list[PurchaseRequestLine]


async def open_order(
    request: PurchaseRequest, *, actor: Actor, now: datetime, conn: BaseDBAsyncClient
) -> Placement:
    """The order of an APPROVED request, its history and audit row, in the caller's transaction,
    at the request's frozen prices; no contended row is locked yet (`reserve_stock` comes last).
    The caller's conditional update on the request's version makes this run once per request;
    the unique order-per-request key would refuse a second one anyway."""
    order = await Order.create(
        institution_id=request.institution_id,  # type: ignore[attr-defined]
        request_id=request.id,
        status=OrderStatus.PLACED,
        net=request.net,
        kdv=request.kdv,
        gross=request.gross,
        placed_at=now,
        updated_at=now,
        using_db=conn,
    )
    await OrderEvent.create(
        order_id=order.id,
        status=OrderStatus.PLACED,
        occurred_at=now,
        actor_id=actor.user_id,
        using_db=conn,
    )
    await audit.record(
        AuditAction.ORDER_PLACED,
        subject_type="Order",
        subject_id=order.id,
        actor_id=actor.user_id,
        institution_id=actor.institution_id,
        details={"request_id": str(request.id), "gross": str(request.gross)},
        now=now,
        using=conn,
    )
    lines = await PurchaseRequestLine.filter(request_id=request.id).using_db(conn)
    return Placement(order, list(lines))


async def reserve_stock(placement: Placement, *, now: datetime, conn: BaseDBAsyncClient) -> None:
    """Reserve stock for each line of the order and write the order's lines: what stock cannot
    cover is backordered with an ETA from the lead time. Last in the transaction, because other
    placements wait for these rows' locks until it commits."""
    today = today_in_turkiye(now)
    rows = []
    # Products in id order: two orders sharing products lock their rows in the same order, so
    # concurrent placements wait for each other instead of deadlocking.
    for line in sorted(placement.lines, key=lambda row: str(row.product_id)):  # type: ignore[attr-defined]
        allocation, lead_time_days = await _reserve_stock(
            line.product_id,  # type: ignore[attr-defined]
            line.quantity,
            conn=conn,
        )
        eta = None
        if allocation.backordered:
            assert lead_time_days is not None
            eta = orders.backorder_eta(today, lead_time_days)
        rows.append(
            OrderLine(
                order_id=placement.order.id,
                position=line.position,
                product_id=line.product_id,  # type: ignore[attr-defined]
                quantity=line.quantity,
                from_stock=allocation.from_stock,
                backordered=allocation.backordered,
                backorder_eta=eta,
                unit_price=line.unit_price,
                kdv_rate=line.kdv_rate,
                net=line.net,
                kdv=line.kdv,
                gross=line.gross,
            )
        )
    await OrderLine.bulk_create(rows, using_db=conn)


async def _reserve_stock(
    product_id: uuid.UUID, quantity: int, *, conn: BaseDBAsyncClient
) -> tuple[Allocation, int | None]:
    """Take what stock covers with a conditional decrement, and the lead time when some is
    backordered. First the whole quantity in one statement (stock covers most lines); if that
    finds too little, read the stock, take what it covers, and on a lost race (the stock fell
    between the read and the update) allocate again from the new stock. Never oversells."""
    if quantity > 0:
        taken = (
            await Product.filter(id=product_id, stock__gte=quantity)
            .using_db(conn)
            .update(stock=F("stock") - quantity)
        )
        if taken == 1:
            return Allocation(from_stock=quantity, backordered=0), None
    while True:
        product = (
            await Product.filter(id=product_id)
            .using_db(conn)
            .only("id", "stock", "lead_time_days")
            .get()
        )
        allocation = orders.allocate(quantity, product.stock)
        if allocation.from_stock == 0:
            return allocation, product.lead_time_days
        taken = (
            await Product.filter(id=product_id, stock__gte=allocation.from_stock)
            .using_db(conn)
            .update(stock=F("stock") - allocation.from_stock)
        )
        if taken == 1:
            return allocation, product.lead_time_days


# --- Confirmation and cancellation -------------------------------------------------------------


async def confirm(
    order_id: str, *, actor: Actor, now: datetime, bus: EventBus | None = None
) -> Order:
    """DMO's order desk accepts the order for fulfilment (PLACED -> CONFIRMED)."""
    async with in_transaction() as conn:
        order = await _get(order_id, actor=actor, conn=conn, field="orderId")
        await _change(order, OrderStatus.CONFIRMED, actor=actor, now=now, note="", conn=conn)
        await audit.record(
            AuditAction.ORDER_CONFIRMED,
            subject_type="Order",
            subject_id=order.id,
            actor_id=actor.user_id,
            institution_id=order.institution_id,  # type: ignore[attr-defined]
            now=now,
            using=conn,
        )
    return await _after_commit(order.id, bus=bus, now=now)


async def cancel(
    order_id: str, note: str, *, actor: Actor, now: datetime, bus: EventBus | None = None
) -> Order:
    """Cancel: the institution (the requester or an admin) while PLACED, the order desk while
    PLACED or CONFIRMED. Reserved stock goes back on the shelf and the budget reservation is
    released, in the same transaction."""
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"A note has at most {NOTE_MAX:,} characters.", field="note")
    async with in_transaction() as conn:
        order = await _get(order_id, actor=actor, conn=conn, field="orderId")
        request = await PurchaseRequest.get(id=order.request_id, using_db=conn)  # type: ignore[attr-defined]
        _check_may_cancel(order, request, actor)
        await _change(order, OrderStatus.CANCELLED, actor=actor, now=now, note=note, conn=conn)
        for line in await OrderLine.filter(order_id=order.id, from_stock__gt=0).using_db(conn):
            product_id = line.product_id  # type: ignore[attr-defined]
            back = F("stock") + line.from_stock
            await Product.filter(id=product_id).using_db(conn).update(stock=back)
        await budgets.release(request.budget_line_id, order.gross, conn=conn)  # type: ignore[attr-defined]
        await audit.record(
            AuditAction.ORDER_CANCELLED,
            subject_type="Order",
            subject_id=order.id,
            actor_id=actor.user_id,
            institution_id=order.institution_id,  # type: ignore[attr-defined]
            details={"note": note, "released_gross": str(order.gross)},
            now=now,
            using=conn,
        )
    return await _after_commit(order.id, bus=bus, now=now)


def _check_may_cancel(order: Order, request: PurchaseRequest, actor: Actor) -> None:
    orders.transition(order.status, OrderStatus.CANCELLED)  # a final state names itself
    if Role.ORDER_DESK in actor.roles:
        allowed = orders.CANCELLABLE_BY_ORDER_DESK
    else:
        if Role.INSTITUTION_ADMIN not in actor.roles and request.requester_id != actor.user_id:  # type: ignore[attr-defined]
            raise Forbidden(
                "Only the person who made the request or an institution administrator can"
                " cancel this order.",
                field="orderId",
            )
        allowed = orders.CANCELLABLE_BY_INSTITUTION
    if order.status not in allowed:
        raise InvalidTransition(
            f"An order in state {order.status} can no longer be cancelled by the institution:"
            " ask DMO's order desk."
        )


async def _change(
    order: Order,
    target: OrderStatus,
    *,
    actor: Actor,
    now: datetime,
    note: str,
    conn: BaseDBAsyncClient,
) -> None:
    """One conditional status change: of two concurrent changes only one finds the old state."""
    orders.transition(order.status, target)
    changed = (
        await Order.filter(id=order.id, status=order.status)
        .using_db(conn)
        .update(status=target, updated_at=now)
    )
    if changed != 1:
        current = await Order.get(id=order.id, using_db=conn)
        orders.transition(current.status, target)  # names the state it is in now
        raise ChangedMeanwhile("This order changed meanwhile: reload it and try again.")
    await OrderEvent.create(
        order_id=order.id,
        status=target,
        occurred_at=now,
        actor_id=actor.user_id,
        note=note,
        using_db=conn,
    )


async def _after_commit(order_id: uuid.UUID, *, bus: EventBus | None, now: datetime) -> Order:
    order = await Order.get(id=order_id)
    await events.order_changed(bus, order, now=now)
    return order


# --- Reads -------------------------------------------------------------------------------------


def _visible(actor: Actor) -> QuerySet[Order]:
    if actor.institution_id is not None:
        return Order.filter(institution_id=actor.institution_id)
    if actor.has_any(ORDER_READERS):
        return Order.all()
    return Order.filter(id=uuid.UUID(int=0))  # other DMO staff: nothing, same query shape


async def _get(
    order_id: str, *, actor: Actor, conn: BaseDBAsyncClient | None = None, field: str = "id"
) -> Order:
    found = await _visible(actor).using_db(conn).get_or_none(id=order_id)
    if found is None:
        raise NotFound(NO_SUCH_ORDER, field=field)
    return found


async def get(order_id: str, *, actor: Actor) -> Order:
    return await _get(order_id, actor=actor)


async def list_orders(
    *,
    actor: Actor,
    status: OrderStatus | None,
    after: tuple[datetime, str] | None,
    size: int,
) -> paging.Page[Order]:
    query = _visible(actor)
    if status is not None:
        query = query.filter(status=status)
    return await paging.newest_first(query, "placed_at", after, size)


async def orders_by_requests(request_ids: Sequence[str]) -> dict[str, Order]:
    rows = await Order.filter(request_id__in=list(request_ids))
    return {str(row.request_id): row for row in rows}  # type: ignore[attr-defined]


async def lines_by_orders(order_ids: Sequence[str]) -> dict[str, list[OrderLine]]:
    found: dict[str, list[OrderLine]] = {key: [] for key in order_ids}
    for row in await OrderLine.filter(order_id__in=list(order_ids)).order_by("position"):
        found[str(row.order_id)].append(row)  # type: ignore[attr-defined]
    return found


async def events_by_orders(order_ids: Sequence[str]) -> dict[str, list[OrderEvent]]:
    found: dict[str, list[OrderEvent]] = {key: [] for key in order_ids}
    rows = await OrderEvent.filter(order_id__in=list(order_ids))
    # Two changes in one instant (a fixed clock, or one transaction) keep the machine's order.
    rows.sort(key=lambda row: (row.occurred_at, _STATUS_ORDER[row.status]))
    for row in rows:
        found[str(row.order_id)].append(row)  # type: ignore[attr-defined]
    return found


_STATUS_ORDER = {status: index for index, status in enumerate(OrderStatus)}


@dataclass(frozen=True)
class Delivery:
    """Where and by when an order is to be delivered: from its purchase request."""

    address: Address
    requested_date: date | None


async def deliveries_by_orders(order_ids: Sequence[str]) -> dict[str, Delivery]:
    """For orders the actor already sees (the order desk needs them to plan shipments)."""
    rows = await Order.filter(id__in=order_ids).select_related("request__address")
    return {
        str(row.id): Delivery(row.request.address, row.request.requested_delivery_date)
        for row in rows
    }
