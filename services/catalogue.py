"""Catalogue use cases: listing with facets, product lookup, comparison, categories and brands."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from db import catalogue_queries as queries
from db.catalogue_queries import Keyset, ProductRow, SpecRow, Summary
from db.models import Brand, Category, Supplier
from domain import catalogue
from domain.catalogue import ProductListing
from domain.errors import InvalidInput


@dataclass
class ProductPage:
    listing: ProductListing
    rows: list[ProductRow]
    has_next: bool
    has_previous: bool
    # When facets are wanted, the count comes from the same statement (one search, not two).
    with_facets: bool = False
    _count: int | None = field(default=None, repr=False)
    _summary: Summary | None = field(default=None, repr=False)

    async def total_count(self) -> int:
        if self.with_facets:
            return (await self.summary()).count
        if self._count is None:
            self._count = await queries.product_count(self.listing)
        return self._count

    async def summary(self) -> Summary:
        if self._summary is None:
            self._summary = await summaries.get(self.listing)
        return self._summary


class SummaryCache:
    """Count and facets of recent listings, and the category scopes of their filters, for a
    few seconds, in this process.

    Facets are the same for every page of a listing and for every visitor, and the catalogue
    changes a few times a day, while computing them is the costliest statement of a search
    (docs/performance.md). A category filter's descendants change only with the CPV tree, and
    looking them up is a round trip on every filtered page. Writes in this process clear the
    cache; other processes' writes show after at most `seconds`. Zero seconds turns caching
    off. Concurrent requests that miss the same entry share one statement: when an entry
    expires under load, the summary runs once, not once per waiting request.
    """

    def __init__(self, seconds: float = 0, max_entries: int = 1024) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock: Callable[[], float] = time.monotonic
        # A ProductListing for a summary, a tuple of category ids for a scope.
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Task[Any]] = {}
        self._generation = 0  # clear() starts a new one: older statements are not stored

    async def get(self, listing: ProductListing) -> Summary:
        found: Summary = await self._remember(listing, lambda: queries.summary(listing))
        return found

    async def scope(self, category_ids: tuple[str, ...]) -> tuple[str, ...]:
        """The categories and all their descendants (what a category filter matches)."""
        found: tuple[str, ...] = await self._remember(
            category_ids, lambda: queries.category_descendants(category_ids)
        )
        return found

    async def _remember(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        if self.seconds <= 0:
            return await compute()
        now = self.clock()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            self._entries.move_to_end(key)
            return hit[1]
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fill(key, compute, now, self._generation))
            pending.add_done_callback(_retrieve)
            self._pending[key] = pending
        # A cancelled request does not cancel the statement the others wait for.
        return await asyncio.shield(pending)

    async def _fill(
        self, key: Hashable, compute: Callable[[], Awaitable[Any]], now: float, generation: int
    ) -> Any:
        try:
            found = await compute()
        finally:
            if self._pending.get(key) is asyncio.current_task():  # not since replaced
                del self._pending[key]
        if generation == self._generation:
            self._entries[key] = (now, found)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return found

    def clear(self) -> None:
        self._entries.clear()
        self._pending.clear()
        self._generation += 1


def _retrieve(task: asyncio.Task[Any]) -> None:
    # Every waiter may have been cancelled: mark the outcome seen, so it is not logged.
    if not task.cancelled():
        task.exception()


summaries = SummaryCache()


async def list_products(
    listing: ProductListing,
    *,
    size: int,
    after: Keyset | None,
    before: Keyset | None,
    with_facets: bool = False,
) -> ProductPage:
    if listing.filter.category_ids:
        scope = await summaries.scope(listing.filter.category_ids)
        listing = replace(listing, category_scope=scope)
    if listing.filter.attributes:
        slugs = [a.slug for a in listing.filter.attributes]
        catalogue.check_attribute_kinds(
            listing.filter.attributes, await queries.attribute_kinds(slugs)
        )
    backwards = before is not None
    position = before if backwards else after
    rows = await queries.product_page(listing, limit=size + 1, after=position, backwards=backwards)
    if not rows and _may_retry_fuzzy(listing, position):
        # Nothing matched as typed: accept similar spellings ("yazci" finds "yazıcı").
        listing = replace(listing, fuzzy=True)
        rows = await queries.product_page(listing, limit=size + 1, after=None, backwards=False)
    more = len(rows) > size
    if more:
        rows = rows[1:] if backwards else rows[:size]
    return ProductPage(
        listing=listing,
        rows=rows,
        has_next=more if not backwards else True,
        has_previous=more if backwards else after is not None,
        with_facets=with_facets,
    )


def _may_retry_fuzzy(listing: ProductListing, position: Keyset | None) -> bool:
    return (
        bool(listing.words)
        and not listing.fuzzy
        and position is None
        and queries.supports_fuzzy_search()
    )


async def product(*, product_id: str | None = None, sku: str | None = None) -> ProductRow | None:
    """One active product by id or SKU; exactly one of them must be given."""
    if (product_id is None) == (sku is None):
        raise InvalidInput("give either id or sku", field="id")
    if sku is not None:
        sku = sku.strip()
        if len(sku) > 64:
            return None
        product_id = await queries.product_id_by_sku(sku)
        if product_id is None:
            return None
    assert product_id is not None
    found = await queries.products_by_ids([product_id], active_only=True)
    return found.get(product_id)


async def products_by_ids(ids: Sequence[str]) -> dict[str, ProductRow]:
    return await queries.products_by_ids(ids, active_only=True)


@dataclass(frozen=True)
class ComparisonRow:
    """One line of a side-by-side comparison: a label and one value per product (None: n/a)."""

    key: str
    label: str
    unit: str | None
    values: tuple[str | None, ...]


@dataclass(frozen=True)
class Comparison:
    products: list[ProductRow]
    rows: list[ComparisonRow]


async def compare(ids: Sequence[str]) -> Comparison:
    """2 to 5 products: terms rows, then the union of their specifications by name."""
    unique = catalogue.compare_ids(ids)
    found = await queries.products_by_ids(list(unique), active_only=True)
    missing = [i for i in unique if i not in found]
    if missing:
        raise InvalidInput("unknown product", field=f"ids.{unique.index(missing[0])}")
    products = [found[i] for i in unique]
    specs = await queries.specifications_by_product(list(unique))
    return Comparison(products, _terms_rows(products) + _spec_rows(products, specs))


def _terms_rows(products: list[ProductRow]) -> list[ComparisonRow]:
    def row(key: str, label: str, unit: str | None, values: list[Any]) -> ComparisonRow:
        return ComparisonRow(key, label, unit, tuple(str(v) for v in values))

    return [
        row("price", "Birim fiyat (KDV hariç)", "TRY", [p.price_net for p in products]),
        row("kdvRate", "KDV oranı", "%", [p.kdv_rate for p in products]),
        row("leadTimeDays", "Teslim süresi", "gün", [p.lead_time_days for p in products]),
        row("warrantyMonths", "Garanti süresi", "ay", [p.warranty_months for p in products]),
        ComparisonRow(
            "rating",
            "Değerlendirme",
            "5 üzerinden",
            # No reviews is "no rating", not a rating of zero.
            tuple(f"{p.rating_average:.2f}" if p.rating_count else None for p in products),
        ),
    ]


def _spec_rows(products: list[ProductRow], specs: dict[str, list[SpecRow]]) -> list[ComparisonRow]:
    by_slug: dict[str, SpecRow] = {}
    values: dict[str, dict[str, str]] = {}
    for product_row in products:
        for spec in specs.get(product_row.id, []):
            by_slug.setdefault(spec.slug, spec)
            values.setdefault(spec.slug, {})[product_row.id] = spec_value_text(spec)
    return [
        ComparisonRow(
            key=slug,
            label=spec.name,
            unit=spec.unit,
            values=tuple(values[slug].get(p.id) for p in products),
        )
        for slug, spec in sorted(by_slug.items(), key=lambda item: item[1].name)
    ]


def spec_value_text(spec: SpecRow) -> str:
    if spec.boolean is not None:
        return "Evet" if spec.boolean else "Hayır"
    if spec.number is not None:
        return format_number(spec.number)
    return spec.text or ""


def format_number(value: float) -> str:
    """16.0 -> "16", 15.6 -> "15.6": specifications print without float noise."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


