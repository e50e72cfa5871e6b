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
        ({"last": -1, "before": "x"}, "last", "must not be negative"),
        ({"last": -1}, "last", "must not be negative"),
        (
            {"filter": {"price": {"gte": "179.901"}}},
            "filter.price.gte",
            "price bounds have at most two decimal places",
        ),
        ({"first": 101}, "first", "at most 100"),
        ({"last": 5}, "last", "last needs before: page backwards from a cursor"),
        ({"search": "x" * 10_000}, "search", "search is limited to 200 characters"),
        ({"after": "not-a-cursor"}, "after", "malformed cursor"),
        (
            {
                "after": base64.urlsafe_b64encode(
                    b'["NEWEST:DESC","2026-01-01T00:00:00+00:00","x"]'
                ).decode()
            },
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


_UUID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        ({"field": "PRICE", "direction": "ASC"}, '"cheap"'),
        ({"field": "PRICE", "direction": "ASC"}, "1" + "0" * 40),
        ({"field": "PRICE", "direction": "ASC"}, "1.5"),
        ({"field": "RATING", "direction": "ASC"}, "NaN"),
        ({"field": "NAME", "direction": "ASC"}, "12"),
        ({"field": "NEWEST", "direction": "DESC"}, '"yesterday"'),
        ({"field": "NEWEST", "direction": "DESC"}, '"2026-01-01T00:00:00"'),
    ],
)
async def test_forged_cursor_values_are_refused(
    gql: GraphQLClient, catalogue: Catalogue, sort: dict[str, str], value: str
) -> None:
    key = f"{sort['field']}:{sort['direction']}"
    forged = base64.urlsafe_b64encode(f'["{key}",{value},"{_UUID}"]'.encode()).decode()
    body = await gql(LIST, sort=sort, after=forged)
    error = _only_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    assert error["message"] == "malformed cursor"


async def test_forged_cursor_id_is_refused(gql: GraphQLClient, catalogue: Catalogue) -> None:
    for row_id in ("5", "[1]", '"not-a-uuid"'):
        forged = base64.urlsafe_b64encode(f'["PRICE:ASC",1,{row_id}]'.encode()).decode()
        body = await gql(LIST, sort={"field": "PRICE", "direction": "ASC"}, after=forged)
        assert _only_error(body)["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


@pytest.mark.parametrize(
    ("attribute", "field", "message"),
    [
        ({"slug": "wifi", "values": ["true"]}, "filter.attributes.0.slug", "unknown specification"),
        (
            {"slug": "ram", "values": ["16"]},
            "filter.attributes.0.values",
            "ram is a NUMBER specification: filter it with range",
        ),
        (
            {"slug": "renkli-baski", "values": ["true"]},
            "filter.attributes.0.values",
            "renkli-baski is a BOOLEAN specification: filter it with boolean",
        ),
        (
            {"slug": "islemci", "boolean": True},
            "filter.attributes.0.boolean",
            "islemci is a TEXT specification: filter it with values",
        ),
        (
            {"slug": "islemci", "range": {"gte": "1"}},
            "filter.attributes.0.range",
            "islemci is a TEXT specification: filter it with values",
        ),
    ],
)
async def test_attribute_filter_must_fit_the_specification(
    gql: GraphQLClient, catalogue: Catalogue, attribute: dict[str, Any], field: str, message: str
) -> None:
    body = await gql(LIST, filter={"attributes": [attribute]})
    error = _only_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert error["message"] == message


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


@pytest.mark.parametrize(
    "value", ["abc", "NaN", "Infinity", "1" * 40, "1e2", "1_000", "١٢٣", "12.", ".5", "+3"]
)
async def test_bad_decimal_variables(gql: GraphQLClient, value: str) -> None:
    body = await gql(LIST, filter={"price": {"gte": value}})
    error = _only_error(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.price.gte"}
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
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.price.gte"}
    assert 'a decimal is written as a string, such as "1234.50"' in error["message"]


async def test_wrong_variable_type(gql: GraphQLClient) -> None:
    body = await gql(LIST, first="ten")
    assert _only_error(body) == {
        "message": "Variable '$first' has invalid value: Int cannot represent non-integer "
        "value: 'ten'",
        "locations": [{"line": 2, "column": 73}],
        "extensions": {"code": "BAD_USER_INPUT", "field": "first"},
    }


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": "abc"}, "first"),
        ({"first": 1.5}, "first"),
        ({"search": 7}, "search"),
        ({"sort": {"field": "CHEAP", "direction": "ASC"}}, "sort.field"),
        ({"sort": {"field": "PRICE", "direction": "UP"}}, "sort.direction"),
        ({"sort": {"field": None, "direction": "ASC"}}, "sort.field"),
        ({"filter": {"price": {"gte": "abc"}}}, "filter.price.gte"),
        ({"filter": {"price": {"lte": 10.5}}}, "filter.price.lte"),
        ({"filter": {"kdvRates": [20, "x"]}}, "filter.kdvRates.1"),
        ({"filter": {"inStock": "yes"}}, "filter.inStock"),
        ({"filter": {"attributes": [{"slug": 3, "values": ["a"]}]}}, "filter.attributes.0.slug"),
        (
            {"filter": {"attributes": [{"slug": "ram", "range": {"gte": []}}]}},
            "filter.attributes.0.range.gte",
        ),
        ({"filter": {"brandIds": "x", "nope": 1}}, "filter"),
    ],
)
async def test_variables_that_do_not_coerce_name_their_field(
    gql: GraphQLClient, variables: dict[str, Any], field: str
) -> None:
    error = _only_error(await gql(LIST, **variables))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_variable_errors_name_the_variable_and_each_bad_value(gql: GraphQLClient) -> None:
    query = "query($n: Int!, $s: ProductSort) { products(first: $n, sort: $s) { totalCount } }"
    body = await gql(query, s={"field": "CHEAP", "direction": "SIDEWAYS"})
    assert [error["extensions"] for error in body["errors"]] == [
        {"code": "BAD_USER_INPUT", "field": "n"},
        {"code": "BAD_USER_INPUT", "field": "s.field"},
        {"code": "BAD_USER_INPUT", "field": "s.direction"},
    ]
    assert body["errors"][0]["message"] == (
        "Variable '$n' has invalid value: Expected a value of non-null type 'Int!' to be provided."
    )
    assert body["data"] is None


async def test_validation_errors_about_variables_are_validation_failures(
    gql: GraphQLClient,
) -> None:
    unused = _only_error(await gql("query($n: Int) { brands { pageInfo { hasNextPage } } }"))
    assert unused == {
        "message": "Variable '$n' is never used.",
        "locations": [{"line": 1, "column": 7}],
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }
    wrong_position = _only_error(await gql("query($n: Int) { product(sku: $n) { id } }"))
    assert wrong_position["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


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
