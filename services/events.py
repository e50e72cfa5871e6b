"""Live events of purchase requests, approval inboxes and orders: their shapes and channels,
published after commit and best-effort (a failed publish never fails a committed change)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from db.models import Order, PurchaseRequest
from subscriptions import Event, EventBus

log = logging.getLogger(__name__)

REQUESTS = "purchase_requests"
# One inbox channel per institution: every change of who a request awaits. Subscribers re-read
# their own inbox, so the event needs no list of people.
INBOXES = "approvals"
ORDERS = "orders"


def request_channel(bus: EventBus, request_id: UUID | str) -> str:
    return bus.channels.channel(REQUESTS, request_id)


def inbox_channel(bus: EventBus, institution_id: UUID | str) -> str:
    return bus.channels.channel(INBOXES, institution_id)


def order_channel(bus: EventBus, order_id: UUID | str) -> str:
    return bus.channels.channel(ORDERS, order_id)


def _request_data(request: PurchaseRequest) -> dict[str, Any]:
    return {
        "request_id": str(request.id),
        "status": str(request.status),
        "round": request.round,
        "current_step": request.current_step,
        "awaiting_role": str(request.awaiting_role) if request.awaiting_role else None,
        "version": request.version,
    }


async def request_changed(
    bus: EventBus | None,
    request: PurchaseRequest,
    *,
    now: datetime,
    inbox: bool = False,
    order: Order | None = None,
) -> None:
    """A request changed (and, if `inbox`, whom it awaits); `order` was placed or changed."""
    if bus is None:
        return
    data = _request_data(request)
    messages = [(request_channel(bus, request.id), Event("PurchaseRequestUpdated", data, now))]
    if inbox:
        institution_id = request.institution_id  # type: ignore[attr-defined]
        messages.append(
            (inbox_channel(bus, institution_id), Event("ApprovalInboxChanged", data, now))
        )
    if order is not None:
        messages.append(order_message(bus, order, now=now))
    await _publish(bus, messages)


async def inbox_changed(
    bus: EventBus | None, institution_id: UUID, *, now: datetime, data: dict[str, Any]
) -> None:
    """Whom something awaits changed in this institution other than by a request's change
    (a new delegation, say)."""
    if bus is not None:
        event = Event("ApprovalInboxChanged", data, now)
        await _publish(bus, [(inbox_channel(bus, institution_id), event)])


def order_message(bus: EventBus, order: Order, *, now: datetime) -> tuple[str, Event]:
    data = {
        "order_id": str(order.id),
        "request_id": str(order.request_id),  # type: ignore[attr-defined]
        "status": str(order.status),
    }
    return order_channel(bus, order.id), Event("OrderStatusChanged", data, now)


async def order_changed(bus: EventBus | None, order: Order, *, now: datetime) -> None:
    if bus is not None:
        await _publish(bus, [order_message(bus, order, now=now)])


async def _publish(bus: EventBus, messages: Sequence[tuple[str, Event]]) -> None:
    for channel, event in messages:
        try:
            await bus.publish(channel, event)
        except Exception:  # the change is committed: log, never fail the mutation
            log.warning("event %s on %s not published", event.type, channel, exc_info=True)
