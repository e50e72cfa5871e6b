"""Catalogue resolvers: decode arguments, call services.catalogue, map rows to types."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import replace

import strawberry

from db.catalogue_queries import AttributeFacetRow, Keyset, Summary
from domain import catalogue as rules
from domain import search
from domain.catalogue import ProductListing, SortField
from graph import cursors
from graph import ids as global_ids
from graph.context import Info
from graph.cursors import ValueKind
from graph.errors import translate_errors
from graph.execution import selected_names
from graph.schema import catalogue as types
from graph.schema.common import Money, Node, PageInfo
from services import catalogue
from services.catalogue import ProductPage

FUZZY_MARK = "~"
SORT_VALUE_KINDS = {
    SortField.RELEVANCE: ValueKind.INTEGER,
    SortField.PRICE: ValueKind.INTEGER,
    SortField.LEAD_TIME: ValueKind.INTEGER,
    SortField.RATING: ValueKind.NUMBER,
    SortField.NAME: ValueKind.TEXT,
    SortField.NEWEST: ValueKind.TIMESTAMP,
}


def _decode_ids(values: list[strawberry.ID] | None, type_name: str, path: str) -> tuple[str, ...]:
    return tuple(
        global_ids.decode(value, type_name, field=f"{path}.{index}")
        for index, value in enumerate(values or [])
    )


def _filter(flt: types.ProductFilter | None) -> rules.ProductFilter:
    if flt is None:
        return rules.ProductFilter()
    price = flt.price or types.DecimalRange()
    return rules.ProductFilter(
        category_ids=_decode_ids(flt.category_ids, "Category", "filter.categoryIds"),
        brand_ids=_decode_ids(flt.brand_ids, "Brand", "filter.brandIds"),
        supplier_ids=_decode_ids(flt.supplier_ids, "Supplier", "filter.supplierIds"),
        price_gte=price.gte,
        price_lte=price.lte,
        in_stock=flt.in_stock,
        max_lead_time_days=flt.max_lead_time_days,
        kdv_rates=tuple(flt.kdv_rates or ()),
        attributes=tuple(
            rules.AttributeFilter(
                slug=a.slug,
                values=tuple(a.values or ()),
                gte=a.range.gte if a.range else None,
                lte=a.range.lte if a.range else None,
                boolean=a.boolean,
            )
            for a in flt.attributes or []
        ),
    )


def _sort_key(listing: ProductListing) -> str:
    sort = listing.effective_sort
    key = f"{sort.field.value}:{sort.direction.value}"
    if sort.field is SortField.RELEVANCE:
        # Relevance values only mean something for the same words.
        key += ":" + hashlib.sha256(" ".join(listing.words).encode()).hexdigest()[:12]
    return key + FUZZY_MARK if listing.fuzzy else key


def _position(
    cursor: str | None, listing: ProductListing, name: str
) -> tuple[Keyset | None, ProductListing]:
    """Decode a cursor; one made by a fuzzy (typo-tolerant) page continues in fuzzy mode."""
    if cursor is None:
        return None, listing
    kind = SORT_VALUE_KINDS[listing.effective_sort.field]
    fuzzy = replace(listing, fuzzy=True)
    try:
        return cursors.decode(cursor, _sort_key(listing), kind, field=name), listing
    except cursors.OtherSort:
        return cursors.decode(cursor, _sort_key(fuzzy), kind, field=name), fuzzy


@translate_errors
async def products(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    search: str | None = None,
    filter: types.ProductFilter | None = None,
    sort: types.ProductSort | None = None,
) -> types.ProductConnection:
    sort_input = sort or types.ProductSort()
    listing = rules.listing(
        search, _filter(filter), rules.ProductSort(sort_input.field, sort_input.direction)
    )
    size = rules.page_size(first, last, after, before)
    after_at, listing = _position(after, listing, "after")
    before_at, listing = _position(before, listing, "before")
    selected = selected_names(info)
    page = await catalogue.list_products(
        listing, size=size, after=after_at, before=before_at, with_facets="facets" in selected
    )
    connection = _connection(page, _sort_key(page.listing))
    if "totalCount" in selected:
        connection.count = await page.total_count()
    if "facets" in selected:
        connection.found_facets = product_facets(await page.summary())
    return connection


def _connection(page: ProductPage, key: str) -> types.ProductConnection:
    # Each edge's cursor is encoded only when the operation selects it.
    edges = [types.ProductEdge(node=types.Product.from_row(row), sort_key=key) for row in page.rows]
    return types.ProductConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=types.edge_cursor(edges[0]) if edges else None,
            end_cursor=types.edge_cursor(edges[-1]) if edges else None,
        ),
    )


# Facets of the summaries served lately, by identity: services.catalogue.summaries hands out
# the same Summary for a listing for a while (ESATIS_FACET_CACHE_SECONDS), and it never changes.
_FACETS: OrderedDict[int, tuple[Summary, types.ProductFacets]] = OrderedDict()
MAX_CACHED_FACETS = 256


def product_facets(found: Summary) -> types.ProductFacets:
    known = _FACETS.get(id(found))
    if known is not None and known[0] is found:
        return known[1]
    facets = _product_facets(found)
    _FACETS[id(found)] = (found, facets)  # holding the summary keeps its id unique
    if len(_FACETS) > MAX_CACHED_FACETS:
        _FACETS.popitem(last=False)
    return facets


def _product_facets(found: Summary) -> types.ProductFacets:
    # Already in facet order (count, then Turkish name, then id): db.catalogue_queries.summary.
    by_count = list(found.categories.items())
    brands = list(found.brands.items())
    return types.ProductFacets(
        categories=[types.CategoryFacet(count=n, category_id=key) for key, n in by_count],
        brands=[types.BrandFacet(count=n, brand_id=key) for key, n in brands],
        price=types.PriceFacet(
            min=Money.of(found.price_min) if found.price_min is not None else None,
            max=Money.of(found.price_max) if found.price_max is not None else None,
        ),
        attributes=_attribute_facets(found.attributes),
    )


def _attribute_facets(rows: list[AttributeFacetRow]) -> list[types.AttributeFacet]:
    grouped: dict[str, list[AttributeFacetRow]] = {}
    for row in rows:
        grouped.setdefault(row.slug, []).append(row)
    facets = []
    for slug in sorted(grouped, key=lambda s: search.sort_key(grouped[s][0].name)):
        group = grouped[slug]
        values = [
            types.AttributeValueFacet(
                value=r.text if r.text is not None else str(r.boolean).lower(), count=r.count
            )
            for r in group
            if r.text is not None or r.boolean is not None
        ]
        values.sort(key=lambda v: (-v.count, v.value))
        lows = [r.low for r in group if r.low is not None]
        highs = [r.high for r in group if r.high is not None]
        first = group[0]
        facets.append(
            types.AttributeFacet(
                slug=slug,
                name=first.name,
                kind=first.kind,
                unit=first.unit,
                count=sum(r.count for r in group),
                values=values[: rules.MAX_TEXT_FACET_VALUES],
                min=min(lows) if lows else None,
                max=max(highs) if highs else None,
            )
        )
    return facets


@translate_errors
async def product(
    info: Info,
    id: strawberry.ID | None = None,
    sku: str | None = None,
) -> types.Product | None:
    product_id = global_ids.decode(id, "Product", field="id") if id is not None else None
    row = await catalogue.product(product_id=product_id, sku=sku)
    return types.Product.from_row(row) if row else None


@translate_errors
async def compare_products(info: Info, ids: list[strawberry.ID]) -> types.ProductComparison:
    decoded = [
        global_ids.decode(value, "Product", field=f"ids.{index}") for index, value in enumerate(ids)
    ]
    result = await catalogue.compare(decoded)
    return types.ProductComparison(
        products=[types.Product.from_row(row) for row in result.products],
        rows=[
            types.ComparisonRow(key=r.key, label=r.label, unit=r.unit, values=list(r.values))
            for r in result.rows
        ],
    )


@translate_errors
async def categories(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    parent_id: strawberry.ID | None = None,
) -> types.CategoryConnection:
    size = rules.page_size(first, None, after, None)
    parent = global_ids.decode(parent_id, "Category", field="parentId") if parent_id else None
    after_code = (
        cursors.decode(after, "CATEGORY", ValueKind.TEXT, field="after").value if after else None
    )
    rows, more = await catalogue.category_page(
        parent_id=parent, size=size, after_code=str(after_code) if after_code else None
    )
    edges = [
        types.CategoryEdge(
            cursor=cursors.encode("CATEGORY", row.digits, str(row.id)),
            node=types.Category.from_row(row),
        )
        for row in rows
    ]
    return types.CategoryConnection(edges=edges, page_info=_page_info(edges, more, after))


@translate_errors
async def category(
    info: Info,
    id: strawberry.ID | None = None,
    code: str | None = None,
) -> types.Category | None:
    category_id = global_ids.decode(id, "Category", field="id") if id is not None else None
    row = await catalogue.category(category_id=category_id, code=code)
    return types.Category.from_row(row) if row else None


@translate_errors
async def brands(
    info: Info, first: int | None = None, after: str | None = None
) -> types.BrandConnection:
    size = rules.page_size(first, None, after, None)
    after_slug = (
        cursors.decode(after, "BRAND", ValueKind.TEXT, field="after").value if after else None
    )
    rows, more = await catalogue.brand_page(
        size=size, after_slug=str(after_slug) if after_slug else None
    )
    edges = [
        types.BrandEdge(
            cursor=cursors.encode("BRAND", row.slug, str(row.id)), node=types.Brand.from_row(row)
        )
        for row in rows
    ]
    return types.BrandConnection(edges=edges, page_info=_page_info(edges, more, after))


def _page_info(
    edges: list[types.CategoryEdge] | list[types.BrandEdge], more: bool, after: str | None
) -> PageInfo:
    return PageInfo(
        has_next_page=more,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


@translate_errors
async def node(info: Info, id: strawberry.ID) -> Node | None:
    type_name, raw = global_ids.decode_any(id, field="id")
    if type_name == "Product":
        row = await catalogue.product(product_id=raw)
        return types.Product.from_row(row) if row else None
    if type_name == "Category":
        found = await catalogue.categories_by_ids([raw])
        return types.Category.from_row(found[raw]) if raw in found else None
    if type_name == "Brand":
        brands_found = await catalogue.brands_by_ids([raw])
        return types.Brand.from_row(brands_found[raw]) if raw in brands_found else None
    if type_name == "Supplier":
        suppliers_found = await catalogue.suppliers_by_ids([raw])
        return types.Supplier.from_row(suppliers_found[raw]) if raw in suppliers_found else None
    return None
