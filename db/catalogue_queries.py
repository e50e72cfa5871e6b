"""Catalogue read queries: listing pages, counts, facets and batched lookups, as plain rows."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from db import catalogue_sql as sql
from domain import search
from domain.catalogue import ProductListing, SortDirection, SortField, SpecKind, Unit

_KURUS = Decimal("0.01")


def _client() -> BaseDBAsyncClient:
    client: BaseDBAsyncClient = connections.get("default")
    return client


def dialect() -> str:
    return "postgres" if _client().capabilities.dialect == "postgres" else "sqlite"


def supports_fuzzy_search() -> bool:
    """Typo-tolerant matching needs PostgreSQL's pg_trgm (created by the migrations)."""
    return dialect() == "postgres"


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: str
    sku: str
    name: str
    description: str
    unit: Unit
    price_net: Decimal
    kdv_rate: int
    stock: int
    min_order_quantity: int
    lead_time_days: int
    warranty_months: int
    images: tuple[str, ...]
    active: bool
    price_valid_from: date | None
    price_valid_until: date | None
    rating_average: float
    rating_count: int
    category_id: str
    brand_id: str | None
    supplier_id: str
    created_at: datetime
    sort_value: Any = None


def _product_row(raw: dict[str, Any]) -> ProductRow:
    # Hot path (every listed row). PostgreSQL returns typed values; SQLite returns text for
    # decimals, JSON and timestamps, which are converted here.
    images = raw["images"]
    if isinstance(images, str):
        images = json.loads(images)
    created = raw["created_at"]
    if isinstance(created, str):
        created = datetime.fromisoformat(created)
    price = raw["price_net"]
    if not isinstance(price, Decimal):
        price = Decimal(price)
    brand_id = raw["brand_id"]
    return ProductRow(
        id=str(raw["id"]),
        sku=raw["sku"],
        name=raw["name"],
        description=raw["description"],
        unit=Unit(raw["unit"]),
        price_net=price.quantize(_KURUS),
        kdv_rate=raw["kdv_rate"],
        stock=raw["stock"],
        min_order_quantity=raw["min_order_quantity"],
        lead_time_days=raw["lead_time_days"],
        warranty_months=raw["warranty_months"],
        images=tuple(images or ()),
        active=bool(raw["active"]),
        price_valid_from=_as_date(raw["price_valid_from"]),
        price_valid_until=_as_date(raw["price_valid_until"]),
        rating_average=float(raw["rating_average"]),
        rating_count=raw["rating_count"],
        category_id=str(raw["category_id"]),
        brand_id=None if brand_id is None else str(brand_id),
        supplier_id=str(raw["supplier_id"]),
        created_at=created,
        sort_value=raw.get("sort_value"),
    )


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class Keyset:
    """Position after which (in the given direction) a page starts."""

    value: Any
    id: str


# Rows of the sort order a sorted search looks through before falling back to a full search.
SORTED_SEARCH_WINDOW = 1000


async def product_page(
    listing: ProductListing, *, limit: int, after: Keyset | None, backwards: bool
) -> list[ProductRow]:
    """Up to `limit` rows after `after`; backwards pages come back in listing order too."""
    direction = listing.effective_sort.direction
    if backwards:
        direction = SortDirection.ASC if direction is SortDirection.DESC else SortDirection.DESC
    backend = dialect()
    statement, values = page_statement(
        listing, limit, after, direction, window=None, dialect_name=backend
    )
    if listing.words and listing.effective_sort.field is not SortField.RELEVANCE:
        # A search sorted by a column: walk the sort index through a bounded window of rows
        # and keep the matches. When the window holds a full page, those are exactly the first
        # matches in order; otherwise the plain statement (search first, then sort) runs.
        windowed, window_values = page_statement(
            listing, limit, after, direction, window=SORTED_SEARCH_WINDOW, dialect_name=backend
        )
        found = await _client().execute_query_dict(windowed, window_values)
        if len(found) < limit:
            found = await _client().execute_query_dict(statement, values)
    else:
        found = await _client().execute_query_dict(statement, values)
    rows = [_product_row(r) for r in found]
    return rows[::-1] if backwards else rows


