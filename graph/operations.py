"""Operation selection: a document with several operations must name the one to run."""

from __future__ import annotations

import functools

from graphql import GraphQLError, OperationDefinitionNode, parse
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from graph.errors import GRAPHQL_VALIDATION_FAILED

# graphql-core's own wording (GraphQL spec, 6.1 Executing Requests, GetOperation).
MUST_NAME = "Must provide operation name if query contains multiple operations."


def refuse_unnamed(
    request: GraphQLRequestData | list[GraphQLRequestData], *, max_tokens: int
) -> ExecutionResult | None:
    """The spec's error for several operations and no `operationName`, else None.

    Strawberry would run the first operation (its ExecutionContext names it when the request
    does not), so the request is refused here, before anything is validated or executed.
    """
    if isinstance(request, list) or request.operation_name is not None or not request.query:
        return None
    if operation_count(request.query, max_tokens) < 2:
        return None
    error = GraphQLError(MUST_NAME, extensions={"code": GRAPHQL_VALIDATION_FAILED})
    return ExecutionResult(data=None, errors=[error])


@functools.lru_cache(maxsize=512)
def operation_count(query: str, max_tokens: int) -> int:
    """How many operations the document defines (0 when it does not parse: the schema then
    reports the syntax error or the token limit as usual)."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return 0
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
