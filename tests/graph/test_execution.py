"""graph/execution.py answers exactly as graphql-core does: same data, order and errors."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from decimal import Decimal
from enum import Enum
from typing import Any, cast

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from graph.execution import (
    COMPUTED,
    PlainFieldExecutionContext,
    index_plain_fields,
    selected_names,
)
from graph.schema.common import DecimalScalar


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leaf:
    n: int
    f: float | None
    s: str
    b: bool
    colour: Colour
    amount: Decimal
    tags: list[str]
    maybe_tags: list[str | None] | None


def _double(root: Computed) -> int:
    if root.leaf.s == "raise":
        raise ValueError("cannot double")
    return root.leaf.n * 2


def _first_tag(root: Computed) -> str:
    # A null from a non-null computed field: the normal path reports it.
    return root.leaf.tags[0] if root.leaf.tags else cast(str, None)


def _lookup(root: Computed, info: strawberry.Info) -> int:
    return root.leaf.n  # takes the info: never called directly


@strawberry.type
class Computed:
    double: int = strawberry.field(resolver=_double, metadata=COMPUTED)
    first_tag: str = strawberry.field(resolver=_first_tag, metadata=COMPUTED)
    lookup: int = strawberry.field(resolver=_lookup, metadata=COMPUTED)
    leaf: strawberry.Private[Leaf]


def _computed(root: Item) -> Computed:
    return Computed(leaf=root.leaf)


@strawberry.type
class Item(Named):
    id: strawberry.ID
    leaf: Leaf
    maybe: Leaf | None
    leaves: list[Leaf]
    computed: Computed = strawberry.field(resolver=_computed, metadata=COMPUTED)

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


def _leaf(**changes: Any) -> Leaf:
    values: dict[str, Any] = {
        "n": 7,
        "f": 1.5,
        "s": "ş",
        "b": True,
        "colour": Colour.BLUE,
        "amount": Decimal("12.50"),
        "tags": ["a", "b"],
        "maybe_tags": ["x", None],
    }
    values.update(changes)
    return Leaf(**values)


def _item(leaf: Any = None, **changes: Any) -> Item:
    values: dict[str, Any] = {
        "name": "item",
        "id": strawberry.ID("1"),
        "leaf": _leaf() if leaf is None else leaf,
        "maybe": None,
        "leaves": [_leaf(n=1), _leaf(n=2, f=None)],
    }
    values.update(changes)
    return Item(**values)


class Broken:
    """An object of no GraphQL type, with the attributes of a Leaf."""

    def __init__(self) -> None:
        self.__dict__.update(vars(_leaf()))


def _generator() -> Iterator[Leaf]:
    yield _leaf(n=3)


CASES: dict[str, Any] = {
    "ok": lambda: _item(),
    "null in a non-null leaf": lambda: _item(_leaf(n=None)),
    "int out of 32 bits": lambda: _item(_leaf(n=2**40)),
    "bool as int": lambda: _item(_leaf(n=True)),
    "float nan": lambda: _item(_leaf(f=math.nan)),
    "int as float": lambda: _item(_leaf(f=3)),
    "int as string": lambda: _item(_leaf(s=5)),
    "not an enum member": lambda: _item(_leaf(colour="green")),
    "enum value instead of member": lambda: _item(_leaf(colour="red")),
    "null in a list of non-null": lambda: _item(_leaf(tags=["a", None])),
    "list is a tuple": lambda: _item(_leaf(tags=("t",))),
    "list is a generator": lambda: _item(leaves=_generator()),
    "list is a string": lambda: _item(_leaf(tags="abc")),
    "missing attribute": lambda: _item(Broken()),
    "not the interface's type": lambda: _leaf(),
    "nullable object set": lambda: _item(maybe=_leaf(n=9)),
    "nullable object broken": lambda: _item(maybe=_leaf(b=None)),
    "computed field raises": lambda: _item(_leaf(s="raise")),
    "computed field returns null": lambda: _item(_leaf(n=None, tags=[])),
}


@strawberry.type
class Query:
    @strawberry.field
    def item(self, case: str) -> Item | None:
        built: Item = CASES[case]()
        return built

    @strawberry.field
    def items(self, case: str) -> list[Item | None]:
        return [_item(), CASES[case](), _item(name="last")]

    @strawberry.field
    def probe(self, info: strawberry.Info) -> Leaf:
        PROBED.append(selected_names(info))
        return _leaf()


PROBED: list[set[str]] = []


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    config = StrawberryConfig()
    plain = strawberry.Schema(
        query=Query,
        scalar_overrides={Decimal: DecimalScalar},
        execution_context_class=PlainFieldExecutionContext,
        config=config,
    )
    index_plain_fields(plain._schema)
    normal = strawberry.Schema(query=Query, scalar_overrides={Decimal: DecimalScalar})
    return plain, normal


PLAIN, NORMAL = _schemas()
LEAF = "n f s b colour amount tags maybeTags"
DOCUMENTS = {
    "fields": f"query($case: String!) {{ item(case: $case) {{ name id leaf {{ {LEAF} }} "
    f"maybe {{ n b }} leaves {{ n f __typename }} __typename }} }}",
    "aliases and fragments": "query($case: String!) { item(case: $case) { ...I other: leaf { n } "
    "... on Item { leaf { s first: n } } } } fragment I on Item { leaf { b n } name }",
    "a resolver inside": "query($case: String!) { items(case: $case) { shout name "
    f"leaves {{ {LEAF} }} }} }}",
    "computed": "query($case: String!) { item(case: $case) { computed { double firstTag lookup } "
    "leaves { s } } }",
    "directives": "query($case: String!, $yes: Boolean!) { item(case: $case) { "
    "leaf { n @include(if: $yes) s @skip(if: $yes) } name @skip(if: $yes) } }",
}


def _answer(schema: strawberry.Schema, document: str, variables: dict[str, Any]) -> Any:
    result = schema.execute_sync(document, variable_values=variables)
    errors = [(e.message, e.path) for e in result.errors or ()]
    # json.dumps keeps the key order: the answer must keep the selection's order too.
    return json.dumps(result.data), errors


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("yes", [True, False])
def test_plain_execution_answers_like_graphql_core(document: str, case: str, yes: bool) -> None:
    variables = {"case": case, "yes": yes}
    for _ in range(2):  # the second execution reuses the compiled plans
        assert _answer(PLAIN, DOCUMENTS[document], variables) == _answer(
            NORMAL, DOCUMENTS[document], variables
        )


def test_compiled_plans_serve_every_execution_of_an_operation() -> None:
    document = DOCUMENTS["fields"]
    first = _answer(PLAIN, document, {"case": "ok"})
    broken = _answer(PLAIN, document, {"case": "null in a non-null leaf"})
    assert broken[1] == [
        ("Cannot return null for non-nullable field Leaf.n.", ["item", "leaf", "n"])
    ]
    assert _answer(PLAIN, document, {"case": "ok"}) == first
    assert first[1] == []


def test_plain_subtrees_skip_graphql_cores_field_execution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    executed: list[str] = []
    normal = PlainFieldExecutionContext.execute_field

    def counting(self: Any, parent_type: Any, source: Any, details: Any, *args: Any) -> Any:
        executed.append(f"{parent_type.name}.{details[0].node.name.value}")
        return normal(self, parent_type, source, details, *args)

    monkeypatch.setattr(PlainFieldExecutionContext, "execute_field", counting)
    assert _answer(PLAIN, DOCUMENTS["a resolver inside"], {"case": "ok"})[1] == []
    # Only resolvers run the normal way; every plain field and subtree is read directly.
    assert executed == ["Query.items", "Item.shout", "Item.shout", "Item.shout"]
    executed.clear()
    assert _answer(PLAIN, DOCUMENTS["computed"], {"case": "ok"})[1] == []
    # COMPUTED resolvers of the object alone are called directly; one with the info is not.
    assert executed == ["Query.item", "Item.computed", "Computed.lookup"]
    executed.clear()
    _answer(PLAIN, DOCUMENTS["fields"], {"case": "int out of 32 bits"})
    assert executed == ["Query.item", "Item.leaf", "Leaf.n"]


def test_selected_names_see_through_fragments() -> None:
    PROBED.clear()
    document = (
        "query($yes: Boolean!) { probe { n ...F ... on Leaf { s } ... { b @skip(if: $yes) } "
        "alias: amount } } fragment F on Leaf { tags ...G } fragment G on Leaf { colour }"
    )
    result = PLAIN.execute_sync(document, variable_values={"yes": True})
    assert result.errors is None
    # Directives are not evaluated: a skipped field counts (the resolver loads a little more).
    assert PROBED[0] == {"n", "s", "b", "amount", "tags", "colour"}
    assert len(PROBED) == 1
