"""What imported products point at (categories, attributes, brands, suppliers), in bulk."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from db.models import Attribute, Brand, Category, Supplier
from domain.catalogue import ProductDraft, SpecKind
from domain.imports import slugify

CHUNK = 500
_Party = TypeVar("_Party", Brand, Supplier)


@dataclass(frozen=True)
class Attr:
    id: uuid.UUID
    kind: SpecKind
    unit: str | None
    name: str = ""
    new: bool = False


@functools.lru_cache(maxsize=8192)
def slug(name: str) -> str:
    """The stored slug of a brand or supplier name (names recur: fold each once)."""
    return slugify(name)[:140]


@dataclass
class Parties:
    """Brands or suppliers by exact name, else by slug (so 'ACME' and 'Acme' are one brand)."""

    by_name: dict[str, uuid.UUID] = field(default_factory=dict)
    by_slug: dict[str, uuid.UUID] = field(default_factory=dict)

    def get(self, name: str) -> uuid.UUID | None:
        return self.by_name.get(name) or self.by_slug.get(slug(name))

    def add(self, pk: uuid.UUID, name: str, party_slug: str) -> None:
        self.by_name.setdefault(name, pk)
        self.by_slug.setdefault(party_slug, pk)


@dataclass
class Refs:
    """Rows the drafts point at, looked up once per import."""

    # eight-digit code -> (id, "name_tr name_en" for the search context)
    categories: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)
    attributes: dict[str, Attr] = field(default_factory=dict)
    brands: Parties = field(default_factory=Parties)
    suppliers: Parties = field(default_factory=Parties)


async def fetch(model: type[Model], column: str, values: Iterable[Any]) -> list[Any]:
    """Rows whose `column` is one of `values`, in chunks (SQLite limits bound parameters)."""
    unique = sorted(set(values))
    found: list[Any] = []
    for start in range(0, len(unique), CHUNK):
        found += await model.filter(**{f"{column}__in": unique[start : start + CHUNK]})
    return found


async def load(drafts: Sequence[ProductDraft]) -> Refs:
    refs = Refs()
    for category in await fetch(Category, "digits", (d.category_code[:8] for d in drafts)):
        label = f"{category.name_tr or ''} {category.name_en}"
        refs.categories[category.digits] = (category.id, label)
    for attr in await fetch(Attribute, "slug", (s.slug for d in drafts for s in d.specifications)):
        refs.attributes[attr.slug] = Attr(attr.id, attr.kind, attr.unit)
    await _load_parties(Brand, refs.brands, {d.brand for d in drafts if d.brand})
    await _load_parties(Supplier, refs.suppliers, {d.supplier for d in drafts})
    return refs


async def create(drafts: Sequence[ProductDraft], refs: Refs) -> None:
    """Create the attributes `refs` plans and the brands and suppliers the drafts name."""
    new_attrs = [(key, a) for key, a in refs.attributes.items() if a.new]
    await Attribute.bulk_create(
        [
            Attribute(id=a.id, slug=key, name=a.name, kind=a.kind, unit=a.unit)
            for key, a in new_attrs
        ],
        batch_size=CHUNK,
    )
    refs.attributes.update({key: Attr(a.id, a.kind, a.unit) for key, a in new_attrs})
    await _create_parties(Brand, refs.brands, {d.brand for d in drafts if d.brand})
    await _create_parties(Supplier, refs.suppliers, {d.supplier for d in drafts})


async def ensure_suppliers(suppliers: Mapping[str, str]) -> int:
    """Create the suppliers (slug -> name) whose slug is not stored yet; return how many."""
    async with in_transaction():
        stored = {row.slug for row in await fetch(Supplier, "slug", suppliers)}
        rows = [
            Supplier(id=uuid.uuid4(), slug=key, name=name)
            for key, name in suppliers.items()
            if key not in stored
        ]
        await Supplier.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


async def _load_parties(model: type[_Party], parties: Parties, names: set[str]) -> None:
    rows = await fetch(model, "name", names) + await fetch(model, "slug", map(slug, names))
    for row in rows:
        parties.add(row.id, row.name, row.slug)


async def _create_parties(model: type[_Party], parties: Parties, names: set[str]) -> None:
    missing: dict[str, str] = {}
    for name in sorted(names):
        if parties.get(name) is None:
            missing.setdefault(slug(name), name)
    rows = [model(id=uuid.uuid4(), slug=key, name=name) for key, name in missing.items()]
    await model.bulk_create(rows, batch_size=CHUNK)
    for row in rows:
        parties.add(row.id, row.name, row.slug)
