"""Catalogue API over real HTTP: search, filters, sorting, facets, pagination, lookups, compare."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from db import catalogue_store
from db.config import dialect
from db.models import Brand, Category
from domain.catalogue import SpecKind, SpecValue
from tests.graph.conftest import PRODUCTS, Catalogue, GraphQLClient

LIST = """
query List($search: String, $filter: ProductFilter, $sort: ProductSort, $first: Int,
           $after: String, $last: Int, $before: String) {
  products(search: $search, filter: $filter, sort: $sort, first: $first, after: $after,
           last: $last, before: $before) {
    totalCount
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def _keys(gql: GraphQLClient, catalogue: Catalogue, **variables: Any) -> list[str]:
    body = await gql(LIST, **variables)
    assert "errors" not in body, body
    ids = [edge["node"]["id"] for edge in body["data"]["products"]["edges"]]
    return catalogue.keys_of(ids)


async def _error(gql: GraphQLClient, query: str = LIST, **variables: Any) -> dict[str, Any]:
    body = await gql(query, **variables)
    assert body["data"] is None or all(v is None for v in body["data"].values()), body
    assert len(body["errors"]) == 1, body
    error: dict[str, Any] = body["errors"][0]
    return error


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("istanbul", {"surface_cleaner"}),
        ("ışık", {"printer"}),
        ("IŞIK", {"printer"}),
        ("cay", {"glass_cleaner"}),
        ("ÇAY bardağı", {"glass_cleaner"}),
        ("yazı", {"printer", "colour_printer", "board_wiper"}),
        ("lazer yazıcı", {"printer", "colour_printer"}),
        ("yazıcı lazer", {"printer", "colour_printer"}),  # word order does not matter
        ("yazı lazer", set()),  # "yazı" must be a whole word when it is not the last
        ("dizüstü 14", {"laptop14"}),
        ("kuzey", {"laptop14", "laptop15"}),  # brand in the name
        ("pak hijyen", {"glass_cleaner", "surface_cleaner"}),  # brand only
        ("bilgisayar kuzey tekno", set()),  # every word must match
        ("50%", {"surface_cleaner"}),
        ("%", {"surface_cleaner"}),
        ("_", set()),
        ("\\", set()),
        ("'; DROP TABLE products; --", set()),
        ('"', set()),
        ("😀", set()),
        ("eski", set()),  # inactive products are never listed
    ],
)
async def test_search_is_turkish_aware_and_literal(
    gql: GraphQLClient, catalogue: Catalogue, search: str, expected: set[str]
) -> None:
    assert set(await _keys(gql, catalogue, search=search)) == expected


async def test_typo_tolerance_on_postgresql_only(
    gql: GraphQLClient, catalogue: Catalogue, database: str
) -> None:
    found = await _keys(gql, catalogue, search="yazci")
    if dialect(database) != "postgres":
        assert found == []
        return
    # Nothing matches exactly, so similar spellings count; the closest ("yazıcı") rank first.
    assert set(found[:2]) == {"printer", "colour_printer"}
    assert found[2:] == ["board_wiper"]
    # Its cursors continue in typo-tolerant mode.
    first = await gql(LIST, search="yazci", first=2)
    after = first["data"]["products"]["pageInfo"]["endCursor"]
    assert await _keys(gql, catalogue, search="yazci", first=2, after=after) == ["board_wiper"]
    # An exact match anywhere turns typo tolerance off: "lazer" finds only the printers.
    assert set(await _keys(gql, catalogue, search="lazer")) == {"printer", "colour_printer"}


async def test_ranking_name_before_description(gql: GraphQLClient, catalogue: Catalogue) -> None:
    keys = await _keys(gql, catalogue, search="temizleyici")
    assert set(keys[:2]) == {"glass_cleaner", "surface_cleaner"}
    assert keys[2:] == ["board_wiper"]


async def test_ranking_name_before_category(gql: GraphQLClient, catalogue: Catalogue) -> None:
    # "laser" is only in the printers' English category name; "lazer" is in their names.
    keys = await _keys(gql, catalogue, search="yazıcı")
    assert set(keys) == {"printer", "colour_printer"}


