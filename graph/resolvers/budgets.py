"""Budgets resolvers: decode ids and input, take the actor and clock, call one service, map."""

from __future__ import annotations

from typing import Any

import strawberry

from domain import catalogue as paging
from domain.accounts import Role
from domain.errors import DomainError, NotFound
from graph import connections
from graph import ids as global_ids
from graph.auth import current_actor, require_actor
from graph.context import Info
from graph.errors import payload_errors, translate_errors
from graph.schema import budgets as types
from services import budgets

SORT = "fiscalYear,economicCode"
# Who may read budget lines: root.py's budgetLines roles, applied to node(id) as well.
READERS = frozenset(
    {
        Role.INSTITUTION_ADMIN,
        Role.BUYER,
        Role.REALISATION_OFFICER,
        Role.SPENDING_AUTHORITY,
        Role.INSTITUTION_ACCOUNTANT,
    }
)


def _errors(error: DomainError) -> list[types.BudgetsError]:
    return payload_errors(error, types.BudgetsError, types.BudgetsErrorCode)


def _unit_id(global_id: strawberry.ID) -> str:
    try:
        return global_ids.decode(global_id, "SpendingUnit", field="unitId")
    except DomainError:
        # A malformed id is reported like an unknown one: NOT_FOUND on that field.
        raise NotFound(budgets.NO_SUCH_UNIT, field="unitId") from None


@translate_errors
async def budget_lines(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    fiscal_year: int | None = None,
    unit_id: strawberry.ID | None = None,
) -> types.BudgetLineConnection:
    actor = await require_actor(info.context)
    size = paging.page_size(first, None, after, None)
    unit = global_ids.decode(unit_id, "SpendingUnit", field="unitId") if unit_id else None
    page = await budgets.list_lines(
        actor=actor,
        fiscal_year=fiscal_year,
        unit_id=unit,
        after=connections.after(after, SORT),
        size=size,
    )
    edges, page_info = connections.edges(
        page, SORT, budgets.cursor_value, types.BudgetLine.from_row, types.BudgetLineEdge
    )
    return types.BudgetLineConnection(edges=edges, page_info=page_info)


async def budget_line_create(
    info: Info, input: types.BudgetLineCreateInput
) -> types.BudgetLineCreatePayload:
    actor = await require_actor(info.context)
    try:
        row = await budgets.create(
            _unit_id(input.unit_id),
            input.fiscal_year,
            input.economic_code,
            input.name,
            input.appropriation,
            actor=actor,
            now=info.context.clock(),
        )
    except DomainError as error:
        return types.BudgetLineCreatePayload(budget_line=None, errors=_errors(error))
    return types.BudgetLineCreatePayload(budget_line=types.BudgetLine.from_row(row), errors=[])


async def node(info: Info, raw_id: str) -> Any:
    """A budget line by id, scoped to the actor's institution; None when unknown or not theirs."""
    actor = await current_actor(info.context)
    if actor is None or not actor.has_any(READERS):
        return None
    try:
        return types.BudgetLine.from_row(await budgets.get(raw_id, actor=actor))
    except NotFound:
        return None
