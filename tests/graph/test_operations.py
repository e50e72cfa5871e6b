"""Operation selection: several operations need an operationName; nothing runs without one."""

from __future__ import annotations

import httpx
import pytest

from tests.graph.conftest import Catalogue

# Each operation, if it ran, would answer with an error of its own.
TWO = (
    'query ByKey { product(sku: "T-P1", id: "x") { sku } } '
    "query Compare { compareProducts(ids: []) { rows { key } } }"
)
REFUSED = {
    "data": None,
    "errors": [
        {
            "message": "Must provide operation name if query contains multiple operations.",
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
        }
    ],
}


@pytest.mark.parametrize(
    "query",
    [
        TWO,
        '{ product(sku: "T-P1") { sku } } query Named { brands { pageInfo { hasNextPage } } }',
        TWO + ' mutation Out { tokenRevoke(input: { refreshToken: "x" }) { errors { code } } }',
    ],
)
async def test_several_operations_without_a_name_are_refused(
    client: httpx.AsyncClient, catalogue: Catalogue, query: str
) -> None:
    for body in ({"query": query}, {"query": query, "operationName": None}):
        response = await client.post("/graphql", json=body)
        assert (response.status_code, response.json()) == (200, REFUSED)


async def test_several_operations_without_a_name_are_refused_over_get(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    response = await client.get("/graphql", params={"query": TWO})
    assert (response.status_code, response.json()) == (200, REFUSED)


async def test_the_named_operation_runs(client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    query = 'query A { product(sku: "T-P1") { sku } } query B { product(sku: "T-C1") { sku } }'
    for name, sku in (("A", "T-P1"), ("B", "T-C1")):
        response = await client.post("/graphql", json={"query": query, "operationName": name})
        assert response.json() == {"data": {"product": {"sku": sku}}}


async def test_one_operation_with_fragments_needs_no_name(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    query = 'query A { product(sku: "T-P1") { ...F } } fragment F on Product { sku }'
    response = await client.post("/graphql", json={"query": query})
    assert response.json() == {"data": {"product": {"sku": "T-P1"}}}


async def test_a_document_that_does_not_parse_is_reported_as_before(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": "query A { a } query B { "})
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
