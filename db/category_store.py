"""Write side of the CPV category tree: idempotent upserts with parents, paths and depths."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from db.models import Category
from domain import cpv
from domain.imports import CategoryRow, Progress, SkippedRow, UpsertResult

CHUNK = 500


@dataclass(frozen=True)
class _Place:
    parent: str | None
    path: str
    depth: int


async def upsert_categories(
    rows: Sequence[CategoryRow],
    *,
    numbers: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> UpsertResult:
    """Store categories by code; place every known category under its nearest known ancestor.

    A stored Turkish name is kept; a row's Turkish name fills only a missing one. Depth counts
    from 0 at the roots; the path lists eight-digit codes from the root, each followed by '/'.
    """
    result = UpsertResult()
    incoming = _index(rows, list(numbers or range(1, len(rows) + 1)), result)
    async with in_transaction():
        stored = {category.digits: category for category in await Category.all()}
        creates, updates = _changes(stored, incoming, result)
        await Category.bulk_create(creates, batch_size=CHUNK)
        await Category.bulk_update(
            updates, fields=("code", "name_en", "name_tr", "parent_id", "path", "depth"),
            batch_size=100,
        )  # fmt: skip
    if progress:
        progress.advance(len(rows))
    return result


def _changes(
    stored: dict[str, Category], incoming: dict[str, CategoryRow], result: UpsertResult
) -> tuple[list[Category], list[Category]]:
    """New categories and changed stored ones, parents before children; counts into `result`."""
    places = _place(set(stored) | set(incoming))
    ids = {digits: category.id for digits, category in stored.items()}
    ids.update({digits: uuid.uuid4() for digits in incoming if digits not in stored})
    creates: list[Category] = []
    updates: list[Category] = []
    for digits in sorted(places, key=lambda d: (places[d].depth, d)):
        place, row = places[digits], incoming.get(digits)
        parent_id = ids[place.parent] if place.parent else None
        if digits not in stored:
            assert row is not None  # every code not stored came in a row
            creates.append(_new(ids[digits], digits, row, place, parent_id))
            continue
        changed = _apply(stored[digits], row, place, parent_id)
        if changed:
            updates.append(stored[digits])
        if row is not None:  # re-parented categories outside the rows are not counted
            result.updated += changed
            result.unchanged += not changed
    result.created = len(creates)
    return creates, updates


async def missing_codes(codes: Iterable[str]) -> set[str]:
    """The codes (eight digits, check digit optional) that have no stored category."""
    wanted = {code.strip()[:8]: code for code in codes}
    found: set[str] = set()
    keys = sorted(wanted)
    for start in range(0, len(keys), CHUNK):
        batch = keys[start : start + CHUNK]
        stored = await Category.filter(digits__in=batch).values_list("digits", flat=True)
        found.update(str(digits) for digits in stored)
    return {code for digits, code in wanted.items() if digits not in found}


def _index(
    rows: Sequence[CategoryRow], numbers: list[int], result: UpsertResult
) -> dict[str, CategoryRow]:
    incoming: dict[str, CategoryRow] = {}
    for number, row in zip(numbers, rows, strict=True):
        try:
            digits, _check = cpv.parse(row.code)
        except ValueError as exc:
            result.skipped.append(SkippedRow(number, row.code, str(exc)))
            continue
        if digits in incoming:
            result.skipped.append(SkippedRow(number, row.code, "the code appears twice"))
            continue
        incoming[digits] = row
    return incoming


def _place(known: set[str]) -> dict[str, _Place]:
    """Parent, path and depth of every code; a parent always has a shorter significant part."""
    places: dict[str, _Place] = {}
    for digits in sorted(known, key=lambda d: (cpv.significant_length(d), d)):
        parent = cpv.parent_of(digits, known)
        if parent is None:
            places[digits] = _Place(None, f"{digits}/", 0)
        else:
            above = places[parent]
            places[digits] = _Place(parent, f"{above.path}{digits}/", above.depth + 1)
    return places


def _new(
    pk: uuid.UUID, digits: str, row: CategoryRow, place: _Place, parent_id: uuid.UUID | None
) -> Category:
    return Category(
        id=pk,
        code=row.code.strip(),
        digits=digits,
        parent_id=parent_id,
        path=place.path,
        depth=place.depth,
        name_tr=row.name_tr,
        name_en=row.name_en,
    )


def _apply(
    category: Category, row: CategoryRow | None, place: _Place, parent_id: uuid.UUID | None
) -> bool:
    """Set the wanted values on a stored category; True when any of them changed."""
    wanted = {"parent_id": parent_id, "path": place.path, "depth": place.depth}
    if row is not None:
        wanted |= {"code": row.code.strip(), "name_en": row.name_en}
        # A stored Turkish name may be an editor's choice: only fill a missing one.
        if row.name_tr is not None and category.name_tr is None:
            wanted["name_tr"] = row.name_tr
    changed = {key: value for key, value in wanted.items() if getattr(category, key) != value}
    for key, value in changed.items():
        setattr(category, key, value)
    return bool(changed)
