"""Domain errors: expected, user-fixable outcomes with a stable code.

DomainError (code INVALID)
├── NotFound (NOT_FOUND)            a missing object, or one the actor may not see
├── InvalidInput (BAD_USER_INPUT)   a value out of range, malformed or inconsistent
├── InvalidTransition (INVALID_TRANSITION)
└── InputErrors (BAD_USER_INPUT)    several refused inputs of one form at once (`errors`)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class DomainError(Exception):
    code: str = "INVALID"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    code = "NOT_FOUND"


class InvalidInput(DomainError):
    code = "BAD_USER_INPUT"


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"


class InputErrors(DomainError):
    code = "BAD_USER_INPUT"

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


class Checks:
    """Runs a form's checks and reports every refused field at once, not only the first."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def run(self, check: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return check(*args, **kwargs)
        except DomainError as error:
            self.errors.append(error)
            return None  # type: ignore[return-value]  # never used: done() raises first

    def done(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InputErrors(self.errors)
