"""Write side of the catalogue: idempotent upserts of CPV categories and products by SKU."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from db.bulk_insert import insert_rows
from db.category_store import missing_codes, upsert_categories
from db.models import Attribute, Brand, Category, Product, ProductSpecification, Supplier
from domain import search
from domain.catalogue import ProductDraft, SpecKind, check_draft
from domain.imports import (
    Progress,
    SkippedRow,
    UpsertResult,
    content_hash,
    normalise,
    slugify,
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
_Party = TypeVar("_Party", Brand, Supplier)
# bulk_update writes one CASE per column with two parameters a row: keep statements small.
UPDATE_BATCH = 100
_UPDATED_FIELDS = (
    "name", "description", "category_id", "brand_id", "supplier_id", "unit", "price_net",
    "price_kurus", "kdv_rate", "stock", "min_order_quantity", "lead_time_days",
    "warranty_months", "images", "active", "price_valid_from", "price_valid_until",
    "search_name", "search_context", "search_specs", "search_description", "name_sort",
    "content_hash", "source", "updated_at",
)  # fmt: skip


@dataclass(frozen=True)
class _Attr:
    id: uuid.UUID
    kind: SpecKind
    unit: str | None
    name: str = ""
    new: bool = False


@dataclass
class _Parties:
    """Brands or suppliers by exact name, else by slug (so 'ACME' and 'Acme' are one brand)."""

    by_name: dict[str, uuid.UUID] = field(default_factory=dict)
    by_slug: dict[str, uuid.UUID] = field(default_factory=dict)

    def get(self, name: str) -> uuid.UUID | None:
        return self.by_name.get(name) or self.by_slug.get(_slug(name))

    def add(self, pk: uuid.UUID, name: str, slug: str) -> None:
        self.by_name.setdefault(name, pk)
        self.by_slug.setdefault(slug, pk)


@dataclass
class _Refs:
    """Rows the drafts point at, looked up once per import: categories, attributes, parties."""

    categories: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)
    attributes: dict[str, _Attr] = field(default_factory=dict)
    brands: _Parties = field(default_factory=_Parties)
    suppliers: _Parties = field(default_factory=_Parties)


def _slug(name: str) -> str:
    return slugify(name)[:140]


async def upsert_products(
    drafts: Sequence[ProductDraft],
    *,
    source: str,
    rows: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> UpsertResult:
    """Create new SKUs, update changed ones, leave unchanged ones unwritten; skip bad drafts.

    `rows` are the drafts' row numbers in the source file, for skipped-row reports.
    """
    numbers = list(rows) if rows is not None else list(range(1, len(drafts) + 1))
    result = UpsertResult()
    async with in_transaction():
        refs = await _load_refs(drafts)
        accepted = _accept(drafts, numbers, refs, result)
        if progress:
            progress.advance(len(drafts) - len(accepted))
        await _create_refs([draft for _, draft in accepted], refs)
        for start in range(0, len(accepted), CHUNK):
            chunk = [draft for _, draft in accepted[start : start + CHUNK]]
            await _upsert_chunk(chunk, source, refs, result)
            if progress:
                progress.advance(len(chunk))
    return result


async def ensure_suppliers(suppliers: Mapping[str, str]) -> int:
    """Create the suppliers (slug -> name) whose slug is not stored yet; return how many."""
    async with in_transaction():
        stored = {row.slug for row in await _fetch(Supplier, "slug", suppliers)}
        rows = [
            Supplier(id=uuid.uuid4(), slug=slug, name=name)
            for slug, name in suppliers.items()
            if slug not in stored
        ]
        await Supplier.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


async def _fetch(model: type[Model], column: str, values: Iterable[str]) -> list[Any]:
    """Rows whose `column` is one of `values`, in chunks (SQLite limits bound parameters)."""
    unique = sorted(set(values))
    found: list[Any] = []
    for start in range(0, len(unique), CHUNK):
        found += await model.filter(**{f"{column}__in": unique[start : start + CHUNK]})
    return found


async def _load_refs(drafts: Sequence[ProductDraft]) -> _Refs:
    refs = _Refs()
    for category in await _fetch(Category, "digits", (d.category_code[:8] for d in drafts)):
        label = f"{category.name_tr or ''} {category.name_en}"
        refs.categories[category.digits] = (category.id, label)
    slugs = (spec.slug for d in drafts for spec in d.specifications)
    for attr in await _fetch(Attribute, "slug", slugs):
        refs.attributes[attr.slug] = _Attr(attr.id, attr.kind, attr.unit)
    for parties, names, model in _parties(drafts, refs):
        rows = await _fetch(model, "name", names) + await _fetch(model, "slug", map(_slug, names))
        for row in rows:
            parties.add(row.id, row.name, row.slug)
    return refs


def _parties(
    drafts: Sequence[ProductDraft], refs: _Refs
) -> list[tuple[_Parties, set[str], type[Brand] | type[Supplier]]]:
    return [
        (refs.brands, {d.brand for d in drafts if d.brand}, Brand),
        (refs.suppliers, {d.supplier for d in drafts}, Supplier),
    ]


def _accept(
    drafts: Sequence[ProductDraft], numbers: list[int], refs: _Refs, result: UpsertResult
) -> list[tuple[int, ProductDraft]]:
    """Normalised drafts that can be stored; the others become skipped rows."""
    accepted: list[tuple[int, ProductDraft]] = []
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
                spec.slug, _Attr(uuid.uuid4(), spec.kind, spec.unit, spec.name, new=True)
            )
        accepted.append((number, draft))
    return accepted


def _ref_problems(draft: ProductDraft, refs: _Refs) -> list[str]:
    problems: list[str] = []
    digits = draft.category_code[:8]
    if not digits.isdigit() or digits not in refs.categories:
        problems.append(
            f"unknown category {draft.category_code}: import the CPV tree first (esatis import-cpv)"
        )
    for party, name, limit in (("brand", draft.brand, 120), ("supplier", draft.supplier, 200)):
        if name is not None and (not slugify(name) or len(name) > limit):
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


async def _create_refs(drafts: list[ProductDraft], refs: _Refs) -> None:
    new_attrs = [(slug, a) for slug, a in refs.attributes.items() if a.new]
    await Attribute.bulk_create(
        [Attribute(id=a.id, slug=s, name=a.name, kind=a.kind, unit=a.unit) for s, a in new_attrs],
        batch_size=CHUNK,
    )
    refs.attributes.update({slug: _Attr(a.id, a.kind, a.unit) for slug, a in new_attrs})
    await _create_parties(Brand, refs.brands, {d.brand for d in drafts if d.brand})
    await _create_parties(Supplier, refs.suppliers, {d.supplier for d in drafts})


async def _create_parties(model: type[_Party], parties: _Parties, names: set[str]) -> None:
    missing: dict[str, str] = {}
    for name in sorted(names):
        if parties.get(name) is None:
            missing.setdefault(_slug(name), name)
    rows = [model(id=uuid.uuid4(), slug=slug, name=name) for slug, name in missing.items()]
    await model.bulk_create(rows, batch_size=CHUNK)
    for row in rows:
        parties.add(row.id, row.name, row.slug)


async def _upsert_chunk(
    chunk: list[ProductDraft], source: str, refs: _Refs, result: UpsertResult
) -> None:
    known = {
        sku: (pk, digest)
        for pk, sku, digest in await Product.filter(sku__in=[d.sku for d in chunk]).values_list(
            "id", "sku", "content_hash"
        )
    }
    creates: list[dict[str, Any]] = []
    updates: list[Product] = []
    specs: list[dict[str, Any]] = []
    for draft in chunk:
        digest = content_hash(draft, source)
        pk, stored_digest = known.get(draft.sku, (None, None))
        if stored_digest == digest:
            result.unchanged += 1
            continue
        row = _product(draft, pk or uuid.uuid4(), digest, source, refs)
        if pk:
            updates.append(Product(**row))
        else:
            creates.append(row)
        specs += _specifications(row["id"], draft, refs)
    await insert_rows(Product, creates)
    if updates:
        await Product.bulk_update(updates, fields=_UPDATED_FIELDS, batch_size=UPDATE_BATCH)
        await ProductSpecification.filter(product_id__in=[p.id for p in updates]).delete()
    await insert_rows(ProductSpecification, specs)
    result.created += len(creates)
    result.updated += len(updates)


def _product(
    draft: ProductDraft, pk: uuid.UUID, digest: str, source: str, refs: _Refs
) -> dict[str, Any]:
    """The product's columns (field name -> value) as the draft sets them."""
    category_id, category_names = refs.categories[draft.category_code[:8]]
    return dict(
        id=pk,
        sku=draft.sku,
        name=draft.name,
        description=draft.description,
        category_id=category_id,
        brand_id=refs.brands.get(draft.brand) if draft.brand else None,
        supplier_id=refs.suppliers.get(draft.supplier),
        unit=draft.unit,
        price_net=draft.price_net,
        price_kurus=int(draft.price_net * 100),
        kdv_rate=draft.kdv_rate,
        stock=draft.stock,
        min_order_quantity=draft.min_order_quantity,
        lead_time_days=draft.lead_time_days,
        warranty_months=draft.warranty_months,
        images=list(draft.images),
        active=draft.active,
        price_valid_from=draft.price_valid_from,
        price_valid_until=draft.price_valid_until,
        search_name=search.document(draft.name),
        search_context=_context(draft.brand, category_names),
        search_specs=search.document(*(spec_text(spec) for spec in draft.specifications)),
        search_description=search.document(draft.description),
        name_sort=search.sort_key(draft.name),
        content_hash=digest,
        source=source,
    )


@functools.lru_cache(maxsize=4096)
def _context(brand: str | None, category_names: str) -> str:
    # Few brand/category pairs recur across thousands of products: fold each pair once.
    return search.document(brand, category_names)


def _specifications(
    product_id: uuid.UUID, draft: ProductDraft, refs: _Refs
) -> list[dict[str, Any]]:
    return [
        dict(
            id=uuid.uuid4(),
            product_id=product_id,
            attribute_id=refs.attributes[spec.slug].id,
            position=position,
            value_text=spec.text if spec.kind is SpecKind.TEXT else None,
            value_number=float(spec.number)
            if spec.kind is SpecKind.NUMBER and spec.number is not None
            else None,
            value_boolean=spec.boolean if spec.kind is SpecKind.BOOLEAN else None,
        )
        for position, spec in enumerate(draft.specifications)
    ]
