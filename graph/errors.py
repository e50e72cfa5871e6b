"""Public GraphQL errors (with extensions.code) and the mapping from domain errors."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import ParamSpec, TypeVar

from graphql import GraphQLError

from domain.errors import DomainError, InputErrors

BAD_USER_INPUT = "BAD_USER_INPUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
INTERNAL_ERROR = "INTERNAL_ERROR"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

P = ParamSpec("P")
R = TypeVar("R")
E = TypeVar("E")


class PublicError(Exception):
    """An error whose message is safe to show; MaskErrors lets it through."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.extensions: dict[str, object] = {"code": code}
        if field is not None:
            self.extensions["field"] = field


def bad_input(error: DomainError) -> PublicError:
    code = BAD_USER_INPUT if error.code in ("BAD_USER_INPUT", "NOT_FOUND") else error.code
    return PublicError(error.message, code=code, field=error.field)


def is_public(error: GraphQLError) -> bool:
    return isinstance(error.original_error, PublicError)


def translate_errors(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn a DomainError raised below a query resolver into a public top-level error."""

    @functools.wraps(resolver)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await resolver(*args, **kwargs)
        except DomainError as error:
            raise bad_input(error) from None

    return wrapper


def payload_errors(error: DomainError, make: Callable[..., E], codes: type[StrEnum]) -> list[E]:
    """A refusal as a mutation payload's `errors`: every refused field of an InputErrors, each
    with the area's code for it (a code the area does not list reads as BAD_USER_INPUT)."""
    found = error.errors if isinstance(error, InputErrors) else [error]
    fallback = codes(BAD_USER_INPUT)
    return [
        make(
            code=codes(e.code) if e.code in codes.__members__ else fallback,
            field=e.field,
            message=e.message,
        )
        for e in found
    ]
