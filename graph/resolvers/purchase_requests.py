"""Purchase requests resolvers: decode ids and inputs, take the actor and clock, call one
service, map the result or the refusal; and the purchaseRequestUpdated subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import strawberry

from domain import catalogue as paging
from domain.approvals import Decision
from domain.errors import DomainError, NotFound
from domain.purchase_requests import RequestStatus
from graph import connections, cursors
from graph import ids as global_ids
from graph.auth import current_actor, require_actor
from graph.context import Info
from graph.errors import payload_errors, translate_errors
from graph.loaders import Loaders
from graph.permissions import recheck
from graph.schema import orders as order_types
from graph.schema import purchase_requests as types
from services import decisions, events, purchase_requests
from services.purchase_requests import LineChange, RequestChanges, RequestDraft

SORT = "createdAt"
P = TypeVar("P", bound=types.PurchaseRequestPayload)
Code = types.PurchaseRequestErrorCode


def errors(error: DomainError) -> list[types.PurchaseRequestError]:
    return payload_errors(error, types.PurchaseRequestError, Code)


def decode(global_id: strawberry.ID, type_name: str, field: str) -> str:
    try:
        return global_ids.decode(global_id, type_name, field=field)
    except DomainError:
        # A malformed id is reported like an unknown one: NOT_FOUND on that field.
        raise NotFound(_NOT_FOUND.get(type_name, f"No such {type_name}."), field=field) from None


_NOT_FOUND = {
    "PurchaseRequest": purchase_requests.NO_SUCH_REQUEST,
    "SpendingUnit": "No such spending unit.",
    "BudgetLine": "No such budget line.",
    "Address": "No such address.",
    "PurchaseRequestLine": "No such line in this request.",
    "Order": "No such order.",
    "User": "No such user.",
}


def after_time(cursor: str | None, sort_key: str) -> tuple[datetime, str] | None:
    """(timestamp, row id) of an `after` cursor made for `sort_key`; refused otherwise."""
    if cursor is None:
        return None
    at = cursors.decode(cursor, sort_key, cursors.ValueKind.TIMESTAMP, field="after")
    return datetime.fromisoformat(str(at.value)), at.id


def connection(page: Any, sort_key: str = SORT) -> types.PurchaseRequestConnection:
    edges, page_info = connections.edges(
        page,
        sort_key,
        lambda row: row.created_at.isoformat(),
        types.PurchaseRequest.from_row,
        types.PurchaseRequestEdge,
    )
    return types.PurchaseRequestConnection(edges=edges, page_info=page_info)


# --- Queries -----------------------------------------------------------------------------------


@translate_errors
async def purchase_requests_query(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    status: RequestStatus | None = None,
) -> types.PurchaseRequestConnection:
    actor = await require_actor(info.context)
    size = paging.page_size(first, None, after, None)
    page = await purchase_requests.list_requests(
        actor=actor, status=status, after=after_time(after, SORT), size=size
    )
    return connection(page)


async def purchase_request(info: Info, id: strawberry.ID) -> types.PurchaseRequest | None:
    actor = await require_actor(info.context)
    try:
        row = await purchase_requests.get(decode(id, "PurchaseRequest", "id"), actor=actor)
    except NotFound:
        return None
    return types.PurchaseRequest.from_row(row)


async def node(info: Info, raw_id: str) -> types.PurchaseRequest | None:
    actor = await current_actor(info.context)
    if actor is None:
        return None
    try:
        return types.PurchaseRequest.from_row(await purchase_requests.get(raw_id, actor=actor))
    except NotFound:
        return None


# --- Mutations ---------------------------------------------------------------------------------


async def _run(info: Info, payload: type[P], call: Callable[[], Awaitable[Any]]) -> P:
    try:
        row = await call()
    except DomainError as error:
        return payload(purchase_request=None, errors=errors(error))
    return payload(purchase_request=types.PurchaseRequest.from_row(row), errors=[])


async def purchase_request_create(
    info: Info, input: types.PurchaseRequestCreateInput
) -> types.PurchaseRequestCreatePayload:
    actor = await require_actor(info.context)

    def call() -> Awaitable[Any]:
        draft = RequestDraft(
            unit_id=decode(input.unit_id, "SpendingUnit", "unitId"),
            budget_line_id=decode(input.budget_line_id, "BudgetLine", "budgetLineId"),
            address_id=decode(input.address_id, "Address", "addressId"),
            justification=input.justification,
            requested_delivery_date=input.requested_delivery_date,
        )
        return purchase_requests.create(
            draft, actor=actor, now=info.context.clock(), bus=info.context.bus
        )

    return await _run(info, types.PurchaseRequestCreatePayload, call)


def _changes(input: types.PurchaseRequestUpdateInput) -> RequestChanges:
    def optional(value: strawberry.ID | None, type_name: str, field: str) -> str | None:
        return decode(value, type_name, field) if value else None

    dated = input.requested_delivery_date is not strawberry.UNSET
    return RequestChanges(
        unit_id=optional(input.unit_id, "SpendingUnit", "unitId"),
        budget_line_id=optional(input.budget_line_id, "BudgetLine", "budgetLineId"),
        address_id=optional(input.address_id, "Address", "addressId"),
        justification=input.justification,
        requested_delivery_date=input.requested_delivery_date if dated else None,
        set_requested_date=dated,
        lines=tuple(
            LineChange(
                decode(line.line_id, "PurchaseRequestLine", f"lines.{i}.lineId"), line.quantity
            )
            for i, line in enumerate(input.lines or ())
        ),
    )


async def purchase_request_update(
    info: Info, input: types.PurchaseRequestUpdateInput
) -> types.PurchaseRequestUpdatePayload:
    actor = await require_actor(info.context)

    def call() -> Awaitable[Any]:
        request_id = decode(input.request_id, "PurchaseRequest", "requestId")
        return purchase_requests.update(
            request_id, _changes(input), actor=actor, now=info.context.clock(), bus=info.context.bus
        )

    return await _run(info, types.PurchaseRequestUpdatePayload, call)


async def purchase_request_submit(
    info: Info, input: types.PurchaseRequestSubmitInput
) -> types.PurchaseRequestSubmitPayload:
    actor = await require_actor(info.context)

    def call() -> Awaitable[Any]:
        request_id = decode(input.request_id, "PurchaseRequest", "requestId")
        return purchase_requests.submit(
            request_id, actor=actor, now=info.context.clock(), bus=info.context.bus
        )

    return await _run(info, types.PurchaseRequestSubmitPayload, call)


async def purchase_request_cancel(
    info: Info, input: types.PurchaseRequestCancelInput
) -> types.PurchaseRequestCancelPayload:
    actor = await require_actor(info.context)

    def call() -> Awaitable[Any]:
        request_id = decode(input.request_id, "PurchaseRequest", "requestId")
        return purchase_requests.cancel(
            request_id, actor=actor, now=info.context.clock(), bus=info.context.bus
        )

    return await _run(info, types.PurchaseRequestCancelPayload, call)


async def _decide(info: Info, input: Any, decision: Decision) -> Any:
    actor = await require_actor(info.context)
    raw = decode(input.request_id, "PurchaseRequest", "requestId")
    return await decisions.decide(
        raw,
        decision,
        input.note,
        actor=actor,
        now=info.context.clock(),
        bus=info.context.bus,
        expected_step=input.step,
    )


async def purchase_request_approve(
    info: Info, input: types.PurchaseRequestApproveInput
) -> types.PurchaseRequestApprovePayload:
    try:
        decided = await _decide(info, input, Decision.APPROVE)
    except DomainError as error:
        return types.PurchaseRequestApprovePayload(
            purchase_request=None, order=None, errors=errors(error)
        )
    order = order_types.Order.from_row(decided.order) if decided.order else None
    return types.PurchaseRequestApprovePayload(
        purchase_request=types.PurchaseRequest.from_row(decided.request), order=order, errors=[]
    )


async def purchase_request_reject(
    info: Info, input: types.PurchaseRequestRejectInput
) -> types.PurchaseRequestRejectPayload:
    async def call() -> Any:
        return (await _decide(info, input, Decision.REJECT)).request

    return await _run(info, types.PurchaseRequestRejectPayload, call)


async def purchase_request_return(
    info: Info, input: types.PurchaseRequestReturnInput
) -> types.PurchaseRequestReturnPayload:
    async def call() -> Any:
        return (await _decide(info, input, Decision.RETURN)).request

    return await _run(info, types.PurchaseRequestReturnPayload, call)


# --- Subscription ------------------------------------------------------------------------------


async def purchase_request_updated(
    info: Info, id: strawberry.ID
) -> AsyncGenerator[types.PurchaseRequest | None, None]:
    """The request now, then again after every change; null (and the end) for an id the
    caller cannot see, exactly as for an unknown one."""
    actor = await require_actor(info.context)
    bus = info.context.bus
    try:
        raw = decode(id, "PurchaseRequest", "id")
        row = await purchase_requests.get(raw, actor=actor)
    except DomainError:
        yield None
        return
    if bus is None:
        yield types.PurchaseRequest.from_row(row)
        return
    async with bus.subscribe(events.request_channel(bus, raw)) as updates:
        # Read after subscribing, so no change falls between the snapshot and the stream.
        while True:
            info.context.loaders = Loaders()  # nested fields must not come from a cache
            actor = await recheck(info)  # signed out or demoted since: it ends here
            try:
                row = await purchase_requests.get(raw, actor=actor)
            except NotFound:
                yield None
                return
            yield types.PurchaseRequest.from_row(row)
            # An event or a Resync (events may have been missed): either way, read again.
            if await anext(updates, None) is None:
                return
