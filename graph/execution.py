"""Execution shortcuts that keep GraphQL semantics: plain subtrees and cached validation rules.

graphql-core resolves every field through a resolver, a resolve-info object, a path and value
completion; for a 50-product page that is most of the request's CPU. A plain field is one that
Strawberry resolves by reading its object: plain attribute access (no resolver, arguments,
permissions or field extensions), or a resolver marked COMPUTED that takes only its object.
Such a field is read here directly when its whole selection is plain too: a scalar or enum, an
object type whose selected fields are all plain, or lists and non-nulls of those. The subtree is
compiled into a small plan (kept per operation while the operation has no directives, so a
repeated document compiles once) and applied to every row of a page. Anything unusual (a null
in a non-null field, a value the scalar refuses, a failed type check, a resolver that raises,
@defer or @stream, field middleware) makes the field take the normal path, so errors are
reported exactly as graphql-core reports them: plain fields only read their object, so reading
one twice is harmless.
"""

from __future__ import annotations

import inspect
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from operator import attrgetter
from types import MappingProxyType
from typing import Any, cast

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.language import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph import completion
from graph.completion import Complete, Read, Unchanged

DEFINITION = "strawberry-definition"
# Directives that field collection has already applied; any other one takes the normal path.
COLLECTION_DIRECTIVES = frozenset({"include", "skip"})
# Field metadata for a resolver that only reads its object: `def f(self) -> T` (or `root`),
# synchronous, without side effects. Declared as `x: T = strawberry.field(resolver=f,
# metadata=COMPUTED)`, it is a plain field: called directly, and called again by the normal
# path when its value needs that path.
COMPUTED_KEY = "esatis.computed"
COMPUTED: Mapping[str, bool] = MappingProxyType({COMPUTED_KEY: True})
# (how to read the field from its object, GraphQL type), per GraphQL type name and field name.
PlainFields = dict[str, dict[str, tuple[Read, GraphQLOutputType]]]
# A compiled plain field: (read, type whose values pass unchanged, completion of the others).
FieldPlan = tuple[Read, type, Complete]
FieldDetailsList = list[FieldDetails]
GroupedFieldSet = dict[str, FieldDetailsList]
MAX_OPERATIONS = 256


class _OperationPlans:
    """Compiled fields of one operation, by parent type and field node ids."""

    def __init__(self, operation: OperationDefinitionNode, *, shared: bool) -> None:
        self.operation = operation  # kept alive, so the node ids below are never reused
        self.shared = shared
        self.fields: dict[tuple[int, ...], FieldPlan | None] = {}


class _SchemaPlans:
    """The plain fields of one schema, and the compiled fields of its recent operations."""

    def __init__(self, plain: PlainFields) -> None:
        self.plain = plain
        self.operations: OrderedDict[int, _OperationPlans] = OrderedDict()

    def of(self, operation: OperationDefinitionNode, fragments: dict[str, Any]) -> _OperationPlans:
        found = self.operations.get(id(operation))
        if found is None:
            # Without directives, collecting fields does not depend on the variables: the
            # plans serve every execution of the operation; otherwise only this one.
            shared = not _has_directives(operation, fragments)
            found = self.operations[id(operation)] = _OperationPlans(operation, shared=shared)
            if len(self.operations) > MAX_OPERATIONS:
                self.operations.popitem(last=False)
        return found if found.shared else _OperationPlans(operation, shared=False)


_SCHEMAS: weakref.WeakKeyDictionary[GraphQLSchema, _SchemaPlans] = weakref.WeakKeyDictionary()
_NO_PLANS = _SchemaPlans({})


def index_plain_fields(schema: GraphQLSchema) -> None:
    """Find the fields that plain attribute access resolves (called once per schema)."""
    plain: PlainFields = {}
    for name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        fields = {
            field_name: (read, field.type)
            for field_name, field in graphql_type.fields.items()
            if (read := _plain_read(field)) is not None
        }
        if fields:
            plain[name] = fields
    _SCHEMAS[schema] = _SchemaPlans(plain)


def _plain_read(field: GraphQLField) -> Read | None:
    """How Strawberry reads a plain field from its object; None for any other field."""
    definition = (field.extensions or {}).get(DEFINITION)
    if definition is None or definition.extensions or definition.permission_classes or field.args:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        # Strawberry's own attribute reader (getattr), not an exception-handling wrapper.
        basic = getattr(field.resolve, "_is_default", False)
        if basic and getattr(definition, "default_resolver", getattr) is getattr:
            return attrgetter(definition.python_name)
        return None
    if not (definition.metadata or {}).get(COMPUTED_KEY):
        return None
    function = resolver.wrapped_func
    # Strawberry calls it with the object as its only argument: so can we.
    only_object = (resolver.self_parameter or resolver.root_parameter) is not None
    if resolver.is_async or not only_object or len(resolver.signature.parameters) != 1:
        return None
    return function if inspect.isfunction(function) else None