def page_statement(
    listing: ProductListing,
    limit: int,
    after: Keyset | None,
    direction: SortDirection,
    *,
    window: int | None,
    dialect_name: str,
) -> tuple[str, list[Any]]:
    """The page statement; with `window`, restricted to that many rows in sort order."""
    params = sql.Params(dialect_name)
    terms = sql.search_terms(listing, params)
    where = sql.where_clause(listing, params, terms)
    order = sql.order_expression(listing, terms)
    position = ""
    if after is not None:
        value = _keyset_value(listing.effective_sort.field, after.value, dialect_name)
        position = " AND " + sql.keyset_condition(order, direction, value, after.id, params)
    where += position
    source = "products p"
    if window is not None:
        # Rows in sort order straight off the (active, column, id) index, `window` of them;
        # only conditions that index can serve go inside, so the planner walks it.
        inner = [f"p.active = {params.add(True)}"]
        flt = listing.filter
        if listing.effective_sort.field is SortField.PRICE:
            if flt.price_gte is not None:
                inner.append(f"p.price_kurus >= {params.add(int(flt.price_gte * 100))}")
            if flt.price_lte is not None:
                inner.append(f"p.price_kurus <= {params.add(int(flt.price_lte * 100))}")
        source = (
            f"(SELECT * FROM products p WHERE {' AND '.join(inner)}{position} "
            f"ORDER BY {order} {direction.value}, p.id {direction.value} "
            f"LIMIT {params.add(window)}) p"
        )
    statement = (
        f"SELECT {sql.PRODUCT_COLUMNS}, {order} AS sort_value FROM {source} WHERE {where} "
        f"ORDER BY sort_value {direction.value}, p.id {direction.value} "
        f"LIMIT {params.add(limit)}"
    )
    return statement, params.values


def _keyset_value(field: SortField, value: Any, dialect_name: str) -> Any:
    if field is SortField.NEWEST and isinstance(value, str) and dialect_name == "postgres":
        return datetime.fromisoformat(value)
    return value


async def product_count(listing: ProductListing) -> int:
    params = sql.Params(dialect())
    where = sql.where_clause(listing, params, sql.search_terms(listing, params))
    rows = await _client().execute_query_dict(
        f"SELECT COUNT(*) AS n FROM products p WHERE {where}", params.values
    )
    return int(rows[0]["n"])


@dataclass(frozen=True)
class AttributeFacetRow:
    slug: str
    name: str
    kind: SpecKind
    unit: str | None
    text: str | None
    boolean: bool | None
    count: int
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Summary:
    """The filtered set's size and facets (see catalogue_sql.summary_statement)."""

    count: int
    # id -> count, in facet order: count descending, then name (Turkish order), then id.
    categories: dict[str, int]
    brands: dict[str, int]
    price_min: Decimal | None
    price_max: Decimal | None
    attributes: list[AttributeFacetRow]


async def summary(listing: ProductListing) -> Summary:
    params = sql.Params(dialect())
    statement = sql.summary_statement(listing, params)
    rows = await _client().execute_query_dict(statement, params.values)
    count, low, high = 0, None, None
    named: dict[str, list[tuple[int, str, str]]] = {"category": [], "brand": []}
    attribute_rows = []
    for row in rows:
        facet = row["facet"]
        if facet == "count":
            count = int(row["n"])
        elif facet in named:
            named[facet].append((int(row["n"]), row["text"] or "", str(row["key"])))
        elif facet == "price":
            low, high = row["lo"], row["hi"]
        else:
            attribute_rows.append(row)
    return Summary(
        count=count,
        categories=_in_facet_order(named["category"]),
        brands=_in_facet_order(named["brand"]),
        price_min=None if low is None else Decimal(int(low)) * _KURUS,
        price_max=None if high is None else Decimal(int(high)) * _KURUS,
        attributes=await _attribute_facets(attribute_rows),
    )


def _in_facet_order(values: list[tuple[int, str, str]]) -> dict[str, int]:
    """(count, name, id) triples as id -> count: most first, equal counts by name in Turkish
    alphabetical order (domain.search.sort_key, the same on both backends), then by id."""
    ordered = sorted(values, key=lambda v: (-v[0], search.sort_key(v[1]), v[2]))
    return {key: n for n, _, key in ordered}


