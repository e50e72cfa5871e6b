"""Orders resolvers: lists and reads (scoped by the service), confirmation and cancellation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from domain import catalogue as paging
from domain.errors import DomainError, NotFound
from domain.orders import OrderStatus
from graph import connections
from graph.auth import current_actor, require_actor
from graph.context import Info
from graph.errors import payload_errors, translate_errors
from graph.resolvers.purchase_requests import after_time, decode
from graph.schema import orders as types
from services import orders

SORT = "placedAt"
Code = types.OrdersErrorCode
P = TypeVar("P", types.OrderConfirmPayload, types.OrderCancelPayload)


def _errors(error: DomainError) -> list[types.OrdersError]:
    return payload_errors(error, types.OrdersError, Code)


@translate_errors
async def orders_query(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    status: OrderStatus | None = None,
) -> types.OrderConnection:
    actor = await require_actor(info.context)
    size = paging.page_size(first, None, after, None)
    page = await orders.list_orders(
        actor=actor, status=status, after=after_time(after, SORT), size=size
    )
    edges, page_info = connections.edges(
        page, SORT, lambda row: row.placed_at.isoformat(), types.Order.from_row, types.OrderEdge
    )
    return types.OrderConnection(edges=edges, page_info=page_info)


async def order(info: Info, id: strawberry.ID) -> types.Order | None:
    actor = await require_actor(info.context)
    try:
        return types.Order.from_row(await orders.get(decode(id, "Order", "id"), actor=actor))
    except NotFound:
        return None


async def node(info: Info, raw_id: str) -> types.Order | None:
    actor = await current_actor(info.context)
    if actor is None:
        return None
    try:
        return types.Order.from_row(await orders.get(raw_id, actor=actor))
    except NotFound:
        return None


async def _run(payload: type[P], call: Callable[[], Awaitable[Any]]) -> P:
    try:
        row = await call()
    except DomainError as error:
        return payload(order=None, errors=_errors(error))
    return payload(order=types.Order.from_row(row), errors=[])


async def order_confirm(info: Info, input: types.OrderConfirmInput) -> types.OrderConfirmPayload:
    actor = await require_actor(info.context)

    def call() -> Awaitable[Any]:
        order_id = decode(input.order_id, "Order", "orderId")
        return orders.confirm(order_id, actor=actor, now=info.context.clock(), bus=info.context.bus)

    return await _run(types.OrderConfirmPayload, call)


async def order_cancel(info: Info, input: types.OrderCancelInput) -> types.OrderCancelPayload:
    actor = await require_actor(info.context)

    def call() -> Awaitable[Any]:
        order_id = decode(input.order_id, "Order", "orderId")
        return orders.cancel(
            order_id, input.note, actor=actor, now=info.context.clock(), bus=info.context.bus
        )

    return await _run(types.OrderCancelPayload, call)
