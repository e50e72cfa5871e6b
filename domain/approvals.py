"""Approval chains: policies of ordered steps, decisions and notes, separation of duties and
time-bounded delegation (vekalet)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain import money, text
from domain.accounts import Role
from domain.errors import DomainError, InvalidInput

# Who may be an approval step. Law 5018 puts spending in two hands before payment: the
# realisation officer (gerçekleştirme görevlisi, art. 33) checks and prepares, the spending
# authority (harcama yetkilisi, art. 31) approves and answers for the budget. The accountant
# checks and pays afterwards (art. 61) and must stay independent of the spending decision, the
# inspectors accept goods after delivery, and admins and buyers are not financial officials:
# none of them is an approver.
APPROVER_ROLES = frozenset({Role.REALISATION_OFFICER, Role.SPENDING_AUTHORITY})
_APPROVER_NAMES = " or ".join(sorted(APPROVER_ROLES))
FINAL_ROLE = Role.SPENDING_AUTHORITY
MAX_STEPS = 10
MAX_MIN_GROSS = Decimal("999999999999.99")  # fits NUMERIC(14, 2), as catalogue prices do


@dataclass(frozen=True)
class ApprovalStep:
    role: Role
    min_gross: Decimal | None = None  # the step applies when the gross total reaches this


DEFAULT_POLICY: tuple[ApprovalStep, ...] = (
    ApprovalStep(Role.REALISATION_OFFICER),
    ApprovalStep(Role.SPENDING_AUTHORITY),
)


def check_policy(
    steps: Sequence[ApprovalStep], *, field: str = "steps"
) -> tuple[ApprovalStep, ...]:
    """1 to MAX_STEPS approver steps ending with an unconditional SPENDING_AUTHORITY step.

    The spending authority gives final approval (Law 5018 art. 31), so every request, however
    small, ends with one. Amounts come back with two decimals, and a minimum of 0 as None (the
    same thing: a gross total is never negative).
    """
    if not steps:
        raise InvalidInput("An approval policy has at least one step.", field=field)
    if len(steps) > MAX_STEPS:
        raise InvalidInput(f"An approval policy has at most {MAX_STEPS} steps.", field=field)
    checked = tuple(_check_step(step, field=f"{field}.{i}") for i, step in enumerate(steps))
    last = f"{field}.{len(steps) - 1}"
    if checked[-1].role != FINAL_ROLE:
        raise InvalidInput(
            f"The last step must be {FINAL_ROLE}: the spending authority gives final approval"
            " (Law 5018 art. 31).",
            field=f"{last}.role",
        )
    if checked[-1].min_gross is not None:
        raise InvalidInput(
            "The last step applies to every amount: leave out its minimum gross amount.",
            field=f"{last}.minGross",
        )
    return checked


def _check_step(step: ApprovalStep, *, field: str) -> ApprovalStep:
    if step.role not in APPROVER_ROLES:
        raise InvalidInput(
            f"{step.role} cannot be an approval step: use {_APPROVER_NAMES}.",
            field=f"{field}.role",
        )
    amount = step.min_gross
    if amount is None:
        return step
    name = f"{field}.minGross"
    if not amount.is_finite() or amount < 0:
        raise InvalidInput("A minimum gross amount is zero or more.", field=name)
    if amount > MAX_MIN_GROSS:
        raise InvalidInput(f"A minimum gross amount is at most {MAX_MIN_GROSS:,}.", field=name)
    if amount != money.round_kurus(amount):
        raise InvalidInput("A minimum gross amount has at most two decimal places.", field=name)
    return ApprovalStep(step.role, money.round_kurus(amount) if amount else None)


def applicable_steps(policy: Sequence[ApprovalStep], gross: Decimal) -> tuple[ApprovalStep, ...]:
    """The steps a request of this gross total goes through, in order (frozen at submission)."""
    return tuple(s for s in policy if s.min_gross is None or gross >= s.min_gross)


# --- Decisions -----------------------------------------------------------------------------------


class Decision(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    RETURN = "RETURN"


NOTE_MAX = 1000


def check_note(decision: Decision, note: str | None, *, field: str = "note") -> str:
    """Trimmed; required to reject or return (the buyer must learn why), optional to approve."""
    value = (note or "").strip()
    if not value and decision != Decision.APPROVE:
        verb = "reject" if decision == Decision.REJECT else "return"
        raise InvalidInput(f"A note is required to {verb} a request.", field=field)
    if len(value) > NOTE_MAX:
        raise InvalidInput(f"A note has at most {NOTE_MAX:,} characters.", field=field)
    return text.check_printable(value, field=field, multiline=True)


class SeparationOfDuties(DomainError):
    code = "SEPARATION_OF_DUTIES"


def check_approver(
    *,
    approver_id: UUID,
    requester_id: UUID,
    earlier_approver_ids: Collection[UUID],
    on_behalf_of_id: UUID | None = None,
) -> None:
    """Nobody decides on their own request; one person never approves two steps of a request.

    A stand-in (`on_behalf_of_id` is the delegator) is held to the same rules for both people,
    so a delegation cannot get around them: `earlier_approver_ids` must hold the actors and the
    delegators of the earlier approvals.
    """
    # "The spending authority is not the accountant who pays" (DOMAIN.md) is checked at payment,
    # with the payment issue: nothing here knows who pays.
    if approver_id == requester_id:
        raise SeparationOfDuties("You cannot approve your own request.")
    if on_behalf_of_id == requester_id:
        raise SeparationOfDuties(
            "You cannot approve a request on behalf of the person who made it."
        )
    if approver_id in earlier_approver_ids:
        raise SeparationOfDuties(
            "You have already approved a step of this request; another person must approve"
            " this one."
        )
    if on_behalf_of_id is not None and on_behalf_of_id in earlier_approver_ids:
        raise SeparationOfDuties(
            "The person you stand in for has already approved a step of this request; another"
            " person must approve this one."
        )


# --- Delegation (vekalet) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Delegation:
    delegator_id: UUID
    delegate_id: UUID
    role: Role
    starts_on: date  # both days included
    ends_on: date


MAX_DELEGATION_DAYS = 365


def check_delegation(
    *,
    delegator_id: UUID,
    delegate_id: UUID,
    role: Role,
    delegator_roles: frozenset[Role],
    starts_on: date,
    ends_on: date,
    today: date,
) -> None:
    """A stand-in for an approval role the delegator holds, for up to a year from today on.

    That the delegate belongs to the same institution is the service's check (it loads them).
    """
    if delegate_id == delegator_id:
        raise InvalidInput("You cannot delegate to yourself.", field="delegateId")
    if role not in APPROVER_ROLES:
        raise InvalidInput(
            f"Only approval roles can be delegated: {_APPROVER_NAMES}.", field="role"
        )
    if role not in delegator_roles:
        raise InvalidInput(f"You do not hold the role {role}.", field="role")
    if starts_on < today:
        raise InvalidInput("A delegation cannot start in the past.", field="startsOn")
    if ends_on < starts_on:
        raise InvalidInput("A delegation cannot end before it starts.", field="endsOn")
    if (ends_on - starts_on).days + 1 > MAX_DELEGATION_DAYS:
        raise InvalidInput(
            f"A delegation lasts at most {MAX_DELEGATION_DAYS} days.", field="endsOn"
        )


def delegation_active(d: Delegation, today: date) -> bool:
    return d.starts_on <= today <= d.ends_on
