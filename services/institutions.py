"""Institutions and their spending units (harcama birimleri), as the actor may see them.

An institution's users see only their own institution and units; the DMO staff who serve every
institution see them all. Another institution's object raises the NotFound an unknown id does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from db.models import Institution, SpendingUnit
from domain import accounts, search
from domain.accounts import Actor, AuditAction, Role
from domain.errors import InvalidInput, NotFound
from services import audit, paging
from services.conflicts import AlreadyExists

UNIT_NOT_FOUND = "No such spending unit."


def _position(after: tuple[str, str] | None) -> tuple[tuple[str], str] | None:
    return ((after[0],), after[1]) if after else None


async def get_institution(institution_id: str, *, actor: Actor) -> Institution:
    found = await visible(actor).get_or_none(id=institution_id)
    if found is None:
        raise NotFound("No such institution.", field="id")
    return found


async def list_institutions(
    *, actor: Actor, after: tuple[str, str] | None, size: int
) -> paging.Page[Institution]:
    return await paging.ascending(visible(actor), ("name",), _position(after), size)


# DMO staff who serve every institution see them all; a carrier or the catalogue team, none.
SEES_ALL_INSTITUTIONS = frozenset({Role.PLATFORM_ADMIN, Role.ORDER_DESK, Role.DMO_ACCOUNTING})


def visible(actor: Actor) -> QuerySet[Institution]:
    if actor.institution_id is not None:
        return Institution.filter(id=actor.institution_id)
    if actor.has_any(SEES_ALL_INSTITUTIONS):
        return Institution.all()
    return Institution.filter(id=uuid.UUID(int=0))


async def create_spending_unit(name: str, *, actor: Actor, now: datetime) -> SpendingUnit:
    institution_id = _own_institution(actor)
    clean = accounts.check_name(name, field="name")
    # "Acil Servis" and "ACİL SERVİS" are one unit: compare Turkish case-folded names.
    names = await SpendingUnit.filter(institution_id=institution_id).values_list("name", flat=True)
    if search.fold_case(clean) in {search.fold_case(str(n)) for n in names}:
        raise AlreadyExists("This institution has a spending unit of that name.", field="name")
    async with in_transaction() as conn:
        unit = await SpendingUnit.create(
            institution_id=institution_id, name=clean, created_at=now, using_db=conn
        )
        await audit.record(
            AuditAction.SPENDING_UNIT_CREATED,
            subject_type="SpendingUnit",
            subject_id=unit.id,
            actor_id=actor.user_id,
            institution_id=institution_id,
            details={"name": clean},
            now=now,
            using=conn,
        )
    return unit


async def get_spending_unit(unit_id: str, *, actor: Actor) -> SpendingUnit:
    found = await visible_units(actor).get_or_none(id=unit_id)
    if found is None:
        raise NotFound(UNIT_NOT_FOUND, field="id")
    return found


async def list_spending_units(
    *, actor: Actor, after: tuple[str, str] | None, size: int
) -> paging.Page[SpendingUnit]:
    return await paging.ascending(visible_units(actor), ("name",), _position(after), size)


def visible_units(actor: Actor) -> QuerySet[SpendingUnit]:
    # DMO staff have no spending units; an impossible id keeps the query's shape.
    return SpendingUnit.filter(institution_id=actor.institution_id or uuid.UUID(int=0))


def _own_institution(actor: Actor) -> uuid.UUID:
    if actor.institution_id is None:
        raise InvalidInput("Only an institution's users have spending units.", field=None)
    return actor.institution_id


async def institutions_by_ids(institution_ids: Sequence[str]) -> dict[str, Institution]:
    return {str(row.id): row for row in await Institution.filter(id__in=institution_ids)}


async def spending_units_by_ids(unit_ids: Sequence[str]) -> dict[str, SpendingUnit]:
    return {str(row.id): row for row in await SpendingUnit.filter(id__in=unit_ids)}
