"""Write side of the catalogue: idempotent upserts of CPV categories and products by SKU."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from db import attribute_values, catalogue_refs
from db.attribute_values import ValueKey
from db.bulk_insert import insert_rows
from db.catalogue_refs import Attr, Refs, ensure_suppliers
from db.category_store import missing_codes, upsert_categories
from db.models import Product, ProductSpecification
from domain import search
from domain.catalogue import ProductDraft, check_draft
from domain.imports import (
    Progress,
    SkippedRow,
    UpsertResult,
    content_hash,
    normalise,
    spec_problems,
    spec_text,
)

__all__ = [
    "UpsertResult",
    "ensure_suppliers",
    "missing_codes",
    "upsert_categories",
    "upsert_products",
]

CHUNK = 500
# bulk_update writes one CASE per column with two parameters a row: keep statements small.
UPDATE_BATCH = 100
_UPDATED_FIELDS = (
    "name", "description", "category_id", "brand_id", "supplier_id", "unit", "price_net",
    "price_kurus", "kdv_rate", "stock", "min_order_quantity", "lead_time_days",
    "warranty_months", "images", "active", "price_valid_from", "price_valid_until",
    "search_name", "search_context", "search_specs", "search_description", "name_sort",
    "attribute_value_ids", "content_hash", "source", "updated_at",
)  # fmt: skip


@dataclass(frozen=True)
class _Known:
    """What the drafts point at, and the number of each of their specification values."""

    refs: Refs
    values: dict[ValueKey, int]


@dataclass
class _Writes:
    """One chunk's changes, computed before any of them is sent to the database."""

    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[Product] = field(default_factory=list)
    specs: list[dict[str, Any]] = field(default_factory=list)


