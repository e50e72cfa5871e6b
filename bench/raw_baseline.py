"""Raw baseline for bench/catalogue.py: the catalogue page as one Starlette route over asyncpg.

It runs the statements the GraphQL path runs for the same request (built with the project's own
db.catalogue_sql builders; the text around them mirrors db/catalogue_queries.py, and
bench/catalogue.py checks, before measuring, that statements and bind values are identical) and
answers the same JSON as the GraphQL response. No GraphQL, no ORM, no row objects: the floor
that the GraphQL path is compared with.

Run: BENCH_DATABASE_URL=postgres://... uvicorn bench.raw_baseline:create_app --factory
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db import catalogue_sql as sql
from db.config import POOL_MAX_SIZE, WORD_SIMILARITY_THRESHOLD
from domain import catalogue as rules
from domain.catalogue import UNIT_NAMES_TR, ProductListing, SortDirection, SortField, SpecKind
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


def _where(listing: ProductListing, skip: sql.Facet = sql.ALL_FILTERS) -> tuple[str, sql.Params]:
    params = sql.Params("postgres")
    return sql.where_clause(listing, params, sql.search_terms(listing, params), skip=skip), params


def page_statement(listing: ProductListing, limit: int) -> Statement:
    """catalogue_queries.product_page for a first page (no cursor)."""
    params = sql.Params("postgres")
    terms = sql.search_terms(listing, params)
    where = sql.where_clause(listing, params, terms)
    order = sql.order_expression(listing, terms)
    direction = listing.effective_sort.direction.value
    statement = (
        f"SELECT {sql.PRODUCT_COLUMNS}, {order} AS sort_value FROM products p WHERE {where} "
        f"ORDER BY sort_value {direction}, p.id {direction} "
        f"LIMIT {params.add(limit)}"
    )
    return statement, params.values


def facet_statements(listing: ProductListing) -> list[Statement]:
    """product_count, category_counts, brand_counts, price_bounds, attribute_facets (in order)."""
    out: list[Statement] = []
    where, params = _where(listing)
    out.append((f"SELECT COUNT(*) AS n FROM products p WHERE {where}", params.values))
    for column, skip in (("p.category_id", "categories"), ("p.brand_id", "brands")):
        where, params = _where(listing, sql.Facet(skip))
        out.append(
            (
                f"SELECT {column} AS key, COUNT(*) AS n FROM products p WHERE {where} "
                f"AND {column} IS NOT NULL GROUP BY {column}",
                params.values,
            )
        )
    where, params = _where(listing, sql.Facet("price"))
    out.append(
        (
            "SELECT MIN(p.price_kurus) AS lo, MAX(p.price_kurus) AS hi "
            f"FROM products p WHERE {where}",
            params.values,
        )
    )
    if listing.filter.attributes:
        raise ValueError("attribute filters are not part of the bench workload")
    where, params = _where(listing)
    text_value = f"CASE WHEN a.kind = {params.add(SpecKind.TEXT.value)} THEN s.value_text END"
    out.append(
        (
            f"SELECT a.slug, a.name, a.kind, a.unit, {text_value} AS text, "
            "s.value_boolean AS boolean, "
            "COUNT(*) AS n, MIN(s.value_number) AS lo, MAX(s.value_number) AS hi "
            "FROM products p JOIN product_specifications s ON s.product_id = p.id "
            f"JOIN attributes a ON a.id = s.attribute_id WHERE {where} "
            f"GROUP BY a.slug, a.name, a.kind, a.unit, {text_value}, s.value_boolean",
            params.values,
        )
    )
    return out


def statements(variables: Mapping[str, Any], *, facets: bool) -> list[Statement]:
    """Every statement one request runs: the page (first + 1 rows), then the facet queries."""
    listing = listing_of(variables)
    size = rules.page_size(variables.get("first"), None, None, None)
    page = page_statement(listing, size + 1)
    return [page, *facet_statements(listing)] if facets else [page]


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


def _counts(rows: list[asyncpg.Record]) -> list[dict[str, int]]:
    pairs = sorted((-r["n"], str(r["key"])) for r in rows)
    return [{"count": -negative} for negative, _ in pairs]


def _facets(rows: list[list[asyncpg.Record]]) -> tuple[int, dict[str, Any]]:
    count, categories, brands, bounds, attributes = rows
    grouped: dict[str, list[asyncpg.Record]] = {}
    for row in attributes:
        grouped.setdefault(row["slug"], []).append(row)
    ordered = sorted(grouped, key=lambda slug: grouped[slug][0]["name"])
    return count[0]["n"], {
        "categories": _counts(categories),
        "brands": _counts(brands),
        "price": {"min": _amount(bounds[0]["lo"]), "max": _amount(bounds[0]["hi"])},
        "attributes": [
            {"slug": slug, "count": sum(r["n"] for r in grouped[slug])} for slug in ordered
        ],
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
            server_settings={"pg_trgm.word_similarity_threshold": WORD_SIMILARITY_THRESHOLD},
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
        page_sql, *facet_sql = statements(variables, facets=facets)
        rows = await pool.fetch(page_sql[0], *page_sql[1])
        edges = [{"node": _node(row)} for row in rows[:size]]
        products: dict[str, Any] = {"edges": edges}
        if facets:
            found = await asyncio.gather(*(pool.fetch(text, *values) for text, values in facet_sql))
            total, facet_values = _facets(list(found))
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
