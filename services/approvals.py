"""Approvals use cases: policies per institution or spending unit, delegations (vekalet), who
may act at a request's current step, and the approval inbox.

The decisions themselves (approve, reject, return) are services/decisions.py, which asks this
module who may take them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models import (
    ApprovalAction,
    ApprovalPolicy,
    Delegation,
    Institution,
    PurchaseRequest,
    SpendingUnit,
    User,
    UserRole,
)
from domain import approvals
from domain.accounts import Actor, AuditAction, Role
from domain.approvals import ApprovalStep, Decision
from domain.errors import InvalidInput, NotFound
from domain.purchase_requests import RequestStatus
from services import audit, events, paging
from services.local_time import today_in_turkiye
from subscriptions import EventBus


class PolicyScope(StrEnum):
    UNIT = "UNIT"  # the spending unit's own chain
    INSTITUTION = "INSTITUTION"  # the institution's chain, for units without their own
    DEFAULT = "DEFAULT"  # neither is set: realisation officer, then spending authority


@dataclass(frozen=True)
class AppliedPolicy:
    steps: tuple[ApprovalStep, ...]
    scope: PolicyScope
    unit_id: uuid.UUID | None
    updated_at: datetime | None


def steps_to_json(steps: Sequence[ApprovalStep]) -> list[dict[str, Any]]:
    return [
        {"role": str(s.role), "min_gross": None if s.min_gross is None else str(s.min_gross)}
        for s in steps
    ]


def steps_from_json(raw: Sequence[dict[str, Any]]) -> tuple[ApprovalStep, ...]:
    return tuple(
        ApprovalStep(Role(s["role"]), None if s["min_gross"] is None else Decimal(s["min_gross"]))
        for s in raw
    )


# --- Policies --------------------------------------------------------------------------------


async def policy_for(
    institution_id: uuid.UUID,
    unit_id: uuid.UUID | None,
    *,
    conn: BaseDBAsyncClient | None = None,
) -> AppliedPolicy:
    """The unit's own policy if it has one, else the institution's, else DEFAULT_POLICY."""
    rows = await ApprovalPolicy.filter(institution_id=institution_id).using_db(conn)
    by_unit = {row.unit_id: row for row in rows}  # type: ignore[attr-defined]
    if unit_id is not None and unit_id in by_unit:
        row = by_unit[unit_id]
        return AppliedPolicy(steps_from_json(row.steps), PolicyScope.UNIT, unit_id, row.updated_at)
    if None in by_unit:
        row = by_unit[None]
        return AppliedPolicy(
            steps_from_json(row.steps), PolicyScope.INSTITUTION, None, row.updated_at
        )
    return AppliedPolicy(approvals.DEFAULT_POLICY, PolicyScope.DEFAULT, None, None)


async def get_policy(unit_id: str | None, *, actor: Actor) -> AppliedPolicy:
    """The policy requests of this unit (or, without a unit, of the institution) go through."""
    institution_id = _own_institution(actor)
    unit = await _unit(unit_id, institution_id) if unit_id else None
    return await policy_for(institution_id, unit.id if unit else None)


async def set_policy(
    unit_id: str | None, steps: Sequence[ApprovalStep], *, actor: Actor, now: datetime
) -> AppliedPolicy:
    """Replace the unit's own chain (or the institution's, without a unit). Requests already
    submitted keep the chain frozen into them."""
    institution_id = _own_institution(actor)
    unit = await _unit(unit_id, institution_id) if unit_id else None
    checked = approvals.check_policy(steps)
    stored = steps_to_json(checked)
    async with in_transaction() as conn:
        # Serialises concurrent sets of one institution: a unique key on (institution, NULL)
        # does not stop two institution-wide rows on PostgreSQL, where NULLs are distinct.
        await Institution.filter(id=institution_id).using_db(conn).select_for_update().first()
        scope = {"institution_id": institution_id, "unit_id": unit.id if unit else None}
        updated = (
            await ApprovalPolicy.filter(**scope)
            .using_db(conn)
            .update(steps=stored, updated_at=now, updated_by_id=actor.user_id)
        )
        if not updated:
            await ApprovalPolicy.create(
                **scope, steps=stored, updated_at=now, updated_by_id=actor.user_id, using_db=conn
            )
        await audit.record(
            AuditAction.APPROVAL_POLICY_SET,
            subject_type="SpendingUnit" if unit else "Institution",
            subject_id=unit.id if unit else institution_id,
            actor_id=actor.user_id,
            institution_id=institution_id,
            details={"steps": stored},
            now=now,
            using=conn,
        )
    scope_name = PolicyScope.UNIT if unit else PolicyScope.INSTITUTION
    return AppliedPolicy(checked, scope_name, unit.id if unit else None, now)


async def _unit(unit_id: str, institution_id: uuid.UUID) -> SpendingUnit:
    found = await SpendingUnit.get_or_none(id=unit_id, institution_id=institution_id)
    if found is None:
        raise NotFound("No such spending unit.", field="unitId")
    return found


def _own_institution(actor: Actor) -> uuid.UUID:
    if actor.institution_id is None:
        raise InvalidInput("Only an institution's users have approval chains.", field=None)
    return actor.institution_id


# --- Delegations ----------------------------------------------------------------------------


async def create_delegation(
    delegate_id: str,
    role: Role,
    starts_on: date,
    ends_on: date,
    *,
    actor: Actor,
    now: datetime,
    bus: EventBus | None = None,
) -> Delegation:
    """The actor (delegator) lets a colleague of the same institution act in `role` for them."""
    institution_id = _own_institution(actor)
    delegate = await User.get_or_none(id=delegate_id, institution_id=institution_id, active=True)
    if delegate is None:
        raise NotFound("No such user.", field="delegateId")
    approvals.check_delegation(
        delegator_id=actor.user_id,
        delegate_id=delegate.id,
        role=role,
        delegator_roles=actor.roles,
        starts_on=starts_on,
        ends_on=ends_on,
        today=today_in_turkiye(now),
    )
    async with in_transaction() as conn:
        row = await Delegation.create(
            institution_id=institution_id,
            delegator_id=actor.user_id,
            delegate_id=delegate.id,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            created_at=now,
            using_db=conn,
        )
        await audit.record(
            AuditAction.DELEGATION_CREATED,
            subject_type="Delegation",
            subject_id=row.id,
            actor_id=actor.user_id,
            institution_id=institution_id,
            details={
                "delegate_id": str(delegate.id),
                "role": str(role),
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            },
            now=now,
            using=conn,
        )
    # The delegate's inbox may hold more now.
    data = {"delegation_id": str(row.id), "delegate_id": str(delegate.id), "role": str(role)}
    await events.inbox_changed(bus, institution_id, now=now, data=data)
    return row


async def delegators(
    actor: Actor,
    roles: frozenset[Role],
    *,
    today: date,
    conn: BaseDBAsyncClient | None = None,
) -> dict[Role, list[uuid.UUID]]:
    """For each of `roles`, the colleagues the actor may stand in for today: an active
    delegation from an active user of the same institution who still holds the role."""
    if actor.institution_id is None or not roles:
        return {}
    rows = await Delegation.filter(
        institution_id=actor.institution_id,
        delegate_id=actor.user_id,
        role__in=list(roles),
        revoked_at__isnull=True,
        ends_on__gte=today,
    ).using_db(conn)
    active = [
        row
        for row in rows
        if approvals.delegation_active(
            approvals.Delegation(
                delegator_id=row.delegator_id,  # type: ignore[attr-defined]
                delegate_id=row.delegate_id,  # type: ignore[attr-defined]
                role=Role(row.role),
                starts_on=row.starts_on,
                ends_on=row.ends_on,
            ),
            today,
        )
    ]
    if not active:  # nobody stands in for anybody: no roles to look up
        return {}
    pairs = (
        await UserRole.filter(
            user_id__in=[row.delegator_id for row in active],  # type: ignore[attr-defined]
            role__in=list(roles),
            user__active=True,
            user__institution_id=actor.institution_id,
        )
        .using_db(conn)
        .values_list("user_id", "role")
    )
    holding = {(_uuid(user_id), Role(str(role))) for user_id, role in pairs}
    found: dict[Role, list[uuid.UUID]] = {}
    for row in sorted(active, key=lambda r: str(r.delegator_id)):  # type: ignore[attr-defined]
        delegator, role = _uuid(row.delegator_id), Role(str(row.role))  # type: ignore[attr-defined]
        if (delegator, role) in holding and delegator not in found.get(role, []):
            found.setdefault(role, []).append(delegator)
    return found


def _uuid(value: object) -> uuid.UUID:
    # SQLite hands some id columns back as text.
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def acting_options(
    actor: Actor, role: Role, *, today: date, conn: BaseDBAsyncClient | None = None
) -> list[uuid.UUID | None]:
    """How the actor may act in `role`: None for in their own name (they hold it), then the
    people they may stand in for."""
    own: list[uuid.UUID | None] = [None] if role in actor.roles else []
    stand_ins = await delegators(actor, frozenset({role}), today=today, conn=conn)
    return own + list(stand_ins.get(role, []))


async def earlier_approvers(
    request_id: uuid.UUID, round: int, *, conn: BaseDBAsyncClient | None = None
) -> set[uuid.UUID]:
    """Everyone who approved a step of this round, in their own name or as the delegator."""
    rows = await (
        ApprovalAction.filter(request_id=request_id, round=round, decision=Decision.APPROVE)
        .using_db(conn)
        .values_list("actor_id", "on_behalf_of_id")
    )
    return {_uuid(person) for pair in rows for person in pair if person is not None}


# --- Inbox -------------------------------------------------------------------------------------


async def inbox(
    *, actor: Actor, now: datetime, after: tuple[datetime, str] | None, size: int
) -> paging.Page[PurchaseRequest]:
    """Requests awaiting the actor at their current step, in their own name or as a stand-in;
    never their own requests, nor ones where they already approved a step of this round."""
    if actor.institution_id is None:
        return paging.Page(rows=[], has_next=False)
    candidates = frozenset(approvals.APPROVER_ROLES)
    delegated = await delegators(actor, candidates, today=today_in_turkiye(now))
    roles = (actor.roles & candidates) | set(delegated)
    if not roles:
        return paging.Page(rows=[], has_next=False)
    query = PurchaseRequest.filter(
        institution_id=actor.institution_id,
        status=RequestStatus.IN_APPROVAL,
        awaiting_role__in=sorted(roles),
    ).exclude(requester_id=actor.user_id)
    done = await _approved_this_round(actor)
    if done:
        query = query.exclude(id__in=done)
    return await paging.newest_first(query, "created_at", after, size)


async def _approved_this_round(actor: Actor) -> list[uuid.UUID]:
    rows = await ApprovalAction.filter(
        actor_id=actor.user_id,
        decision=Decision.APPROVE,
        request__status=RequestStatus.IN_APPROVAL,
        request__institution_id=actor.institution_id,
    ).values_list("request_id", "round", "request__round")
    return [_uuid(request_id) for request_id, round, current in rows if round == current]


# --- Reads for the graph's loaders ------------------------------------------------------------


async def actions_by_requests(request_ids: Sequence[str]) -> dict[str, list[ApprovalAction]]:
    found: dict[str, list[ApprovalAction]] = {key: [] for key in request_ids}
    rows = await ApprovalAction.filter(request_id__in=list(request_ids)).order_by(
        "round", "step", "occurred_at"
    )
    for row in rows:
        found[str(row.request_id)].append(row)  # type: ignore[attr-defined]
    return found


async def people_by_ids(user_ids: Sequence[str]) -> dict[str, tuple[User, frozenset[Role]]]:
    """Users with their roles; only ids the caller may already see reach this (requesters and
    approvers of the caller's institution's requests)."""
    users = await User.filter(id__in=list(user_ids))
    roles: dict[str, set[Role]] = {str(u.id): set() for u in users}
    for user_id, role in await UserRole.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "role"
    ):
        roles[str(user_id)].add(Role(str(role)))
    return {str(u.id): (u, frozenset(roles[str(u.id)])) for u in users}
