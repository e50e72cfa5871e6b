"""Keyset pages: newest first for the lists that grow with time (requests, orders), or in
the order of one or more columns (addresses by label, budget lines by year and code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    has_next: bool


async def newest_first(
    query: QuerySet[M], key: str, after: tuple[datetime, str] | None, size: int
) -> Page[M]:
    """Rows in (key, id) descending order after the cursor position: stable however deep the
    client pages, and cheap on the (..., key) indexes."""
    if after is not None:
        value, row_id = after
        before: dict[str, Any] = {f"{key}__lt": value}
        tied: dict[str, Any] = {key: value, "id__lt": row_id}
        query = query.filter(Q(**before) | Q(**tied))
    rows = await query.order_by(f"-{key}", "-id").limit(size + 1)
    return Page(rows=list(rows[:size]), has_next=len(rows) > size)


async def ascending(
    query: QuerySet[M], keys: tuple[str, ...], after: tuple[tuple[Any, ...], str] | None, size: int
) -> Page[M]:
    """Rows in (*keys, id) ascending order after the cursor position (its key values and id)."""
    if after is not None:
        values, row_id = after
        columns = (*keys, "id")
        bounds = (*values, row_id)
        position = Q()
        for depth, column in enumerate(columns):
            equal = {name: bound for name, bound in zip(columns[:depth], bounds, strict=False)}
            later = Q(**equal, **{f"{column}__gt": bounds[depth]})
            position = later if depth == 0 else position | later
        query = query.filter(position)
    rows = await query.order_by(*keys, "id").limit(size + 1)
    return Page(rows=list(rows[:size]), has_next=len(rows) > size)