def _case_merged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Texts of one attribute that differ only in case ("Siyah", "SİYAH") are one facet value,
    as the filter matches them alike; the most common spelling names it (then Turkish order)."""
    groups: dict[tuple[str, str | None, Any], list[dict[str, Any]]] = {}
    for row in rows:
        text = row["text"]
        folded = None if text is None else search.fold_case(text)
        groups.setdefault((str(row["key"]), folded, row["flag"]), []).append(row)
    merged = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        named = min(group, key=lambda r: (-int(r["n"]), search.sort_key(r["text"]), r["text"]))
        merged.append({**named, "n": sum(int(r["n"]) for r in group)})
    return merged


async def _attribute_facets(rows: list[dict[str, Any]]) -> list[AttributeFacetRow]:
    rows = _case_merged(rows)
    ids = list({str(r["key"]) for r in rows})
    if not ids:
        return []
    params = sql.Params(dialect())
    meta = {
        str(a["id"]): a
        for a in await _client().execute_query_dict(
            f"SELECT id, slug, name, kind, unit FROM attributes WHERE id IN ({params.many(ids)})",
            params.values,
        )
    }
    return [
        AttributeFacetRow(
            slug=meta[str(r["key"])]["slug"],
            name=meta[str(r["key"])]["name"],
            kind=SpecKind(meta[str(r["key"])]["kind"]),
            unit=meta[str(r["key"])]["unit"],
            text=r["text"],
            boolean=None if r["flag"] is None else bool(r["flag"]),
            count=int(r["n"]),
            low=None if r["lo"] is None else float(r["lo"]),
            high=None if r["hi"] is None else float(r["hi"]),
        )
        for r in rows
    ]


async def products_by_ids(ids: Sequence[str], *, active_only: bool) -> dict[str, ProductRow]:
    if not ids:
        return {}
    params = sql.Params(dialect())
    active = f" AND p.active = {params.add(True)}" if active_only else ""
    rows = await _client().execute_query_dict(
        f"SELECT {sql.PRODUCT_COLUMNS} FROM products p "
        f"WHERE p.id IN ({params.many(list(ids))}){active}",
        params.values,
    )
    return {str(r["id"]): _product_row(r) for r in rows}


async def category_descendants(ids: Sequence[str]) -> tuple[str, ...]:
    """The given categories and every category below them (materialised paths)."""
    params = sql.Params(dialect())
    rows = await _client().execute_query_dict(
        "SELECT DISTINCT c.id FROM categories c JOIN categories f ON c.path LIKE f.path || '%' "
        f"WHERE f.id IN ({params.many(list(ids))})",
        params.values,
    )
    return tuple(sorted(str(r["id"]) for r in rows))


async def attribute_kinds(slugs: Sequence[str]) -> dict[str, SpecKind]:
    params = sql.Params(dialect())
    rows = await _client().execute_query_dict(
        f"SELECT slug, kind FROM attributes WHERE slug IN ({params.many(list(slugs))})",
        params.values,
    )
    return {r["slug"]: SpecKind(r["kind"]) for r in rows}


async def product_id_by_sku(sku: str) -> str | None:
    params = sql.Params(dialect())
    rows = await _client().execute_query_dict(
        f"SELECT id FROM products WHERE sku = {params.add(sku)}", params.values
    )
    return str(rows[0]["id"]) if rows else None


@dataclass(frozen=True, slots=True)
class SpecRow:
    product_id: str
    slug: str
    name: str
    kind: SpecKind
    unit: str | None
    text: str | None
    number: float | None
    boolean: bool | None


async def specifications_by_product(ids: Sequence[str]) -> dict[str, list[SpecRow]]:
    """Every listed product's specifications in one query, in their stored order."""
    out: dict[str, list[SpecRow]] = defaultdict(list)
    if not ids:
        return out
    params = sql.Params(dialect())
    rows = await _client().execute_query_dict(
        "SELECT s.product_id, a.slug, a.name, a.kind, a.unit, s.value_text, s.value_number, "
        "s.value_boolean FROM product_specifications s JOIN attributes a ON a.id = s.attribute_id "
        f"WHERE s.product_id IN ({params.many(list(ids))}) ORDER BY s.position, a.slug",
        params.values,
    )
    for r in rows:
        out[str(r["product_id"])].append(
            SpecRow(
                product_id=str(r["product_id"]),
                slug=r["slug"],
                name=r["name"],
                kind=SpecKind(r["kind"]),
                unit=r["unit"],
                text=r["value_text"],
                number=None if r["value_number"] is None else float(r["value_number"]),
                boolean=None if r["value_boolean"] is None else bool(r["value_boolean"]),
            )
        )
    return out
