"""Approvals resolvers: the policy, its setting, delegations, the inbox and its subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from domain import catalogue as paging
from domain.approvals import ApprovalStep
from domain.errors import DomainError
from graph.auth import require_actor
from graph.context import Info
from graph.errors import payload_errors, translate_errors
from graph.loaders import Loaders
from graph.permissions import recheck
from graph.resolvers.purchase_requests import after_time, connection, decode
from graph.schema import approvals as types
from graph.schema import purchase_requests as request_types
from services import approvals, events

INBOX_SORT = "inbox"
Code = types.ApprovalsErrorCode


def _errors(error: DomainError) -> list[types.ApprovalsError]:
    return payload_errors(error, types.ApprovalsError, Code)


@translate_errors
async def approval_policy(info: Info, unit_id: strawberry.ID | None = None) -> types.ApprovalPolicy:
    actor = await require_actor(info.context)
    unit = decode(unit_id, "SpendingUnit", "unitId") if unit_id else None
    return types.ApprovalPolicy.of(await approvals.get_policy(unit, actor=actor))


async def approval_policy_set(
    info: Info, input: types.ApprovalPolicySetInput
) -> types.ApprovalPolicySetPayload:
    actor = await require_actor(info.context)
    steps = [ApprovalStep(step.role, step.min_gross) for step in input.steps]
    try:
        unit = decode(input.unit_id, "SpendingUnit", "unitId") if input.unit_id else None
        policy = await approvals.set_policy(unit, steps, actor=actor, now=info.context.clock())
    except DomainError as error:
        return types.ApprovalPolicySetPayload(approval_policy=None, errors=_errors(error))
    return types.ApprovalPolicySetPayload(
        approval_policy=types.ApprovalPolicy.of(policy), errors=[]
    )


async def delegation_create(
    info: Info, input: types.DelegationCreateInput
) -> types.DelegationCreatePayload:
    actor = await require_actor(info.context)
    try:
        row = await approvals.create_delegation(
            decode(input.delegate_id, "User", "delegateId"),
            input.role,
            input.starts_on,
            input.ends_on,
            actor=actor,
            now=info.context.clock(),
            bus=info.context.bus,
        )
    except DomainError as error:
        return types.DelegationCreatePayload(delegation=None, errors=_errors(error))
    return types.DelegationCreatePayload(delegation=types.Delegation.from_row(row), errors=[])


@translate_errors
async def approval_inbox(
    info: Info, first: int | None = None, after: str | None = None
) -> request_types.PurchaseRequestConnection:
    actor = await require_actor(info.context)
    size = paging.page_size(first, None, after, None)
    page = await approvals.inbox(
        actor=actor, now=info.context.clock(), after=after_time(after, INBOX_SORT), size=size
    )
    return connection(page, INBOX_SORT)


async def approval_inbox_updated(
    info: Info, first: int | None = None
) -> AsyncGenerator[request_types.PurchaseRequestConnection, None]:
    """The caller's inbox (first page) now, then again whenever a request of the institution
    changes whom it awaits or the caller is given a delegation."""
    actor = await require_actor(info.context)
    size = paging.page_size(first, None, None, None)
    bus = info.context.bus
    if bus is None or actor.institution_id is None:
        page = await approvals.inbox(actor=actor, now=info.context.clock(), after=None, size=size)
        yield connection(page, INBOX_SORT)
        return
    async with bus.subscribe(events.inbox_channel(bus, actor.institution_id)) as updates:
        while True:
            info.context.loaders = Loaders()  # nested fields must not come from a cache
            actor = await recheck(info)  # signed out or demoted since: it ends here
            page = await approvals.inbox(
                actor=actor, now=info.context.clock(), after=None, size=size
            )
            yield connection(page, INBOX_SORT)
            if await anext(updates, None) is None:
                return
