"""Cart over GraphQL: exact money, batches applied whole or refused with every error, isolation."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from db.models import Cart, CartLine, Product
from domain.cart import add_business_days
from graph import ids
from services.local_time import today_in_turkiye
from tests.graph.conftest import Api, Catalogue, People

CART = """{ cart {
  id
  lines {
    id product { sku } quantity kdvRate
    unitPrice { amount currency } addedUnitPrice { amount } priceChanged
    lineNet { amount } lineKdv { amount } lineGross { amount }
    estimatedDeliveryDate
  }
  totals { net { amount } kdv { amount } gross { amount }
           byKdvRate { kdvRate net { amount } kdv { amount } gross { amount } } }
  estimatedDeliveryDate
} }"""

LINES = "lines { id product { sku } quantity lineNet { amount } }"

ADD = f"""
mutation($lines: [CartLineInput!]!) {{
  cartLinesAdd(input: {{lines: $lines}}) {{
    cart {{ {LINES} totals {{ gross {{ amount }} }} }}
    errors {{ code field message }}
  }}
}}"""

UPDATE = f"""
mutation($lines: [CartLineUpdateInput!]!) {{
  cartLinesUpdate(input: {{lines: $lines}}) {{
    cart {{ {LINES} }} errors {{ code field message }}
  }}
}}"""

REMOVE = f"""
mutation($ids: [ID!]!) {{
  cartLinesRemove(input: {{lineIds: $ids}}) {{
    cart {{ {LINES} }} errors {{ code field message }}
  }}
}}"""


def _add(catalogue: Catalogue, *pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"productId": catalogue.products[key], "quantity": q} for key, q in pairs]


async def _cart(api: Api) -> dict[str, Any]:
    body = await api(CART)
    assert "errors" not in body, body
    cart: dict[str, Any] = body["data"]["cart"]
    return cart


async def _lines(api: Api) -> list[tuple[str, int]]:
    return [(line["product"]["sku"], line["quantity"]) for line in (await _cart(api))["lines"]]


def _money(amount: str) -> dict[str, str]:
    return {"amount": amount}


def _in_working_days(people: People, days: int) -> str:
    return add_business_days(today_in_turkiye(people.clock()), days).isoformat()


async def test_a_new_buyer_has_an_empty_cart(people: People, catalogue: Catalogue) -> None:
    buyer = await people.as_("hastane.alici")
    first = await _cart(buyer)
    assert first["lines"] == []
    assert first["totals"] == {
        "net": _money("0.00"),
        "kdv": _money("0.00"),
        "gross": _money("0.00"),
        "byKdvRate": [],
    }
    assert first["estimatedDeliveryDate"] is None
    # One open cart: the same one every time.
    assert (await _cart(buyer))["id"] == first["id"]
    assert await Cart.all().count() == 1


async def test_36_glass_cleaners_at_20_percent(people: People, catalogue: Catalogue) -> None:
    buyer = await people.as_("hastane.alici")
    body = await buyer(ADD, lines=_add(catalogue, ("glass_cleaner", 36)))
    assert body["data"]["cartLinesAdd"]["errors"] == []
    cart = await _cart(buyer)
    (line,) = cart["lines"]
    assert line == {
        "id": line["id"],
        "product": {"sku": "T-C1"},
        "quantity": 36,
        "kdvRate": 20,
        "unitPrice": {"amount": "1.66", "currency": "TRY"},
        "addedUnitPrice": _money("1.66"),
        "priceChanged": False,
        "lineNet": _money("59.76"),
        "lineKdv": _money("11.95"),
        "lineGross": _money("71.71"),
        "estimatedDeliveryDate": _in_working_days(people, 2),
    }
    assert cart["totals"] == {
        "net": _money("59.76"),
        "kdv": _money("11.95"),
        "gross": _money("71.71"),
        "byKdvRate": [
            {
                "kdvRate": 20,
                "net": _money("59.76"),
                "kdv": _money("11.95"),
                "gross": _money("71.71"),
            }
        ],
    }
    assert cart["estimatedDeliveryDate"] == _in_working_days(people, 2)


async def test_mixed_rates_are_totalled_per_rate(people: People, catalogue: Catalogue) -> None:
    await Product.filter(sku="T-C3").update(kdv_rate=10)  # the board wiper, at 10 %
    await Product.filter(sku="T-L13").update(kdv_rate=1, price_net=Decimal("0.35"))
    buyer = await people.as_("hastane.alici")
    lines = _add(
        catalogue,
        ("surface_cleaner", 7),
        ("board_wiper", 3),
        ("glass_cleaner", 36),
        ("laptop13", 3),
    )
    assert (await buyer(ADD, lines=lines))["data"]["cartLinesAdd"]["errors"] == []
    cart = await _cart(buyer)
    amounts = {
        line["product"]["sku"]: (
            line["lineNet"]["amount"],
            line["lineKdv"]["amount"],
            line["lineGross"]["amount"],
        )
        for line in cart["lines"]
    }
    assert amounts == {
        "T-C2": ("629.30", "125.86", "755.16"),
        "T-C3": ("135.00", "13.50", "148.50"),
        "T-C1": ("59.76", "11.95", "71.71"),
        "T-L13": ("1.05", "0.01", "1.06"),  # 1 % of 1.05 is 0.0105: half-up to 0.01
    }
    assert cart["totals"] == {
        "net": _money("825.11"),
        "kdv": _money("151.32"),
        "gross": _money("976.43"),
        "byKdvRate": [
            {
                "kdvRate": 20,
                "net": _money("689.06"),
                "kdv": _money("137.81"),
                "gross": _money("826.87"),
            },
            {
                "kdvRate": 10,
                "net": _money("135.00"),
                "kdv": _money("13.50"),
                "gross": _money("148.50"),
            },
            {"kdvRate": 1, "net": _money("1.05"), "kdv": _money("0.01"), "gross": _money("1.06")},
        ],
    }
    # One batch: its lines in product name order.
    assert [line["product"]["sku"] for line in cart["lines"]] == ["T-C1", "T-C2", "T-L13", "T-C3"]


async def test_adding_a_product_already_in_the_cart_adds_to_its_line(
    people: People, catalogue: Catalogue
) -> None:
    buyer = await people.as_("hastane.alici")
    await buyer(ADD, lines=_add(catalogue, ("glass_cleaner", 36)))
    body = await buyer(ADD, lines=_add(catalogue, ("glass_cleaner", 14), ("glass_cleaner", 50)))
    payload = body["data"]["cartLinesAdd"]
    assert payload["errors"] == []
    assert [(line["product"]["sku"], line["quantity"]) for line in payload["cart"]["lines"]] == [
        ("T-C1", 100)
    ]
    assert payload["cart"]["lines"][0]["lineNet"] == _money("166.00")
    assert await CartLine.all().count() == 1


async def test_a_bad_batch_adds_nothing_and_names_every_bad_line(
    people: People, catalogue: Catalogue
) -> None:
    buyer = await people.as_("hastane.alici")
    await buyer(ADD, lines=_add(catalogue, ("printer", 1)))
    lines = _add(
        catalogue,
        ("glass_cleaner", 36),
        ("board_wiper", 0),
        ("retired", 1),
        ("surface_cleaner", 100_001),
        ("laptop14", -3),
    )
    lines += [
        {"productId": ids.encode("Product", str(uuid.uuid4())), "quantity": 1},
        {"productId": "not-an-id", "quantity": 1},
        {"productId": catalogue.categories["39831200-8"], "quantity": 1},  # not a product id
    ]
    body = await buyer(ADD, lines=lines)
    assert body["data"]["cartLinesAdd"] == {
        "cart": None,
        "errors": [
            {
                "code": "BAD_USER_INPUT",
                "field": "lines.1.quantity",
                "message": "A quantity is at least 1.",
            },
            {"code": "NOT_FOUND", "field": "lines.2.productId", "message": "No such product."},
            {
                "code": "BAD_USER_INPUT",
                "field": "lines.3.quantity",
                "message": "A quantity is at most 100,000.",
            },
            {
                "code": "BAD_USER_INPUT",
                "field": "lines.4.quantity",
                "message": "A quantity is at least 1.",
            },
            {"code": "NOT_FOUND", "field": "lines.5.productId", "message": "No such product."},
            {"code": "NOT_FOUND", "field": "lines.6.productId", "message": "No such product."},
            {"code": "NOT_FOUND", "field": "lines.7.productId", "message": "No such product."},
        ],
    }
    assert await _lines(buyer) == [("T-P1", 1)]


async def test_minimum_order_quantity_counts_what_the_line_will_hold(
    people: People, catalogue: Catalogue
) -> None:
    await Product.filter(sku="T-C2").update(min_order_quantity=10)
    buyer = await people.as_("hastane.alici")
    too_few = await buyer(ADD, lines=_add(catalogue, ("surface_cleaner", 4)))
    assert too_few["data"]["cartLinesAdd"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "lines.0.quantity",
            "message": "This product's minimum order quantity is 10.",
        }
    ]
    # Two lines of one batch reach the minimum together; the error would go on the last one.
    together = await buyer(
        ADD, lines=_add(catalogue, ("surface_cleaner", 4), ("surface_cleaner", 6))
    )
    assert together["data"]["cartLinesAdd"]["errors"] == []
    # Merged into the line of 10, adding 2 more is fine: the line will hold 12.
    more = await buyer(ADD, lines=_add(catalogue, ("surface_cleaner", 2)))
    assert more["data"]["cartLinesAdd"]["errors"] == []
    assert await _lines(buyer) == [("T-C2", 12)]
    over = await buyer(ADD, lines=_add(catalogue, ("surface_cleaner", 99_989)))
    assert over["data"]["cartLinesAdd"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "lines.0.quantity",
            "message": "A quantity is at most 100,000. The cart already holds 12 of this product.",
        }
    ]
    assert await _lines(buyer) == [("T-C2", 12)]
    # An update below the minimum is refused too.
    (line,) = (await _cart(buyer))["lines"]
    below = await buyer(UPDATE, lines=[{"lineId": line["id"], "quantity": 9}])
    assert below["data"]["cartLinesUpdate"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "lines.0.quantity",
            "message": "This product's minimum order quantity is 10.",
        }
    ]
    assert await _lines(buyer) == [("T-C2", 12)]


async def test_updates_apply_together_or_not_at_all(people: People, catalogue: Catalogue) -> None:
    buyer = await people.as_("hastane.alici")
    await buyer(ADD, lines=_add(catalogue, ("glass_cleaner", 36), ("printer", 1)))
    glass, printer = (await _cart(buyer))["lines"]
    assert (glass["product"]["sku"], printer["product"]["sku"]) == ("T-C1", "T-P1")
    body = await buyer(
        UPDATE,
        lines=[
            {"lineId": glass["id"], "quantity": 40},
            {"lineId": printer["id"], "quantity": 0},
            {"lineId": ids.encode("CartLine", str(uuid.uuid4())), "quantity": 1},
            {"lineId": glass["id"], "quantity": 41},
            {"lineId": "bogus", "quantity": 1},
        ],
    )
    assert body["data"]["cartLinesUpdate"] == {
        "cart": None,
        "errors": [
            {
                "code": "BAD_USER_INPUT",
                "field": "lines.1.quantity",
                "message": "A quantity is at least 1.",
            },
            {"code": "NOT_FOUND", "field": "lines.2.lineId", "message": "No such cart line."},
            {
                "code": "BAD_USER_INPUT",
                "field": "lines.3.lineId",
                "message": "This line is already changed earlier in this batch.",
            },
            {"code": "NOT_FOUND", "field": "lines.4.lineId", "message": "No such cart line."},
        ],
    }
    assert await _lines(buyer) == [("T-C1", 36), ("T-P1", 1)]
    good = await buyer(
        UPDATE,
        lines=[{"lineId": glass["id"], "quantity": 40}, {"lineId": printer["id"], "quantity": 2}],
    )
    assert good["data"]["cartLinesUpdate"]["errors"] == []
    assert [
        (line["product"]["sku"], line["quantity"], line["lineNet"]["amount"])
        for line in good["data"]["cartLinesUpdate"]["cart"]["lines"]
    ] == [("T-C1", 40, "66.40"), ("T-P1", 2, "17999.98")]


async def test_removal_is_all_or_nothing(people: People, catalogue: Catalogue) -> None:
    buyer = await people.as_("hastane.alici")
    await buyer(ADD, lines=_add(catalogue, ("glass_cleaner", 36), ("printer", 1)))
    glass, _ = (await _cart(buyer))["lines"]
    unknown = ids.encode("CartLine", str(uuid.uuid4()))
    refused = await buyer(REMOVE, ids=[glass["id"], unknown, "x"])
    assert refused["data"]["cartLinesRemove"] == {
        "cart": None,
        "errors": [
            {"code": "NOT_FOUND", "field": "lineIds.1", "message": "No such cart line."},
            {"code": "NOT_FOUND", "field": "lineIds.2", "message": "No such cart line."},
        ],
    }
    assert await _lines(buyer) == [("T-C1", 36), ("T-P1", 1)]
    removed = await buyer(REMOVE, ids=[glass["id"], glass["id"]])
    assert removed["data"]["cartLinesRemove"]["errors"] == []
    assert [
        line["product"]["sku"] for line in removed["data"]["cartLinesRemove"]["cart"]["lines"]
    ] == ["T-P1"]
    assert await _lines(buyer) == [("T-P1", 1)]


async def test_a_price_change_shows_the_old_price_beside_the_live_one(
    people: People, catalogue: Catalogue
) -> None:
    buyer = await people.as_("hastane.alici")
    await buyer(ADD, lines=_add(catalogue, ("glass_cleaner", 36)))
    await Product.filter(sku="T-C1").update(price_net=Decimal("1.75"), price_kurus=175)
    (line,) = (await _cart(buyer))["lines"]
    assert (line["unitPrice"], line["addedUnitPrice"], line["priceChanged"]) == (
        {"amount": "1.75", "currency": "TRY"},
        _money("1.66"),
        True,
    )
    # Prices are live: the amounts are at the new price (36 x 1.75 = 63.00, KDV 12.60).
    assert (line["lineNet"], line["lineKdv"], line["lineGross"]) == (
        _money("63.00"),
        _money("12.60"),
        _money("75.60"),
    )
    # Back to the price it was added at: no change to show.
    await Product.filter(sku="T-C1").update(price_net=Decimal("1.66"), price_kurus=166)
    assert (await _cart(buyer))["lines"][0]["priceChanged"] is False


async def test_delivery_estimates_follow_lead_times_and_stock(
    people: People, catalogue: Catalogue
) -> None:
    buyer = await people.as_("hastane.alici")
    # The board wiper: lead time 4, stock 40. The surface cleaner: lead time 2, stock 100.
    await buyer(ADD, lines=_add(catalogue, ("board_wiper", 40), ("surface_cleaner", 101)))
    cart = await _cart(buyer)
    dates = {line["product"]["sku"]: line["estimatedDeliveryDate"] for line in cart["lines"]}
    assert dates == {
        "T-C3": _in_working_days(people, 4),  # stock covers it
        "T-C2": _in_working_days(people, 2 + 10),  # one short: reordered from the contractor
    }
    assert cart["estimatedDeliveryDate"] == _in_working_days(people, 12)


async def test_a_withdrawn_product_stays_visible_but_cannot_be_added_again(
    people: People, catalogue: Catalogue
) -> None:
    buyer = await people.as_("hastane.alici")
    await buyer(ADD, lines=_add(catalogue, ("printer", 1)))
    await Product.filter(sku="T-P1").update(active=False)
    assert await _lines(buyer) == [("T-P1", 1)]
    again = await buyer(ADD, lines=_add(catalogue, ("printer", 1)))
    assert again["data"]["cartLinesAdd"]["errors"] == [
        {"code": "NOT_FOUND", "field": "lines.0.productId", "message": "No such product."}
    ]
    assert await _lines(buyer) == [("T-P1", 1)]


async def test_a_batch_is_at_most_200_lines(people: People, catalogue: Catalogue) -> None:
    buyer = await people.as_("hastane.alici")
    body = await buyer(ADD, lines=_add(catalogue, *[("glass_cleaner", 1)] * 201))
    assert body["data"]["cartLinesAdd"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "lines",
            "message": "At most 200 lines per cart or batch.",
        }
    ]
    assert await CartLine.all().count() == 0


# --- Isolation ----------------------------------------------------------------------------------


async def test_a_buyer_never_sees_or_changes_another_buyers_cart(
    people: People, catalogue: Catalogue
) -> None:
    hospital = await people.as_("hastane.alici")
    city = await people.as_("belediye.alici")
    await hospital(ADD, lines=_add(catalogue, ("glass_cleaner", 36)))
    await city(ADD, lines=_add(catalogue, ("printer", 2)))
    assert await _lines(hospital) == [("T-C1", 36)]
    assert await _lines(city) == [("T-P1", 2)]
    (theirs,) = (await _cart(hospital))["lines"]
    unknown = ids.encode("CartLine", str(uuid.uuid4()))
    for line_id in (theirs["id"], unknown):
        body = await city(UPDATE, lines=[{"lineId": line_id, "quantity": 1}])
        assert body["data"]["cartLinesUpdate"] == {
            "cart": None,
            "errors": [
                {"code": "NOT_FOUND", "field": "lines.0.lineId", "message": "No such cart line."}
            ],
        }
        removed = await city(REMOVE, ids=[line_id])
        assert removed["data"]["cartLinesRemove"] == {
            "cart": None,
            "errors": [
                {"code": "NOT_FOUND", "field": "lineIds.0", "message": "No such cart line."}
            ],
        }
    assert await _lines(hospital) == [("T-C1", 36)]
    assert await _lines(city) == [("T-P1", 2)]
    # A cart line is not a node: node(id) finds nothing, whoever asks.
    node = await hospital("query($id: ID!) { node(id: $id) { id } }", id=theirs["id"])
    assert node == {"data": {"node": None}}
