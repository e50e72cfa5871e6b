"""Budget lines: economic codes, fiscal years, appropriations and what is still available."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from domain import money
from domain.errors import DomainError, InvalidInput

# The analytic budget classification's economic code, four levels (I.II.III.IV), e.g.
# 03.2.1.01: mal ve hizmet alım giderleri / tüketime yönelik mal ve malzeme alımları /
# kırtasiye ve büro malzemesi alımları / kırtasiye alımları. ASCII digits only: \d would also
# accept Arabic-Indic digits.
ECONOMIC_CODE = re.compile(r"[0-9]{2}\.[0-9]\.[0-9]\.[0-9]{2}")
MAX_APPROPRIATION = Decimal("999999999999.99")  # fits NUMERIC(14, 2)


class BudgetExceeded(DomainError):
    code = "BUDGET_EXCEEDED"


def check_economic_code(code: str, *, field: str = "economicCode") -> str:
    value = code.strip()
    if not ECONOMIC_CODE.fullmatch(value):
        raise InvalidInput(
            "An economic code has four levels of 2, 1, 1 and 2 digits, like 03.2.1.01.",
            field=field,
        )
    return value


def check_fiscal_year(year: int, *, today: date, field: str = "fiscalYear") -> int:
    """Last year (still being closed), this year, or next year (planned ahead); in Türkiye the
    fiscal year is the calendar year."""
    low, high = today.year - 1, today.year + 1
    if isinstance(year, bool) or not isinstance(year, int) or not low <= year <= high:
        raise InvalidInput(f"A fiscal year is between {low} and {high}.", field=field)
    return year


def check_chargeable(fiscal_year: int, *, today: date, field: str = "budgetLineId") -> int:
    """A request is charged to this year's appropriation: last year's lapsed at year end and
    next year's is not yet open (Law 5018: appropriations are for one fiscal year)."""
    if fiscal_year != today.year:
        raise InvalidInput(
            f"This budget line is for fiscal year {fiscal_year}: a request is charged to the "
            f"current year's appropriation ({today.year}).",
            field=field,
        )
    return fiscal_year


def check_appropriation(amount: Decimal, *, field: str = "appropriation") -> Decimal:
    if not amount.is_finite() or amount < 0:
        raise InvalidInput("An appropriation is zero or more.", field=field)
    if amount > MAX_APPROPRIATION:
        raise InvalidInput(f"An appropriation is at most {MAX_APPROPRIATION:,}.", field=field)
    if amount != money.round_kurus(amount):
        raise InvalidInput("An appropriation has at most two decimal places.", field=field)
    return money.round_kurus(amount)


def available(appropriation: Decimal, reserved: Decimal, spent: Decimal) -> Decimal:
    """What may still be reserved. Not clamped: a negative figure shows an overdrawn line."""
    return appropriation - reserved - spent


def check_covers(amount: Decimal, *, available: Decimal) -> None:
    """Refuse a reservation beyond what the line has left (final approval, DOMAIN.md).

    The service still reserves with a conditional UPDATE; this gives the refusal its message.
    """
    if amount > available:
        raise BudgetExceeded(
            f"The budget line has {max(available, Decimal(0)):,.2f} TRY available;"
            f" this request needs {amount:,.2f} TRY."
        )
