"""Purchase requests: every allowed and forbidden transition, justification, requested date."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from domain import purchase_requests
from domain.errors import InvalidInput, InvalidTransition
from domain.purchase_requests import RequestStatus

TODAY = date(2026, 3, 2)

# Written out from DOMAIN.md, not derived from the module: (from, to) pairs that are allowed.
ALLOWED = {
    ("DRAFT", "SUBMITTED"),
    ("DRAFT", "CANCELLED"),
    ("SUBMITTED", "IN_APPROVAL"),
    ("SUBMITTED", "CANCELLED"),
    ("IN_APPROVAL", "APPROVED"),
    ("IN_APPROVAL", "REJECTED"),
    ("IN_APPROVAL", "RETURNED"),
    ("IN_APPROVAL", "CANCELLED"),
    ("APPROVED", "ORDERED"),
    ("RETURNED", "SUBMITTED"),
    ("RETURNED", "CANCELLED"),
}
ALL_PAIRS = list(product(RequestStatus, RequestStatus))


def test_the_states() -> None:
    assert [s.value for s in RequestStatus] == [
        "DRAFT",
        "SUBMITTED",
        "IN_APPROVAL",
        "APPROVED",
        "ORDERED",
        "REJECTED",
        "RETURNED",
        "CANCELLED",
    ]
    assert set(purchase_requests.TRANSITIONS) == set(RequestStatus)


def test_the_table_is_the_expected_one() -> None:
    table = {
        (current.value, target.value)
        for current, targets in purchase_requests.TRANSITIONS.items()
        for target in targets
    }
    assert table == ALLOWED


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=lambda s: str(s))
def test_every_transition(current: RequestStatus, target: RequestStatus) -> None:
    if (current.value, target.value) in ALLOWED:
        assert purchase_requests.transition(current, target) is target
        return
    with pytest.raises(InvalidTransition) as error:
        purchase_requests.transition(current, target)
    assert error.value.code == "INVALID_TRANSITION"
    assert error.value.field is None
    assert error.value.message == f"A request in state {current} cannot become {target}."


def test_the_message_names_the_current_state() -> None:
    with pytest.raises(InvalidTransition) as error:
        purchase_requests.transition(RequestStatus.ORDERED, RequestStatus.CANCELLED)
    assert error.value.message == "A request in state ORDERED cannot become CANCELLED."
    assert str(error.value) == "A request in state ORDERED cannot become CANCELLED."


def test_an_intermediate_approval_step_is_not_a_transition() -> None:
    with pytest.raises(InvalidTransition):
        purchase_requests.transition(RequestStatus.IN_APPROVAL, RequestStatus.IN_APPROVAL)


def test_final_editable_and_cancellable_states() -> None:
    S = RequestStatus
    assert frozenset({S.REJECTED, S.ORDERED, S.CANCELLED}) == purchase_requests.FINAL
    assert frozenset({S.DRAFT, S.RETURNED}) == purchase_requests.EDITABLE
    assert (
        frozenset({S.DRAFT, S.SUBMITTED, S.IN_APPROVAL, S.RETURNED})
        == purchase_requests.CANCELLABLE
    )


# --- Justification -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "checked"),
    [
        ("Toner for the radiology printers.", "Toner for the radiology printers."),
        ("  Kağıt ihtiyacı\n(2. dönem)  \n", "Kağıt ihtiyacı\n(2. dönem)"),
        ("x" * 2000, "x" * 2000),
        ("  " + "ş" * 2000 + "\n", "ş" * 2000),  # the limit counts the trimmed text
    ],
)
def test_justifications_are_trimmed(text: str, checked: str) -> None:
    assert purchase_requests.check_justification(text) == checked


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "A justification is required."),
        (" \n\t ", "A justification is required."),
        ("x" * 2001, "A justification has at most 2,000 characters."),
    ],
)
def test_bad_justifications_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        purchase_requests.check_justification(text)
    assert (error.value.code, error.value.field, error.value.message) == (
        "BAD_USER_INPUT",
        "justification",
        message,
    )
    with pytest.raises(InvalidInput) as error:
        purchase_requests.check_justification(text, field="input.justification")
    assert error.value.field == "input.justification"


# --- Requested delivery date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "today"),
    [
        (None, TODAY),
        (TODAY, TODAY),
        (date(2026, 3, 3), TODAY),
        (date(2027, 3, 2), TODAY),  # one year ahead, to the day
        (date(2029, 2, 28), date(2028, 2, 29)),  # from a 29 February
    ],
)
def test_requested_dates_from_today_to_a_year_ahead(requested: date | None, today: date) -> None:
    assert purchase_requests.check_requested_date(requested, today=today) == requested


@pytest.mark.parametrize(
    ("requested", "today", "message"),
    [
        (date(2026, 3, 1), TODAY, "A requested delivery date cannot be in the past."),
        (date(2025, 12, 31), TODAY, "A requested delivery date cannot be in the past."),
        (date(2027, 3, 3), TODAY, "A requested delivery date is at most one year from today."),
        (
            date(2029, 3, 1),
            date(2028, 2, 29),
            "A requested delivery date is at most one year from today.",
        ),
    ],
)
def test_requested_dates_out_of_range_are_refused(
    requested: date, today: date, message: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        purchase_requests.check_requested_date(requested, today=today)
    assert (error.value.code, error.value.field, error.value.message) == (
        "BAD_USER_INPUT",
        "requestedDeliveryDate",
        message,
    )
