"""Addresses use cases: an institution's delivery addresses, il and ilçe from the official list.

Scoped to the actor's institution: another institution's address raises exactly the NotFound
an unknown id raises.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from db.models import Address
from domain import accounts
from domain import addresses as rules
from domain.accounts import Actor, AuditAction
from domain.errors import InvalidInput, NotFound
from services import audit, paging

LABEL_MAX = 120  # addresses.label


async def create(
    label: str,
    province_code: int,
    district: str,
    line: str,
    postal_code: str | None,
    *,
    actor: Actor,
    now: datetime,
) -> Address:
    """A new delivery address of the actor's institution; the district in official spelling."""
    institution_id = _own_institution(actor)
    clean_label = accounts.check_name(label, field="label", limit=LABEL_MAX)
    draft = rules.check_address(
        province_code=province_code, district=district, line=line, postal_code=postal_code
    )
    async with in_transaction() as conn:
        address = await Address.create(
            institution_id=institution_id,
            label=clean_label,
            province_code=draft.province_code,
            district=draft.district,
            line=draft.line,
            postal_code=draft.postal_code,
            created_at=now,
            using_db=conn,
        )
        await audit.record(
            AuditAction.ADDRESS_CREATED,
            subject_type="Address",
            subject_id=address.id,
            actor_id=actor.user_id,
            institution_id=institution_id,
            details={"label": clean_label, "provinceCode": draft.province_code},
            now=now,
            using=conn,
        )
    return address


async def get(address_id: str, *, actor: Actor, field: str = "id") -> Address:
    found = await _addresses(actor).get_or_none(id=address_id)
    if found is None:
        raise NotFound("No such address.", field=field)
    return found


async def list_addresses(
    *, actor: Actor, after: tuple[str, str] | None, size: int
) -> paging.Page[Address]:
    """The institution's addresses in label order."""
    position = ((after[0],), after[1]) if after else None
    return await paging.ascending(_addresses(actor), ("label",), position, size)


def _addresses(actor: Actor) -> QuerySet[Address]:
    # DMO staff have no addresses; an impossible id keeps the query's shape.
    return Address.filter(institution_id=actor.institution_id or uuid.UUID(int=0))


def _own_institution(actor: Actor) -> uuid.UUID:
    if actor.institution_id is None:
        raise InvalidInput("Only an institution's users have delivery addresses.", field=None)
    return actor.institution_id
