"""Budgets GraphQL types: budget lines (ödenek) of spending units, their input, payload, errors."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import strawberry

from db.models import BudgetLine as BudgetLineRow
from graph import ids
from graph.context import Info
from graph.schema.accounts import SpendingUnit
from graph.schema.common import Money, Node, PageInfo
from services.budgets import from_kurus


@strawberry.enum(description="Why a budgets mutation was refused.")
class BudgetsErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"


@strawberry.type(description="A refused input: `field` is the camelCase input path, if any.")
class BudgetsError:
    code: BudgetsErrorCode
    field: str | None
    message: str


@strawberry.type(
    description="A budget line: a spending unit's appropriation (ödenek) for one fiscal year "
    "and economic code. Final approval of a purchase request reserves its gross total here."
)
class BudgetLine(Node):
    fiscal_year: int = strawberry.field(description="Mali yıl; in Türkiye the calendar year.")
    economic_code: str = strawberry.field(
        description="Ekonomik sınıflandırma kodu, four levels, e.g. 03.2.1.01."
    )
    name: str
    appropriation: Money = strawberry.field(description="Ödenek: the amount allotted.")
    reserved: Money = strawberry.field(
        description="Reserved by approved requests and open orders, not yet paid."
    )
    spent: Money = strawberry.field(description="Paid (harcanan).")
    available: Money = strawberry.field(
        description="Appropriation - reserved - spent: what approvals may still reserve."
    )
    created_at: datetime
    unit_id: strawberry.Private[str]

    @strawberry.field(description="The spending unit (harcama birimi) holding the line.")
    async def unit(self, info: Info) -> SpendingUnit:
        row = await info.context.loaders.spending_unit_by_id.load(self.unit_id)
        assert row is not None  # the line's unit: same institution, never deleted (RESTRICT)
        return SpendingUnit.from_row(row)

    @classmethod
    def from_row(cls, row: BudgetLineRow) -> BudgetLine:
        return cls(
            id=strawberry.ID(ids.encode("BudgetLine", str(row.id))),
            fiscal_year=row.fiscal_year,
            economic_code=row.economic_code,
            name=row.name,
            appropriation=Money.of(from_kurus(row.appropriation_kurus)),
            reserved=Money.of(from_kurus(row.reserved_kurus)),
            spent=Money.of(from_kurus(row.spent_kurus)),
            available=Money.of(from_kurus(row.available_kurus)),
            created_at=row.created_at,
            unit_id=str(row.unit_id),  # type: ignore[attr-defined]
        )


@strawberry.type
class BudgetLineEdge:
    cursor: str
    node: BudgetLine


@strawberry.type(description="Budget lines in fiscal year, then economic code order.")
class BudgetLineConnection:
    edges: list[BudgetLineEdge]
    page_info: PageInfo


@strawberry.input(description="A new budget line of one of your spending units.")
class BudgetLineCreateInput:
    unit_id: strawberry.ID = strawberry.field(description="A spending unit of your institution.")
    fiscal_year: int = strawberry.field(
        description="Last year, this year or next year, by today's date in Türkiye."
    )
    economic_code: str = strawberry.field(
        description="Four levels of 2, 1, 1 and 2 digits, e.g. 03.2.1.01; unique per unit "
        "and fiscal year."
    )
    name: str = strawberry.field(description="e.g. Kırtasiye alımları; at most 200 characters.")
    appropriation: Decimal = strawberry.field(
        description='TRY, zero or more, at most two decimals, e.g. "250000.00".'
    )


@strawberry.type
class BudgetLineCreatePayload:
    budget_line: BudgetLine | None
    errors: list[BudgetsError]