def _has_directives(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> bool:
    definitions = [getattr(f, "definition", f) for f in fragments.values()]
    if any(d.directives or d.variable_definitions for d in definitions):
        return True
    return any(
        node.directives
        for selection_set in (operation.selection_set, *(d.selection_set for d in definitions))
        for node in _selections(selection_set)
    )


def _selections(selection_set: SelectionSetNode | None) -> Iterator[Any]:
    for node in selection_set.selections if selection_set else ():
        yield node
        yield from _selections(getattr(node, "selection_set", None))


class PlainFieldExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Field middleware (schema extensions with a resolve hook) must see every field.
        middleware = manager is not None and bool(manager.middlewares)
        self.plans = _NO_PLANS if middleware else _SCHEMAS.get(self.schema, _NO_PLANS)
        self.plain_fields = self.plans.plain
        self._compiled: _OperationPlans | None = None
        # This operation's grouped field sets (kept alive with their ids) and their plans.
        self._sets: dict[int, tuple[GroupedFieldSet, list[tuple[str, FieldPlan | None]]]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if position_context is not None or parent_type.name not in self.plain_fields:
            # Deferred or streamed work, or a type without plain fields.
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        known = self._sets.get(id(grouped_field_set))
        if known is None:
            plans = [
                (response_name, self._field_plan(parent_type, field_details_list))
                for response_name, field_details_list in grouped_field_set.items()
            ]
            known = self._sets[id(grouped_field_set)] = (grouped_field_set, plans)
        # Plain fields are read here, without a resolver, a resolve info or even a path;
        # the other fields run the normal way and the answer keeps the selection's order.
        results: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for response_name, plan in known[1]:
            if plan is not None:
                read, unchanged, complete = plan
                try:
                    value = read(source_value)
                    if type(value) is not unchanged:
                        value = complete(value)
                    results[response_name] = value
                    continue
                except Exception:  # the normal path reports it as GraphQL would
                    pass
            rest[response_name] = grouped_field_set[response_name]
        if not rest:
            return results
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if not results:
            return others
        if self.is_awaitable(others):

            async def merged() -> dict[str, Any]:
                return _in_order(grouped_field_set, results, await others)

            return merged()
        return _in_order(grouped_field_set, results, cast(dict[str, Any], others))

    def _field_plan(
        self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> FieldPlan | None:
        if self._compiled is None:
            self._compiled = self.plans.of(self.operation, self.fragments)
        key = (id(parent_type), *(id(details.node) for details in field_details_list))
        fields = self._compiled.fields
        if key not in fields:
            fields[key] = self._compile_field(parent_type, field_details_list)
        return fields[key]

    def _compile_field(
        self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> FieldPlan | None:
        node = field_details_list[0].node
        if node.name.value == "__typename":
            type_name = parent_type.name
            return type, Unchanged, lambda value: type_name
        spec = self.plain_fields.get(parent_type.name, {}).get(node.name.value)
        if spec is None or not all(_collected_only(details) for details in field_details_list):
            return None
        read, field_type = spec
        compiled = self._compile_value(field_type, field_details_list, non_null=False)
        return None if compiled is None else (read, *compiled)

    def _compile_value(
        self, graphql_type: GraphQLOutputType, field_details_list: FieldDetailsList, non_null: bool
    ) -> tuple[type, Complete] | None:
        if isinstance(graphql_type, GraphQLNonNull):
            return self._compile_value(graphql_type.of_type, field_details_list, non_null=True)
        if isinstance(graphql_type, GraphQLList):
            item = self._compile_value(graphql_type.of_type, field_details_list, non_null=False)
            return None if item is None else (Unchanged, completion.of_list(*item, non_null))
        if isinstance(graphql_type, (GraphQLScalarType, GraphQLEnumType)):
            return completion.of_leaf(graphql_type, non_null)
        if isinstance(graphql_type, GraphQLObjectType):
            complete = self._compile_object(graphql_type, field_details_list, non_null)
            return None if complete is None else (Unchanged, complete)
        return None  # interfaces and unions need their runtime type resolved

    def _compile_object(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList, non_null: bool
    ) -> Complete | None:
        definition = (object_type.extensions or {}).get(DEFINITION)
        if object_type.is_type_of is not None and getattr(definition, "is_type_of", None):
            return None  # a hand-written is_type_of may want the resolve info
        grouped, new_defer_usages, _forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        steps = []
        for response_name, sub_details in grouped.items():
            plan = self._field_plan(object_type, sub_details)
            if plan is None:
                return None
            steps.append((response_name, *plan))
        return completion.of_object(object_type, steps, non_null)


def _collected_only(details: FieldDetails) -> bool:
    node = details.node
    return (
        details.defer_usage is None
        and not node.arguments
        and all(d.name.value in COLLECTION_DIRECTIVES for d in node.directives or ())
    )


def _in_order(
    grouped_field_set: GroupedFieldSet, first: dict[str, Any], second: dict[str, Any]
) -> dict[str, Any]:
    return {
        name: first[name] if name in first else second[name]
        for name in grouped_field_set
        if name in first or name in second
    }


def selected_names(info: Any) -> set[str]:
    """Names of the fields an operation selects on the result of the field being resolved,
    through fragments (directives are not evaluated: a skipped field counts as selected).

    A cheaper `info.selected_fields` for a resolver that only needs to know what to load.
    """
    raw = info._raw_info  # Strawberry's Info wraps graphql-core's resolve info
    names: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> None:
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                names.add(node.name.value)
            elif isinstance(node, FragmentSpreadNode):
                fragment = raw.fragments.get(node.name.value)
                walk(fragment.selection_set if fragment is not None else None)
            elif isinstance(node, InlineFragmentNode):
                walk(node.selection_set)

    for field_node in raw.field_nodes:
        walk(field_node.selection_set)
    return names


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
