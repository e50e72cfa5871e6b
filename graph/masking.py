"""Error masking: public errors pass, GraphQL's own get a code, bugs are logged and masked."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from graph.errors import BAD_USER_INPUT, INTERNAL_ERROR, is_public

log = logging.getLogger("esatis.graphql")
MASKED_MESSAGE = "Unexpected error. It has been logged; quote the request id to support."


def _root_cause(error: GraphQLError) -> BaseException | None:
    cause = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error
    return cause


def _should_mask(error: GraphQLError) -> bool:
    # Errors with no original error are GraphQL's own (syntax, validation, variable coercion):
    # their messages describe the client's document, never our internals.
    cause = _root_cause(error)
    if cause is None or isinstance(cause, GraphQLError) or is_public(error):
        return False
    # Our scalars raise ValueError with a message written for the client.
    return not (error.path is None and isinstance(cause, ValueError))


class PublicErrorMasking(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask, error_message=MASKED_MESSAGE)

    def _request_id(self) -> str:
        context = self.execution_context.context
        return str(getattr(context, "request_id", "-"))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = self._request_id()
        log.error(
            "unexpected error in %s (request %s)",
            ".".join(str(p) for p in error.path or ()),
            request_id,
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            path=error.path,
            original_error=None,
            extensions={"code": INTERNAL_ERROR, "requestId": request_id},
        )


def add_codes(errors: list[GraphQLError]) -> None:
    """Give GraphQL's own errors an extensions.code, like every error we raise has."""
    for error in errors:
        if not error.extensions or "code" not in error.extensions:
            error.extensions = {**(error.extensions or {}), "code": _code_of(error)}


def _code_of(error: GraphQLError) -> str:
    message = error.message
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith("Variable '$") or error.original_error is not None:
        return BAD_USER_INPUT
    return "GRAPHQL_VALIDATION_FAILED"
