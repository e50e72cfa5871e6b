"""Purchase requests (satın alma talebi): the state machine, and the justification and
requested delivery date rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from domain import states, text
from domain.errors import InvalidInput


class RequestStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    IN_APPROVAL = "IN_APPROVAL"
    APPROVED = "APPROVED"
    ORDERED = "ORDERED"
    REJECTED = "REJECTED"
    RETURNED = "RETURNED"
    CANCELLED = "CANCELLED"


_S = RequestStatus
# DOMAIN.md: DRAFT -> SUBMITTED -> IN_APPROVAL -> APPROVED -> ORDERED, or REJECTED, RETURNED
# (back to the buyer, then resubmitted) and CANCELLED (by the buyer before final approval).
# Intermediate approval steps keep the request IN_APPROVAL: they are recorded as decisions,
# not as transitions.
TRANSITIONS: Mapping[RequestStatus, frozenset[RequestStatus]] = {
    _S.DRAFT: frozenset({_S.SUBMITTED, _S.CANCELLED}),
    _S.SUBMITTED: frozenset({_S.IN_APPROVAL, _S.CANCELLED}),
    _S.IN_APPROVAL: frozenset({_S.APPROVED, _S.REJECTED, _S.RETURNED, _S.CANCELLED}),
    _S.APPROVED: frozenset({_S.ORDERED}),
    _S.RETURNED: frozenset({_S.SUBMITTED, _S.CANCELLED}),
    _S.REJECTED: frozenset(),
    _S.ORDERED: frozenset(),
    _S.CANCELLED: frozenset(),
}
FINAL = states.final_states(TRANSITIONS)
# The buyer edits lines, address, justification and dates only while the request is theirs.
EDITABLE = frozenset({_S.DRAFT, _S.RETURNED})
# Cancellable by the buyer: every state that may become CANCELLED (before final approval).
CANCELLABLE = frozenset(s for s, targets in TRANSITIONS.items() if _S.CANCELLED in targets)


def transition(current: RequestStatus, target: RequestStatus) -> RequestStatus:
    """Return `target`; a forbidden move raises InvalidTransition naming the current state."""
    return states.transition(TRANSITIONS, current, target, subject="A request")


JUSTIFICATION_MAX = 2000


def check_justification(justification: str, *, field: str = "justification") -> str:
    value = justification.strip()
    if not value:
        raise InvalidInput("A justification is required.", field=field)
    if len(value) > JUSTIFICATION_MAX:
        raise InvalidInput(
            f"A justification has at most {JUSTIFICATION_MAX:,} characters.", field=field
        )
    return text.check_printable(value, field=field, multiline=True)


def check_requested_date(
    requested: date | None, *, today: date, field: str = "requestedDeliveryDate"
) -> date | None:
    """Optional; from today up to the same day next year."""
    if requested is None:
        return None
    if requested < today:
        raise InvalidInput("A requested delivery date cannot be in the past.", field=field)
    if requested > _one_year_after(today):
        raise InvalidInput("A requested delivery date is at most one year from today.", field=field)
    return requested


def _one_year_after(day: date) -> date:
    """The same day next year; 29 February gives 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
