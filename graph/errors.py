"""Public GraphQL errors (with extensions.code) and the mapping from domain errors."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from graphql import GraphQLError

from domain.errors import DomainError

BAD_USER_INPUT = "BAD_USER_INPUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
INTERNAL_ERROR = "INTERNAL_ERROR"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

P = ParamSpec("P")
R = TypeVar("R")


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
