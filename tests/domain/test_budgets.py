"""Budget lines: economic codes, fiscal years, appropriations, availability and the refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import budgets
from domain.budgets import BudgetExceeded
from domain.errors import DomainError, InvalidInput

TODAY = date(2026, 3, 2)


def _refused(error: pytest.ExceptionInfo[DomainError]) -> tuple[str, str | None, str]:
    return (error.value.code, error.value.field, error.value.message)


@pytest.mark.parametrize(
    ("code", "checked"),
    [
        ("03.2.1.01", "03.2.1.01"),  # kırtasiye alımları
        ("06.1.2.01", "06.1.2.01"),
        (" 03.2.3.02\n", "03.2.3.02"),
        ("00.0.0.00", "00.0.0.00"),
    ],
)
def test_economic_codes(code: str, checked: str) -> None:
    assert budgets.check_economic_code(code) == checked


@pytest.mark.parametrize(
    "code",
    [
        "",
        "3.2.1.01",
        "03.2.1.1",
        "03.2.1.011",
        "03.21.1.01",
        "03-2-1-01",
        "03.2.1.01.",
        "03.2.1",
        "03 2 1 01",
        "0a.2.1.01",
        "٠٣.٢.١.٠١",  # Arabic-Indic digits match \d, not the format
        "03.2.1.01\n03.2.1.01",
    ],
)
def test_bad_economic_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        budgets.check_economic_code(code)
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "economicCode",
        "An economic code has four levels of 2, 1, 1 and 2 digits, like 03.2.1.01.",
    )


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_fiscal_years_around_today(year: int) -> None:
    assert budgets.check_fiscal_year(year, today=TODAY) == year


@pytest.mark.parametrize("year", [2024, 2028, 0, -2026, 20260, True])
def test_fiscal_years_out_of_range_are_refused(year: int) -> None:
    with pytest.raises(InvalidInput) as error:
        budgets.check_fiscal_year(year, today=TODAY)
    assert _refused(error) == (
        "BAD_USER_INPUT",
        "fiscalYear",
        "A fiscal year is between 2025 and 2027.",
    )


def test_the_fiscal_year_window_moves_with_today() -> None:
    assert budgets.check_fiscal_year(2026, today=date(2027, 12, 31)) == 2026
    with pytest.raises(InvalidInput) as error:
        budgets.check_fiscal_year(2026, today=date(2028, 1, 1))
    assert error.value.message == "A fiscal year is between 2027 and 2029."


@pytest.mark.parametrize(
    ("amount", "checked"),
    [
        ("0", "0.00"),
        ("1000", "1000.00"),
        ("250000.5", "250000.50"),
        ("1234567.89", "1234567.89"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_appropriations(amount: str, checked: str) -> None:
    assert str(budgets.check_appropriation(Decimal(amount))) == checked


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-0.01", "An appropriation is zero or more."),
        ("-1000", "An appropriation is zero or more."),
        ("NaN", "An appropriation is zero or more."),
        ("Infinity", "An appropriation is zero or more."),
        ("1000000000000.00", "An appropriation is at most 999,999,999,999.99."),
        ("1E+20", "An appropriation is at most 999,999,999,999.99."),
        ("100.005", "An appropriation has at most two decimal places."),
        ("0.001", "An appropriation has at most two decimal places."),
    ],
)
def test_bad_appropriations_are_refused(amount: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        budgets.check_appropriation(Decimal(amount))
    assert _refused(error) == ("BAD_USER_INPUT", "appropriation", message)


@pytest.mark.parametrize(
    ("appropriation", "reserved", "spent", "left"),
    [
        ("100000.00", "0.00", "0.00", "100000.00"),
        ("100000.00", "71.71", "0.00", "99928.29"),
        ("100000.00", "25000.50", "40000.25", "34999.25"),
        ("100000.00", "60000.00", "40000.00", "0.00"),
        ("100.00", "80.00", "30.00", "-10.00"),  # overdrawn: shown, not hidden
    ],
)
def test_available(appropriation: str, reserved: str, spent: str, left: str) -> None:
    result = budgets.available(Decimal(appropriation), Decimal(reserved), Decimal(spent))
    assert str(result) == left


@pytest.mark.parametrize(
    ("amount", "available"),
    [("71.71", "71.71"), ("71.71", "100000.00"), ("0.00", "0.00")],
)
def test_a_line_that_covers_the_amount(amount: str, available: str) -> None:
    budgets.check_covers(Decimal(amount), available=Decimal(available))


@pytest.mark.parametrize(
    ("amount", "available", "message"),
    [
        (
            "71.72",
            "71.71",
            "The budget line has 71.71 TRY available; this request needs 71.72 TRY.",
        ),
        (
            "1500000",
            "1234567.8",
            "The budget line has 1,234,567.80 TRY available; this request needs 1,500,000.00 TRY.",
        ),
        (
            "10.00",
            "-5.00",
            "The budget line has 0.00 TRY available; this request needs 10.00 TRY.",
        ),
    ],
)
def test_budget_exceeded(amount: str, available: str, message: str) -> None:
    with pytest.raises(BudgetExceeded) as error:
        budgets.check_covers(Decimal(amount), available=Decimal(available))
    assert _refused(error) == ("BUDGET_EXCEEDED", None, message)
    assert isinstance(error.value, DomainError)
    assert BudgetExceeded.code == "BUDGET_EXCEEDED"
