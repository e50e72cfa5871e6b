"""Cart rules: quantities, per-line money to the kuruş, totals by KDV rate, delivery estimates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain import cart
from domain.cart import LineAmounts, RateTotal, Totals
from domain.errors import InvalidInput

MONDAY = date(2026, 3, 2)


def _refused(error: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str | None, str]:
    return (error.value.code, error.value.field, error.value.message)


# --- Quantities ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "min_order_quantity"),
    [(1, 1), (36, 1), (100_000, 1), (12, 12), (13, 12), (100_000, 100_000), (1, 0)],
)
def test_quantities_within_bounds_are_accepted(quantity: int, min_order_quantity: int) -> None:
    checked = cart.check_quantity(
        quantity, min_order_quantity=min_order_quantity, field="lines.0.quantity"
    )
    assert checked == quantity


@pytest.mark.parametrize(
    ("quantity", "min_order_quantity", "message"),
    [
        (0, 1, "A quantity is at least 1."),
        (-3, 1, "A quantity is at least 1."),
        (0, 0, "A quantity is at least 1."),
        (100_001, 1, "A quantity is at most 100,000."),
        (10**12, 1, "A quantity is at most 100,000."),
        (11, 12, "This product's minimum order quantity is 12."),
        (0, 12, "This product's minimum order quantity is 12."),
        (1499, 1500, "This product's minimum order quantity is 1,500."),
        (1.5, 1, "A quantity is a whole number."),
        (2.0, 1, "A quantity is a whole number."),
        (True, 1, "A quantity is a whole number."),
        ("3", 1, "A quantity is a whole number."),
    ],
)
def test_quantities_out_of_bounds_are_refused(
    quantity: object, min_order_quantity: int, message: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        cart.check_quantity(
            quantity,  # type: ignore[arg-type]
            min_order_quantity=min_order_quantity,
            field="lines.2.quantity",
        )
    assert _refused(error) == ("BAD_USER_INPUT", "lines.2.quantity", message)


def test_line_count_is_bounded() -> None:
    assert cart.MAX_QUANTITY == 100_000
    assert cart.MAX_LINES == 200
    assert cart.check_line_count(200) == 200
    with pytest.raises(InvalidInput) as error:
        cart.check_line_count(201)
    assert _refused(error) == ("BAD_USER_INPUT", "lines", "At most 200 lines per cart or batch.")


# --- Line amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_price", "quantity", "rate", "net", "kdv", "gross"),
    [
        ("1.66", 36, 20, "59.76", "11.95", "71.71"),  # the issue's example: 11.952 -> 11.95
        ("1.25", 1, 10, "1.25", "0.13", "1.38"),  # 0.125 -> 0.13 (half-even would give 0.12)
        ("0.25", 1, 10, "0.25", "0.03", "0.28"),  # 0.025 -> 0.03
        ("0.05", 1, 10, "0.05", "0.01", "0.06"),  # 0.005 -> 0.01
        ("0.02", 1, 20, "0.02", "0.00", "0.02"),  # 0.004 -> 0.00
        ("0.03", 1, 20, "0.03", "0.01", "0.04"),  # 0.006 -> 0.01
        ("2.50", 1, 1, "2.50", "0.03", "2.53"),  # 0.025 -> 0.03
        ("0.75", 1, 1, "0.75", "0.01", "0.76"),  # 0.0075 -> 0.01
        ("1234.50", 1, 1, "1234.50", "12.35", "1246.85"),  # 12.345 -> 12.35
        ("17.35", 7, 10, "121.45", "12.15", "133.60"),  # 12.145 -> 12.15
        ("999.99", 3, 20, "2999.97", "599.99", "3599.96"),  # 599.994 -> 599.99
        ("0.01", 100_000, 20, "1000.00", "200.00", "1200.00"),
        ("12.5", 2, 20, "25.00", "5.00", "30.00"),  # amounts always carry two decimals
        ("0.125", 1, 0, "0.13", "0.00", "0.13"),  # a net of half a kuruş rounds up too
        ("0.333", 3, 20, "1.00", "0.20", "1.20"),  # 0.999 -> 1.00
        ("100.00", 2, 0, "200.00", "0.00", "200.00"),
        ("10.00", 1, 18, "10.00", "1.80", "11.80"),  # a rate from before 10 July 2023
        ("999999.99", 100_000, 20, "99999999000.00", "19999999800.00", "119999998800.00"),
    ],
)
def test_line_amounts_to_the_kurus(
    unit_price: str, quantity: int, rate: int, net: str, kdv: str, gross: str
) -> None:
    line = cart.price_line(Decimal(unit_price), quantity, rate)
    assert (str(line.net), str(line.kdv), str(line.gross)) == (net, kdv, gross)
    assert (line.unit_price, line.quantity, line.kdv_rate) == (Decimal(unit_price), quantity, rate)


def test_the_issue_example_in_full() -> None:
    assert cart.price_line(Decimal("1.66"), 36, 20) == LineAmounts(
        unit_price=Decimal("1.66"),
        quantity=36,
        kdv_rate=20,
        net=Decimal("59.76"),
        kdv=Decimal("11.95"),
        gross=Decimal("71.71"),
    )


# --- Totals --------------------------------------------------------------------------------------


def test_mixed_rate_totals_with_the_breakdown_by_rate() -> None:
    lines = [
        cart.price_line(Decimal("12.50"), 3, 10),  # 37.50 + 3.75
        cart.price_line(Decimal("3.99"), 5, 0),  # 19.95 + 0.00
        cart.price_line(Decimal("1.66"), 36, 20),  # 59.76 + 11.95
        cart.price_line(Decimal("45.00"), 4, 1),  # 180.00 + 1.80
        cart.price_line(Decimal("1.25"), 1, 10),  # 1.25 + 0.13
        cart.price_line(Decimal("249.90"), 2, 20),  # 499.80 + 99.96
    ]
    assert cart.totals(lines) == Totals(
        net=Decimal("798.26"),
        kdv=Decimal("117.59"),
        gross=Decimal("915.85"),
        by_kdv_rate=(
            RateTotal(20, Decimal("559.56"), Decimal("111.91"), Decimal("671.47")),
            RateTotal(10, Decimal("38.75"), Decimal("3.88"), Decimal("42.63")),
            RateTotal(1, Decimal("180.00"), Decimal("1.80"), Decimal("181.80")),
            RateTotal(0, Decimal("19.95"), Decimal("0.00"), Decimal("19.95")),
        ),
    )


def test_totals_add_the_rounded_line_amounts() -> None:
    # Three lines of 0.05 at 10 %: 0.01 KDV each, so 0.03, where 10 % of 0.15 would be 0.02.
    lines = [cart.price_line(Decimal("0.05"), 1, 10)] * 3
    result = cart.totals(lines)
    assert (str(result.net), str(result.kdv), str(result.gross)) == ("0.15", "0.03", "0.18")
    assert result.by_kdv_rate == (RateTotal(10, Decimal("0.15"), Decimal("0.03"), Decimal("0.18")),)


def test_totals_of_one_line_equal_the_line() -> None:
    line = cart.price_line(Decimal("1.66"), 36, 20)
    result = cart.totals([line])
    assert (result.net, result.kdv, result.gross) == (line.net, line.kdv, line.gross)
    assert result.by_kdv_rate == (RateTotal(20, line.net, line.kdv, line.gross),)


def test_totals_of_an_empty_cart_are_zero() -> None:
    result = cart.totals([])
    assert (str(result.net), str(result.kdv), str(result.gross)) == ("0.00", "0.00", "0.00")
    assert result.by_kdv_rate == ()


@pytest.mark.parametrize(
    ("added", "current", "changed"),
    [
        ("1.66", "1.66", False),
        ("1.5", "1.50", False),
        ("1.66", "1.70", True),
        ("1.66", "1.65", True),
        ("0.00", "0.01", True),
    ],
)
def test_price_changed(added: str, current: str, changed: bool) -> None:
    assert cart.price_changed(Decimal(added), Decimal(current)) is changed


# --- Delivery estimates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 2), 0, date(2026, 3, 2)),  # Monday
        (date(2026, 3, 2), 1, date(2026, 3, 3)),
        (date(2026, 3, 2), 4, date(2026, 3, 6)),  # Friday
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # next Monday
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
        (date(2026, 3, 2), 20, date(2026, 3, 30)),
        (date(2026, 3, 4), 7, date(2026, 3, 13)),  # Wednesday + 7: Friday of the next week
        (date(2026, 3, 5), 3, date(2026, 3, 10)),  # Thursday + 3: Friday, Monday, Tuesday
        (date(2026, 3, 6), 0, date(2026, 3, 6)),  # Friday
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1: Monday
        (date(2026, 3, 7), 0, date(2026, 3, 9)),  # Saturday + 0: Monday
        (date(2026, 3, 8), 0, date(2026, 3, 9)),  # Sunday + 0: Monday
        (date(2026, 3, 7), 1, date(2026, 3, 10)),  # Saturday + 1: Tuesday
        (date(2026, 3, 8), 5, date(2026, 3, 16)),  # Sunday + 5: Monday after next
        (date(2026, 3, 27), 3, date(2026, 4, 1)),  # across a month end
        (date(2026, 12, 31), 1, date(2027, 1, 1)),  # New Year's Day is not known as a holiday
        (date(2026, 3, 2), 365, date(2027, 7, 26)),
    ],
)
def test_add_business_days(start: date, days: int, expected: date) -> None:
    assert cart.add_business_days(start, days) == expected


def _business_days_one_by_one(start: date, days: int) -> date:
    current = start
    while current.weekday() >= 5:
        current += timedelta(days=1)
    for _ in range(days):
        current += timedelta(days=1)
        while current.weekday() >= 5:
            current += timedelta(days=1)
    return current


def test_add_business_days_agrees_with_counting_day_by_day() -> None:
    for offset in range(28):
        start = MONDAY + timedelta(days=offset)
        for days in range(40):
            expected = _business_days_one_by_one(start, days)
            assert cart.add_business_days(start, days) == expected, (start, days)
            assert expected.weekday() < 5


def test_add_business_days_refuses_negative_days() -> None:
    with pytest.raises(ValueError, match="days must not be negative"):
        cart.add_business_days(MONDAY, -1)


@pytest.mark.parametrize(
    ("today", "lead_time_days", "stock", "quantity", "expected"),
    [
        (MONDAY, 5, 100, 36, date(2026, 3, 9)),  # in stock: the lead time
        (MONDAY, 5, 36, 36, date(2026, 3, 9)),  # exactly covered
        (MONDAY, 5, 35, 36, date(2026, 3, 23)),  # one short: 5 + 10 business days
        (MONDAY, 0, 10, 1, MONDAY),
        (MONDAY, 0, 0, 1, date(2026, 3, 16)),  # out of stock: 10 business days
        (date(2026, 3, 7), 0, 10, 1, date(2026, 3, 9)),  # Saturday: Monday
        (date(2026, 3, 6), 2, 10, 1, date(2026, 3, 10)),  # Friday + 2: Tuesday
    ],
)
def test_line_delivery_date(
    today: date, lead_time_days: int, stock: int, quantity: int, expected: date
) -> None:
    assert cart.BACKORDER_EXTRA_DAYS == 10
    estimate = cart.line_delivery_date(
        today, lead_time_days=lead_time_days, stock=stock, quantity=quantity
    )
    assert estimate == expected


def test_cart_delivery_date_is_the_latest_line() -> None:
    dates = [date(2026, 3, 9), date(2026, 3, 23), date(2026, 3, 16)]
    assert cart.cart_delivery_date(dates) == date(2026, 3, 23)
    assert cart.cart_delivery_date([date(2026, 3, 9)]) == date(2026, 3, 9)
    assert cart.cart_delivery_date([]) is None
