"""Budget lines use cases: ödenek lines of spending units, and reserving and releasing amounts.

Amounts are stored as whole kuruş and converted here, exactly, at the edge (to_kurus,
from_kurus). Scoped to the actor's institution: another institution's line or unit raises
exactly the NotFound an unknown id raises.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from db.models import BudgetLine
from domain import accounts as account_rules
from domain import budgets as rules
from domain import money
from domain.accounts import Actor, AuditAction
from domain.budgets import ECONOMIC_CODE
from domain.errors import InvalidInput, NotFound
from services import audit, institutions, paging
from services.conflicts import AlreadyExists
from services.local_time import today_in_turkiye

_KURUS_PER_LIRA = 100


def to_kurus(amount: Decimal) -> int:
    """Whole kuruş of a TRY amount; refuses (ValueError) what is not already a whole kuruş,
    so a reservation never silently rounds."""
    if not amount.is_finite() or amount != money.round_kurus(amount):
        raise ValueError(f"{amount} is not a whole number of kuruş")
    return int(money.round_kurus(amount) * _KURUS_PER_LIRA)


def from_kurus(k: int) -> Decimal:
    """The TRY amount of whole kuruş, exact, with two decimal places."""
    return (Decimal(k) / _KURUS_PER_LIRA).quantize(money.KURUS)


async def reserve(
    line_id: UUID, amount: Decimal, *, conn: BaseDBAsyncClient, fiscal_year: int | None = None
) -> bool:
    """Reserve `amount` on the line inside the caller's transaction. True if reserved, False if
    the line is unknown, cannot cover it, or (when `fiscal_year` is given) is another year's.
    One conditional UPDATE: concurrent reservations never overdraw the line (select_for_update
    is a no-op on SQLite)."""
    k = to_kurus(amount)
    if k < 0:
        raise ValueError("a reservation is zero or more")
    year = {} if fiscal_year is None else {"fiscal_year": fiscal_year}
    updated = (
        await BudgetLine.filter(id=line_id, available_kurus__gte=k, **year)
        .using_db(conn)
        .update(available_kurus=F("available_kurus") - k, reserved_kurus=F("reserved_kurus") + k)
    )
    return updated == 1


async def release(line_id: UUID, amount: Decimal, *, conn: BaseDBAsyncClient) -> None:
    """Give back a reservation made by reserve() (a cancelled request or order), inside the
    caller's transaction. Never releases more than is reserved: that would be a bug upstream."""
    k = to_kurus(amount)
    if k < 0:
        raise ValueError("a release is zero or more")
    updated = (
        await BudgetLine.filter(id=line_id, reserved_kurus__gte=k)
        .using_db(conn)
        .update(available_kurus=F("available_kurus") + k, reserved_kurus=F("reserved_kurus") - k)
    )
    if updated != 1:
        raise RuntimeError(f"budget line {line_id} has no reservation of {amount} to release")


NO_SUCH_UNIT = institutions.UNIT_NOT_FOUND
DUPLICATE_MESSAGE = "This spending unit has a budget line with this code for that fiscal year."


async def create(
    unit_id: str,
    fiscal_year: int,
    economic_code: str,
    name: str,
    appropriation: Decimal,
    *,
    actor: Actor,
    now: datetime,
) -> BudgetLine:
    """A new budget line of one of the actor's spending units, nothing reserved or spent."""
    try:
        unit = await institutions.get_spending_unit(unit_id, actor=actor)
    except NotFound:
        raise NotFound(NO_SUCH_UNIT, field="unitId") from None
    year = rules.check_fiscal_year(fiscal_year, today=today_in_turkiye(now))
    code = rules.check_economic_code(economic_code)
    clean_name = account_rules.check_name(name, field="name")
    amount = to_kurus(rules.check_appropriation(appropriation))
    if await BudgetLine.exists(unit_id=unit.id, fiscal_year=year, economic_code=code):
        raise AlreadyExists(DUPLICATE_MESSAGE, field="economicCode")
    try:
        async with in_transaction() as conn:
            line = await BudgetLine.create(
                institution_id=unit.institution_id,  # type: ignore[attr-defined]
                unit_id=unit.id,
                fiscal_year=year,
                economic_code=code,
                name=clean_name,
                appropriation_kurus=amount,
                reserved_kurus=0,
                spent_kurus=0,
                available_kurus=amount,
                created_at=now,
                using_db=conn,
            )
            await audit.record(
                AuditAction.BUDGET_LINE_CREATED,
                subject_type="BudgetLine",
                subject_id=line.id,
                actor_id=actor.user_id,
                institution_id=actor.institution_id,
                details={
                    "unitId": str(unit.id),
                    "fiscalYear": year,
                    "economicCode": code,
                    "appropriation": str(from_kurus(amount)),
                },
                now=now,
                using=conn,
            )
    except IntegrityError:  # the same line created at the same moment
        raise AlreadyExists(DUPLICATE_MESSAGE, field="economicCode") from None
    return line


async def get(line_id: str, *, actor: Actor, field: str = "id") -> BudgetLine:
    found = await _lines(actor).get_or_none(id=line_id)
    if found is None:
        raise NotFound("No such budget line.", field=field)
    return found


async def list_lines(
    *,
    actor: Actor,
    fiscal_year: int | None,
    unit_id: str | None,
    after: tuple[str, str] | None,
    size: int,
) -> paging.Page[BudgetLine]:
    """The institution's lines in (fiscal year, economic code) order; a filter on an unknown
    unit, or on another institution's, finds nothing."""
    query = _lines(actor)
    if fiscal_year is not None:
        query = query.filter(fiscal_year=fiscal_year)
    if unit_id is not None:
        query = query.filter(unit_id=unit_id)
    position = (_position(after[0]), after[1]) if after else None
    return await paging.ascending(query, ("fiscal_year", "economic_code"), position, size)


def cursor_value(line: BudgetLine) -> str:
    """The sort position of a line as one text, for its cursor: `2026|03.2.1.01`."""
    return f"{line.fiscal_year}|{line.economic_code}"


def _position(value: str) -> tuple[int, str]:
    year, _, code = value.partition("|")
    if not (year.isascii() and year.isdigit() and len(year) == 4 and ECONOMIC_CODE.fullmatch(code)):
        raise InvalidInput("malformed cursor", field="after")
    return int(year), code


def _lines(actor: Actor) -> QuerySet[BudgetLine]:
    # DMO staff see no institution's budget; an impossible id keeps the query's shape.
    return BudgetLine.filter(institution_id=actor.institution_id or uuid.UUID(int=0))
