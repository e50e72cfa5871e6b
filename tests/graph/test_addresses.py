"""Addresses over GraphQL: il and ilçe from the official list, label order, isolation."""

from __future__ import annotations

import uuid
from typing import Any

from db.models import Address, AuditEvent
from domain.accounts import AuditAction
from graph import ids
from tests.graph.conftest import Api, People

CREATE = """
mutation($label: String!, $province: Int!, $district: String!, $line: String!,
         $postal: String) {
  addressCreate(input: {label: $label, provinceCode: $province, district: $district,
                        line: $line, postalCode: $postal}) {
    address { id label provinceCode provinceName district line postalCode }
    errors { code field message }
  }
}"""

LIST = """query($first: Int, $after: String) {
  addresses(first: $first, after: $after) {
    edges { cursor node { label district } } pageInfo { hasNextPage endCursor }
  }
}"""

NODE = "query($id: ID!) { node(id: $id) { id ... on Address { label district } } }"


async def _create(api: Api, **fields: Any) -> dict[str, Any]:
    values = {
        "label": "Ana depo",
        "province": 6,
        "district": "Çankaya",
        "line": "Üniversiteler Mah. 1604. Cad. No: 9",
        "postal": "06800",
    }
    values.update(fields)
    body = await api(CREATE, **values)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["addressCreate"]
    return payload


async def test_an_admin_adds_an_address_in_official_spelling(people: People) -> None:
    admin = await people.as_("hastane.admin")
    payload = await _create(
        admin, district="  cankaya ", line="Üniversiteler Mah.\n1604. Cad.   No: 9"
    )
    assert payload["errors"] == []
    assert payload["address"] == {
        "id": payload["address"]["id"],
        "label": "Ana depo",
        "provinceCode": 6,
        "provinceName": "Ankara",
        "district": "Çankaya",
        "line": "Üniversiteler Mah. 1604. Cad. No: 9",
        "postalCode": "06800",
    }
    row = await Address.get()
    assert (row.district, row.province_code) == ("Çankaya", 6)
    event = await AuditEvent.get(action=AuditAction.ADDRESS_CREATED)
    assert (event.subject_type, event.subject_id) == ("Address", str(row.id))
    assert event.details == {"label": "Ana depo", "provinceCode": 6}
    no_postal = await _create(admin, label="Acil servis", district="ŞEREFLİKOÇHİSAR", postal=None)
    assert (no_postal["address"]["district"], no_postal["address"]["postalCode"]) == (
        "Şereflikoçhisar",
        None,
    )


async def test_invalid_addresses_are_refused_and_nothing_is_stored(people: People) -> None:
    admin = await people.as_("hastane.admin")
    cases = [
        ({"label": "  "}, "label", "A name is required."),
        ({"label": "x" * 121}, "label", "At most 120 characters."),
        ({"province": 82}, "provinceCode", "Unknown province: use the plate code, 1 to 81."),
        ({"district": "Bornova"}, "district", '"Bornova" is not a district of Ankara.'),
        ({"district": " "}, "district", "A district is required."),
        ({"line": "\n"}, "line", "An address line is required."),
        ({"line": "x" * 301}, "line", "An address line has at most 300 characters."),
        ({"postal": "6800"}, "postalCode", "A postal code is 5 digits."),
        ({"postal": "35000"}, "postalCode", "A postal code in Ankara starts with 06."),
    ]
    for fields, field, message in cases:
        payload = await _create(admin, **fields)
        assert payload == {
            "address": None,
            "errors": [{"code": "BAD_USER_INPUT", "field": field, "message": message}],
        }, fields
    assert await Address.all().count() == 0
    assert await AuditEvent.filter(action=AuditAction.ADDRESS_CREATED).count() == 0


async def test_addresses_are_listed_in_label_order_page_by_page(people: People) -> None:
    admin = await people.as_("hastane.admin")
    for label in ["Mutfak", "Acil servis", "Ana depo"]:
        assert (await _create(admin, label=label))["errors"] == []
    buyer = await people.as_("hastane.alici")  # any institution role reads them
    first = (await buyer(LIST, first=2))["data"]["addresses"]
    second = (await buyer(LIST, first=2, after=first["pageInfo"]["endCursor"]))["data"]["addresses"]
    labels = [edge["node"]["label"] for edge in first["edges"] + second["edges"]]
    assert labels == ["Acil servis", "Ana depo", "Mutfak"]
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)
    forged = await buyer(LIST, after="bm90LWEtY3Vyc29y")
    assert forged["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_another_institutions_address_looks_like_an_unknown_id(people: People) -> None:
    hospital = await people.as_("hastane.admin")
    created = await _create(hospital)
    theirs = created["address"]["id"]
    city = await people.as_("belediye.admin")
    unknown = ids.encode("Address", str(uuid.uuid4()))
    assert await city(NODE, id=theirs) == await city(NODE, id=unknown) == {"data": {"node": None}}
    assert (await city(LIST))["data"]["addresses"]["edges"] == []
    mine = await (await people.as_("hastane.muayene"))(NODE, id=theirs)
    assert mine == {"data": {"node": {"id": theirs, "label": "Ana depo", "district": "Çankaya"}}}
    # DMO staff hold no institution's addresses.
    assert await (await people.as_("dmo.siparis"))(NODE, id=theirs) == {"data": {"node": None}}
