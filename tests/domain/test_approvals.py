"""Approvals: policies, applicable steps, notes, separation of duties and delegation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain import approvals
from domain.accounts import INSTITUTION_ROLES, Role
from domain.approvals import ApprovalStep, Decision, Delegation, SeparationOfDuties
from domain.errors import DomainError, InvalidInput

TODAY = date(2026, 3, 2)
BUYER = UUID(int=1)
OFFICER = UUID(int=2)
AUTHORITY = UUID(int=3)
STAND_IN = UUID(int=4)

RO = Role.REALISATION_OFFICER
SA = Role.SPENDING_AUTHORITY


def _refused(error: pytest.ExceptionInfo[DomainError]) -> tuple[str, str | None, str]:
    return (error.value.code, error.value.field, error.value.message)


def test_approver_roles_are_the_two_financial_officials() -> None:
    assert frozenset({RO, SA}) == approvals.APPROVER_ROLES
    assert approvals.APPROVER_ROLES <= INSTITUTION_ROLES


# --- Policies ------------------------------------------------------------------------------------


def test_the_default_policy() -> None:
    assert (ApprovalStep(RO), ApprovalStep(SA)) == approvals.DEFAULT_POLICY
    assert approvals.check_policy(approvals.DEFAULT_POLICY) == approvals.DEFAULT_POLICY


@pytest.mark.parametrize(
    ("steps", "checked"),
    [
        ([ApprovalStep(SA)], (ApprovalStep(SA),)),
        (
            [ApprovalStep(RO), ApprovalStep(RO, Decimal("50000")), ApprovalStep(SA)],
            (ApprovalStep(RO), ApprovalStep(RO, Decimal("50000.00")), ApprovalStep(SA)),
        ),
        (
            # A second spending authority for large amounts, before the final one.
            [ApprovalStep(SA, Decimal("250000.5")), ApprovalStep(SA)],
            (ApprovalStep(SA, Decimal("250000.50")), ApprovalStep(SA)),
        ),
        # A minimum of zero applies to every amount: the same as none.
        (
            [ApprovalStep(RO, Decimal("0")), ApprovalStep(SA, Decimal("0.00"))],
            approvals.DEFAULT_POLICY,
        ),
        (
            [ApprovalStep(RO)] * 9 + [ApprovalStep(SA)],
            (ApprovalStep(RO),) * 9 + (ApprovalStep(SA),),
        ),
        (
            [ApprovalStep(RO, Decimal("999999999999.99")), ApprovalStep(SA)],
            (ApprovalStep(RO, Decimal("999999999999.99")), ApprovalStep(SA)),
        ),
    ],
)
def test_good_policies(steps: list[ApprovalStep], checked: tuple[ApprovalStep, ...]) -> None:
    result = approvals.check_policy(steps)
    assert result == checked
    assert [str(s.min_gross) for s in result] == [str(s.min_gross) for s in checked]


LAST_ROLE = (
    "The last step must be SPENDING_AUTHORITY: the spending authority gives final approval"
    " (Law 5018 art. 31)."
)
LAST_AMOUNT = "The last step applies to every amount: leave out its minimum gross amount."


@pytest.mark.parametrize(
    ("steps", "field", "message"),
    [
        ([], "steps", "An approval policy has at least one step."),
        ([ApprovalStep(SA)] * 11, "steps", "An approval policy has at most 10 steps."),
        (
            [ApprovalStep(RO), ApprovalStep(Role.BUYER), ApprovalStep(SA)],
            "steps.1.role",
            "BUYER cannot be an approval step: use REALISATION_OFFICER or SPENDING_AUTHORITY.",
        ),
        (
            [ApprovalStep(Role.INSTITUTION_ACCOUNTANT), ApprovalStep(SA)],
            "steps.0.role",
            "INSTITUTION_ACCOUNTANT cannot be an approval step: use REALISATION_OFFICER or"
            " SPENDING_AUTHORITY.",
        ),
        (
            [ApprovalStep(Role.ORDER_DESK), ApprovalStep(SA)],
            "steps.0.role",
            "ORDER_DESK cannot be an approval step: use REALISATION_OFFICER or SPENDING_AUTHORITY.",
        ),
        (
            [ApprovalStep(RO, Decimal("-0.01")), ApprovalStep(SA)],
            "steps.0.minGross",
            "A minimum gross amount is zero or more.",
        ),
        (
            [ApprovalStep(RO, Decimal("NaN")), ApprovalStep(SA)],
            "steps.0.minGross",
            "A minimum gross amount is zero or more.",
        ),
        (
            [ApprovalStep(RO, Decimal("Infinity")), ApprovalStep(SA)],
            "steps.0.minGross",
            "A minimum gross amount is zero or more.",
        ),
        (
            [ApprovalStep(RO), ApprovalStep(RO, Decimal("100.005")), ApprovalStep(SA)],
            "steps.1.minGross",
            "A minimum gross amount has at most two decimal places.",
        ),
        (
            [ApprovalStep(RO, Decimal("1000000000000.00")), ApprovalStep(SA)],
            "steps.0.minGross",
            "A minimum gross amount is at most 999,999,999,999.99.",
        ),
        ([ApprovalStep(SA), ApprovalStep(RO)], "steps.1.role", LAST_ROLE),
        ([ApprovalStep(RO)], "steps.0.role", LAST_ROLE),
        ([ApprovalStep(RO), ApprovalStep(SA, Decimal("1000"))], "steps.1.minGross", LAST_AMOUNT),
    ],
)
def test_bad_policies_are_refused(steps: list[ApprovalStep], field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        approvals.check_policy(steps)
    assert _refused(error) == ("BAD_USER_INPUT", field, message)


def test_policy_fields_follow_the_given_prefix() -> None:
    with pytest.raises(InvalidInput) as error:
        approvals.check_policy([ApprovalStep(RO), ApprovalStep(RO)], field="input.steps")
    assert error.value.field == "input.steps.1.role"


POLICY = (
    ApprovalStep(RO),
    ApprovalStep(RO, Decimal("100000.00")),
    ApprovalStep(SA, Decimal("1000000.00")),
    ApprovalStep(SA),
)


@pytest.mark.parametrize(
    ("gross", "expected"),
    [
        ("0.00", (POLICY[0], POLICY[3])),
        ("71.71", (POLICY[0], POLICY[3])),
        ("99999.99", (POLICY[0], POLICY[3])),
        ("100000.00", (POLICY[0], POLICY[1], POLICY[3])),  # reaching the threshold is enough
        ("999999.99", (POLICY[0], POLICY[1], POLICY[3])),
        ("1000000.00", POLICY),
        ("5000000.00", POLICY),
    ],
)
def test_applicable_steps(gross: str, expected: tuple[ApprovalStep, ...]) -> None:
    assert approvals.applicable_steps(POLICY, Decimal(gross)) == expected


def test_the_default_policy_applies_in_full_to_every_amount() -> None:
    for gross in ("0.01", "71.71", "999999999999.99"):
        assert approvals.applicable_steps(approvals.DEFAULT_POLICY, Decimal(gross)) == (
            approvals.DEFAULT_POLICY
        )


# --- Decisions and notes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "note", "checked"),
    [
        (Decision.APPROVE, None, ""),
        (Decision.APPROVE, "   ", ""),
        (Decision.APPROVE, " Uygundur. ", "Uygundur."),
        (Decision.REJECT, "Bütçe yetersiz.", "Bütçe yetersiz."),
        (Decision.RETURN, "  Please add the delivery floor.\n", "Please add the delivery floor."),
        (Decision.RETURN, "n" * 1000, "n" * 1000),
    ],
)
def test_notes(decision: Decision, note: str | None, checked: str) -> None:
    assert approvals.check_note(decision, note) == checked


@pytest.mark.parametrize(
    ("decision", "note", "message"),
    [
        (Decision.REJECT, None, "A note is required to reject a request."),
        (Decision.REJECT, " \n ", "A note is required to reject a request."),
        (Decision.RETURN, None, "A note is required to return a request."),
        (Decision.RETURN, "", "A note is required to return a request."),
        (Decision.APPROVE, "a" * 1001, "A note has at most 1,000 characters."),
        (Decision.REJECT, "r" * 1001, "A note has at most 1,000 characters."),
    ],
)
def test_bad_notes_are_refused(decision: Decision, note: str | None, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        approvals.check_note(decision, note)
    assert _refused(error) == ("BAD_USER_INPUT", "note", message)


def test_decisions() -> None:
    assert [d.value for d in Decision] == ["APPROVE", "REJECT", "RETURN"]


# --- Separation of duties ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approver", "earlier", "on_behalf_of"),
    [
        (OFFICER, set(), None),  # the first step
        (AUTHORITY, {OFFICER}, None),  # the second step, another person
        (STAND_IN, {OFFICER}, AUTHORITY),  # a stand-in for the spending authority
        (AUTHORITY, [OFFICER, STAND_IN], None),
    ],
)
def test_allowed_approvers(approver: UUID, earlier: set[UUID], on_behalf_of: UUID | None) -> None:
    approvals.check_approver(
        approver_id=approver,
        requester_id=BUYER,
        earlier_approver_ids=earlier,
        on_behalf_of_id=on_behalf_of,
    )


@pytest.mark.parametrize(
    ("approver", "earlier", "on_behalf_of", "message"),
    [
        (BUYER, set(), None, "You cannot approve your own request."),
        (BUYER, {OFFICER}, None, "You cannot approve your own request."),
        (BUYER, set(), AUTHORITY, "You cannot approve your own request."),
        (
            STAND_IN,
            set(),
            BUYER,
            "You cannot approve a request on behalf of the person who made it.",
        ),
        (
            OFFICER,
            {OFFICER},
            None,
            "You have already approved a step of this request; another person must approve"
            " this one.",
        ),
        (
            OFFICER,
            {OFFICER},
            AUTHORITY,
            "You have already approved a step of this request; another person must approve"
            " this one.",
        ),
        (
            STAND_IN,
            {OFFICER},
            OFFICER,
            "The person you stand in for has already approved a step of this request; another"
            " person must approve this one.",
        ),
    ],
)
def test_separation_of_duties(
    approver: UUID, earlier: set[UUID], on_behalf_of: UUID | None, message: str
) -> None:
    with pytest.raises(SeparationOfDuties) as error:
        approvals.check_approver(
            approver_id=approver,
            requester_id=BUYER,
            earlier_approver_ids=earlier,
            on_behalf_of_id=on_behalf_of,
        )
    assert _refused(error) == ("SEPARATION_OF_DUTIES", None, message)
    assert isinstance(error.value, DomainError)


# --- Delegation ----------------------------------------------------------------------------------


def _delegate(**changes: object) -> None:
    arguments: dict[str, object] = {
        "delegator_id": AUTHORITY,
        "delegate_id": STAND_IN,
        "role": SA,
        "delegator_roles": frozenset({SA, Role.BUYER}),
        "starts_on": TODAY,
        "ends_on": date(2026, 3, 13),
        "today": TODAY,
    }
    arguments.update(changes)
    approvals.check_delegation(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"starts_on": date(2026, 3, 9), "ends_on": date(2026, 3, 9)},  # one day
        {"ends_on": date(2027, 3, 1)},  # 365 days, both ends included
        {"role": RO, "delegator_roles": frozenset({RO})},
        {"starts_on": date(2026, 12, 1), "ends_on": date(2027, 1, 31)},
    ],
)
def test_good_delegations(changes: dict[str, object]) -> None:
    _delegate(**changes)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"delegate_id": AUTHORITY}, "delegateId", "You cannot delegate to yourself."),
        (
            {"role": Role.BUYER},
            "role",
            "Only approval roles can be delegated: REALISATION_OFFICER or SPENDING_AUTHORITY.",
        ),
        (
            {
                "role": Role.INSTITUTION_ADMIN,
                "delegator_roles": frozenset({Role.INSTITUTION_ADMIN}),
            },
            "role",
            "Only approval roles can be delegated: REALISATION_OFFICER or SPENDING_AUTHORITY.",
        ),
        ({"role": RO}, "role", "You do not hold the role REALISATION_OFFICER."),
        ({"starts_on": date(2026, 3, 1)}, "startsOn", "A delegation cannot start in the past."),
        (
            {"starts_on": date(2026, 3, 10), "ends_on": date(2026, 3, 9)},
            "endsOn",
            "A delegation cannot end before it starts.",
        ),
        ({"ends_on": date(2027, 3, 2)}, "endsOn", "A delegation lasts at most 365 days."),
        ({"ends_on": date(2030, 1, 1)}, "endsOn", "A delegation lasts at most 365 days."),
    ],
)
def test_bad_delegations_are_refused(changes: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        _delegate(**changes)
    assert _refused(error) == ("BAD_USER_INPUT", field, message)


@pytest.mark.parametrize(
    ("today", "active"),
    [
        (date(2026, 3, 1), False),
        (date(2026, 3, 2), True),  # the first day
        (date(2026, 3, 7), True),
        (date(2026, 3, 13), True),  # the last day
        (date(2026, 3, 14), False),
    ],
)
def test_delegation_active(today: date, active: bool) -> None:
    delegation = Delegation(AUTHORITY, STAND_IN, SA, date(2026, 3, 2), date(2026, 3, 13))
    assert approvals.delegation_active(delegation, today) is active
