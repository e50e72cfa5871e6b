"""Completion of plain values, compiled: leaves, enums, lists and objects (graph/execution.py).

Each function returns a completion, value -> response value, for one GraphQL type and a
selection; it raises NotPlain (or lets a read's own error through) wherever graphql-core would
report an error, and graph/execution.py then runs that field the normal way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum
from typing import Any, cast

from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLScalarType
from graphql.pyutils import Undefined
from graphql.type import scalars

# How a plain field is read from its object (an attribute getter or a COMPUTED resolver).
Read = Callable[[Any], Any]
# Completion of a value that is not already in its final form: value -> response value.
Complete = Callable[[Any], Any]


class Unchanged:
    """No value has this type: the field's values always go through their completion."""


class NotPlain(Exception):
    """The value needs the normal path (which reports the error, if it is one)."""


# The type of values each built-in scalar returns unchanged (graphql.type.scalars); Int and
# Float only within range, which their completion checks.
UNCHANGED: dict[Callable[[Any], Any], type] = {
    scalars.serialize_string: str,
    scalars.serialize_id: str,
    scalars.serialize_boolean: bool,
    scalars.serialize_int: int,
    scalars.serialize_float: float,
}


def of_object(
    object_type: GraphQLObjectType, steps: list[tuple[str, Read, type, Complete]], non_null: bool
) -> Complete:
    # Strawberry's generated is_type_of (types with interfaces) does not use the info.
    is_type_of: Callable[[Any, Any], Any] | None = object_type.is_type_of

    def complete(value: Any) -> dict[str, Any] | None:
        if value is None:
            if non_null:
                raise NotPlain
            return None
        if is_type_of is not None and not is_type_of(value, None):
            raise NotPlain
        result = {}
        # A read that raises (a missing attribute, a failing resolver) falls back, too.
        for response_name, read, unchanged, complete_field in steps:
            field_value = read(value)
            if type(field_value) is unchanged:
                result[response_name] = field_value
            else:
                result[response_name] = complete_field(field_value)
        return result

    return complete


def of_list(unchanged: type, item: Complete, non_null: bool) -> Complete:
    def complete(value: Any) -> list[Any] | None:
        if value is None:
            if non_null:
                raise NotPlain
            return None
        if type(value) is not list and type(value) is not tuple:
            raise NotPlain  # other iterables (and async ones) take the normal path
        return [element if type(element) is unchanged else item(element) for element in value]

    return complete


def of_leaf(leaf: GraphQLScalarType | GraphQLEnumType, non_null: bool) -> tuple[type, Complete]:
    coerce = leaf.coerce_output_value
    unchanged = UNCHANGED.get(cast(Any, coerce), Unchanged)
    if isinstance(leaf, GraphQLEnumType):
        return Unchanged, _of_enum(coerce, non_null)

    def complete(value: Any) -> Any:
        if value is None:
            if non_null:
                raise NotPlain
            return None
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise NotPlain
        return coerced

    if unchanged is int:
        # Int passes unchanged only inside 32 bits: check the range here.
        def complete_int(value: Any) -> Any:
            if type(value) is int and scalars.GRAPHQL_MIN_INT <= value <= scalars.GRAPHQL_MAX_INT:
                return value
            return complete(value)

        return Unchanged, complete_int
    if unchanged is float:

        def complete_float(value: Any) -> Any:
            return value if type(value) is float and math.isfinite(value) else complete(value)

        return Unchanged, complete_float
    return unchanged, complete


def _of_enum(coerce: Callable[[Any], Any], non_null: bool) -> Complete:
    # An enum member coerces to the same name every time: remember it by identity (members
    # live as long as their class; equal values of other types must not share the entry).
    names: dict[int, Any] = {}

    def complete(value: Any) -> Any:
        if value is None:
            if non_null:
                raise NotPlain
            return None
        if not isinstance(value, Enum):
            coerced = coerce(value)
        elif (coerced := names.get(id(value))) is None:
            coerced = coerce(value)
            names[id(value)] = coerced
        if coerced is None or coerced is Undefined:
            raise NotPlain
        return coerced

    return complete
