"""Bad catalogue input: top-level BAD_USER_INPUT naming the argument, never a 500 or internals."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from graph import ids
from tests.graph.conftest import Catalogue, GraphQLClient
from tests.graph.test_catalogue import LIST

INTERNAL_WORDS = ("SELECT", "sqlite", "asyncpg", "Traceback", "/work", ".py", "Exception")


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert len(body["errors"]) == 1, body
    error: dict[str, Any] = body["errors"][0]
    for word in INTERNAL_WORDS:
        assert word not in error["message"], error
    return error


@pytest.mark.parametrize(
    ("variables", "field", "message"),
    [
        (
            {"filter": {"price": {"gte": "100", "lte": "99.99"}}},
            "filter.price",
            "the minimum price is above the maximum price",
        ),
        (
            {"filter": {"price": {"gte": "-1"}}},
            "filter.price.gte",
            "price bounds must be between 0 and 999999999999.99",
        ),
        ({"first": -1}, "first", "must not be negative"),
        ({"first": 101}, "first", "at most 100"),
        ({"last": 5}, "last", "last needs before: page backwards from a cursor"),
        ({"search": "x" * 10_000}, "search", "search is limited to 200 characters"),
        ({"after": "not-a-cursor"}, "after", "malformed cursor"),
        (
            {"after": base64.urlsafe_b64encode(b'["PRICE:ASC",1,"x"]').decode()},
            "after",
            "malformed cursor",
        ),
        ({"filter": {"categoryIds": ["bm9wZQ=="]}}, "filter.categoryIds.0", "malformed id"),
        ({"filter": {"brandIds": ["%%%"]}}, "filter.brandIds.0", "malformed id"),
        ({"filter": {"kdvRates": [18]}}, "filter.kdvRates", "KDV rates are 0, 1, 10 or 20"),
        ({"filter": {"maxLeadTimeDays": -3}}, "filter.maxLeadTimeDays", "must not be negative"),
        (
            {"filter": {"attributes": [{"slug": "ram"}]}},
            "filter.attributes.0",
            "give exactly one of values, range or boolean",
        ),
        (
            {"filter": {"attributes": [{"slug": "ram", "range": {"gte": "9", "lte": "1"}}]}},
            "filter.attributes.0.range",
            "the range's minimum is above its maximum",
        ),
    ],
)
async def test_bad_listing_arguments(
    gql: GraphQLClient, catalogue: Catalogue, variables: dict[str, Any], field: str, message: str
) -> None:
    body = await gql(LIST, **variables)
    error = _only_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert error["message"] == message
    assert body["data"] is None


async def test_cursor_of_another_sort_is_refused(gql: GraphQLClient, catalogue: Catalogue) -> None:
    body = await gql(LIST, first=1, sort={"field": "PRICE", "direction": "ASC"})
    cursor = body["data"]["products"]["pageInfo"]["endCursor"]
    refused = await gql(LIST, first=1, after=cursor, sort={"field": "NAME", "direction": "ASC"})
    assert _only_error(refused)["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_id_of_another_type_is_refused_by_product(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    query = "query($id: ID) { product(id: $id) { sku } }"
    body = await gql(query, id=catalogue.brands["Tekno"])
    error = _only_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    assert error["message"] == "not a Product id"


async def test_product_needs_exactly_one_key(gql: GraphQLClient, catalogue: Catalogue) -> None:
    body = await gql("{ product { sku } }")
    assert _only_error(body)["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


@pytest.mark.parametrize(("count", "field"), [(1, "ids"), (6, "ids")])
async def test_compare_needs_two_to_five(
    gql: GraphQLClient, catalogue: Catalogue, count: int, field: str
) -> None:
    all_ids = list(catalogue.products.values())[:count]
    body = await gql(
        "query($ids: [ID!]!) { compareProducts(ids: $ids) { rows { key } } }", ids=all_ids
    )
    error = _only_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert error["message"] == "compare 2 to 5 different products"


async def test_compare_unknown_product(gql: GraphQLClient, catalogue: Catalogue) -> None:
    unknown = ids.encode("Product", "00000000-0000-4000-8000-000000000000")
    body = await gql(
        "query($ids: [ID!]!) { compareProducts(ids: $ids) { rows { key } } }",
        ids=[catalogue.products["printer"], unknown],
    )
    error = _only_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "ids.1"}
    assert error["message"] == "unknown product"


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "1" * 40])
async def test_bad_decimal_variables(gql: GraphQLClient, value: str) -> None:
    body = await gql(LIST, filter={"price": {"gte": value}})
    error = _only_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "filter" in error["message"]


async def test_huge_decimal_is_out_of_range(gql: GraphQLClient) -> None:
    body = await gql(LIST, filter={"price": {"gte": "1e999999"}})
    assert _only_error(body)["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "filter.price.gte",
    }


async def test_float_for_a_decimal_is_refused(gql: GraphQLClient) -> None:
    body = await gql(LIST, filter={"price": {"gte": 10.5}})
    error = _only_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert 'a decimal is written as a string, such as "1234.50"' in error["message"]


async def test_wrong_variable_type(gql: GraphQLClient) -> None:
    body = await gql(LIST, first="ten")
    assert _only_error(body)["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_syntax_and_validation_errors_have_codes(gql: GraphQLClient) -> None:
    syntax = _only_error(await gql("{ products { "))
    assert syntax["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    unknown = _only_error(await gql("{ products { nope } }"))
    assert unknown["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


async def test_depth_limit(gql: GraphQLClient) -> None:
    deep = '{ category(code: "30000000") { ' + "parent { " * 14 + "code" + " }" * 15 + " }"
    error = _only_error(await gql(deep))
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert "exceeds maximum operation depth" in error["message"]


async def test_alias_limit(gql: GraphQLClient) -> None:
    aliases = " ".join(
        f"a{i}: brands(first: 1) {{ pageInfo {{ hasNextPage }} }}" for i in range(31)
    )
    error = _only_error(await gql("{ " + aliases + " }"))
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


async def test_token_limit(gql: GraphQLClient) -> None:
    fields = " ".join("__typename" for _ in range(2100))
    error = _only_error(await gql("{ " + fields + " }"))
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert "more than 2000 tokens" in error["message"]


async def test_oversized_body_is_refused(gql: GraphQLClient) -> None:
    response = await gql.http.post(
        "/graphql",
        content=b'{"query": "' + b"x" * (1024 * 1024 + 10) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
