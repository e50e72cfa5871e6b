"""Money: half-up rounding to the kuruş, KDV, parsing and currency conversion."""

from decimal import Decimal

import pytest

from domain import money


@pytest.mark.parametrize(
    ("net", "rate", "kdv", "gross"),
    [
        ("59.76", 20, "11.95", "71.71"),  # 36 x 1.66 at 20 %: the cart example
        ("0.85", 20, "0.17", "1.02"),
        ("0.05", 10, "0.01", "0.06"),  # 0.005 rounds up, not to even
        ("0.25", 10, "0.03", "0.28"),  # 0.025 -> 0.03 (half-even would give 0.02)
        ("1234.50", 1, "12.35", "1246.85"),  # 12.345 -> 12.35
        ("100.00", 0, "0.00", "100.00"),
    ],
)
def test_kdv_and_gross_round_half_up(net: str, rate: int, kdv: str, gross: str) -> None:
    assert money.kdv_amount(Decimal(net), rate) == Decimal(kdv)
    assert money.gross_amount(Decimal(net), rate) == Decimal(gross)


def test_line_total_of_the_cart_example() -> None:
    net = Decimal("1.66") * 36
    assert net == Decimal("59.76")
    assert money.kdv_amount(net, 20) == Decimal("11.95")


@pytest.mark.parametrize(
    ("raw", "parsed"), [("12.3", "12.30"), (" 7 ", "7.00"), (5, "5.00"), ("0.01", "0.01")]
)
def test_parse_amount(raw: object, parsed: str) -> None:
    assert money.parse_amount(raw) == Decimal(parsed)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["1.005", "abc", "NaN", "Infinity", "", 1.5])
def test_parse_amount_refuses(raw: object) -> None:
    with pytest.raises(ValueError):
        money.parse_amount(raw)  # type: ignore[arg-type]


def test_convert_rounds_half_up() -> None:
    assert money.convert(Decimal("9.99"), Decimal("41.25")) == Decimal("412.09")
    assert money.convert(Decimal("0.10"), Decimal("0.05")) == Decimal("0.01")  # 0.005 -> 0.01
