"""Orders: every allowed and forbidden transition, cancellation, allocation and backorder ETAs."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from domain import cart, orders
from domain.errors import InvalidTransition
from domain.orders import Allocation, OrderStatus

MONDAY = date(2026, 3, 2)

# Written out from DOMAIN.md and the decisions in domain/orders.py: allowed (from, to) pairs.
ALLOWED = {
    ("PLACED", "CONFIRMED"),
    ("PLACED", "CANCELLED"),
    ("CONFIRMED", "IN_FULFILMENT"),
    ("CONFIRMED", "CANCELLED"),
    ("IN_FULFILMENT", "PARTIALLY_DELIVERED"),
    ("IN_FULFILMENT", "DELIVERED"),
    ("PARTIALLY_DELIVERED", "DELIVERED"),
    ("DELIVERED", "ACCEPTED"),
    ("ACCEPTED", "INVOICED"),
    ("INVOICED", "PAID"),
    ("PAID", "CLOSED"),
}
ALL_PAIRS = list(product(OrderStatus, OrderStatus))


def test_the_states() -> None:
    assert [s.value for s in OrderStatus] == [
        "PLACED",
        "CONFIRMED",
        "IN_FULFILMENT",
        "PARTIALLY_DELIVERED",
        "DELIVERED",
        "ACCEPTED",
        "INVOICED",
        "PAID",
        "CLOSED",
        "CANCELLED",
    ]
    assert set(orders.TRANSITIONS) == set(OrderStatus)


def test_the_table_is_the_expected_one() -> None:
    table = {
        (current.value, target.value)
        for current, targets in orders.TRANSITIONS.items()
        for target in targets
    }
    assert table == ALLOWED


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=lambda s: str(s))
def test_every_transition(current: OrderStatus, target: OrderStatus) -> None:
    if (current.value, target.value) in ALLOWED:
        assert orders.transition(current, target) is target
        return
    with pytest.raises(InvalidTransition) as error:
        orders.transition(current, target)
    assert error.value.code == "INVALID_TRANSITION"
    assert error.value.field is None
    assert error.value.message == f"An order in state {current} cannot become {target}."


def test_the_message_names_the_current_state() -> None:
    with pytest.raises(InvalidTransition) as error:
        orders.transition(OrderStatus.IN_FULFILMENT, OrderStatus.CANCELLED)
    assert error.value.message == "An order in state IN_FULFILMENT cannot become CANCELLED."


def test_the_happy_path_walks_the_whole_chain() -> None:
    chain = [
        OrderStatus.PLACED,
        OrderStatus.CONFIRMED,
        OrderStatus.IN_FULFILMENT,
        OrderStatus.PARTIALLY_DELIVERED,
        OrderStatus.DELIVERED,
        OrderStatus.ACCEPTED,
        OrderStatus.INVOICED,
        OrderStatus.PAID,
        OrderStatus.CLOSED,
    ]
    state = chain[0]
    for target in chain[1:]:
        state = orders.transition(state, target)
    assert state is OrderStatus.CLOSED


def test_final_and_cancellable_states() -> None:
    assert frozenset({OrderStatus.CLOSED, OrderStatus.CANCELLED}) == orders.FINAL
    assert frozenset({OrderStatus.PLACED}) == orders.CANCELLABLE_BY_INSTITUTION
    assert (
        frozenset({OrderStatus.PLACED, OrderStatus.CONFIRMED}) == orders.CANCELLABLE_BY_ORDER_DESK
    )
    cancellable = {s for s in OrderStatus if OrderStatus.CANCELLED in orders.TRANSITIONS[s]}
    assert cancellable == orders.CANCELLABLE_BY_ORDER_DESK
    assert orders.CANCELLABLE_BY_INSTITUTION <= orders.CANCELLABLE_BY_ORDER_DESK


# --- Allocation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "stock", "from_stock", "backordered"),
    [
        (5, 10, 5, 0),
        (10, 10, 10, 0),  # stock covers it exactly
        (36, 10, 10, 26),
        (1, 0, 0, 1),
        (5, -3, 0, 5),  # a negative stock figure never hands out units
        (0, 10, 0, 0),
        (100_000, 99_999, 99_999, 1),
    ],
)
def test_allocate(quantity: int, stock: int, from_stock: int, backordered: int) -> None:
    assert orders.allocate(quantity, stock) == Allocation(from_stock, backordered)


def test_allocate_refuses_a_negative_quantity() -> None:
    with pytest.raises(ValueError, match="quantity must not be negative"):
        orders.allocate(-1, 10)


def test_fifty_orders_of_one_against_a_stock_of_ten() -> None:
    stock, from_stock, backordered = 10, 0, 0
    for _ in range(50):
        allocation = orders.allocate(1, stock)
        stock -= allocation.from_stock
        from_stock += allocation.from_stock
        backordered += allocation.backordered
    assert (stock, from_stock, backordered) == (0, 10, 40)


@pytest.mark.parametrize(
    ("today", "lead_time_days", "eta"),
    [
        (MONDAY, 0, date(2026, 3, 16)),  # 10 business days
        (MONDAY, 5, date(2026, 3, 23)),
        (date(2026, 3, 6), 1, date(2026, 3, 23)),  # Friday + 11
        (date(2026, 3, 7), 0, date(2026, 3, 23)),  # Saturday counts from Monday the 9th
        (date(2026, 12, 28), 3, date(2027, 1, 14)),
    ],
)
def test_backorder_eta(today: date, lead_time_days: int, eta: date) -> None:
    assert orders.backorder_eta(today, lead_time_days) == eta


def test_the_backorder_eta_is_what_the_cart_estimated() -> None:
    for lead_time_days in (0, 1, 5, 30):
        estimate = cart.line_delivery_date(
            MONDAY, lead_time_days=lead_time_days, stock=10, quantity=11
        )
        assert orders.backorder_eta(MONDAY, lead_time_days) == estimate
