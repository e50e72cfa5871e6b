"""Domain errors: expected, user-fixable outcomes with a stable code.

DomainError (code INVALID)
├── NotFound (NOT_FOUND)            a missing object, or one the actor may not see
├── InvalidInput (BAD_USER_INPUT)   a value out of range, malformed or inconsistent
└── InvalidTransition (INVALID_TRANSITION)
"""

from __future__ import annotations


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
