"""Approvals GraphQL types: policies and their steps, decisions taken, delegations, errors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import strawberry

from db.models import ApprovalAction as ApprovalActionRow
from db.models import Delegation as DelegationRow
from domain.accounts import Role
from domain.approvals import ApprovalStep as StepRule
from domain.approvals import Decision
from graph import ids
from graph.context import Info
from graph.schema.accounts import SpendingUnit, User
from graph.schema.common import Money
from services.approvals import AppliedPolicy, PolicyScope

strawberry.enum(Decision, name="ApprovalDecision", description="What an approver decided.")
strawberry.enum(
    PolicyScope,
    name="ApprovalPolicyScope",
    description="Where a chain comes from: the spending unit's own, the institution's, or the "
    "default (REALISATION_OFFICER, then SPENDING_AUTHORITY).",
)


@strawberry.enum(description="Why an approvals mutation was refused.")
class ApprovalsErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"


@strawberry.type(description="A refused input: `field` is the camelCase input path, if any.")
class ApprovalsError:
    code: ApprovalsErrorCode
    field: str | None
    message: str


async def person(info: Info, user_id: str) -> User:
    found = await info.context.loaders.person_by_id.load(user_id)
    assert found is not None  # users are never deleted (RESTRICT)
    row, roles = found
    return User.from_row(row, roles)


@strawberry.type(description="One step of an approval chain.")
class ApprovalStep:
    role: Role = strawberry.field(
        description="Who approves: REALISATION_OFFICER or SPENDING_AUTHORITY."
    )
    min_gross: Money | None = strawberry.field(
        description="The step applies when the request's gross total reaches this; null: always."
    )

    @classmethod
    def of(cls, step: StepRule) -> ApprovalStep:
        amount = step.min_gross
        return cls(role=step.role, min_gross=Money.of(amount) if amount is not None else None)


@strawberry.type(description="An approval chain (onay zinciri) and where it comes from.")
class ApprovalPolicy:
    scope: PolicyScope
    steps: list[ApprovalStep] = strawberry.field(description="In order; the last one is final.")
    updated_at: datetime | None = strawberry.field(description="Null for the default chain.")
    unit_id: strawberry.Private[str | None]

    @strawberry.field(description="The spending unit of a UNIT chain; null otherwise.")
    async def unit(self, info: Info) -> SpendingUnit | None:
        if self.unit_id is None:
            return None
        row = await info.context.loaders.spending_unit_by_id.load(self.unit_id)
        return SpendingUnit.from_row(row) if row else None

    @classmethod
    def of(cls, policy: AppliedPolicy) -> ApprovalPolicy:
        return cls(
            scope=policy.scope,
            steps=[ApprovalStep.of(step) for step in policy.steps],
            updated_at=policy.updated_at,
            unit_id=str(policy.unit_id) if policy.unit_id else None,
        )


@strawberry.type(description="One decision on one step of a purchase request.")
class ApprovalAction:
    round: int = strawberry.field(description="Submission round: a returned request starts again.")
    step: int = strawberry.field(description="Step number in the request's frozen chain, from 1.")
    role: Role = strawberry.field(description="The step's role, in which the decision was taken.")
    decision: Decision
    note: str
    occurred_at: datetime
    actor_id: strawberry.Private[str]
    on_behalf_of_id: strawberry.Private[str | None]

    @strawberry.field(description="Who decided.")
    async def actor(self, info: Info) -> User:
        return await person(info, self.actor_id)

    @strawberry.field(description="Whom the actor stood in for (vekalet); null: in their own name.")
    async def on_behalf_of(self, info: Info) -> User | None:
        return await person(info, self.on_behalf_of_id) if self.on_behalf_of_id else None

    @classmethod
    def from_row(cls, row: ApprovalActionRow) -> ApprovalAction:
        on_behalf_of = row.on_behalf_of_id  # type: ignore[attr-defined]
        return cls(
            round=row.round,
            step=row.step + 1,
            role=row.role,
            decision=row.decision,
            note=row.note,
            occurred_at=row.occurred_at,
            actor_id=str(row.actor_id),  # type: ignore[attr-defined]
            on_behalf_of_id=str(on_behalf_of) if on_behalf_of else None,
        )


@strawberry.type(description="Vekalet: the delegate may act in `role` for the delegator.")
class Delegation:
    id: strawberry.ID
    role: Role
    starts_on: date = strawberry.field(description="First day, in Türkiye's calendar.")
    ends_on: date = strawberry.field(description="Last day, included.")
    created_at: datetime
    delegator_id: strawberry.Private[str]
    delegate_id: strawberry.Private[str]

    @strawberry.field
    async def delegator(self, info: Info) -> User:
        return await person(info, self.delegator_id)

    @strawberry.field
    async def delegate(self, info: Info) -> User:
        return await person(info, self.delegate_id)

    @classmethod
    def from_row(cls, row: DelegationRow) -> Delegation:
        return cls(
            id=strawberry.ID(ids.encode("Delegation", str(row.id))),
            role=row.role,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            created_at=row.created_at,
            delegator_id=str(row.delegator_id),  # type: ignore[attr-defined]
            delegate_id=str(row.delegate_id),  # type: ignore[attr-defined]
        )


# --- Inputs and payloads ---------------------------------------------------------------------


@strawberry.input(description="One step: a role and an optional minimum gross amount.")
class ApprovalStepInput:
    role: Role
    min_gross: Decimal | None = strawberry.field(
        default=None,
        description="Apply the step from this gross total on (TRY, two decimals); the last step "
        "has none.",
    )


@strawberry.input(description="Replace an approval chain; unitId null sets the institution's.")
class ApprovalPolicySetInput:
    unit_id: strawberry.ID | None = None
    steps: list[ApprovalStepInput] = strawberry.field(
        description="1 to 10 steps of REALISATION_OFFICER or SPENDING_AUTHORITY, ending with an "
        "unconditional SPENDING_AUTHORITY step (Law 5018 art. 31)."
    )


@strawberry.type
class ApprovalPolicySetPayload:
    approval_policy: ApprovalPolicy | None
    errors: list[ApprovalsError]


@strawberry.input(description="Let a colleague act in one of your approval roles for a while.")
class DelegationCreateInput:
    delegate_id: strawberry.ID = strawberry.field(description="A user of your institution.")
    role: Role = strawberry.field(description="An approval role you hold.")
    starts_on: date = strawberry.field(description="Today or later, in Türkiye's calendar.")
    ends_on: date = strawberry.field(description="Included; at most 365 days in all.")


@strawberry.type
class DelegationCreatePayload:
    delegation: Delegation | None
    errors: list[ApprovalsError]