async def categories_by_ids(ids: Sequence[str]) -> dict[str, Category]:
    return {str(c.id): c for c in await Category.filter(id__in=list(ids))}


async def brands_by_ids(ids: Sequence[str]) -> dict[str, Brand]:
    return {str(b.id): b for b in await Brand.filter(id__in=list(ids))}


async def suppliers_by_ids(ids: Sequence[str]) -> dict[str, Supplier]:
    return {str(s.id): s for s in await Supplier.filter(id__in=list(ids))}


async def specifications(ids: Sequence[str]) -> dict[str, list[SpecRow]]:
    return await queries.specifications_by_product(ids)


async def category(*, category_id: str | None = None, code: str | None = None) -> Category | None:
    if (category_id is None) == (code is None):
        raise InvalidInput("give either id or code", field="id")
    if category_id is not None:
        return await Category.get_or_none(id=category_id)
    assert code is not None
    digits, _, check = code.strip().partition("-")
    if not (len(digits) == 8 and digits.isdigit()) or (check and not check.isdigit()):
        raise InvalidInput("a CPV code looks like 30213100-6", field="code")
    found = await Category.get_or_none(digits=digits)
    # A wrong check digit names no category, exactly like an unknown code.
    if found is not None and check and found.code != f"{digits}-{check}":
        return None
    return found


async def category_page(
    *, parent_id: str | None, size: int, after_code: str | None
) -> tuple[list[Category], bool]:
    """Children of a category (top-level divisions without a parent), in code order."""
    query = Category.filter(parent_id=parent_id) if parent_id else Category.filter(parent_id=None)
    if after_code is not None:
        query = query.filter(digits__gt=after_code)
    rows = await query.order_by("digits").limit(size + 1)
    return rows[:size], len(rows) > size


async def brand_page(*, size: int, after_slug: str | None) -> tuple[list[Brand], bool]:
    query = Brand.all()
    if after_slug is not None:
        query = query.filter(slug__gt=after_slug)
    rows = await query.order_by("slug").limit(size + 1)
    return rows[:size], len(rows) > size
