"""Keyset connections: a service page's rows as edges with opaque cursors, and the cursor back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from graph import cursors
from graph.schema.common import PageInfo
from services import paging

E = TypeVar("E", bound="Edge")
N = TypeVar("N")


class Edge(Protocol):
    cursor: str


def edges(
    page: paging.Page[Any],
    sort_key: str,
    value_of: Callable[[Any], str],
    make_node: Callable[[Any], N],
    make_edge: Callable[..., E],
) -> tuple[list[E], PageInfo]:
    """Edges of the page's rows (cursor: the sort key, the row's sort value and id)."""
    found = [
        make_edge(cursor=cursors.encode(sort_key, value_of(row), str(row.id)), node=make_node(row))
        for row in page.rows
    ]
    info = PageInfo(
        has_next_page=page.has_next,
        has_previous_page=False,
        start_cursor=found[0].cursor if found else None,
        end_cursor=found[-1].cursor if found else None,
    )
    return found, info


def after(cursor: str | None, sort_key: str) -> tuple[str, str] | None:
    """(sort value, row id) of an `after` cursor made for `sort_key`; refused otherwise."""
    if cursor is None:
        return None
    at = cursors.decode(cursor, sort_key, cursors.ValueKind.TEXT, field="after")
    return str(at.value), at.id