async def upsert_products(
    drafts: Sequence[ProductDraft],
    *,
    source: str,
    rows: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> UpsertResult:
    """Create new SKUs, update changed ones, leave unchanged ones unwritten; skip bad drafts.

    `rows` are the drafts' row numbers in the source file, for skipped-row reports. Anything
    but a bad draft (a database error, a failing progress reporter) rolls the whole call back.
    """
    numbers = list(rows) if rows is not None else list(range(1, len(drafts) + 1))
    result = UpsertResult()
    async with in_transaction():
        refs = await catalogue_refs.load(drafts)
        accepted = _accept(drafts, numbers, refs, result)
        if progress:
            progress.advance(len(drafts) - len(accepted))
        await catalogue_refs.create(accepted, refs)
        values = await attribute_values.numbers(accepted, refs)
        known = await _stored_hashes([draft.sku for draft in accepted])
        await _write_chunks(accepted, known, source, _Known(refs, values), result, progress)
    return result


async def _stored_hashes(skus: list[str]) -> dict[str, tuple[uuid.UUID, str]]:
    """SKU -> (id, content hash) of the products already stored."""
    known: dict[str, tuple[uuid.UUID, str]] = {}
    for start in range(0, len(skus), CHUNK):
        query = Product.filter(sku__in=skus[start : start + CHUNK])
        for pk, sku, digest in await query.values_list("id", "sku", "content_hash"):
            known[sku] = (pk, digest)
    return known


async def _write_chunks(
    accepted: list[ProductDraft],
    known: dict[str, tuple[uuid.UUID, str]],
    source: str,
    stored: _Known,
    result: UpsertResult,
    progress: Progress | None,
) -> None:
    # While one chunk's statements run in the database, the next chunk's rows are built:
    # search folding and hashing cost about as much as the inserts.
    pending: asyncio.Task[None] | None = None
    try:
        for start in range(0, len(accepted), CHUNK):
            chunk = accepted[start : start + CHUNK]
            writes = _plan(chunk, known, source, stored, result)
            if pending:
                await pending
            pending = asyncio.create_task(_write(writes))
            await asyncio.sleep(0)  # let it send its first statement
            if progress:
                progress.advance(len(chunk))
        if pending:
            await pending
    finally:
        if pending:
            # On a failure elsewhere, let the statement in flight end before the rollback (and
            # collect its own error, which the first one supersedes).
            with contextlib.suppress(Exception):
                await pending


def _accept(
    drafts: Sequence[ProductDraft], numbers: list[int], refs: Refs, result: UpsertResult
) -> list[ProductDraft]:
    """Normalised drafts that can be stored; the others become skipped rows."""
    accepted: list[ProductDraft] = []
    first_row: dict[str, int] = {}
    for number, raw in zip(numbers, drafts, strict=True):
        draft = normalise(raw)
        problems = check_draft(draft) + spec_problems(draft) + _ref_problems(draft, refs)
        if draft.sku in first_row:
            problems.append(f"SKU {draft.sku} already appears on row {first_row[draft.sku]}")
        if problems:
            result.skipped.append(SkippedRow(number, draft.sku or None, "; ".join(problems)))
            continue
        first_row[draft.sku] = number
        for spec in draft.specifications:
            # The first draft to use a new attribute defines its kind and unit.
            refs.attributes.setdefault(
                spec.slug, Attr(uuid.uuid4(), spec.kind, spec.unit, spec.name, new=True)
            )
        accepted.append(draft)
    return accepted


def _ref_problems(draft: ProductDraft, refs: Refs) -> list[str]:
    problems: list[str] = []
    if draft.category_code[:8] not in refs.categories:
        problems.append(
            f"unknown category {draft.category_code}: import the CPV tree first (esatis import-cpv)"
        )
    for party, name, limit in (("brand", draft.brand, 120), ("supplier", draft.supplier, 200)):
        if name is not None and (len(name) > limit or not catalogue_refs.slug(name)):
            problems.append(f"{party} name must be 1 to {limit} characters with a letter or digit")
    for spec in draft.specifications:
        stored = refs.attributes.get(spec.slug)
        if stored and stored.kind is not spec.kind:
            problems.append(f'specification "{spec.slug}" is {spec.kind}, stored as {stored.kind}')
        elif stored and stored.unit != spec.unit:
            problems.append(
                f'specification "{spec.slug}" is in {spec.unit or "no unit"}, '
                f"stored in {stored.unit or 'no unit'}"
            )
    return problems


def _plan(
    chunk: list[ProductDraft],
    known: dict[str, tuple[uuid.UUID, str]],
    source: str,
    stored: _Known,
    result: UpsertResult,
) -> _Writes:
    refs = stored.refs
    writes = _Writes()
    for draft in chunk:
        digest = content_hash(draft, source)
        pk, stored_digest = known.get(draft.sku, (None, None))
        if stored_digest == digest:
            result.unchanged += 1
            continue
        row = _product(draft, pk or uuid.uuid4(), digest, source, refs)
        row["attribute_value_ids"] = sorted(
            stored.values[attribute_values.key(refs.attributes[spec.slug].id, spec)]
            for spec in draft.specifications
        )
        if pk:
            writes.updates.append(Product(**row))
        else:
            writes.creates.append(row)
        writes.specs += _specifications(row["id"], draft, refs)
    result.created += len(writes.creates)
    result.updated += len(writes.updates)
    return writes


async def _write(writes: _Writes) -> None:
    await insert_rows(Product, writes.creates)
    if writes.updates:
        await Product.bulk_update(writes.updates, fields=_UPDATED_FIELDS, batch_size=UPDATE_BATCH)
        await ProductSpecification.filter(product_id__in=[p.id for p in writes.updates]).delete()
    await insert_rows(ProductSpecification, writes.specs)


def _product(
    draft: ProductDraft, pk: uuid.UUID, digest: str, source: str, refs: Refs
) -> dict[str, Any]:
    """The product's columns (field name -> value) as the draft sets them."""
    category_id, category_names = refs.categories[draft.category_code[:8]]
    return {
        "id": pk,
        "sku": draft.sku,
        "name": draft.name,
        "description": draft.description,
        "category_id": category_id,
        "brand_id": refs.brands.get(draft.brand) if draft.brand else None,
        "supplier_id": refs.suppliers.get(draft.supplier),
        "unit": draft.unit,
        "price_net": draft.price_net,
        "price_kurus": int(draft.price_net * 100),
        "kdv_rate": draft.kdv_rate,
        "stock": draft.stock,
        "min_order_quantity": draft.min_order_quantity,
        "lead_time_days": draft.lead_time_days,
        "warranty_months": draft.warranty_months,
        "images": list(draft.images),
        "active": draft.active,
        "price_valid_from": draft.price_valid_from,
        "price_valid_until": draft.price_valid_until,
        "search_name": search.document(draft.name),
        "search_context": _context(draft.brand, category_names),
        "search_specs": search.document(*(spec_text(spec) for spec in draft.specifications)),
        "search_description": search.document(draft.description),
        "name_sort": search.sort_key(draft.name),
        "content_hash": digest,
        "source": source,
    }


@functools.lru_cache(maxsize=4096)
def _context(brand: str | None, category_names: str) -> str:
    # Few brand/category pairs recur across thousands of products: fold each pair once.
    return search.document(brand, category_names)


def _specifications(product_id: uuid.UUID, draft: ProductDraft, refs: Refs) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid.uuid4(),
            "product_id": product_id,
            "attribute_id": refs.attributes[spec.slug].id,
            "position": position,
            **attribute_values.columns(spec),
        }
        for position, spec in enumerate(draft.specifications)
    ]
