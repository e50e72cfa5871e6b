"""State machines as data: the one transition check that requests, orders and later shipments,
acceptances and tickets share (ARCHITECTURE.md section 2)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from domain.errors import InvalidTransition

S = TypeVar("S", bound=StrEnum)


def transition(table: Mapping[S, frozenset[S]], current: S, target: S, *, subject: str) -> S:
    """Return `target` if `table` allows `current -> target`, else raise InvalidTransition.

    `subject` starts the message: "A request" gives "A request in state ORDERED cannot become
    CANCELLED." Staying in the same state is never a transition.
    """
    if target not in table.get(current, frozenset()):
        raise InvalidTransition(f"{subject} in state {current} cannot become {target}.")
    return target


def final_states(table: Mapping[S, frozenset[S]]) -> frozenset[S]:
    """The states nothing leaves."""
    return frozenset(state for state, targets in table.items() if not targets)
