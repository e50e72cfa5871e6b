"""Orders (sipariş): the state machine, who may cancel when, and stock allocation with
backorders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain import cart, states


class OrderStatus(StrEnum):
    PLACED = "PLACED"
    CONFIRMED = "CONFIRMED"
    IN_FULFILMENT = "IN_FULFILMENT"
    PARTIALLY_DELIVERED = "PARTIALLY_DELIVERED"
    DELIVERED = "DELIVERED"
    ACCEPTED = "ACCEPTED"
    INVOICED = "INVOICED"
    PAID = "PAID"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


_S = OrderStatus
# DOMAIN.md's chain PLACED -> ... -> CLOSED, with two decisions of ours:
# - IN_FULFILMENT -> DELIVERED directly: an order delivered in one shipment is never
#   "partially delivered", and its status history should not say it was.
# - CANCELLED from PLACED (the institution, before confirmation: issue 4) and from CONFIRMED
#   (the order desk only, when DMO cannot fulfil, e.g. the contractor cannot supply). Once
#   goods are picked and shipped, undoing the order is a return, not a cancellation.
TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    _S.PLACED: frozenset({_S.CONFIRMED, _S.CANCELLED}),
    _S.CONFIRMED: frozenset({_S.IN_FULFILMENT, _S.CANCELLED}),
    _S.IN_FULFILMENT: frozenset({_S.PARTIALLY_DELIVERED, _S.DELIVERED}),
    _S.PARTIALLY_DELIVERED: frozenset({_S.DELIVERED}),
    _S.DELIVERED: frozenset({_S.ACCEPTED}),
    _S.ACCEPTED: frozenset({_S.INVOICED}),
    _S.INVOICED: frozenset({_S.PAID}),
    _S.PAID: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
    _S.CANCELLED: frozenset(),
}
FINAL = states.final_states(TRANSITIONS)
CANCELLABLE_BY_INSTITUTION = frozenset({_S.PLACED})
CANCELLABLE_BY_ORDER_DESK = frozenset({_S.PLACED, _S.CONFIRMED})


def transition(current: OrderStatus, target: OrderStatus) -> OrderStatus:
    """Return `target`; a forbidden move raises InvalidTransition naming the current state."""
    return states.transition(TRANSITIONS, current, target, subject="An order")


@dataclass(frozen=True)
class Allocation:
    from_stock: int
    backordered: int


def allocate(quantity: int, stock: int) -> Allocation:
    """Take what stock covers, backorder the rest; never more than is there (no oversell)."""
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    from_stock = min(quantity, max(stock, 0))
    return Allocation(from_stock, quantity - from_stock)


def backorder_eta(today: date, lead_time_days: int) -> date:
    """When a backordered quantity is expected: the same estimate the cart showed for it."""
    return cart.add_business_days(today, lead_time_days + cart.BACKORDER_EXTRA_DAYS)
