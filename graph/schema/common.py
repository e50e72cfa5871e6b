"""Shared GraphQL types: Node, PageInfo, Money and the Decimal scalar."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import strawberry

from domain.money import CURRENCY

MAX_DECIMAL_LENGTH = 32
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _parse_decimal(value: object) -> Decimal:
    # Strings (and integers) only: a float has already lost the kuruş.
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError('a decimal is written as a string, such as "1234.50"')
    text = str(value).strip()
    if len(text) > MAX_DECIMAL_LENGTH:
        raise ValueError("a decimal is at most 32 characters")
    # Plain notation only: Decimal() would also take "1e2", "1_000" and non-ASCII digits.
    if not PLAIN_DECIMAL.fullmatch(text):
        raise ValueError('not a decimal number: write digits and a point, such as "1234.50"')
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    if not parsed.is_finite():
        raise ValueError("not a finite number")
    return parsed


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number written as a string, e.g. "1234.50".',
    serialize=str,
    parse_value=_parse_decimal,
)


@strawberry.interface(description="An object with an opaque global id, fetchable with `node`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id.")


@strawberry.type(description="Relay pagination state of a connection page.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="An amount of money; `amount` is an exact decimal string.")
class Money:
    amount: Decimal = strawberry.field(description='Exact amount, e.g. "59.76".')
    currency: str = strawberry.field(description="ISO 4217 code; always TRY for now.")

    @classmethod
    def of(cls, amount: Decimal) -> Money:
        return cls(amount=amount, currency=CURRENCY)