@pytest.mark.parametrize(
    ("make_filter", "expected"),
    [
        (lambda c: {"categoryIds": [c.categories["30232000-4"]]}, {"printer", "colour_printer"}),
        (
            lambda c: {"categoryIds": [c.categories["30200000-1"]]},
            {"laptop14", "laptop15", "laptop13", "printer", "colour_printer"},
        ),
        (
            lambda c: {"categoryIds": [c.categories["30213100-6"], c.categories["39831200-8"]]},
            {"laptop14", "laptop15", "laptop13", "glass_cleaner", "surface_cleaner", "board_wiper"},
        ),
        (
            lambda c: {"brandIds": [c.brands["Kuzey"], c.brands["Tekno"]]},
            {"laptop14", "laptop15", "laptop13", "colour_printer"},
        ),
        (
            lambda c: {"price": {"gte": "8999.99", "lte": "28450.00"}},
            {"laptop14", "laptop13", "printer", "colour_printer"},
        ),
        (lambda c: {"price": {"lte": "1.66"}}, {"glass_cleaner"}),
        (lambda c: {"price": {"gte": "32999.90"}}, {"laptop15"}),
        (lambda c: {"inStock": False}, {"laptop15"}),
        (
            lambda c: {"maxLeadTimeDays": 4},
            {"laptop13", "glass_cleaner", "surface_cleaner", "board_wiper"},
        ),
        (lambda c: {"kdvRates": [10, 1]}, set()),
        (
            lambda c: {"attributes": [{"slug": "ram", "range": {"gte": "16"}}]},
            {"laptop14", "laptop15"},
        ),
        (
            lambda c: {
                "attributes": [{"slug": "ekran-boyutu", "range": {"gte": "13.3", "lte": "14"}}]
            },
            {"laptop14", "laptop13"},
        ),
        (lambda c: {"attributes": [{"slug": "renkli-baski", "boolean": True}]}, {"colour_printer"}),
        (
            lambda c: {
                "attributes": [{"slug": "islemci", "values": ["Çekirdek i5", "Çekirdek i7"]}]
            },
            {"laptop14", "laptop15"},
        ),
        (
            lambda c: {"brandIds": [c.brands["Kuzey"]], "inStock": True},
            {"laptop14"},
        ),
        (
            lambda c: {
                "attributes": [
                    {"slug": "ram", "range": {"lte": "16"}},
                    {"slug": "ekran-boyutu", "range": {"gte": "14"}},
                ]
            },
            {"laptop14"},
        ),
    ],
)
async def test_filters(
    gql: GraphQLClient, catalogue: Catalogue, make_filter: Any, expected: set[str]
) -> None:
    assert set(await _keys(gql, catalogue, filter=make_filter(catalogue))) == expected


COLOURS = {"T-R1": "siyah", "T-R2": "SİYAH", "T-R3": "ışık", "T-R4": "Çam", "T-R5": "cam"}


async def _colour_products() -> None:
    await catalogue_store.upsert_products(
        [
            replace(
                PRODUCTS["board_wiper"],
                sku=sku,
                specifications=(SpecValue("renk", "Renk", SpecKind.TEXT, text=text),),
            )
            for sku, text in COLOURS.items()
        ],
        source="test",
    )


@pytest.mark.parametrize(
    ("values", "skus"),
    [
        (["SİYAH"], ["T-R1", "T-R2"]),
        (["siyah"], ["T-R1", "T-R2"]),
        (["Siyah", "SİYAH"], ["T-R1", "T-R2"]),
        (["Işık"], ["T-R3"]),
        (["IŞIK"], ["T-R3"]),
        (["SIYAH"], []),  # a dotless capital I: "sıyah" in Turkish
        (["CAM"], ["T-R5"]),  # diacritics count: glass, not pine
        (["ÇAM", "Işık"], ["T-R3", "T-R4"]),
    ],
)
async def test_text_attribute_filters_ignore_case_the_turkish_way(
    gql: GraphQLClient, catalogue: Catalogue, values: list[str], skus: list[str]
) -> None:
    await _colour_products()
    query = (
        "query($f: ProductFilter) { products(filter: $f) { totalCount edges { node { sku } } } }"
    )
    body = await gql(query, f={"attributes": [{"slug": "renk", "values": values}]})
    products = body["data"]["products"]
    assert sorted(edge["node"]["sku"] for edge in products["edges"]) == skus
    assert products["totalCount"] == len(skus)


