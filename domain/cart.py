"""Cart rules: quantities, line and total amounts (net, KDV, gross, by rate), delivery estimates
from lead times and stock, and live-price change detection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain import money
from domain.errors import InvalidInput

MAX_QUANTITY = 100_000
MAX_LINES = 200  # per cart, and per cartLinesAdd / cartLinesUpdate / cartLinesRemove batch
# Business days added to a product's lead time when stock does not cover a line: DMO has to
# reorder from the contractor, who delivers to DMO first. Two working weeks is a deliberately
# cautious estimate: a buyer planning around it is rarely disappointed. Shown as an estimate,
# never promised; orders.backorder_eta uses the same figure so cart and order agree.
BACKORDER_EXTRA_DAYS = 10

_ZERO = Decimal("0.00")
_SATURDAY = 5


def check_quantity(quantity: int, *, min_order_quantity: int, field: str) -> int:
    """A whole number from max(1, minimum order quantity) to MAX_QUANTITY."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidInput("A quantity is a whole number.", field=field)
    if quantity < max(1, min_order_quantity):
        if min_order_quantity > 1:
            raise InvalidInput(
                f"This product's minimum order quantity is {min_order_quantity:,}.", field=field
            )
        raise InvalidInput("A quantity is at least 1.", field=field)
    if quantity > MAX_QUANTITY:
        raise InvalidInput(f"A quantity is at most {MAX_QUANTITY:,}.", field=field)
    return quantity


def check_line_count(count: int, *, field: str = "lines") -> int:
    if count > MAX_LINES:
        raise InvalidInput(f"At most {MAX_LINES} lines per cart or batch.", field=field)
    return count


# --- Amounts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineAmounts:
    unit_price: Decimal
    quantity: int
    kdv_rate: int
    net: Decimal
    kdv: Decimal
    gross: Decimal


def price_line(unit_price: Decimal, quantity: int, kdv_rate: int) -> LineAmounts:
    """Net = unit price x quantity, KDV = net x rate, each rounded half-up to the kuruş, per line
    as Turkish invoices do (UBL-TR: TaxAmount per InvoiceLine); gross = net + KDV.

    The rate is not checked against money.KDV_RATES: a frozen request keeps the rate it was
    priced at, even after the rates change (18 % became 20 % on 10 July 2023).
    """
    net = money.round_kurus(unit_price * quantity)
    kdv = money.kdv_amount(net, kdv_rate)
    return LineAmounts(unit_price, quantity, kdv_rate, net, kdv, net + kdv)


@dataclass(frozen=True)
class RateTotal:
    kdv_rate: int
    net: Decimal
    kdv: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    kdv: Decimal
    gross: Decimal
    by_kdv_rate: tuple[RateTotal, ...]  # highest rate first


def totals(lines: Sequence[LineAmounts]) -> Totals:
    """Sums of the already rounded line amounts, so the totals add up to the kuruş."""
    by_rate: dict[int, list[LineAmounts]] = {}
    for line in lines:
        by_rate.setdefault(line.kdv_rate, []).append(line)
    breakdown = tuple(
        RateTotal(rate, *_sums(by_rate[rate])) for rate in sorted(by_rate, reverse=True)
    )
    return Totals(*_sums(lines), by_kdv_rate=breakdown)


def _sums(lines: Sequence[LineAmounts]) -> tuple[Decimal, Decimal, Decimal]:
    net = sum((line.net for line in lines), _ZERO)
    kdv = sum((line.kdv for line in lines), _ZERO)
    return net, kdv, net + kdv


def price_changed(added_price: Decimal, current_price: Decimal) -> bool:
    """Whether the live price differs from the price when the line was added (1.5 == 1.50)."""
    return added_price != current_price


# --- Delivery estimates --------------------------------------------------------------------------


def add_business_days(start: date, days: int) -> date:
    """`days` business days after `start`, Saturdays and Sundays skipped.

    A weekend start counts from the next Monday, as nobody works on the order before then:
    0 days gives `start` on a weekday and the next Monday on a weekend; Saturday + 1 is Tuesday,
    Friday + 1 is Monday. Public holidays are not known here, so they count as business days.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    while current.weekday() >= _SATURDAY:
        current += timedelta(days=1)
    weeks, rest = divmod(days, 5)
    current += timedelta(weeks=weeks)
    for _ in range(rest):
        current += timedelta(days=1)
        while current.weekday() >= _SATURDAY:
            current += timedelta(days=1)
    return current


def line_delivery_date(today: date, *, lead_time_days: int, stock: int, quantity: int) -> date:
    """The lead time when stock covers the whole line, else lead time + BACKORDER_EXTRA_DAYS."""
    extra = 0 if stock >= quantity else BACKORDER_EXTRA_DAYS
    return add_business_days(today, lead_time_days + extra)


def cart_delivery_date(dates: Sequence[date]) -> date | None:
    """The cart arrives complete when its latest line does; None for an empty cart."""
    return max(dates, default=None)
