"""Raw baseline for bench/catalogue.py: the catalogue page as one Starlette route over asyncpg.

It runs the statements the GraphQL path runs for the same request (built with the project's own
db.catalogue_sql builders; the text around them mirrors db/catalogue_queries.py, and
bench/catalogue.py checks, before measuring, that statements and bind values are identical) and
answers the same JSON as the GraphQL response. No GraphQL, no ORM, no row objects: the floor
that the GraphQL path is compared with.

Run: BENCH_DATABASE_URL=postgres://... uvicorn bench.raw_baseline:create_app --factory
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db import catalogue_queries as queries
from db import catalogue_sql as sql
from db.config import POOL_MAX_SIZE, WORD_SIMILARITY_THRESHOLD
from domain import catalogue as rules
from domain import search
from domain.catalogue import UNIT_NAMES_TR, ProductListing, SortDirection, SortField
from graph import ids

CENT = Decimal("0.01")
Statement = tuple[str, list[Any]]


def listing_of(variables: Mapping[str, Any]) -> ProductListing:
    """The listing the GraphQL resolver builds from the same variables (the bench's subset)."""
    flt = variables.get("filter") or {}
    price = flt.get("price") or {}
    sort = variables.get("sort") or {}
    if flt.get("attributes") or flt.get("brandIds") or flt.get("supplierIds"):
        raise ValueError(
            "the raw baseline supports search, categoryIds, price, inStock and "
            "maxLeadTimeDays filters only"
        )
    return rules.listing(
        variables.get("search"),
        rules.ProductFilter(
            category_ids=tuple(
                ids.decode(value, "Category", field="filter.categoryIds")
                for value in flt.get("categoryIds") or ()
            ),
            price_gte=Decimal(price["gte"]) if price.get("gte") is not None else None,
            price_lte=Decimal(price["lte"]) if price.get("lte") is not None else None,
            in_stock=flt.get("inStock"),
            max_lead_time_days=flt.get("maxLeadTimeDays"),
            kdv_rates=tuple(flt.get("kdvRates") or ()),
        ),
        rules.ProductSort(
            SortField(sort.get("field", SortField.RELEVANCE.value)),
            SortDirection(sort.get("direction", SortDirection.DESC.value)),
        ),
    )


# The same text as db.catalogue_queries.category_descendants and ._attribute_facets.
DESCENDANTS = (
    "SELECT DISTINCT c.id FROM categories c JOIN categories f ON c.path LIKE f.path || '%' "
    "WHERE f.id IN ({marks})"
)
ATTRIBUTES = "SELECT id, slug, name, kind, unit FROM attributes WHERE id IN ({marks})"


def _marks(count: int) -> str:
    return ", ".join(f"${n}" for n in range(1, count + 1))


def descendants_statement(listing: ProductListing) -> Statement:
    ids_ = list(listing.filter.category_ids)
    return DESCENDANTS.format(marks=_marks(len(ids_))), ids_


def attributes_statement(attribute_ids: list[str]) -> Statement:
    return ATTRIBUTES.format(marks=_marks(len(attribute_ids))), attribute_ids


def page_statements(listing: ProductListing, limit: int) -> tuple[Statement, Statement | None]:
    """catalogue_queries.product_page for a first page: the statement, and for a sorted search
    the sort-order window tried first (the plain statement runs only when it falls short)."""
    direction = listing.effective_sort.direction
    plain = queries.page_statement(
        listing, limit, None, direction, window=None, dialect_name="postgres"
    )
    if not listing.words or listing.effective_sort.field is SortField.RELEVANCE:
        return plain, None
    windowed = queries.page_statement(
        listing,
        limit,
        None,
        direction,
        window=queries.SORTED_SEARCH_WINDOW,
        dialect_name="postgres",
    )
    return plain, windowed


def summary_statement(listing: ProductListing) -> Statement:
    """catalogue_queries.summary: count and facets in one statement."""
    if listing.filter.attributes:
        raise ValueError("attribute filters are not part of the bench workload")
    params = sql.Params("postgres")
    return sql.summary_statement(listing, params), params.values


def statements(
    variables: Mapping[str, Any], *, facets: bool, scope: tuple[str, ...]
) -> list[Statement]:
    """The statements one request runs whose text does not depend on earlier results:
    the category descendants, the page (first + 1 rows) and, with facets, the summary."""
    listing = listing_of(variables)
    size = rules.page_size(variables.get("first"), None, None, None)
    out = [descendants_statement(listing)] if listing.filter.category_ids else []
    scoped = replace(listing, category_scope=scope)
    plain, windowed = page_statements(scoped, size + 1)
    # The bench's page is a sorted search whose window holds a full page: the window serves it.
    out.append(windowed or plain)
    if facets:
        out.append(summary_statement(scoped))
    return out


def _node(row: asyncpg.Record) -> dict[str, Any]:
    product_id = base64.b64encode(f"Product:{row['id']}".encode()).decode()
    return {
        "id": product_id,
        "sku": row["sku"],
        "name": row["name"],
        "price": {"net": {"amount": str(row["price_net"].quantize(CENT))}},
        "stock": row["stock"],
        "leadTimeDays": row["lead_time_days"],
        "warrantyMonths": row["warranty_months"],
        "unitName": UNIT_NAMES_TR[row["unit"]],
        "inStock": row["stock"] > 0,
        "minOrderQuantity": row["min_order_quantity"],
    }


def _amount(kurus: int | None) -> dict[str, str] | None:
    return None if kurus is None else {"amount": str(Decimal(int(kurus)) * CENT)}


def _counts(counts: dict[str, int]) -> list[dict[str, int]]:
    pairs = sorted((-n, key) for key, n in counts.items())
    return [{"count": -negative} for negative, _ in pairs]


def _facets(
    rows: list[asyncpg.Record], meta: dict[str, asyncpg.Record]
) -> tuple[int, dict[str, Any]]:
    count, low, high = 0, None, None
    categories: dict[str, int] = {}
    brands: dict[str, int] = {}
    attributes: dict[str, int] = {}
    for row in rows:
        facet = row["facet"]
        if facet == "count":
            count = row["n"]
        elif facet == "category":
            categories[str(row["key"])] = row["n"]
        elif facet == "brand":
            brands[str(row["key"])] = row["n"]
        elif facet == "price":
            low, high = row["lo"], row["hi"]
        else:
            slug = meta[str(row["key"])]["slug"]
            attributes[slug] = attributes.get(slug, 0) + row["n"]
    names = {m["slug"]: m["name"] for m in meta.values()}
    ordered = sorted(attributes, key=lambda slug: search.sort_key(names[slug]))
    return count, {
        "categories": _counts(categories),
        "brands": _counts(brands),
        "price": {
            "min": _amount(None if low is None else int(low)),
            "max": _amount(None if high is None else int(high)),
        },
        "attributes": [{"slug": slug, "count": attributes[slug]} for slug in ordered],
    }


def create_app(database_url: str | None = None) -> Starlette:
    url = database_url or os.environ["BENCH_DATABASE_URL"]
    state: dict[str, asyncpg.Pool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The same pool shape and session setting as Tortoise's (db/config.py).
        state["pool"] = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=POOL_MAX_SIZE,
            server_settings={
                "pg_trgm.word_similarity_threshold": WORD_SIMILARITY_THRESHOLD,
                "plan_cache_mode": "force_custom_plan",
            },
        )
        try:
            yield
        finally:
            await state["pool"].close()

    async def page(request: Request, *, facets: bool) -> Response:
        pool = state["pool"]
        body = json.loads(await request.body())
        variables = body.get("variables") or {}
        size = rules.page_size(variables.get("first"), None, None, None)
        listing = listing_of(variables)
        scope: tuple[str, ...] = ()
        if listing.filter.category_ids:
            text, values = descendants_statement(listing)
            scope = tuple(sorted(str(r["id"]) for r in await pool.fetch(text, *values)))
        scoped = replace(listing, category_scope=scope)
        plain, windowed = page_statements(scoped, size + 1)
        rows = await pool.fetch(windowed[0], *windowed[1]) if windowed else []
        if len(rows) < size + 1:
            rows = await pool.fetch(plain[0], *plain[1])
        edges = [{"node": _node(row)} for row in rows[:size]]
        products: dict[str, Any] = {"edges": edges}
        if facets:
            summary_text, summary_values = summary_statement(scoped)
            found = await pool.fetch(summary_text, *summary_values)
            attribute_ids = list({str(r["key"]) for r in found if r["facet"] == "attribute"})
            meta = {}
            if attribute_ids:
                text, values = attributes_statement(attribute_ids)
                meta = {str(m["id"]): m for m in await pool.fetch(text, *values)}
            total, facet_values = _facets(list(found), meta)
            # The document's selection order: totalCount, facets, edges.
            products = {"totalCount": total, "facets": facet_values, "edges": edges}
        # Encoded as graph/http.py encodes GraphQL responses.
        content = json.dumps(
            {"data": {"products": products}}, separators=(",", ":"), ensure_ascii=False
        ).encode()
        return Response(content, media_type="application/json")

    async def plain(request: Request) -> Response:
        return await page(request, facets=False)

    async def faceted(request: Request) -> Response:
        return await page(request, facets=True)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/page", plain, methods=["POST"]),
            Route("/page-facets", faceted, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
