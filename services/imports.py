"""Import use cases: a product file or the CPV vocabulary into the catalogue, all or nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from tortoise.exceptions import BaseORMException
from tortoise.transactions import in_transaction

from db import catalogue_store
from db.importers import category_map, csv_format, detect, dummyjson, openboxes
from db.importers import cpv as cpv_file
from domain.imports import (
    CategoryRow,
    ImportFailed,
    ImportSummary,
    Progress,
    RowDraft,
    RowResult,
    SkippedRow,
    UpsertResult,
    count_unmapped,
)
from services import catalogue

_PARSERS: dict[str, Callable[[str, Decimal | None], Iterator[RowResult]]] = {
    "dummyjson": lambda text, rate: dummyjson.parse(text, rate=rate or Decimal(1)),
    "openboxes": lambda text, rate: openboxes.parse(text, rate=rate or Decimal(1)),
    "csv": lambda text, rate: csv_format.parse(text, rate=rate),
}
FORMATS = ("auto", *_PARSERS)
# Formats whose prices are in US dollars: importing them needs the TRY per USD rate.
USD_FORMATS = frozenset({"dummyjson", "openboxes"})
MIN_RATE = Decimal("0.0001")
MAX_RATE = Decimal(1_000_000)
_T = TypeVar("_T")


async def import_catalogue(
    path: Path,
    *,
    fmt: str = "auto",
    rate: Decimal | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Create or update the file's products by SKU; bad rows are skipped and reported.

    `rate` is TRY per unit of the file's currency: required for DummyJSON and OpenBoxes (USD).
    A fatal problem raises ImportFailed and leaves the database as it was.
    """
    if fmt not in FORMATS:
        raise ImportFailed(f"unknown format {fmt!r}: use {', '.join(FORMATS)}", field="format")
    if rate is not None and (not rate.is_finite() or not MIN_RATE <= rate <= MAX_RATE):
        raise ImportFailed(
            f"the rate must be a number from {MIN_RATE} to {MAX_RATE}, such as 41.25", field="rate"
        )
    text = await _read(path)
    chosen = _named(path, lambda: detect.detect(path, text)) if fmt == "auto" else fmt
    results = _named(path, lambda: list(_PARSERS[chosen](text, rate)))
    if chosen in USD_FORMATS and rate is None:
        # Storing dollars as lira would be silently wrong by a factor of forty.
        raise ImportFailed(
            f"prices in a {chosen} file are in US dollars: give --rate, the TRY per USD rate "
            "(for example --rate 41.25)",
            field="rate",
        )
    drafts = [result for result in results if isinstance(result, RowDraft)]
    summary = ImportSummary(unmapped_categories=count_unmapped(results))
    if summary.unmapped_categories:
        summary.fallback_category = category_map.OTHER.code

    async def store() -> UpsertResult:
        await _ensure_categories({row.draft.category_code for row in drafts})
        return await catalogue_store.upsert_products(
            [row.draft for row in drafts],
            source=chosen,
            rows=[row.row for row in drafts],
            progress=progress,
        )

    return await _run(summary, results, store, progress, f"{path.name} ({chosen})")


async def import_cpv(path: Path, *, progress: Progress | None = None) -> ImportSummary:
    """Build or refresh the category tree from a CPV JSON file ({"30213100-6": "label"})."""
    text = await _read(path)
    results = _named(path, lambda: list(cpv_file.parse(text)))
    rows = [result for result in results if isinstance(result, CategoryRow)]
    numbers = [n for n, result in enumerate(results, start=1) if isinstance(result, CategoryRow)]
    if not rows:
        raise ImportFailed(f"{path.name}: no entry is a CPV code such as 30213100-6", field="file")

    async def store() -> UpsertResult:
        return await catalogue_store.upsert_categories(rows, numbers=numbers, progress=progress)

    summary = ImportSummary(label="categories")
    return await _run(summary, results, store, progress, f"{path.name} (CPV)")


async def _run(
    summary: ImportSummary,
    results: Sequence[object],
    store: Callable[[], Awaitable[UpsertResult]],
    progress: Progress | None,
    label: str,
) -> ImportSummary:
    """Store the parsed rows in one transaction and complete the summary."""
    summary.skipped = [result for result in results if isinstance(result, SkippedRow)]
    if progress:
        progress.start(len(results), label)
        progress.advance(len(summary.skipped))
    try:
        async with in_transaction():
            stored = await store()
    except BaseORMException as exc:
        raise ImportFailed(f"the database refused the import; nothing was written ({exc})") from exc
    finally:
        if progress:
            progress.close()
    # Counts and facets computed before the import no longer hold.
    catalogue.summaries.clear()
    summary.created, summary.updated = stored.created, stored.updated
    summary.unchanged = stored.unchanged
    summary.skipped += stored.skipped
    return summary


async def _ensure_categories(codes: set[str]) -> None:
    """Create mapped categories (and their ancestors) missing because no CPV tree was imported."""
    missing = await catalogue_store.missing_codes(codes)
    rows = category_map.reference_rows(missing)
    if rows:
        await catalogue_store.upsert_categories(rows)


async def _read(path: Path) -> str:
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise ImportFailed(f"{path} does not exist", field="file") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path} is a directory, not a file", field="file") from None
    except OSError as exc:
        raise ImportFailed(f"cannot read {path}: {exc.strerror}", field="file") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(f"{path.name} is not UTF-8 text", field="file") from None


def _named(path: Path, step: Callable[[], _T]) -> _T:
    """Run a parsing step; its ImportFailed message gains the file's name."""
    try:
        return step()
    except ImportFailed as exc:
        raise ImportFailed(f"{path.name}: {exc.message}", field="file") from None
