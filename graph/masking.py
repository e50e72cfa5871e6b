"""Error masking: public errors pass, GraphQL's own get a code, bugs are logged and masked."""

from __future__ import annotations

import logging
import re

from graphql import GraphQLError, VariableDefinitionNode
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from graph.errors import BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED, INTERNAL_ERROR, is_public

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
    # "queries are not allowed": a query sent over the legacy graphql-ws protocol, which
    # carries subscriptions only. Strawberry's message describes the client's request.
    if isinstance(cause, InvalidOperationTypeError | CannotGetOperationTypeError):
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
    """Give GraphQL's own errors an extensions.code, like every error we raise has, and a
    variable that does not coerce its `field` (the variable's camelCase path)."""
    for error in errors:
        if not error.extensions or "code" not in error.extensions:
            field = variable_field(error)
            extensions = {"code": BAD_USER_INPUT if field else _code_of(error)}
            if field and "field" not in (error.extensions or {}):
                extensions["field"] = field
            error.extensions = {**(error.extensions or {}), **extensions}


# graphql-core's coercion message: "Variable '$filter' has invalid value at .price.gte: ...",
# the path printed by graphql.pyutils.print_path_list (names per GraphQL spec 2.1.9).
_COERCION = re.compile(
    r"Variable '\$(?P<name>[_A-Za-z][_0-9A-Za-z]*)' has invalid (?:default )?value"
    r"(?: at (?P<path>(?:\.[_A-Za-z][_0-9A-Za-z]*|\[[0-9]+\])+))?: "
)


def variable_field(error: GraphQLError) -> str | None:
    """`filter.price.gte` or `ids.1` for a variable value that did not coerce, else None."""
    node = error.nodes[0] if error.nodes else None
    match = _COERCION.match(error.message)
    if not isinstance(node, VariableDefinitionNode) or match is None:
        return None
    if match["name"] != node.variable.name.value:
        return None
    return match["name"] + re.sub(r"\[([0-9]+)\]", r".\1", match["path"] or "")


def _code_of(error: GraphQLError) -> str:
    message = error.message
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith("Variable values ") or error.original_error is not None:
        return BAD_USER_INPUT
    # Validation rules about variables ("Variable '$n' is never used.") are the document's.
    return GRAPHQL_VALIDATION_FAILED