async def test_text_values_differing_only_in_case_are_one_facet_value(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    await _colour_products()
    await catalogue_store.upsert_products(
        [
            replace(
                PRODUCTS["board_wiper"],
                sku="T-R6",
                specifications=(SpecValue("renk", "Renk", SpecKind.TEXT, text="Siyah"),),
            )
        ],
        source="test",
    )
    body = await gql(FACETS, filter={"attributes": [{"slug": "renk", "values": ["siyah"]}]})
    products = body["data"]["products"]
    assert products["totalCount"] == 3
    [colour] = [a for a in products["facets"]["attributes"] if a["slug"] == "renk"]
    # The facet ignores its own filter; its count for "siyah" is what that filter returns.
    # One product per spelling: the first in Turkish order, then by code point, names it.
    assert colour["values"] == [
        {"value": "Siyah", "count": 3},
        {"value": "cam", "count": 1},
        {"value": "Çam", "count": 1},
        {"value": "ışık", "count": 1},
    ]


async def test_sort_by_price_breaks_ties_by_id(gql: GraphQLClient, catalogue: Catalogue) -> None:
    body = await gql(
        LIST,
        sort={"field": "PRICE", "direction": "ASC"},
        filter={"categoryIds": [catalogue.categories["30213100-6"]]},
    )
    edges = body["data"]["products"]["edges"]
    keys = catalogue.keys_of([e["node"]["id"] for e in edges])
    tied = sorted(["laptop14", "laptop13"], key=lambda k: _uuid(catalogue.products[k]))
    assert keys == [*tied, "laptop15"]


def _uuid(global_id: str) -> str:
    import base64

    return base64.b64decode(global_id).decode().split(":", 1)[1]


@pytest.mark.parametrize(
    ("field", "direction", "expected_first"),
    [
        ("NAME", "ASC", "glass_cleaner"),  # Ç sorts after C and before D: "Çay" comes first
        ("NAME", "DESC", "board_wiper"),
        ("LEAD_TIME", "DESC", "colour_printer"),
        ("PRICE", "DESC", "laptop15"),
    ],
)
async def test_sort_fields(
    gql: GraphQLClient, catalogue: Catalogue, field: str, direction: str, expected_first: str
) -> None:
    keys = await _keys(gql, catalogue, sort={"field": field, "direction": direction})
    assert keys[0] == expected_first
    assert len(keys) == 8


async def test_name_sort_follows_turkish_alphabet(gql: GraphQLClient, catalogue: Catalogue) -> None:
    keys = await _keys(gql, catalogue, sort={"field": "NAME", "direction": "ASC"})
    # Ç after C, ı (IŞIKSAN) before i (İSTANBUL), then K, T, Y.
    assert keys == [
        "glass_cleaner",
        "printer",
        "surface_cleaner",
        "laptop14",
        "laptop15",
        "laptop13",
        "colour_printer",
        "board_wiper",
    ]


@pytest.mark.parametrize(
    "sort",
    [
        {"field": "PRICE", "direction": "ASC"},
        {"field": "NAME", "direction": "DESC"},
        {"field": "NEWEST", "direction": "DESC"},
        {"field": "LEAD_TIME", "direction": "ASC"},
        {"field": "RATING", "direction": "DESC"},
    ],
)
async def test_pagination_walks_every_product_once_both_ways(
    gql: GraphQLClient, catalogue: Catalogue, sort: dict[str, str]
) -> None:
    full = await _keys(gql, catalogue, sort=sort, first=100)
    seen: list[str] = []
    after = None
    while True:
        body = await gql(LIST, sort=sort, first=3, after=after)
        page = body["data"]["products"]
        seen += catalogue.keys_of([e["node"]["id"] for e in page["edges"]])
        assert page["totalCount"] == 8
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == full
    # Backwards from the end: the same order, page by page.
    body = await gql(LIST, sort=sort, first=100)
    before = body["data"]["products"]["edges"][-1]["cursor"]
    back = await _keys(gql, catalogue, sort=sort, last=3, before=before)
    assert back == full[-4:-1]


async def test_search_pagination_by_relevance(gql: GraphQLClient, catalogue: Catalogue) -> None:
    full = await _keys(gql, catalogue, search="temizleyici")
    first = await gql(LIST, search="temizleyici", first=2)
    after = first["data"]["products"]["pageInfo"]["endCursor"]
    rest = await _keys(gql, catalogue, search="temizleyici", first=2, after=after)
    assert (
        catalogue.keys_of([e["node"]["id"] for e in first["data"]["products"]["edges"]]) + rest
        == full
    )


FACETS = """
query Facets($search: String, $filter: ProductFilter) {
  products(search: $search, filter: $filter, first: 1) {
    totalCount
    facets {
      categories { count category { code } }
      brands { count brand { name } }
      price { min { amount currency } max { amount } }
      attributes { slug kind unit count min max values { value count } }
    }
  }
}
"""


async def test_facets_count_the_filtered_set_disjunctively(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    body = await gql(
        FACETS, filter={"brandIds": [catalogue.brands["Kuzey"]], "price": {"lte": "30000"}}
    )
    products = body["data"]["products"]
    assert products["totalCount"] == 1  # laptop14
    facets = products["facets"]
    # Brands ignore the brand filter but keep the price filter.
    assert {b["brand"]["name"]: b["count"] for b in facets["brands"]} == {
        "Kuzey": 1,
        "Tekno": 2,
        "IŞIKSAN": 1,
        "Pak Hijyen": 2,
    }
    # The price facet ignores the price filter but keeps the brand filter.
    assert facets["price"] == {
        "min": {"amount": "28450.00", "currency": "TRY"},
        "max": {"amount": "32999.90"},
    }
    assert facets["categories"] == [{"count": 1, "category": {"code": "30213100-6"}}]
    attributes = {a["slug"]: a for a in facets["attributes"]}
    assert attributes["ram"] == {
        "slug": "ram",
        "kind": "NUMBER",
        "unit": "GB",
        "count": 1,
        "min": 16.0,
        "max": 16.0,
        "values": [],
    }
    assert attributes["islemci"]["values"] == [{"value": "Çekirdek i5", "count": 1}]


async def test_facet_values_with_equal_counts_are_in_turkish_name_order_then_id(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    # Kuzey, Tekno and Pak Hijyen list two products each, IŞIKSAN one. They are renamed so
    # that neither id order nor code point order is the Turkish order: C, Ç, ..., T, Z.
    tied = await Brand.filter(name__in=["Kuzey", "Tekno", "Pak Hijyen"]).order_by("id")
    for brand, name in zip(tied, ["Zeytin", "Çınar", "ÇINAR"], strict=True):
        await Brand.filter(id=brand.id).update(name=name)
    # Laptops and detergents hold three products each, printers two.
    laptops_first = await Category.filter(code__in=["30213100-6", "39831200-8"]).order_by("id")
    for category, name in zip(laptops_first, ["Temizlik", "Çanta"], strict=True):
        await Category.filter(id=category.id).update(name_tr=name)

    facets = (await gql(FACETS))["data"]["products"]["facets"]

    # "Çınar" and "ÇINAR" sort alike in Turkish: the smaller id ("Çınar") comes first.
    assert facets["brands"] == [
        {"count": 2, "brand": {"name": "Çınar"}},
        {"count": 2, "brand": {"name": "ÇINAR"}},
        {"count": 2, "brand": {"name": "Zeytin"}},
        {"count": 1, "brand": {"name": "IŞIKSAN"}},
    ]
    assert facets["categories"] == [
        {"count": 3, "category": {"code": laptops_first[1].code}},  # Çanta
        {"count": 3, "category": {"code": laptops_first[0].code}},  # Temizlik
        {"count": 2, "category": {"code": "30232110-8"}},
    ]


async def test_attribute_facet_ignores_its_own_filter(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    body = await gql(FACETS, filter={"attributes": [{"slug": "renkli-baski", "boolean": True}]})
    facets = body["data"]["products"]["facets"]
    attributes = {a["slug"]: a for a in facets["attributes"]}
    assert attributes["renkli-baski"]["values"] == [
        {"value": "false", "count": 1},
        {"value": "true", "count": 1},
    ]
    # Other attributes are counted within the filtered set (the colour printer only).
    assert attributes["baski-hizi"]["min"] == 30.0
    assert attributes["baski-hizi"]["count"] == 1
    assert "ram" not in attributes


PRODUCT = """
query One($id: ID, $sku: String) {
  product(id: $id, sku: $sku) {
    id sku name unit unitName stock inStock minOrderQuantity leadTimeDays warrantyMonths
    price { net { amount currency } kdvRate kdv { amount } gross { amount } }
    category { code name nameEn parent { code } }
    brand { name }
    supplier { name }
    specifications { slug name kind value unit number boolean }
    rating { average count }
  }
}
"""


async def test_product_by_sku_and_id_with_money_to_the_kurus(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    by_sku = (await gql(PRODUCT, sku="T-C1"))["data"]["product"]
    by_id = (await gql(PRODUCT, id=catalogue.products["glass_cleaner"]))["data"]["product"]
    assert by_sku == by_id
    assert by_sku["price"] == {
        "net": {"amount": "1.66", "currency": "TRY"},
        "kdvRate": 20,
        "kdv": {"amount": "0.33"},
        "gross": {"amount": "1.99"},
    }
    assert by_sku["unit"] == "LITRE"
    assert by_sku["unitName"] == "litre"
    assert by_sku["category"] == {
        "code": "39831200-8",
        "name": "Detergents",
        "nameEn": "Detergents",
        "parent": {"code": "39831000-6"},
    }
    assert by_sku["brand"] == {"name": "Pak Hijyen"}
    assert by_sku["specifications"] == [
        {
            "slug": "hacim",
            "name": "Hacim",
            "kind": "NUMBER",
            "value": "1",
            "unit": "L",
            "number": 1.0,
            "boolean": None,
        },
    ]
    assert by_sku["rating"] == {"average": 0.0, "count": 0}


async def test_unknown_and_inactive_products_are_null(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    from graph import ids

    unknown = ids.encode("Product", "00000000-0000-4000-8000-000000000000")
    assert (await gql(PRODUCT, id=unknown))["data"]["product"] is None
    assert (await gql(PRODUCT, sku="NO-SUCH-SKU"))["data"]["product"] is None
    assert (await gql(PRODUCT, sku="T-OLD"))["data"]["product"] is None


async def test_node_resolves_each_type(gql: GraphQLClient, catalogue: Catalogue) -> None:
    query = """query N($id: ID!) { node(id: $id) { __typename id
      ... on Product { sku } ... on Category { code } ... on Brand { name } } }"""
    product = (await gql(query, id=catalogue.products["printer"]))["data"]["node"]
    assert product == {"__typename": "Product", "id": catalogue.products["printer"], "sku": "T-P1"}
    category = (await gql(query, id=catalogue.categories["30232110-8"]))["data"]["node"]
    assert category["code"] == "30232110-8"
    brand = (await gql(query, id=catalogue.brands["Tekno"]))["data"]["node"]
    assert brand["name"] == "Tekno"


async def test_compare_products(gql: GraphQLClient, catalogue: Catalogue) -> None:
    query = """query C($ids: [ID!]!) { compareProducts(ids: $ids) {
      products { sku } rows { key label unit values } } }"""
    ids = [catalogue.products["laptop14"], catalogue.products["laptop13"]]
    result = (await gql(query, ids=ids))["data"]["compareProducts"]
    assert [p["sku"] for p in result["products"]] == ["T-L14", "T-L13"]
    rows = {r["key"]: r for r in result["rows"]}
    assert rows["price"]["values"] == ["28450.00", "28450.00"]
    assert rows["kdvRate"]["values"] == ["20", "20"]
    assert rows["leadTimeDays"]["values"] == ["7", "3"]
    assert rows["warrantyMonths"]["values"] == ["24", "24"]
    assert rows["rating"]["values"] == [None, None]  # no reviews yet: no rating
    assert rows["ram"] == {
        "key": "ram",
        "label": "Bellek (RAM)",
        "unit": "GB",
        "values": ["16", "8"],
    }
    assert rows["ekran-boyutu"]["values"] == ["14", "13.3"]
    assert rows["islemci"]["values"] == ["Çekirdek i5", None]
    assert [r["key"] for r in result["rows"]][:5] == [
        "price",
        "kdvRate",
        "leadTimeDays",
        "warrantyMonths",
        "rating",
    ]


async def test_categories_and_brands_are_paginated(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    query = """query($first: Int, $after: String, $parentId: ID) {
      categories(first: $first, after: $after, parentId: $parentId) {
        edges { node { code } } pageInfo { hasNextPage endCursor } } }"""
    roots = (await gql(query))["data"]["categories"]
    assert [e["node"]["code"] for e in roots["edges"]] == ["30000000-9", "39000000-2"]
    first = (await gql(query, first=1))["data"]["categories"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await gql(query, first=1, after=first["pageInfo"]["endCursor"]))["data"]
    assert [e["node"]["code"] for e in second["categories"]["edges"]] == ["39000000-2"]
    children = (await gql(query, parentId=catalogue.categories["30200000-1"]))["data"]
    assert [e["node"]["code"] for e in children["categories"]["edges"]] == [
        "30210000-4",
        "30230000-0",
    ]
    brands = (
        await gql("{ brands(first: 2) { edges { node { name } } pageInfo { hasNextPage } } }")
    )["data"]["brands"]
    assert [e["node"]["name"] for e in brands["edges"]] == ["IŞIKSAN", "Kuzey"]
    assert brands["pageInfo"]["hasNextPage"] is True


async def test_category_by_code(gql: GraphQLClient, catalogue: Catalogue) -> None:
    query = "query($code: String) { category(code: $code) { code depth parent { code } } }"
    assert (await gql(query, code="30232110-8"))["data"]["category"] == {
        "code": "30232110-8",
        "depth": 5,
        "parent": {"code": "30232100-5"},
    }
    assert (await gql(query, code="30232110"))["data"]["category"]["code"] == "30232110-8"
    assert (await gql(query, code="99999999-9"))["data"]["category"] is None
    assert (await gql(query, code="30232110-7"))["data"]["category"] is None  # wrong check digit


async def test_responses_are_utf8_json(gql: GraphQLClient, catalogue: Catalogue) -> None:
    response = await gql.http.post("/graphql", json={"query": '{ product(sku: "T-C1") { name } }'})
    assert response.headers["content-type"] == "application/json"
    assert "Çay Bardağı Temizleyici".encode() in response.content


@pytest.mark.parametrize("window", [1, 3, 2000])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_sorted_search_pages_are_the_same_whatever_the_window(
    gql: GraphQLClient,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
    window: int,
    direction: str,
) -> None:
    # A small window makes sorted searches fall back to the plain statement; a large one
    # serves them from the sort-order window. Both must give the same pages.
    from db import catalogue_queries

    monkeypatch.setattr(catalogue_queries, "SORTED_SEARCH_WINDOW", window)
    sort = {"field": "PRICE", "direction": direction}
    seen: list[str] = []
    after = None
    while True:
        body = await gql(LIST, search="bilgisayar", sort=sort, first=2, after=after)
        page = body["data"]["products"]
        seen += catalogue.keys_of([e["node"]["id"] for e in page["edges"]])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    tied = sorted(["laptop14", "laptop13"], key=lambda k: _uuid(catalogue.products[k]))
    expected = [*tied, "laptop15"]
    assert seen == (expected if direction == "ASC" else expected[::-1])


async def test_fields_come_back_in_the_selection_order(
    gql: GraphQLClient, catalogue: Catalogue
) -> None:
    # Plain fields are read directly, the others by resolvers: the answer keeps the order.
    query = """{ product(sku: "T-L14") { sku brand { name } name category { code }
      inStock specifications { slug } leadTimeDays } }"""
    product = (await gql(query))["data"]["product"]
    assert list(product) == [
        "sku",
        "brand",
        "name",
        "category",
        "inStock",
        "specifications",
        "leadTimeDays",
    ]
    assert product["brand"] == {"name": "Kuzey"}
    assert product["leadTimeDays"] == 7
