"""Budget lines over GraphQL: exact kuruş amounts, unique codes, filters and pages, isolation."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from db.models import AuditEvent, BudgetLine, Institution, SpendingUnit
from domain.accounts import AuditAction
from graph import ids
from services import budgets
from services.local_time import today_in_turkiye
from tests.graph.conftest import Api, People

CREATE = """
mutation($unit: ID!, $year: Int!, $code: String!, $name: String!, $amount: Decimal!) {
  budgetLineCreate(input: {unitId: $unit, fiscalYear: $year, economicCode: $code, name: $name,
                           appropriation: $amount}) {
    budgetLine {
      id unit { name } fiscalYear economicCode name
      appropriation { amount currency } reserved { amount } spent { amount } available { amount }
    }
    errors { code field message }
  }
}"""

LIST = """query($first: Int, $after: String, $year: Int, $unit: ID) {
  budgetLines(first: $first, after: $after, fiscalYear: $year, unitId: $unit) {
    edges { node { fiscalYear economicCode unit { name } available { amount } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

NODE = """query($id: ID!) {
  node(id: $id) { id ... on BudgetLine { economicCode reserved { amount } available { amount } } }
}"""


async def _unit(vkn: str, name: str) -> str:
    unit = await SpendingUnit.get(institution__vkn=vkn, name=name)
    return ids.encode("SpendingUnit", str(unit.id))


async def _hospital_unit() -> str:
    return await _unit("4740132157", "Satın Alma Birimi")


def _year(people: People) -> int:
    return today_in_turkiye(people.clock()).year


async def _create(api: Api, people: People, **fields: Any) -> dict[str, Any]:
    values = {
        "unit": await _hospital_unit(),
        "year": _year(people),
        "code": "03.2.1.01",
        "name": "Kırtasiye alımları",
        "amount": "250000.50",
    }
    values.update(fields)
    body = await api(CREATE, **values)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["budgetLineCreate"]
    return payload


def _codes(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [
        (edge["node"]["fiscalYear"], edge["node"]["economicCode"], edge["node"]["unit"]["name"])
        for edge in body["data"]["budgetLines"]["edges"]
    ]


async def test_an_admin_creates_a_budget_line(people: People) -> None:
    admin = await people.as_("hastane.admin")
    payload = await _create(admin, people, code=" 03.2.1.01 ", name="  Kırtasiye   alımları ")
    assert payload["errors"] == []
    line = payload["budgetLine"]
    assert line == {
        "id": line["id"],
        "unit": {"name": "Satın Alma Birimi"},
        "fiscalYear": _year(people),
        "economicCode": "03.2.1.01",
        "name": "Kırtasiye alımları",
        "appropriation": {"amount": "250000.50", "currency": "TRY"},
        "reserved": {"amount": "0.00"},
        "spent": {"amount": "0.00"},
        "available": {"amount": "250000.50"},
    }
    row = await BudgetLine.get()
    assert (row.appropriation_kurus, row.reserved_kurus, row.spent_kurus, row.available_kurus) == (
        25000050,
        0,
        0,
        25000050,
    )
    event = await AuditEvent.get(action=AuditAction.BUDGET_LINE_CREATED)
    assert event.subject_id == str(row.id)
    assert event.details["appropriation"] == "250000.50"


async def test_one_line_per_unit_year_and_code(people: People) -> None:
    admin = await people.as_("hastane.admin")
    assert (await _create(admin, people))["errors"] == []
    again = await _create(admin, people, name="Başka ad", amount="1.00")
    assert again == {
        "budgetLine": None,
        "errors": [
            {
                "code": "ALREADY_EXISTS",
                "field": "economicCode",
                "message": "This spending unit has a budget line with this code for that fiscal "
                "year.",
            }
        ],
    }
    other_unit = await _unit("4740132157", "Bilgi İşlem Birimi")
    assert (await _create(admin, people, unit=other_unit))["errors"] == []
    assert (await _create(admin, people, year=_year(people) + 1))["errors"] == []
    assert await BudgetLine.all().count() == 3


async def test_invalid_lines_are_refused_and_nothing_is_stored(people: People) -> None:
    admin = await people.as_("hastane.admin")
    year = _year(people)
    other = await _unit("7350286495", "Fen İşleri Daire Başkanlığı")
    no_unit = [{"code": "NOT_FOUND", "field": "unitId", "message": "No such spending unit."}]
    cases: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
        ({"unit": other}, no_unit),  # another institution's unit: exactly as an unknown one
        ({"unit": ids.encode("SpendingUnit", str(uuid.uuid4()))}, no_unit),
        ({"unit": "bm9wZQ=="}, no_unit),
        ({"unit": ids.encode("Institution", str(uuid.uuid4()))}, no_unit),
    ]
    bad_input = [
        ({"year": year - 2}, "fiscalYear", f"A fiscal year is between {year - 1} and {year + 1}."),
        ({"year": year + 2}, "fiscalYear", f"A fiscal year is between {year - 1} and {year + 1}."),
        (
            {"code": "3.2.1.01"},
            "economicCode",
            "An economic code has four levels of 2, 1, 1 and 2 digits, like 03.2.1.01.",
        ),
        (
            {"code": "03.2.1.0١"},
            "economicCode",
            "An economic code has four levels of 2, 1, 1 and 2 digits, like 03.2.1.01.",
        ),
        ({"name": " "}, "name", "A name is required."),
        ({"amount": "-0.01"}, "appropriation", "An appropriation is zero or more."),
        ({"amount": "1.005"}, "appropriation", "An appropriation has at most two decimal places."),
        (
            {"amount": "1000000000000.00"},
            "appropriation",
            "An appropriation is at most 999,999,999,999.99.",
        ),
    ]
    for fields, field, message in bad_input:
        cases.append((fields, [{"code": "BAD_USER_INPUT", "field": field, "message": message}]))
    for fields, errors in cases:
        assert await _create(admin, people, **fields) == {"budgetLine": None, "errors": errors}, (
            fields
        )
    assert await BudgetLine.all().count() == 0
    assert await AuditEvent.filter(action=AuditAction.BUDGET_LINE_CREATED).count() == 0


async def test_lines_are_filtered_and_paged_in_year_then_code_order(people: People) -> None:
    admin = await people.as_("hastane.admin")
    year = _year(people)
    it = await _unit("4740132157", "Bilgi İşlem Birimi")
    for fields in [
        {"code": "03.2.1.01"},
        {"code": "03.5.2.01", "year": year - 1},
        {"code": "03.2.7.01"},
        {"code": "03.2.1.01", "unit": it},
        {"code": "06.1.2.01", "unit": it, "year": year + 1},
    ]:
        assert (await _create(admin, people, **fields))["errors"] == []
    buyer = await people.as_("hastane.alici")
    pages: list[tuple[int, str, str]] = []
    after = None
    for _ in range(3):
        body = await buyer(LIST, first=2, after=after)
        pages += _codes(body)
        after = body["data"]["budgetLines"]["pageInfo"]["endCursor"]
    assert body["data"]["budgetLines"]["pageInfo"]["hasNextPage"] is False
    buying, it_unit = "Satın Alma Birimi", "Bilgi İşlem Birimi"
    assert [(y - year, code) for y, code, _ in pages] == [
        (-1, "03.5.2.01"),
        (0, "03.2.1.01"),
        (0, "03.2.1.01"),
        (0, "03.2.7.01"),
        (1, "06.1.2.01"),
    ]
    this_year = _codes(await buyer(LIST, year=year))
    assert sorted((code, unit) for _, code, unit in this_year) == [
        ("03.2.1.01", it_unit),
        ("03.2.1.01", buying),
        ("03.2.7.01", buying),
    ]
    in_it = _codes(await buyer(LIST, unit=it))
    assert [(code, unit) for _, code, unit in in_it] == [
        ("03.2.1.01", it_unit),
        ("06.1.2.01", it_unit),
    ]
    assert _codes(await buyer(LIST, unit=it, year=year + 1)) == [(year + 1, "06.1.2.01", it_unit)]
    forged = await buyer(LIST, after="bm90LWEtY3Vyc29y")
    assert forged["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_a_reservation_shows_in_exact_amounts(people: People) -> None:
    admin = await people.as_("hastane.admin")
    line = (await _create(admin, people, amount="500.00"))["budgetLine"]
    row = await BudgetLine.get()
    async with in_transaction() as conn:
        assert await budgets.reserve(row.id, Decimal("71.71"), conn=conn) is True
        assert await budgets.reserve(row.id, Decimal("428.30"), conn=conn) is False
    async with in_transaction() as conn:
        await budgets.release(row.id, Decimal("0.01"), conn=conn)
    authority = await people.as_("hastane.harcama")
    assert await authority(NODE, id=line["id"]) == {
        "data": {
            "node": {
                "id": line["id"],
                "economicCode": "03.2.1.01",
                "reserved": {"amount": "71.70"},
                "available": {"amount": "428.30"},
            }
        }
    }


# --- Isolation ----------------------------------------------------------------------------------


async def test_another_institutions_lines_look_like_unknown_ids(people: People) -> None:
    hospital = await people.as_("hastane.admin")
    line_id = (await _create(hospital, people))["budgetLine"]["id"]
    city = await people.as_("belediye.admin")
    unknown = ids.encode("BudgetLine", str(uuid.uuid4()))
    assert await city(NODE, id=line_id) == await city(NODE, id=unknown) == {"data": {"node": None}}
    assert (await city(LIST))["data"]["budgetLines"]["edges"] == []
    # Filtering on another institution's unit finds what an unknown unit finds: nothing.
    theirs = await city(LIST, unit=await _hospital_unit())
    nobody = await city(LIST, unit=ids.encode("SpendingUnit", str(uuid.uuid4())))
    assert theirs == nobody
    assert theirs["data"]["budgetLines"]["edges"] == []
    # Within the hospital: readers see it; an inspector has no business with budgets.
    accountant = await people.as_("hastane.muhasebe")
    assert (await accountant(NODE, id=line_id))["data"]["node"]["id"] == line_id
    inspector = await people.as_("hastane.muayene")
    assert await inspector(NODE, id=line_id) == {"data": {"node": None}}
    assert await BudgetLine.all().count() == 1
    institution = await Institution.get(vkn="4740132157")
    assert await BudgetLine.filter(institution=institution).count() == 1
