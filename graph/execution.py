"""Execution shortcuts that keep GraphQL semantics: plain leaf fields and cached validation rules.

graphql-core resolves every field through a resolver, a resolve-info object and value
completion; for a 50-product page that is most of the request's CPU. A field that Strawberry
would resolve with plain attribute access (no resolver, arguments, permissions or field
extensions) and whose type is a scalar or enum is read and serialised directly here. Anything
unusual (a null in a non-null field, a serialisation error, list or object types) takes the
normal path, so errors are reported exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)
from graphql.language import FieldNode
from graphql.pyutils import Undefined
from graphql.validation import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

DEFINITION = "strawberry-definition"
# (python attribute, leaf type, non-null) per GraphQL type name and field name.
PlainFields = dict[str, dict[str, tuple[str, GraphQLScalarType | GraphQLEnumType, bool]]]
_PLAIN: PlainFields = {}


def index_plain_fields(schema: GraphQLSchema) -> None:
    """Find the fields that plain attribute access resolves (called once per schema)."""
    _PLAIN.clear()
    for name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        plain = {}
        for field_name, field in graphql_type.fields.items():
            definition = (field.extensions or {}).get(DEFINITION)
            field_type = field.type
            non_null = isinstance(field_type, GraphQLNonNull)
            leaf = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
            if (
                definition is None
                or definition.base_resolver is not None
                or definition.extensions
                or definition.permission_classes
                or field.args
                or not isinstance(leaf, (GraphQLScalarType, GraphQLEnumType))
            ):
                continue
            plain[field_name] = (definition.python_name, leaf, non_null)
        if plain:
            _PLAIN[name] = plain


class PlainFieldExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Field middleware (schema extensions with a resolve hook) must see every field.
        self.plain_fields = {} if manager is not None and manager.middlewares else _PLAIN

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: dict[str, Any],
        position_context: Any,
    ) -> Any:
        plain = self.plain_fields.get(parent_type.name)
        if plain is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # Plain leaves are read here, without a resolver, a resolve info or even a path;
        # the other fields run the normal way and the answer keeps the selection's order.
        results: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for response_name, field_details_list in grouped_field_set.items():
            value = _plain_value(plain, source_value, field_details_list[0].node)
            if value is _NOT_PLAIN:
                rest[response_name] = field_details_list
            else:
                results[response_name] = value
        if not rest:
            return results
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if self.is_awaitable(others):

            async def merged() -> dict[str, Any]:
                return _in_order(grouped_field_set, results, await others)

            return merged()
        return _in_order(grouped_field_set, results, cast(dict[str, Any], others))


_NOT_PLAIN = object()


def _plain_value(
    plain: dict[str, tuple[str, GraphQLScalarType | GraphQLEnumType, bool]],
    source: Any,
    node: FieldNode,
) -> Any:
    spec = plain.get(node.name.value)
    if spec is None or node.arguments:
        return _NOT_PLAIN
    attribute, leaf, non_null = spec
    value = getattr(source, attribute, None)
    if value is None:
        # A null in a non-null field is an error: the normal path reports it.
        return _NOT_PLAIN if non_null else None
    try:
        serialized = leaf.serialize(value)
    except Exception:  # the normal path reports it as GraphQL would
        return _NOT_PLAIN
    return _NOT_PLAIN if serialized is None or serialized is Undefined else serialized


def _in_order(
    grouped_field_set: dict[str, Any], first: dict[str, Any], second: dict[str, Any]
) -> dict[str, Any]:
    return {
        name: first[name] if name in first else second[name]
        for name in grouped_field_set
        if name in first or name in second
    }


class FixedValidationRules(AddValidationRules):
    """Adds the same rule classes to every operation, so ValidationCache can hit.

    Strawberry's limiter extensions build a new rule class per instance, and extensions are
    instantiated per operation: each operation would look new to the validation cache.
    """

    rules: tuple[type[ASTValidationRule], ...] = ()

    def __init__(self) -> None:
        super().__init__(list(self.rules))


def fixed_validation_rules(max_depth: int, max_aliases: int) -> type[FixedValidationRules]:
    built: Iterable[AddValidationRules] = (
        QueryDepthLimiter(max_depth=max_depth),
        MaxAliasesLimiter(max_alias_count=max_aliases),
    )
    rules = tuple(rule for extension in built for rule in extension.validation_rules)
    return type("LimitRules", (FixedValidationRules,), {"rules": rules})
