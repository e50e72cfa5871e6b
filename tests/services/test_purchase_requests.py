"""Purchase requests through the services: made from the cart, edited, submitted (prices and
policy frozen), and every allowed and forbidden transition of the state machine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from db.models import (
    ApprovalAction,
    ApprovalPolicy,
    AuditEvent,
    BudgetLine,
    CartLine,
    Product,
    PurchaseRequest,
    PurchaseRequestLine,
)
from domain.accounts import AuditAction, Role
from domain.approvals import Decision
from domain.purchase_requests import RequestStatus
from services import decisions, purchase_requests
from services.purchase_requests import LineChange, RequestChanges
from subscriptions.memory import MemoryEventBus
from tests.services.purchasing import (
    NOW,
    World,
    build,
    draft_for,
    fill_cart,
    refused,
    snapshot,
    unknown,
)

S = RequestStatus


@pytest.fixture
async def world(db: str) -> World:
    return await build()


async def new_request(world: World, items: dict[str, int] | None = None) -> PurchaseRequest:
    buyer = world.hastane["alici"]
    await fill_cart(buyer, {world.products[k]: q for k, q in (items or {"cleaner": 36}).items()})
    return await purchase_requests.create(draft_for(world.hastane), actor=buyer, now=NOW)


# --- Create ----------------------------------------------------------------------------------


async def test_create_copies_the_cart_at_live_prices_and_empties_it(world: World) -> None:
    buyer = world.hastane["alici"]
    cleaner, bread = world.products["cleaner"], world.products["bread"]
    await fill_cart(buyer, {cleaner: 36, bread: 3})
    # The catalogue price moved after the line was added: the request takes the live price.
    await Product.filter(id=bread.id).update(price_net=Decimal("12.50"), price_kurus=1250)

    request = await purchase_requests.create(draft_for(world.hastane), actor=buyer, now=NOW)

    assert (request.status, request.version, request.round, request.current_step) == (
        S.DRAFT,
        0,
        0,
        0,
    )
    assert request.justification == "Servis mutfakları için temizlik malzemesi."
    assert request.requested_delivery_date == date(2026, 3, 20)
    assert request.requester_id == buyer.user_id  # type: ignore[attr-defined]
    assert request.awaiting_role is None
    # 36 x 1.66 at 20 %: 59.76 + 11.95 = 71.71; 3 x 12.50 at 1 %: 37.50 + 0.38 = 37.88.
    assert (request.net, request.kdv, request.gross) == (
        Decimal("97.26"),
        Decimal("12.33"),
        Decimal("109.59"),
    )
    lines = await PurchaseRequestLine.filter(request_id=request.id).order_by("position")
    assert [
        (line.position, line.product_id, line.quantity, line.unit_price, line.kdv_rate)  # type: ignore[attr-defined]
        for line in lines
    ] == [
        (0, cleaner.id, 36, Decimal("1.66"), 20),
        (1, bread.id, 3, Decimal("12.50"), 1),
    ]
    assert [(line.net, line.kdv, line.gross) for line in lines] == [
        (Decimal("59.76"), Decimal("11.95"), Decimal("71.71")),
        (Decimal("37.50"), Decimal("0.38"), Decimal("37.88")),
    ]
    assert await CartLine.all().count() == 0
    events = await AuditEvent.filter(subject_id=str(request.id)).values_list(
        "action", "actor_id", "institution_id"
    )
    assert events == [
        (AuditAction.PURCHASE_REQUEST_CREATED, buyer.user_id, world.hastane.institution.id)
    ]


async def test_an_empty_cart_makes_no_request(world: World) -> None:
    before = await snapshot()
    assert await refused(
        purchase_requests.create(draft_for(world.hastane), actor=world.hastane["alici"], now=NOW)
    ) == ("CART_EMPTY", None, "Your cart is empty: add products to it first.")
    assert await snapshot() == before


NO_LINE = "No such budget line."


async def test_create_refuses_references_and_texts(world: World) -> None:
    buyer, own, other = world.hastane["alici"], world.hastane, world.belediye
    await fill_cart(buyer, {world.products["cleaner"]: 1})
    before = await snapshot()
    cases = [
        ({"unit_id": str(other.unit.id)}, ("NOT_FOUND", "unitId", "No such spending unit.")),
        ({"unit_id": unknown()}, ("NOT_FOUND", "unitId", "No such spending unit.")),
        ({"budget_line_id": str(other.line.id)}, ("NOT_FOUND", "budgetLineId", NO_LINE)),
        ({"budget_line_id": unknown()}, ("NOT_FOUND", "budgetLineId", NO_LINE)),
        (
            {"unit_id": str(own.other_unit.id)},
            (
                "BAD_USER_INPUT",
                "budgetLineId",
                "This budget line belongs to another spending unit.",
            ),
        ),
        ({"address_id": str(other.address.id)}, ("NOT_FOUND", "addressId", "No such address.")),
        ({"address_id": unknown()}, ("NOT_FOUND", "addressId", "No such address.")),
        (
            {"justification": "   "},
            ("BAD_USER_INPUT", "justification", "A justification is required."),
        ),
        (
            {"justification": "x" * 2001},
            ("BAD_USER_INPUT", "justification", "A justification has at most 2,000 characters."),
        ),
        (
            {"requested_delivery_date": date(2026, 3, 1)},
            (
                "BAD_USER_INPUT",
                "requestedDeliveryDate",
                "A requested delivery date cannot be in the past.",
            ),
        ),
    ]  # fmt: skip
    for overrides, expected in cases:
        call = purchase_requests.create(draft_for(own, **overrides), actor=buyer, now=NOW)
        assert await refused(call) == expected, overrides
    assert await snapshot() == before


async def test_a_justification_of_2000_characters_and_no_date_are_fine(world: World) -> None:
    buyer = world.hastane["alici"]
    await fill_cart(buyer, {world.products["cleaner"]: 1})
    request = await purchase_requests.create(
        draft_for(world.hastane, justification="ç" * 2000, requested_delivery_date=None),
        actor=buyer,
        now=NOW,
    )
    assert (len(request.justification), request.requested_delivery_date) == (2000, None)


# --- Update ------------------------------------------------------------------------------------


async def _line_ids(request: PurchaseRequest) -> list[str]:
    rows = await PurchaseRequestLine.filter(request_id=request.id).order_by("position")
    return [str(row.id) for row in rows]


async def test_update_changes_fields_and_quantities_at_live_prices(world: World) -> None:
    request = await new_request(world, {"cleaner": 36, "paper": 2, "bread": 1})
    cleaner, paper, _ = await _line_ids(request)
    await Product.filter(id=world.products["paper"].id).update(
        price_net=Decimal("100.00"), price_kurus=10000
    )
    changes = RequestChanges(
        justification="Ameliyathane için.",
        requested_delivery_date=None,
        set_requested_date=True,
        lines=(LineChange(cleaner, 10), LineChange(paper, 0)),
    )
    updated = await purchase_requests.update(
        str(request.id), changes, actor=world.hastane["alici"], now=NOW
    )
    assert (updated.status, updated.version) == (S.DRAFT, 1)
    assert (updated.justification, updated.requested_delivery_date) == ("Ameliyathane için.", None)
    rows = await PurchaseRequestLine.filter(request_id=request.id).order_by("position")
    assert [(row.position, row.quantity, row.unit_price, row.gross) for row in rows] == [
        (0, 10, Decimal("1.66"), Decimal("19.92")),
        (1, 1, Decimal("10.00"), Decimal("10.10")),
    ]
    assert updated.gross == Decimal("30.02")
    actions = await AuditEvent.filter(subject_id=str(request.id)).values_list("action", flat=True)
    assert actions == [AuditAction.PURCHASE_REQUEST_CREATED, AuditAction.PURCHASE_REQUEST_UPDATED]


async def test_update_refusals_change_nothing(world: World) -> None:
    request = await new_request(world, {"cleaner": 36, "paper": 2})
    cleaner, paper = await _line_ids(request)
    buyer, rid = world.hastane["alici"], str(request.id)
    before = await snapshot()
    cases = [
        (
            RequestChanges(lines=(LineChange(unknown(), 1),)),
            ("NOT_FOUND", "lines.0.lineId", "No such line in this request."),
        ),
        (
            RequestChanges(lines=(LineChange(cleaner, 2), LineChange(cleaner, 3))),
            ("BAD_USER_INPUT", "lines.1.lineId", "This line is listed twice."),
        ),
        (
            RequestChanges(lines=(LineChange(cleaner, 100_001),)),
            ("BAD_USER_INPUT", "lines.0.quantity", "A quantity is at most 100,000."),
        ),
        (
            RequestChanges(lines=(LineChange(paper, -1),)),
            ("BAD_USER_INPUT", "lines.0.quantity", "A quantity is at least 1."),
        ),
        (
            RequestChanges(lines=(LineChange(cleaner, 0), LineChange(paper, 0))),
            (
                "BAD_USER_INPUT",
                "lines",
                "A request keeps at least one line: cancel the request instead.",
            ),
        ),
        (
            RequestChanges(budget_line_id=str(world.belediye.line.id)),
            ("NOT_FOUND", "budgetLineId", "No such budget line."),
        ),
        (
            RequestChanges(unit_id=str(world.hastane.other_unit.id)),
            (
                "BAD_USER_INPUT",
                "budgetLineId",
                "This budget line belongs to another spending unit.",
            ),
        ),
        (
            RequestChanges(justification=""),
            ("BAD_USER_INPUT", "justification", "A justification is required."),
        ),
    ]
    for changes, expected in cases:
        assert await refused(purchase_requests.update(rid, changes, actor=buyer, now=NOW)) == (
            expected
        ), changes
    # Another buyer of the same institution sees the request but may not change it; another
    # institution's buyer gets what an unknown id gives.
    assert await refused(
        purchase_requests.update(rid, RequestChanges(), actor=world.hastane["alici2"], now=NOW)
    ) == (
        "FORBIDDEN",
        "requestId",
        "Only the person who made this request can change, submit or cancel it.",
    )
    not_found = ("NOT_FOUND", "requestId", "No such purchase request.")
    for actor, request_id in ((world.belediye["alici"], rid), (buyer, unknown())):
        call = purchase_requests.update(request_id, RequestChanges(), actor=actor, now=NOW)
        assert await refused(call) == not_found
    assert await snapshot() == before


async def test_a_unit_and_its_budget_line_change_together(world: World) -> None:
    request = await new_request(world)
    own = world.hastane
    line = await BudgetLine.create(
        institution=own.institution,
        unit=own.other_unit,
        fiscal_year=2026,
        economic_code="03.2.1.02",
        name="Bilgi işlem",
        appropriation_kurus=100,
        available_kurus=100,
        created_at=NOW,
    )
    changes = RequestChanges(unit_id=str(own.other_unit.id), budget_line_id=str(line.id))
    updated = await purchase_requests.update(str(request.id), changes, actor=own["alici"], now=NOW)
    assert (updated.unit_id, updated.budget_line_id) == (own.other_unit.id, line.id)  # type: ignore[attr-defined]


# --- Submit ------------------------------------------------------------------------------------


async def test_submit_freezes_prices_and_the_default_policy(world: World) -> None:
    request = await new_request(world, {"cleaner": 36})
    await Product.filter(id=world.products["cleaner"].id).update(
        price_net=Decimal("1.70"), price_kurus=170
    )
    bus = MemoryEventBus()
    await bus.connect()
    channel = bus.channels.channel("purchase_requests", request.id)
    inbox = bus.channels.channel("approvals", world.hastane.institution.id)
    async with bus.subscribe(channel) as updates, bus.subscribe(inbox) as inbox_updates:
        submitted = await purchase_requests.submit(
            str(request.id), actor=world.hastane["alici"], now=NOW, bus=bus
        )
        event = await anext(updates)
        inbox_event = await anext(inbox_updates)
    await bus.disconnect()
    assert (submitted.status, submitted.round, submitted.current_step, submitted.version) == (
        S.IN_APPROVAL,
        1,
        0,
        2,
    )
    assert submitted.awaiting_role == Role.REALISATION_OFFICER
    assert submitted.submitted_at == NOW
    # 36 x 1.70 = 61.20, KDV 12.24: the price at submission, frozen from now on.
    assert (submitted.net, submitted.kdv, submitted.gross) == (
        Decimal("61.20"),
        Decimal("12.24"),
        Decimal("73.44"),
    )
    assert submitted.policy == [
        {"role": "REALISATION_OFFICER", "min_gross": None},
        {"role": "SPENDING_AUTHORITY", "min_gross": None},
    ]
    [line] = await PurchaseRequestLine.filter(request_id=request.id)
    assert (line.unit_price, line.gross) == (Decimal("1.70"), Decimal("73.44"))
    actions = await AuditEvent.filter(subject_id=str(request.id)).values_list("action", flat=True)
    assert actions[1:] == [
        AuditAction.PURCHASE_REQUEST_SUBMITTED,
        AuditAction.PURCHASE_REQUEST_IN_APPROVAL,
    ]
    expected = {
        "request_id": str(request.id),
        "status": "IN_APPROVAL",
        "round": 1,
        "current_step": 0,
        "awaiting_role": "REALISATION_OFFICER",
        "version": 2,
    }
    assert (event.type, event.data) == ("PurchaseRequestUpdated", expected)  # type: ignore[union-attr]
    assert (inbox_event.type, inbox_event.data) == ("ApprovalInboxChanged", expected)  # type: ignore[union-attr]
    # A later price change no longer reaches the request.
    await Product.filter(id=world.products["cleaner"].id).update(price_net=Decimal("9.99"))
    assert (await PurchaseRequest.get(id=request.id)).gross == Decimal("73.44")


@pytest.mark.parametrize(
    ("unit_steps", "institution_steps", "gross_items", "expected"),
    [
        # The institution's chain: the realisation step only from 1,000 TRY on.
        (
            None,
            [("REALISATION_OFFICER", "1000.00"), ("SPENDING_AUTHORITY", None)],
            {"cleaner": 36},
            [("SPENDING_AUTHORITY", None)],
        ),
        (
            None,
            [("REALISATION_OFFICER", "1000.00"), ("SPENDING_AUTHORITY", None)],
            {"paper": 10},  # 1,440.00 TRY gross
            [("REALISATION_OFFICER", "1000.00"), ("SPENDING_AUTHORITY", None)],
        ),
        # The unit's own chain wins over the institution's.
        (
            [("SPENDING_AUTHORITY", None)],
            [("REALISATION_OFFICER", None), ("SPENDING_AUTHORITY", None)],
            {"paper": 10},
            [("SPENDING_AUTHORITY", None)],
        ),
    ],
)
async def test_submit_freezes_the_policy_that_applies(
    world: World,
    unit_steps: list[tuple[str, str | None]] | None,
    institution_steps: list[tuple[str, str | None]],
    gross_items: dict[str, int],
    expected: list[tuple[str, str | None]],
) -> None:
    own = world.hastane

    def as_json(steps: list[tuple[str, str | None]]) -> list[dict[str, Any]]:
        return [{"role": role, "min_gross": amount} for role, amount in steps]

    await ApprovalPolicy.create(
        institution=own.institution, unit=None, steps=as_json(institution_steps), updated_at=NOW
    )
    if unit_steps is not None:
        await ApprovalPolicy.create(
            institution=own.institution, unit=own.unit, steps=as_json(unit_steps), updated_at=NOW
        )
    request = await new_request(world, gross_items)
    submitted = await purchase_requests.submit(str(request.id), actor=own["alici"], now=NOW)
    assert submitted.policy == as_json(expected)
    assert submitted.awaiting_role == Role(expected[0][0])


async def test_submit_refuses_a_line_whose_product_left_the_catalogue(world: World) -> None:
    request = await new_request(world, {"cleaner": 1, "paper": 1})
    await Product.filter(id=world.products["paper"].id).update(active=False)
    before = await snapshot()
    assert await refused(
        purchase_requests.submit(str(request.id), actor=world.hastane["alici"], now=NOW)
    ) == (
        "BAD_USER_INPUT",
        None,
        "Fotokopi Kağıdı A4 is no longer in the catalogue: remove its line first.",
    )
    assert await snapshot() == before


# --- The state machine, through the services ---------------------------------------------------

Reach = Callable[[World], Awaitable[PurchaseRequest]]


async def _submitted(world: World) -> PurchaseRequest:
    request = await new_request(world)
    return await purchase_requests.submit(str(request.id), actor=world.hastane["alici"], now=NOW)


async def _decided(world: World, decision: Decision, *, both: bool = False) -> PurchaseRequest:
    request = await _submitted(world)
    rid = str(request.id)
    note = "Gerekçe yetersiz." if decision != Decision.APPROVE else None
    await decisions.decide(
        rid,
        Decision.APPROVE if both else decision,
        note,
        actor=world.hastane["gerceklestirme"],
        now=NOW,
    )
    if both:
        await decisions.decide(rid, decision, note, actor=world.hastane["harcama"], now=NOW)
    return await PurchaseRequest.get(id=request.id)


async def _cancelled(world: World) -> PurchaseRequest:
    request = await new_request(world)
    return await purchase_requests.cancel(str(request.id), actor=world.hastane["alici"], now=NOW)


REACH: dict[RequestStatus, Reach] = {
    S.DRAFT: new_request,
    S.IN_APPROVAL: _submitted,
    S.RETURNED: lambda w: _decided(w, Decision.RETURN),
    S.REJECTED: lambda w: _decided(w, Decision.REJECT),
    S.ORDERED: lambda w: _decided(w, Decision.APPROVE, both=True),
    S.CANCELLED: _cancelled,
}

OPERATIONS = ["update", "submit", "cancel", "approve", "reject", "return"]
TARGETS = {
    "submit": S.SUBMITTED,
    "cancel": S.CANCELLED,
    "approve": S.APPROVED,
    "reject": S.REJECTED,
    "return": S.RETURNED,
}
# What each operation leads to from each state; missing: refused with INVALID_TRANSITION.
ALLOWED: dict[tuple[RequestStatus, str], RequestStatus] = {
    (S.DRAFT, "update"): S.DRAFT,
    (S.DRAFT, "submit"): S.IN_APPROVAL,
    (S.DRAFT, "cancel"): S.CANCELLED,
    (S.IN_APPROVAL, "cancel"): S.CANCELLED,
    (S.IN_APPROVAL, "approve"): S.IN_APPROVAL,  # the first of two steps
    (S.IN_APPROVAL, "reject"): S.REJECTED,
    (S.IN_APPROVAL, "return"): S.RETURNED,
    (S.RETURNED, "update"): S.RETURNED,
    (S.RETURNED, "submit"): S.IN_APPROVAL,
    (S.RETURNED, "cancel"): S.CANCELLED,
}


def _operate(world: World, operation: str, request: PurchaseRequest) -> Awaitable[Any]:
    rid, own = str(request.id), world.hastane
    if operation == "update":
        return purchase_requests.update(
            rid, RequestChanges(justification="Yeni gerekçe."), actor=own["alici"], now=NOW
        )
    if operation == "submit":
        return purchase_requests.submit(rid, actor=own["alici"], now=NOW)
    if operation == "cancel":
        return purchase_requests.cancel(rid, actor=own["alici"], now=NOW)
    decision = {"approve": Decision.APPROVE, "reject": Decision.REJECT}.get(
        operation, Decision.RETURN
    )
    return decisions.decide(rid, decision, "Not.", actor=own["gerceklestirme"], now=NOW)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("state", list(REACH))
async def test_every_transition_is_allowed_or_refused(
    world: World, state: RequestStatus, operation: str
) -> None:
    request = await REACH[state](world)
    assert request.status == state
    expected = ALLOWED.get((state, operation))
    if expected is None:
        before = await snapshot()
        code, field, message = await refused(_operate(world, operation, request))
        assert (code, field) == ("INVALID_TRANSITION", None)
        if operation == "update":
            assert message == (
                f"A request in state {state} cannot be changed: only DRAFT and RETURNED requests"
                " can."
            )
        else:
            assert message == f"A request in state {state} cannot become {TARGETS[operation]}."
        assert await snapshot() == before
        return
    await _operate(world, operation, request)
    after = await PurchaseRequest.get(id=request.id)
    assert after.status == expected
    awaiting = {"approve": Role.SPENDING_AUTHORITY}.get(operation, Role.REALISATION_OFFICER)
    assert after.awaiting_role == (awaiting if expected == S.IN_APPROVAL else None)


async def test_a_returned_request_is_edited_and_resubmitted_in_a_new_round(world: World) -> None:
    returned = await _decided(world, Decision.RETURN)
    buyer, rid = world.hastane["alici"], str(returned.id)
    [line] = await _line_ids(returned)
    await purchase_requests.update(
        rid, RequestChanges(lines=(LineChange(line, 100),)), actor=buyer, now=NOW
    )
    again = await purchase_requests.submit(rid, actor=buyer, now=NOW + timedelta(hours=1))
    assert (again.status, again.round, again.current_step, again.gross) == (
        S.IN_APPROVAL,
        2,
        0,
        Decimal("199.20"),
    )
    assert again.submitted_at == NOW + timedelta(hours=1)
    # The officer who returned it decides again in the new round.
    decided = await decisions.decide(
        rid, Decision.APPROVE, None, actor=world.hastane["gerceklestirme"], now=NOW
    )
    assert (decided.request.current_step, decided.request.awaiting_role) == (
        1,
        Role.SPENDING_AUTHORITY,
    )
    rounds = (
        await ApprovalAction.filter(request_id=returned.id)
        .order_by("round")
        .values_list("round", "step", "decision")
    )
    assert rounds == [(1, 0, Decision.RETURN), (2, 0, Decision.APPROVE)]


async def test_only_the_requester_submits_or_cancels(world: World) -> None:
    request = await new_request(world)
    before = await snapshot()
    forbidden = (
        "FORBIDDEN",
        "requestId",
        "Only the person who made this request can change, submit or cancel it.",
    )
    for call in (purchase_requests.submit, purchase_requests.cancel):
        assert await refused(call(str(request.id), actor=world.hastane["alici2"], now=NOW)) == (
            forbidden
        )
        assert await refused(call(str(request.id), actor=world.belediye["alici"], now=NOW)) == (
            "NOT_FOUND",
            "requestId",
            "No such purchase request.",
        )
    assert await snapshot() == before


async def test_requests_are_listed_newest_first_per_institution(world: World) -> None:
    buyer = world.hastane["alici"]
    made = []
    for minutes in range(3):
        await fill_cart(buyer, {world.products["cleaner"]: 1})
        made.append(
            await purchase_requests.create(
                draft_for(world.hastane), actor=buyer, now=NOW + timedelta(minutes=minutes)
            )
        )
    await purchase_requests.submit(str(made[0].id), actor=buyer, now=NOW)
    first = await purchase_requests.list_requests(
        actor=world.hastane["admin"], status=None, after=None, size=2
    )
    assert [r.id for r in first.rows] == [made[2].id, made[1].id]
    assert first.has_next
    last = first.rows[-1]
    second = await purchase_requests.list_requests(
        actor=world.hastane["admin"], status=None, after=(last.created_at, str(last.id)), size=2
    )
    assert ([r.id for r in second.rows], second.has_next) == ([made[0].id], False)
    waiting = await purchase_requests.list_requests(
        actor=buyer, status=S.IN_APPROVAL, after=None, size=20
    )
    assert [r.id for r in waiting.rows] == [made[0].id]
    for outsider in (world.belediye["admin"], world.desk):
        page = await purchase_requests.list_requests(
            actor=outsider, status=None, after=None, size=20
        )
        assert page.rows == []
