"""Purchase requests and approvals over GraphQL: cart -> request -> approvals -> order, the
refusals as payload errors, delegation, policies, isolation, and the two subscriptions."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from app import create_app
from db.models import (
    Address,
    ApprovalAction,
    AuditEvent,
    BudgetLine,
    CartLine,
    Institution,
    Order,
    PurchaseRequest,
    Session,
    SpendingUnit,
    User,
    UserRole,
)
from domain.accounts import Role
from graph import ids
from graph.http import GraphQLEndpoint
from services.local_time import today_in_turkiye
from settings import Settings
from tests.graph.conftest import KEYS, Api, Catalogue, People

ADD = """
mutation($lines: [CartLineInput!]!) {
  cartLinesAdd(input: {lines: $lines}) { errors { code field message } }
}"""

REQUEST = """
  id status justification requestedDeliveryDate round currentStep awaitingRole pricesFrozen
  unit { name } budgetLine { economicCode reserved { amount } } address { label }
  requester { username }
  lines { product { sku } quantity kdvRate unitPrice { amount } lineNet { amount }
          lineKdv { amount } lineGross { amount } }
  totals { net { amount } kdv { amount } gross { amount } byKdvRate { kdvRate gross { amount } } }
  steps { role minGross { amount } }
  approvals { round step role decision note actor { username } onBehalfOf { username } }
  order { status }
