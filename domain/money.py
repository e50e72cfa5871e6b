"""Money: Decimal amounts in TRY, rounded half-up to the kuruş in this one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

KURUS = Decimal("0.01")
CURRENCY = "TRY"
# KDV (katma değer vergisi) rates in force (KDV Law 3065, rates set by presidential decree).
KDV_RATES: frozenset[int] = frozenset({0, 1, 10, 20})


def round_kurus(amount: Decimal) -> Decimal:
    """Round half-up to 0.01, as Turkish invoices do (per line)."""
    return amount.quantize(KURUS, rounding=ROUND_HALF_UP)


def parse_amount(raw: str | int | Decimal) -> Decimal:
    """Parse a money amount; refuse floats, NaN, infinities and more than two decimals."""
    if isinstance(raw, float):
        raise ValueError("money must not be a float")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    if not value.is_finite():
        raise ValueError("not a finite number")
    if value != value.quantize(KURUS, rounding=ROUND_HALF_UP):
        raise ValueError("at most two decimal places")
    return value.quantize(KURUS)


def kdv_amount(net: Decimal, rate_percent: int) -> Decimal:
    """KDV on a net amount, rounded half-up to the kuruş."""
    return round_kurus(net * Decimal(rate_percent) / Decimal(100))


def gross_amount(net: Decimal, rate_percent: int) -> Decimal:
    return round_kurus(net) + kdv_amount(net, rate_percent)


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """Convert a foreign-currency amount to TRY at `rate` TRY per unit, rounded to the kuruş."""
    return round_kurus(amount * rate)
