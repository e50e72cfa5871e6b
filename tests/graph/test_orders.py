"""Orders over GraphQL: what the final approval placed, confirmation, cancellation (stock and
budget released), who sees which orders, pages, and isolation between institutions."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from db.models import BudgetLine, Order, OrderEvent, Product
from graph import ids
from tests.graph.conftest import Catalogue, People
from tests.graph.test_purchase_requests import APPROVE, Setup, _setup, _submitted

ORDER = """
  id status placedAt
  institution { name }
  lines { product { sku } quantity fromStock backordered backorderEta kdvRate
          unitPrice { amount } lineNet { amount } lineKdv { amount } lineGross { amount } }
  totals { net { amount } kdv { amount } gross { amount } byKdvRate { kdvRate gross { amount } } }
  history { status note }
"""
GET = f"query($id: ID!) {{ order(id: $id) {{ {ORDER} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on Order { status } } }"
LIST = """query($first: Int, $after: String, $status: OrderStatus) {
  orders(first: $first, after: $after, status: $status) {
    edges { cursor node { id status institution { name } } }
    pageInfo { hasNextPage endCursor }
  } }"""
CONFIRM = """mutation($id: ID!) { orderConfirm(input: {orderId: $id}) {
  order { id status history { status note } } errors { code field message } } }"""
CANCEL = """mutation($id: ID!, $note: String!) { orderCancel(input: {orderId: $id, note: $note}) {
  order { id status history { status note } } errors { code field message } } }"""


async def _order(
    people: People, catalogue: Catalogue, setup: Setup, vkn: str = "hastane", **items: int
) -> tuple[str, str]:
    """(request id, order id) of a request taken through both default steps."""
    rid = await _submitted(people, catalogue, setup, buyer=f"{vkn}.alici", **items)
    await (await people.as_(f"{vkn}.gerceklestirme"))(APPROVE, id=rid)
    body = await (await people.as_(f"{vkn}.harcama"))(APPROVE, id=rid)
    assert body["data"]["purchaseRequestApprove"]["errors"] == [], body
    request_raw = ids.decode(rid, "PurchaseRequest", field="id")
    order = await Order.get(request_id=request_raw)
    return rid, ids.encode("Order", str(order.id))


async def _state() -> list[Any]:
    return [
        sorted(await Order.all().values_list("id", "status")),
        await OrderEvent.all().count(),
        sorted(await Product.all().values_list("sku", "stock")),
        sorted(await BudgetLine.all().values_list("id", "reserved_kurus", "available_kurus")),
    ]


async def test_an_order_with_lines_totals_and_history(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people, kurus=10_000_000)
    _, oid = await _order(people, catalogue, setup, printer=5, glass_cleaner=36)
    buyer = await people.as_("hastane.alici")
    order = (await buyer(GET, id=oid))["data"]["order"]
    placed_at = order.pop("placedAt")
    assert placed_at.startswith(people.clock().date().isoformat())
    lines = order.pop("lines")
    assert order == {
        "id": oid,
        "status": "PLACED",
        "institution": {"name": "Ankara Şehir Hastanesi"},
        # 5 x 8,999.99 = 44,999.95 net, KDV 8,999.99; 36 x 1.66 = 59.76 net, KDV 11.95.
        "totals": {
            "net": {"amount": "45059.71"},
            "kdv": {"amount": "9011.94"},
            "gross": {"amount": "54071.65"},
            "byKdvRate": [{"kdvRate": 20, "gross": {"amount": "54071.65"}}],
        },
        "history": [{"status": "PLACED", "note": ""}],
    }
    by_sku = {line["product"]["sku"]: line for line in lines}
    # The printer has 3 in stock: 2 backordered, expected after lead time + 10 business days.
    printer = by_sku["T-P1"]
    assert (printer["quantity"], printer["fromStock"], printer["backordered"]) == (5, 3, 2)
    assert printer["backorderEta"] is not None
    assert printer["lineGross"] == {"amount": "53999.94"}
    cleaner = by_sku["T-C1"]
    assert (cleaner["fromStock"], cleaner["backordered"], cleaner["backorderEta"]) == (36, 0, None)
    stock = dict(await Product.all().values_list("sku", "stock"))
    assert (stock["T-P1"], stock["T-C1"]) == (0, 464)


async def test_confirm_and_cancel(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people, kurus=10_000_000)
    _, first = await _order(people, catalogue, setup, printer=2)
    buyer, desk = await people.as_("hastane.alici"), await people.as_("dmo.siparis")
    cancelled = (await buyer(CANCEL, id=first, note="Yanlış ürün."))["data"]["orderCancel"]
    assert cancelled == {
        "order": {
            "id": first,
            "status": "CANCELLED",
            "history": [
                {"status": "PLACED", "note": ""},
                {"status": "CANCELLED", "note": "Yanlış ürün."},
            ],
        },
        "errors": [],
    }
    line = await BudgetLine.get(id=setup.line_id)
    assert (line.reserved_kurus, line.available_kurus) == (0, 10_000_000)
    assert (await Product.get(sku="T-P1")).stock == 3

    _, second = await _order(people, catalogue, setup, glass_cleaner=10)
    confirmed = (await desk(CONFIRM, id=second))["data"]["orderConfirm"]
    assert (confirmed["errors"], confirmed["order"]["status"]) == ([], "CONFIRMED")
    before = await _state()
    late = (await buyer(CANCEL, id=second, note=""))["data"]["orderCancel"]
    assert late == {
        "order": None,
        "errors": [
            {
                "code": "INVALID_TRANSITION",
                "field": None,
                "message": "An order in state CONFIRMED can no longer be cancelled by the"
                " institution: ask DMO's order desk.",
            }
        ],
    }
    again = (await desk(CONFIRM, id=second))["data"]["orderConfirm"]["errors"]
    assert again == [
        {
            "code": "INVALID_TRANSITION",
            "field": None,
            "message": "An order in state CONFIRMED cannot become CONFIRMED.",
        }
    ]
    other_buyer = await people.as_("belediye.alici")
    theirs = await other_buyer(CANCEL, id=second, note="")
    unknown = await other_buyer(CANCEL, id=ids.encode("Order", str(uuid.uuid4())), note="")
    assert theirs == unknown
    assert theirs["data"]["orderCancel"]["errors"] == [
        {"code": "NOT_FOUND", "field": "orderId", "message": "No such order."}
    ]
    assert await _state() == before
    by_desk = (await desk(CANCEL, id=second, note="Tedarik edilemiyor."))["data"]["orderCancel"]
    assert by_desk["order"]["status"] == "CANCELLED"
    assert (await Product.get(sku="T-C1")).stock == 500


async def test_who_sees_which_orders(people: People, catalogue: Catalogue) -> None:
    hospital = await _setup(people)
    municipality = await _setup(people, vkn="7350286495")
    _, ours = await _order(people, catalogue, hospital)
    _, theirs = await _order(people, catalogue, municipality, vkn="belediye")
    unknown = ids.encode("Order", str(uuid.uuid4()))
    for username in ("hastane.alici", "hastane.muayene", "hastane.muhasebe"):
        api = await people.as_(username)
        listed = (await api(LIST))["data"]["orders"]["edges"]
        assert [edge["node"]["id"] for edge in listed] == [ours], username
        for document in (GET, NODE):
            assert await api(document, id=theirs) == await api(document, id=unknown)
        assert (await api(GET, id=theirs)) == {"data": {"order": None}}
    for username in ("dmo.siparis", "dmo.muhasebe", "dmo.admin"):
        api = await people.as_(username)
        listed = (await api(LIST))["data"]["orders"]["edges"]
        assert {edge["node"]["institution"]["name"] for edge in listed} == {
            "Ankara Şehir Hastanesi",
            "İzmir Büyükşehir Belediyesi",
        }
        assert (await api(GET, id=theirs))["data"]["order"]["id"] == theirs
    refused = await (await people.as_("dmo.katalog"))(LIST)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_orders_page_by_cursor(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people)
    desk = await people.as_("dmo.siparis")  # signed in before the clock moves on
    for username in ("hastane.alici", "hastane.gerceklestirme", "hastane.harcama"):
        await people.sign_in(username)
    made = []
    for _ in range(3):
        made.append((await _order(people, catalogue, setup))[1])
        people.clock.advance(timedelta(minutes=1))
    first = (await desk(LIST, first=2))["data"]["orders"]
    assert [edge["node"]["id"] for edge in first["edges"]] == [made[2], made[1]]
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await desk(LIST, first=2, after=first["pageInfo"]["endCursor"]))["data"]["orders"]
    assert [edge["node"]["id"] for edge in second["edges"]] == [made[0]]
    assert second["pageInfo"]["hasNextPage"] is False
    placed = (await desk(LIST, status="CONFIRMED"))["data"]["orders"]["edges"]
    assert placed == []
    forged = await desk(LIST, after="bm90LWEtY3Vyc29y")
    assert forged["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    too_many = await desk(LIST, first=101)
    assert too_many["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


async def test_the_order_desk_sees_where_to_deliver(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people)
    _, oid = await _order(people, catalogue, setup)
    query = """query($id: ID!) { order(id: $id) { requestedDeliveryDate
      deliveryAddress { label provinceCode provinceName district line } } }"""
    for username in ("dmo.siparis", "hastane.alici"):
        body = await (await people.as_(username))(query, id=oid)
        assert body == {
            "data": {
                "order": {
                    "requestedDeliveryDate": None,
                    "deliveryAddress": {
                        "label": "Ana depo",
                        "provinceCode": 6,
                        "provinceName": "Ankara",
                        "district": "Çankaya",
                        "line": "Üniversiteler Mah. 1604. Cad. No: 9",
                    },
                }
            }
        }, username