"""

CREATE = f"""
mutation($unit: ID!, $line: ID!, $address: ID!, $why: String!, $date: Date) {{
  purchaseRequestCreate(input: {{unitId: $unit, budgetLineId: $line, addressId: $address,
                                 justification: $why, requestedDeliveryDate: $date}}) {{
    purchaseRequest {{ {REQUEST} }}
    errors {{ code field message }}
  }}
}}"""

SHORT = "id status currentStep awaitingRole round"

UPDATE = f"""
mutation($input: PurchaseRequestUpdateInput!) {{
  purchaseRequestUpdate(input: $input) {{
    purchaseRequest {{ {SHORT} lines {{ id quantity }} totals {{ gross {{ amount }} }} }}
    errors {{ code field message }}
  }}
}}"""

SUBMIT = f"""
mutation($id: ID!) {{
  purchaseRequestSubmit(input: {{requestId: $id}}) {{
    purchaseRequest {{ {SHORT} }} errors {{ code field message }}
  }}
}}"""

CANCEL = f"""
mutation($id: ID!) {{
  purchaseRequestCancel(input: {{requestId: $id}}) {{
    purchaseRequest {{ {SHORT} }} errors {{ code field message }}
  }}
}}"""

APPROVE = f"""
mutation($id: ID!, $note: String) {{
  purchaseRequestApprove(input: {{requestId: $id, note: $note}}) {{
    purchaseRequest {{ {SHORT} }}
    order {{ status lines {{ quantity fromStock backordered backorderEta }} }}
    errors {{ code field message }}
  }}
}}"""

REJECT = f"""
mutation($id: ID!, $note: String!) {{
  purchaseRequestReject(input: {{requestId: $id, note: $note}}) {{
    purchaseRequest {{ {SHORT} }} errors {{ code field message }}
  }}
}}"""

RETURN = f"""
mutation($id: ID!, $note: String!) {{
  purchaseRequestReturn(input: {{requestId: $id, note: $note}}) {{
    purchaseRequest {{ {SHORT} }} errors {{ code field message }}
  }}
}}"""

GET = f"query($id: ID!) {{ purchaseRequest(id: $id) {{ {REQUEST} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on PurchaseRequest { status } } }"
INBOX = "{ approvalInbox { edges { node { id status awaitingRole } } } }"

POLICY = "query($unit: ID) { approvalPolicy(unitId: $unit) { scope steps { role minGross { amount } } unit { name } } }"  # noqa: E501
POLICY_SET = """
mutation($unit: ID, $steps: [ApprovalStepInput!]!) {
  approvalPolicySet(input: {unitId: $unit, steps: $steps}) {
    approvalPolicy { scope steps { role minGross { amount } } unit { name } }
    errors { code field message }
  }
}"""

DELEGATE = """
mutation($to: ID!, $role: Role!, $from: Date!, $until: Date!) {
  delegationCreate(input: {delegateId: $to, role: $role, startsOn: $from, endsOn: $until}) {
    delegation { role startsOn endsOn delegator { username } delegate { username } }
    errors { code field message }
  }
}"""


@dataclass
class Setup:
    unit: str
    other_unit: str
    line: str
    address: str
    line_id: uuid.UUID


async def _setup(people: People, vkn: str = "4740132157", kurus: int = 1_000_000) -> Setup:
    """The institution's first unit with a budget line and an address (rows written here: the
    budget and address mutations are tested in their own modules)."""
    institution = await Institution.get(vkn=vkn)
    units = await SpendingUnit.filter(institution=institution).order_by("name")
    buying = next(
        u for u in units if u.name in ("Satın Alma Birimi", "Destek Hizmetleri Daire Başkanlığı")
    )
    other = next(u for u in units if u.id != buying.id)
    line = await BudgetLine.create(
        institution=institution, unit=buying, fiscal_year=today_in_turkiye(people.clock()).year,
        economic_code="03.2.1.01", name="Kırtasiye alımları", appropriation_kurus=kurus,
        available_kurus=kurus, created_at=people.clock(),
    )  # fmt: skip
    address = await Address.create(
        institution=institution, label="Ana depo", province_code=6, district="Çankaya",
        line="Üniversiteler Mah. 1604. Cad. No: 9", created_at=people.clock(),
    )  # fmt: skip
    return Setup(
        unit=ids.encode("SpendingUnit", str(buying.id)),
        other_unit=ids.encode("SpendingUnit", str(other.id)),
        line=ids.encode("BudgetLine", str(line.id)),
        address=ids.encode("Address", str(address.id)),
        line_id=line.id,
    )


async def _create(
    people: People, catalogue: Catalogue, setup: Setup, buyer: str = "hastane.alici", **items: int
) -> dict[str, Any]:
    api = await people.as_(buyer)
    lines = [
        {"productId": catalogue.products[k], "quantity": q}
        for k, q in (items or {"glass_cleaner": 36}).items()
    ]
    assert (await api(ADD, lines=lines))["data"]["cartLinesAdd"]["errors"] == []
    body = await api(
        CREATE, unit=setup.unit, line=setup.line, address=setup.address, why="Mutfak için."
    )
    payload: dict[str, Any] = body["data"]["purchaseRequestCreate"]
    assert payload["errors"] == [], payload
    return payload["purchaseRequest"]


async def _submitted(
    people: People, catalogue: Catalogue, setup: Setup, buyer: str = "hastane.alici", **items: int
) -> str:
    request = await _create(people, catalogue, setup, buyer, **items)
    body = await (await people.as_(buyer))(SUBMIT, id=request["id"])
    assert body["data"]["purchaseRequestSubmit"]["errors"] == [], body
    return str(request["id"])


def _unknown(type_name: str) -> str:
    return ids.encode(type_name, str(uuid.uuid4()))


async def _state() -> list[Any]:
    return [
        sorted(await PurchaseRequest.all().values_list("id", "status", "version", "current_step")),
        await ApprovalAction.all().count(),
        await Order.all().count(),
        # Signing in is audited too: only what requests and orders write counts here.
        await AuditEvent.exclude(subject_type__in=["User", "Session"]).count(),
        sorted(await BudgetLine.all().values_list("id", "available_kurus")),
    ]


# --- The whole way -----------------------------------------------------------------------------


async def test_from_cart_to_order(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people)
    buyer = await people.as_("hastane.alici")
    await buyer(ADD, lines=[{"productId": catalogue.products["glass_cleaner"], "quantity": 36}])
    date = (today_in_turkiye(people.clock()) + timedelta(days=30)).isoformat()
    body = await buyer(
        CREATE, unit=setup.unit, line=setup.line, address=setup.address,
        why="  Çay ocağı için.  ", date=date,
    )  # fmt: skip
    created = body["data"]["purchaseRequestCreate"]
    assert created["errors"] == []
    request = created["purchaseRequest"]
    rid = request["id"]
    assert request == {
        "id": rid,
        "status": "DRAFT",
        "justification": "Çay ocağı için.",
        "requestedDeliveryDate": date,
        "round": 0,
        "currentStep": None,
        "awaitingRole": None,
        "pricesFrozen": False,
        "unit": {"name": "Satın Alma Birimi"},
        "budgetLine": {"economicCode": "03.2.1.01", "reserved": {"amount": "0.00"}},
        "address": {"label": "Ana depo"},
        "requester": {"username": "hastane.alici"},
        "lines": [
            {
                "product": {"sku": "T-C1"},
                "quantity": 36,
                "kdvRate": 20,
                "unitPrice": {"amount": "1.66"},
                "lineNet": {"amount": "59.76"},
                "lineKdv": {"amount": "11.95"},
                "lineGross": {"amount": "71.71"},
            }
        ],
        "totals": {
            "net": {"amount": "59.76"},
            "kdv": {"amount": "11.95"},
            "gross": {"amount": "71.71"},
            "byKdvRate": [{"kdvRate": 20, "gross": {"amount": "71.71"}}],
        },
        "steps": [],
        "approvals": [],
        "order": None,
    }
    assert await CartLine.all().count() == 0

    submitted = (await buyer(SUBMIT, id=rid))["data"]["purchaseRequestSubmit"]
    assert submitted == {
        "purchaseRequest": {
            "id": rid, "status": "IN_APPROVAL", "currentStep": 1,
            "awaitingRole": "REALISATION_OFFICER", "round": 1,
        },
        "errors": [],
    }  # fmt: skip
    officer = await people.as_("hastane.gerceklestirme")
    authority = await people.as_("hastane.harcama")
    waiting = {"id": rid, "status": "IN_APPROVAL", "awaitingRole": "REALISATION_OFFICER"}
    assert (await officer(INBOX))["data"]["approvalInbox"]["edges"] == [{"node": waiting}]
    assert (await authority(INBOX))["data"]["approvalInbox"]["edges"] == []

    first = (await officer(APPROVE, id=rid, note="Uygun."))["data"]["purchaseRequestApprove"]
    assert first["errors"] == []
    assert (first["purchaseRequest"]["currentStep"], first["order"]) == (2, None)
    final = (await authority(APPROVE, id=rid))["data"]["purchaseRequestApprove"]
    assert final["errors"] == []
    assert final["purchaseRequest"]["status"] == "ORDERED"
    assert final["order"] == {
        "status": "PLACED",
        "lines": [{"quantity": 36, "fromStock": 36, "backordered": 0, "backorderEta": None}],
    }
    seen = (await buyer(GET, id=rid))["data"]["purchaseRequest"]
    assert seen["pricesFrozen"] is True
    assert seen["budgetLine"] == {"economicCode": "03.2.1.01", "reserved": {"amount": "71.71"}}
    assert seen["steps"] == [
        {"role": "REALISATION_OFFICER", "minGross": None},
        {"role": "SPENDING_AUTHORITY", "minGross": None},
    ]
    assert seen["approvals"] == [
        {"round": 1, "step": 1, "role": "REALISATION_OFFICER", "decision": "APPROVE",
         "note": "Uygun.", "actor": {"username": "hastane.gerceklestirme"}, "onBehalfOf": None},
        {"round": 1, "step": 2, "role": "SPENDING_AUTHORITY", "decision": "APPROVE",
         "note": "", "actor": {"username": "hastane.harcama"}, "onBehalfOf": None},
    ]  # fmt: skip
    assert seen["order"] == {"status": "PLACED"}
    # An inspector reads the request, but not the budget line (not a budget reader).
    inspector = await people.as_("hastane.muayene")
    assert (await inspector(GET, id=rid))["data"]["purchaseRequest"]["budgetLine"] is None


async def test_refusals_are_payload_errors(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people)
    buyer = await people.as_("hastane.alici")
    before = await _state()
    empty = await buyer(CREATE, unit=setup.unit, line=setup.line, address=setup.address, why="Boş.")
    assert empty["data"]["purchaseRequestCreate"] == {
        "purchaseRequest": None,
        "errors": [
            {
                "code": "CART_EMPTY",
                "field": None,
                "message": "Your cart is empty: add products to it first.",
            }
        ],
    }
    malformed = await buyer(CREATE, unit="bozuk", line=setup.line, address=setup.address, why="x")
    assert malformed["data"]["purchaseRequestCreate"]["errors"] == [
        {"code": "NOT_FOUND", "field": "unitId", "message": "No such spending unit."}
    ]
    wrong_unit = await buyer(
        CREATE, unit=setup.other_unit, line=setup.line, address=setup.address, why="x"
    )
    assert wrong_unit["data"]["purchaseRequestCreate"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "budgetLineId",
            "message": "This budget line belongs to another spending unit.",
        }
    ]
    assert await _state() == before
    rid = await _submitted(people, catalogue, setup)
    before = await _state()
    again = (await buyer(SUBMIT, id=rid))["data"]["purchaseRequestSubmit"]
    assert again == {
        "purchaseRequest": None,
        "errors": [
            {
                "code": "INVALID_TRANSITION",
                "field": None,
                "message": "A request in state IN_APPROVAL cannot become SUBMITTED.",
            }
        ],
    }
    edit = await buyer(UPDATE, input={"requestId": rid, "justification": "Yeni."})
    assert edit["data"]["purchaseRequestUpdate"]["errors"] == [
        {
            "code": "INVALID_TRANSITION",
            "field": None,
            "message": "A request in state IN_APPROVAL cannot be changed: only DRAFT and"
            " RETURNED requests can.",
        }
    ]
    officer = await people.as_("hastane.gerceklestirme")
    no_note = (await officer(REJECT, id=rid, note=" "))["data"]["purchaseRequestReject"]
    assert no_note["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "note",
            "message": "A note is required to reject a request.",
        }
    ]
    authority = await people.as_("hastane.harcama")
    not_theirs = (await authority(APPROVE, id=rid))["data"]["purchaseRequestApprove"]
    assert not_theirs == {
        "purchaseRequest": None,
        "order": None,
        "errors": [
            {
                "code": "FORBIDDEN",
                "field": "requestId",
                "message": "Step 1 of this request awaits a REALISATION_OFFICER: you hold"
                " neither that role nor a delegation for it.",
            }
        ],
    }
    assert await _state() == before


async def test_return_edit_resubmit_and_reject(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people)
    rid = await _submitted(people, catalogue, setup, glass_cleaner=36, board_wiper=2)
    buyer, officer = await people.as_("hastane.alici"), await people.as_("hastane.gerceklestirme")
    returned = (await officer(RETURN, id=rid, note="Silici gereksiz."))["data"]
    assert returned["purchaseRequestReturn"]["purchaseRequest"]["status"] == "RETURNED"
    lines = (await buyer(GET, id=rid))["data"]["purchaseRequest"]["lines"]
    assert [line["product"]["sku"] for line in lines] == ["T-C1", "T-C3"]
    line_ids = [
        line["id"]
        for line in (await buyer(UPDATE, input={"requestId": rid}))["data"][
            "purchaseRequestUpdate"
        ]["purchaseRequest"]["lines"]
    ]
    bad = await buyer(
        UPDATE, input={"requestId": rid, "lines": [{"lineId": "bozuk", "quantity": 1}]}
    )
    assert bad["data"]["purchaseRequestUpdate"]["errors"] == [
        {"code": "NOT_FOUND", "field": "lines.0.lineId", "message": "No such line in this request."}
    ]
    edited = await buyer(
        UPDATE,
        input={
            "requestId": rid,
            "requestedDeliveryDate": None,
            "lines": [
                {"lineId": line_ids[1], "quantity": 0},
                {"lineId": line_ids[0], "quantity": 50},
            ],
        },
    )
    payload = edited["data"]["purchaseRequestUpdate"]
    assert payload["errors"] == []
    assert payload["purchaseRequest"]["lines"] == [{"id": line_ids[0], "quantity": 50}]
    assert payload["purchaseRequest"]["totals"] == {"gross": {"amount": "99.60"}}
    again = (await buyer(SUBMIT, id=rid))["data"]["purchaseRequestSubmit"]["purchaseRequest"]
    assert (again["status"], again["round"], again["currentStep"]) == ("IN_APPROVAL", 2, 1)
    rejected = (await officer(REJECT, id=rid, note="Bütçe dönemi kapandı."))["data"]
    assert rejected["purchaseRequestReject"]["purchaseRequest"]["status"] == "REJECTED"
    cancel = (await buyer(CANCEL, id=rid))["data"]["purchaseRequestCancel"]
    assert cancel["errors"] == [
        {
            "code": "INVALID_TRANSITION",
            "field": None,
            "message": "A request in state REJECTED cannot become CANCELLED.",
        }
    ]


async def test_separation_of_duties_and_delegation(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people)
    admin = await people.as_("hastane.admin")
    officer_user = await User.get(username="hastane.gerceklestirme")
    roles = """mutation($id: ID!) { userRolesSet(input: {userId: $id,
      roles: [REALISATION_OFFICER, SPENDING_AUTHORITY]}) { errors { code } } }"""
    officer_id = ids.encode("User", str(officer_user.id))
    assert (await admin(roles, id=officer_id))["data"]["userRolesSet"]["errors"] == []
    rid = await _submitted(people, catalogue, setup)
    officer = await people.as_("hastane.gerceklestirme")
    assert (await officer(APPROVE, id=rid))["data"]["purchaseRequestApprove"]["errors"] == []
    before = await _state()
    twice = (await officer(APPROVE, id=rid))["data"]["purchaseRequestApprove"]["errors"]
    assert twice == [
        {
            "code": "SEPARATION_OF_DUTIES",
            "field": None,
            "message": "You have already approved a step of this request; another person must"
            " approve this one.",
        }
    ]
    assert await _state() == before
    # The spending authority delegates to the inspector, who approves on their behalf.
    authority = await people.as_("hastane.harcama")
    inspector_user = await User.get(username="hastane.muayene")
    today = today_in_turkiye(people.clock())
    made = await authority(
        DELEGATE, to=ids.encode("User", str(inspector_user.id)), role="SPENDING_AUTHORITY",
        **{"from": today.isoformat(), "until": (today + timedelta(days=3)).isoformat()},
    )  # fmt: skip
    assert made["data"]["delegationCreate"] == {
        "delegation": {
            "role": "SPENDING_AUTHORITY",
            "startsOn": today.isoformat(),
            "endsOn": (today + timedelta(days=3)).isoformat(),
            "delegator": {"username": "hastane.harcama"},
            "delegate": {"username": "hastane.muayene"},
        },
        "errors": [],
    }
    inspector = await people.as_("hastane.muayene")
    assert [
        e["node"]["id"] for e in (await inspector(INBOX))["data"]["approvalInbox"]["edges"]
    ] == [rid]
    final = (await inspector(APPROVE, id=rid))["data"]["purchaseRequestApprove"]
    assert (final["errors"], final["purchaseRequest"]["status"]) == ([], "ORDERED")
    approvals = (await inspector(GET, id=rid))["data"]["purchaseRequest"]["approvals"]
    assert [(a["actor"]["username"], a["onBehalfOf"]) for a in approvals] == [
        ("hastane.gerceklestirme", None),
        ("hastane.muayene", {"username": "hastane.harcama"}),
    ]
    # Delegating a role one does not hold is refused in the payload.
    refused = await inspector(
        DELEGATE, to=officer_id, role="SPENDING_AUTHORITY",
        **{"from": today.isoformat(), "until": today.isoformat()},
    )  # fmt: skip
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # not an approver at all


async def test_budget_exceeded_changes_nothing(people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people, kurus=7_000)  # 70.00 TRY; the request needs 71.71
    rid = await _submitted(people, catalogue, setup)
    officer, authority = (
        await people.as_("hastane.gerceklestirme"),
        await people.as_("hastane.harcama"),
    )
    await officer(APPROVE, id=rid)
    before = await _state()
    body = (await authority(APPROVE, id=rid))["data"]["purchaseRequestApprove"]
    assert body == {
        "purchaseRequest": None,
        "order": None,
        "errors": [
            {
                "code": "BUDGET_EXCEEDED",
                "field": None,
                "message": "The budget line has 70.00 TRY available; this request needs 71.71 TRY.",
            }
        ],
    }
    assert await _state() == before
    seen = (await authority(GET, id=rid))["data"]["purchaseRequest"]
    assert (seen["status"], seen["currentStep"], len(seen["approvals"]), seen["order"]) == (
        "IN_APPROVAL",
        2,
        1,
        None,
    )


async def test_policies(people: People) -> None:
    setup = await _setup(people)
    admin = await people.as_("hastane.admin")
    assert (await admin(POLICY))["data"]["approvalPolicy"] == {
        "scope": "DEFAULT",
        "steps": [
            {"role": "REALISATION_OFFICER", "minGross": None},
            {"role": "SPENDING_AUTHORITY", "minGross": None},
        ],
        "unit": None,
    }
    steps = [
        {"role": "REALISATION_OFFICER", "minGross": "5000.00"},
        {"role": "SPENDING_AUTHORITY"},
    ]
    made = (await admin(POLICY_SET, unit=setup.unit, steps=steps))["data"]["approvalPolicySet"]
    assert made == {
        "approvalPolicy": {
            "scope": "UNIT",
            "steps": [
                {"role": "REALISATION_OFFICER", "minGross": {"amount": "5000.00"}},
                {"role": "SPENDING_AUTHORITY", "minGross": None},
            ],
            "unit": {"name": "Satın Alma Birimi"},
        },
        "errors": [],
    }
    buyer = await people.as_("hastane.alici")
    assert (await buyer(POLICY, unit=setup.unit))["data"]["approvalPolicy"]["scope"] == "UNIT"
    assert (await buyer(POLICY, unit=setup.other_unit))["data"]["approvalPolicy"]["scope"] == (
        "DEFAULT"
    )
    bad = await admin(POLICY_SET, steps=[{"role": "INSPECTOR"}])
    assert bad["data"]["approvalPolicySet"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "steps.0.role",
            "message": "INSPECTOR cannot be an approval step: use REALISATION_OFFICER or"
            " SPENDING_AUTHORITY.",
        }
    ]


# --- Isolation ---------------------------------------------------------------------------------


async def test_another_institutions_requests_look_like_unknown_ids(
    people: People, catalogue: Catalogue
) -> None:
    setup = await _setup(people)
    theirs = await _setup(people, vkn="7350286495")
    rid = await _submitted(people, catalogue, setup)
    unknown = _unknown("PurchaseRequest")
    for username in ("belediye.alici", "belediye.gerceklestirme", "belediye.admin"):
        api = await people.as_(username)
        for document in (GET, NODE):
            assert await api(document, id=rid) == await api(document, id=unknown), username
        assert (await api(GET, id=rid)) == {"data": {"purchaseRequest": None}}
        listed = await api("{ purchaseRequests { edges { cursor } } }")
        assert listed == {"data": {"purchaseRequests": {"edges": []}}}
        assert (await api(INBOX)) == {"data": {"approvalInbox": {"edges": []}}}
    before = await _state()
    not_found = [
        {"code": "NOT_FOUND", "field": "requestId", "message": "No such purchase request."}
    ]
    other_buyer = await people.as_("belediye.alici")
    other_officer = await people.as_("belediye.gerceklestirme")
    for api, document, name, extra in (
        (other_buyer, SUBMIT, "purchaseRequestSubmit", {}),
        (other_buyer, CANCEL, "purchaseRequestCancel", {}),
        (other_officer, APPROVE, "purchaseRequestApprove", {}),
        (other_officer, REJECT, "purchaseRequestReject", {"note": "Hayır."}),
        (other_officer, RETURN, "purchaseRequestReturn", {"note": "Geri."}),
    ):
        mine = await api(document, id=rid, **extra)
        assert mine == await api(document, id=unknown, **extra), name
        assert mine["data"][name]["errors"] == not_found, name
    edit = await other_buyer(UPDATE, input={"requestId": rid, "justification": "x"})
    assert edit["data"]["purchaseRequestUpdate"]["errors"] == not_found
    # Their units, budget lines and addresses are unknown ids to the hospital's buyer.
    buyer = await people.as_("hastane.alici")
    await buyer(ADD, lines=[{"productId": catalogue.products["glass_cleaner"], "quantity": 1}])
    for field, value, message in (
        ("unit", theirs.unit, "No such spending unit."),
        ("line", theirs.line, "No such budget line."),
        ("address", theirs.address, "No such address."),
    ):
        args = {"unit": setup.unit, "line": setup.line, "address": setup.address, field: value}
        body = await buyer(CREATE, why="x", **args)
        code_field = {"unit": "unitId", "line": "budgetLineId", "address": "addressId"}[field]
        assert body["data"]["purchaseRequestCreate"]["errors"] == [
            {"code": "NOT_FOUND", "field": code_field, "message": message}
        ]
    admin = await people.as_("hastane.admin")
    for document, args in ((POLICY, {}), (POLICY_SET, {"steps": [{"role": "SPENDING_AUTHORITY"}]})):
        assert await admin(document, unit=theirs.unit, **args) == await admin(
            document, unit=_unknown("SpendingUnit"), **args
        )
    other_person = await User.get(username="belediye.muayene")
    authority = await people.as_("hastane.harcama")
    today = today_in_turkiye(people.clock()).isoformat()
    dates = {"from": today, "until": today}
    delegate_theirs = await authority(
        DELEGATE, to=ids.encode("User", str(other_person.id)), role="SPENDING_AUTHORITY", **dates
    )
    delegate_unknown = await authority(
        DELEGATE, to=_unknown("User"), role="SPENDING_AUTHORITY", **dates
    )
    assert delegate_theirs == delegate_unknown
    assert delegate_theirs["data"]["delegationCreate"]["errors"] == [
        {"code": "NOT_FOUND", "field": "delegateId", "message": "No such user."}
    ]
    assert await _state() == before


# --- Subscriptions -----------------------------------------------------------------------------

PROTOCOL = "graphql-transport-ws"
UPDATED = (
    "subscription($id: ID!) { purchaseRequestUpdated(id: $id) { status currentStep awaitingRole } }"
)
INBOX_UPDATED = "subscription { approvalInboxUpdated { edges { node { id awaitingRole } } } }"


@dataclass
class Live:
    """The app under uvicorn with its event bus connected: sockets and HTTP on one bus."""

    ws_url: str
    http: httpx.AsyncClient

    def api(self, token: str) -> Api:
        return Api(self.http, token)


@pytest.fixture
async def live(database: str, people: People) -> AsyncIterator[Live]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(Settings(database_url=database), keys=KEYS, clock=people.clock)
    endpoint = next(
        r.endpoint for r in app.routes if isinstance(getattr(r, "endpoint", None), GraphQLEndpoint)
    )  # type: ignore[attr-defined]
    await endpoint.bus.connect()  # the lifespan, which would connect it, stays off (one database)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            ws="websockets-sansio",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        yield Live(f"ws://127.0.0.1:{port}/graphql", http)
    server.should_exit = True
    await task
    await endpoint.bus.disconnect()


async def _socket(live: Live, people: People, username: str) -> ClientConnection:
    ws = await connect(live.ws_url, subprotocols=[PROTOCOL])  # type: ignore[list-item]
    token = await people.sign_in(username)
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    return ws


async def _subscribe(ws: ClientConnection, query: str, **variables: Any) -> None:
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))


async def _next(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    return message


async def test_a_request_is_followed_live(live: Live, people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people)
    rid = await _submitted(people, catalogue, setup)
    ws = await _socket(live, people, "hastane.alici")
    await _subscribe(ws, UPDATED, id=rid)
    first = {"status": "IN_APPROVAL", "currentStep": 1, "awaitingRole": "REALISATION_OFFICER"}
    assert await _next(ws) == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"purchaseRequestUpdated": first}},
    }
    officer = live.api(await people.sign_in("hastane.gerceklestirme"))
    assert (await officer(APPROVE, id=rid))["data"]["purchaseRequestApprove"]["errors"] == []
    second = {"status": "IN_APPROVAL", "currentStep": 2, "awaitingRole": "SPENDING_AUTHORITY"}
    assert (await _next(ws))["payload"]["data"]["purchaseRequestUpdated"] == second
    authority = live.api(await people.sign_in("hastane.harcama"))
    assert (await authority(APPROVE, id=rid))["data"]["purchaseRequestApprove"]["errors"] == []
    third = {"status": "ORDERED", "currentStep": None, "awaitingRole": None}
    assert (await _next(ws))["payload"]["data"]["purchaseRequestUpdated"] == third
    await ws.close()


async def test_a_subscription_checks_access_when_it_starts(
    live: Live, people: People, catalogue: Catalogue
) -> None:
    setup = await _setup(people)
    rid = await _submitted(people, catalogue, setup)
    for rid_or_unknown in (rid, _unknown("PurchaseRequest")):
        ws = await _socket(live, people, "belediye.alici")
        await _subscribe(ws, UPDATED, id=rid_or_unknown)
        assert await _next(ws) == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"purchaseRequestUpdated": None}},
        }
        assert await _next(ws) == {"id": "1", "type": "complete"}
        await ws.close()
    ws = await _socket(live, people, "dmo.siparis")
    await _subscribe(ws, UPDATED, id=rid)
    refused = await _next(ws)
    assert refused["type"] in ("next", "error")
    errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    await ws.close()


async def test_the_inbox_is_followed_live(live: Live, people: People, catalogue: Catalogue) -> None:
    setup = await _setup(people)
    rid = await _submitted(people, catalogue, setup)
    ws = await _socket(live, people, "hastane.harcama")
    await _subscribe(ws, INBOX_UPDATED)
    assert (await _next(ws))["payload"]["data"]["approvalInboxUpdated"] == {"edges": []}
    officer = live.api(await people.sign_in("hastane.gerceklestirme"))
    await officer(APPROVE, id=rid)
    assert (await _next(ws))["payload"]["data"]["approvalInboxUpdated"] == {
        "edges": [{"node": {"id": rid, "awaitingRole": "SPENDING_AUTHORITY"}}]
    }
    await ws.close()


APPROVE_STEP = """
mutation($id: ID!, $step: Int) {
  purchaseRequestApprove(input: {requestId: $id, step: $step}) {
    purchaseRequest { status currentStep } errors { code field message }
  }
}"""


async def test_a_decision_names_the_step_it_was_made_on(
    people: People, catalogue: Catalogue
) -> None:
    setup = await _setup(people)
    request_id = await _submitted(people, catalogue, setup)
    officer = await people.as_("hastane.gerceklestirme")
    late = await officer(APPROVE_STEP, id=request_id, step=2)
    assert late["data"]["purchaseRequestApprove"] == {
        "purchaseRequest": None,
        "errors": [
            {
                "code": "CONFLICT",
                "field": "step",
                "message": "This request is now at step 1, not 2: reload it.",
            }
        ],
    }
    before = await _state()
    assert (await officer(APPROVE_STEP, id=request_id, step=2))["data"]["purchaseRequestApprove"][
        "errors"
    ][0]["code"] == "CONFLICT"
    assert await _state() == before
    done = await officer(APPROVE_STEP, id=request_id, step=1)
    assert done["data"]["purchaseRequestApprove"]["errors"] == []


async def test_open_subscriptions_follow_role_changes_and_sign_out(
    live: Live, people: People, catalogue: Catalogue
) -> None:
    setup = await _setup(people)
    first = await _submitted(people, catalogue, setup)
    officer = live.api(await people.sign_in("hastane.gerceklestirme"))
    await officer(APPROVE, id=first)
    ws = await _socket(live, people, "hastane.harcama")
    await _subscribe(ws, INBOX_UPDATED)
    waiting = {"edges": [{"node": {"id": first, "awaitingRole": "SPENDING_AUTHORITY"}}]}
    assert (await _next(ws))["payload"]["data"]["approvalInboxUpdated"] == waiting
    # Demoted while subscribed: the next update no longer shows what the role would see.
    authority = await User.get(username="hastane.harcama")
    await UserRole.filter(user=authority).update(role=Role.BUYER)
    second = await _submitted(people, catalogue, setup, glass_cleaner=40)
    await officer(APPROVE, id=second)
    assert (await _next(ws))["payload"]["data"]["approvalInboxUpdated"] == {"edges": []}
    # Signed out while subscribed: the next update ends the subscription, unauthenticated.
    await Session.filter(user=authority).update(revoked_at=people.clock())
    third = await _submitted(people, catalogue, setup, glass_cleaner=50)
    await officer(APPROVE, id=third)
    ended = await _next(ws)
    errors = ended["payload"]["errors"] if ended["type"] == "next" else ended["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
    await ws.close()


async def test_a_request_is_charged_to_this_years_appropriation(
    people: People, catalogue: Catalogue
) -> None:
    setup = await _setup(people)
    request = await _create(people, catalogue, setup)
    this_year = today_in_turkiye(people.clock()).year
    for year in (this_year - 1, this_year + 1):
        await BudgetLine.filter(id=setup.line_id).update(fiscal_year=year)
        before = await _state()
        body = await (await people.as_("hastane.alici"))(SUBMIT, id=request["id"])
        assert body["data"]["purchaseRequestSubmit"]["errors"] == [
            {
                "code": "BAD_USER_INPUT",
                "field": "budgetLineId",
                "message": f"This budget line is for fiscal year {year}: a request is charged "
                f"to the current year's appropriation ({this_year}).",
            }
        ]
        assert await _state() == before
    await BudgetLine.filter(id=setup.line_id).update(fiscal_year=this_year)
    body = await (await people.as_("hastane.alici"))(SUBMIT, id=request["id"])
    assert body["data"]["purchaseRequestSubmit"]["errors"] == []


async def test_the_final_approval_charges_this_years_appropriation_only(
    people: People, catalogue: Catalogue
) -> None:
    setup = await _setup(people)
    rid = await _submitted(people, catalogue, setup)
    assert (await (await people.as_("hastane.gerceklestirme"))(APPROVE, id=rid))["data"][
        "purchaseRequestApprove"
    ]["errors"] == []
    this_year = today_in_turkiye(people.clock()).year
    # The year turned between submission and the final approval.
    await BudgetLine.filter(id=setup.line_id).update(fiscal_year=this_year - 1)
    before = await _state()
    body = await (await people.as_("hastane.harcama"))(APPROVE, id=rid)
    assert body["data"]["purchaseRequestApprove"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "budgetLineId",
            "message": f"This budget line is for fiscal year {this_year - 1}: a request is "
            f"charged to the current year's appropriation ({this_year}).",
        }
    ]
    assert await _state() == before
