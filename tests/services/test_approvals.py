"""Approvals through the services: who may decide a step, separation of duties, delegation
(vekalet), policies, the inbox, and a final approval the budget cannot cover."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from db.models import ApprovalAction, ApprovalPolicy, AuditEvent, BudgetLine, UserRole
from domain.accounts import Actor, AuditAction, Role
from domain.approvals import ApprovalStep, Decision
from domain.purchase_requests import RequestStatus
from services import approvals, decisions, purchase_requests
from services.approvals import PolicyScope
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
TODAY = date(2026, 3, 2)  # NOW in Türkiye


@pytest.fixture
async def world(db: str) -> World:
    return await build()


async def submitted(
    world: World, by: str = "alici", items: dict[str, int] | None = None, minute: int = 0
) -> str:
    buyer = world.hastane[by]
    await fill_cart(buyer, {world.products[k]: q for k, q in (items or {"cleaner": 36}).items()})
    made_at = NOW + timedelta(minutes=minute)  # lists are newest first
    request = await purchase_requests.create(draft_for(world.hastane), actor=buyer, now=made_at)
    await purchase_requests.submit(str(request.id), actor=buyer, now=NOW)
    return str(request.id)


def approve(request_id: str, actor: Actor, note: str | None = None) -> Any:
    return decisions.decide(request_id, Decision.APPROVE, note, actor=actor, now=NOW)


async def delegate(world: World, frm: str, to: str, role: Role, **dates: date) -> None:
    await approvals.create_delegation(
        str(world.hastane[to].user_id),
        role,
        dates.get("starts_on", TODAY),
        dates.get("ends_on", TODAY + timedelta(days=7)),
        actor=world.hastane[frm],
        now=NOW,
    )


async def actions(request_id: str) -> list[tuple[Any, ...]]:
    return list(
        await ApprovalAction.filter(request_id=request_id)
        .order_by("round", "step")
        .values_list("round", "step", "role", "decision", "note", "actor_id", "on_behalf_of_id")
    )


SOD_OWN = ("SEPARATION_OF_DUTIES", None, "You cannot approve your own request.")
SOD_TWICE = (
    "SEPARATION_OF_DUTIES",
    None,
    "You have already approved a step of this request; another person must approve this one.",
)


async def test_the_default_chain_records_each_decision(world: World) -> None:
    rid = await submitted(world)
    own = world.hastane
    first = await approve(rid, own["gerceklestirme"], "  Uygun.  ")
    assert (first.request.status, first.request.current_step, first.order) == (
        S.IN_APPROVAL,
        1,
        None,
    )
    assert first.request.awaiting_role == Role.SPENDING_AUTHORITY
    final = await approve(rid, own["harcama"])
    assert final.request.status == S.ORDERED
    assert final.order is not None
    officer, authority = own["gerceklestirme"].user_id, own["harcama"].user_id
    assert await actions(rid) == [
        (1, 0, Role.REALISATION_OFFICER, Decision.APPROVE, "Uygun.", officer, None),
        (1, 1, Role.SPENDING_AUTHORITY, Decision.APPROVE, "", authority, None),
    ]
    trail = (
        await AuditEvent.filter(subject_id=rid)
        .order_by("occurred_at")
        .values_list("action", "details")
    )
    assert [action for action, _ in trail] == [
        AuditAction.PURCHASE_REQUEST_CREATED,
        AuditAction.PURCHASE_REQUEST_SUBMITTED,
        AuditAction.PURCHASE_REQUEST_IN_APPROVAL,
        AuditAction.APPROVAL_STEP_APPROVED,
        AuditAction.PURCHASE_REQUEST_APPROVED,
        AuditAction.PURCHASE_REQUEST_ORDERED,
    ]
    assert trail[3][1] == {
        "status": "IN_APPROVAL",
        "version": 3,
        "round": 1,
        "step": 0,
        "role": "REALISATION_OFFICER",
        "on_behalf_of": None,
        "note": "Uygun.",
    }


async def test_an_approver_must_hold_the_steps_role(world: World) -> None:
    rid = await submitted(world)
    before = await snapshot()
    for name in ("harcama", "muayene", "admin", "alici2"):
        assert await refused(approve(rid, world.hastane[name])) == (
            "FORBIDDEN",
            "requestId",
            "Step 1 of this request awaits a REALISATION_OFFICER: you hold neither that role"
            " nor a delegation for it.",
        ), name
    # Another institution's officer: the request does not exist for them.
    assert await refused(approve(rid, world.belediye["gerceklestirme"])) == (
        "NOT_FOUND",
        "requestId",
        "No such purchase request.",
    )
    assert await snapshot() == before


async def test_nobody_approves_their_own_request(world: World) -> None:
    rid = await submitted(world, by="ikisi")
    before = await snapshot()
    assert await refused(approve(rid, world.hastane["ikisi"])) == SOD_OWN
    assert (
        await refused(
            decisions.decide(
                rid, Decision.REJECT, "Vazgeçtim.", actor=world.hastane["ikisi"], now=NOW
            )
        )
        == SOD_OWN
    )
    assert await snapshot() == before


async def test_one_person_never_approves_two_steps(world: World) -> None:
    rid = await submitted(world)
    own = world.hastane
    await approve(rid, own["ikisi"])
    before = await snapshot()
    assert await refused(approve(rid, own["ikisi"])) == SOD_TWICE
    assert await snapshot() == before
    # Rejecting is not approving twice: the same person may still stop the request.
    decided = await decisions.decide(
        rid, Decision.RETURN, "Miktarı düşürün.", actor=own["ikisi"], now=NOW
    )
    assert decided.request.status == S.RETURNED


async def test_notes_are_required_to_reject_or_return(world: World) -> None:
    rid = await submitted(world)
    before = await snapshot()
    for decision, verb in ((Decision.REJECT, "reject"), (Decision.RETURN, "return")):
        for note in (None, "", "   "):
            call = decisions.decide(
                rid, decision, note, actor=world.hastane["gerceklestirme"], now=NOW
            )
            assert await refused(call) == (
                "BAD_USER_INPUT",
                "note",
                f"A note is required to {verb} a request.",
            )
    too_long = approve(rid, world.hastane["gerceklestirme"], "x" * 1001)
    assert await refused(too_long) == (
        "BAD_USER_INPUT",
        "note",
        "A note has at most 1,000 characters.",
    )
    assert await snapshot() == before


# --- Delegation ------------------------------------------------------------------------------


async def test_a_stand_in_acts_on_behalf_of_the_delegator(world: World) -> None:
    own = world.hastane
    await delegate(world, "harcama", "muayene", Role.SPENDING_AUTHORITY)
    rid = await submitted(world)
    await approve(rid, own["gerceklestirme"])
    final = await approve(rid, own["muayene"])
    assert final.request.status == S.ORDERED
    assert (await actions(rid))[1] == (
        1, 1, Role.SPENDING_AUTHORITY, Decision.APPROVE, "", own["muayene"].user_id,
        own["harcama"].user_id,
    )  # fmt: skip
    approved = await AuditEvent.get(subject_id=rid, action=AuditAction.PURCHASE_REQUEST_APPROVED)
    assert approved.actor_id == own["muayene"].user_id
    assert approved.details["on_behalf_of"] == str(own["harcama"].user_id)


@pytest.mark.parametrize(
    ("starts", "ends", "now_offset"),
    [
        (1, 5, 0),  # starts tomorrow
        (0, 2, 3),  # ended yesterday
    ],
)
async def test_a_delegation_works_only_within_its_dates(
    world: World, starts: int, ends: int, now_offset: int
) -> None:
    own = world.hastane
    await delegate(
        world,
        "gerceklestirme",
        "muayene",
        Role.REALISATION_OFFICER,
        starts_on=TODAY + timedelta(days=starts),
        ends_on=TODAY + timedelta(days=ends),
    )
    rid = await submitted(world)
    later = NOW + timedelta(days=now_offset)
    call = decisions.decide(rid, Decision.APPROVE, None, actor=own["muayene"], now=later)
    assert (await refused(call))[0] == "FORBIDDEN"
    # Its last day still counts (both days included), in Türkiye's calendar.
    last_day = NOW + timedelta(days=ends)
    decided = await decisions.decide(
        rid, Decision.APPROVE, None, actor=own["muayene"], now=last_day
    )
    assert decided.request.current_step == 1


async def test_a_delegation_ends_when_the_delegator_loses_the_role(world: World) -> None:
    own = world.hastane
    await delegate(world, "gerceklestirme", "muayene", Role.REALISATION_OFFICER)
    rid = await submitted(world)
    await UserRole.filter(user_id=own["gerceklestirme"].user_id).delete()
    assert (await refused(approve(rid, own["muayene"])))[0] == "FORBIDDEN"


async def test_a_delegation_cannot_get_around_separation_of_duties(world: World) -> None:
    own = world.hastane
    # The officer who approved step 1 stands in for the spending authority at step 2.
    rid = await submitted(world)
    await approve(rid, own["gerceklestirme"])
    await delegate(world, "harcama", "gerceklestirme", Role.SPENDING_AUTHORITY)
    assert await refused(approve(rid, own["gerceklestirme"])) == SOD_TWICE
    # A stand-in for the requester.
    own_request = await submitted(world, by="ikisi")
    await delegate(world, "ikisi", "muayene", Role.REALISATION_OFFICER)
    assert await refused(approve(own_request, own["muayene"])) == (
        "SEPARATION_OF_DUTIES",
        None,
        "You cannot approve a request on behalf of the person who made it.",
    )
    # A stand-in for someone who approved an earlier step.
    third = await submitted(world)
    await approve(third, own["ikisi"])
    await delegate(world, "ikisi", "muhasebe", Role.SPENDING_AUTHORITY)
    assert await refused(approve(third, own["muhasebe"])) == (
        "SEPARATION_OF_DUTIES",
        None,
        "The person you stand in for has already approved a step of this request; another"
        " person must approve this one.",
    )
    # A second delegator who is free to approve makes the stand-in able to act after all.
    await delegate(world, "harcama2", "muhasebe", Role.SPENDING_AUTHORITY)
    final = await approve(third, own["muhasebe"])
    assert final.request.status == S.ORDERED
    assert (await actions(third))[1][6] == own["harcama2"].user_id


async def test_create_delegation_refusals(world: World) -> None:
    own, officer = world.hastane, world.hastane["gerceklestirme"]
    colleague = str(own["muayene"].user_id)
    before = await AuditEvent.all().count()
    week = TODAY + timedelta(days=7)
    role, past = Role.REALISATION_OFFICER, TODAY - timedelta(days=1)
    bad = "BAD_USER_INPUT"
    cases = [
        (
            (str(officer.user_id), role, TODAY, week),
            (bad, "delegateId", "You cannot delegate to yourself."),
        ),
        (
            (colleague, Role.INSPECTOR, TODAY, week),
            (
                bad,
                "role",
                "Only approval roles can be delegated: REALISATION_OFFICER or SPENDING_AUTHORITY.",
            ),
        ),
        (
            (colleague, Role.SPENDING_AUTHORITY, TODAY, week),
            (bad, "role", "You do not hold the role SPENDING_AUTHORITY."),
        ),
        (
            (colleague, role, past, week),
            (bad, "startsOn", "A delegation cannot start in the past."),
        ),
        (
            (colleague, role, week, TODAY),
            (bad, "endsOn", "A delegation cannot end before it starts."),
        ),
        (
            (colleague, role, TODAY, TODAY + timedelta(days=365)),
            (bad, "endsOn", "A delegation lasts at most 365 days."),
        ),
        (
            (str(world.belediye["muayene"].user_id), role, TODAY, week),
            ("NOT_FOUND", "delegateId", "No such user."),
        ),
        ((unknown(), role, TODAY, week), ("NOT_FOUND", "delegateId", "No such user.")),
    ]
    for args, expected in cases:
        call = approvals.create_delegation(*args, actor=officer, now=NOW)
        assert await refused(call) == expected, args
    assert await AuditEvent.all().count() == before
    made = await approvals.create_delegation(
        colleague,
        Role.REALISATION_OFFICER,
        TODAY,
        TODAY + timedelta(days=364),
        actor=officer,
        now=NOW,
    )
    assert (made.delegator_id, made.delegate_id, made.role) == (  # type: ignore[attr-defined]
        officer.user_id,
        own["muayene"].user_id,
        Role.REALISATION_OFFICER,
    )
    assert await AuditEvent.filter(action=AuditAction.DELEGATION_CREATED).count() == 1


# --- Policies --------------------------------------------------------------------------------


async def test_policies_per_institution_and_unit(world: World) -> None:
    own, admin = world.hastane, world.hastane["admin"]
    default = await approvals.get_policy(None, actor=admin)
    assert (default.scope, default.steps) == (
        PolicyScope.DEFAULT,
        (ApprovalStep(Role.REALISATION_OFFICER), ApprovalStep(Role.SPENDING_AUTHORITY)),
    )
    steps = [
        ApprovalStep(Role.REALISATION_OFFICER, Decimal("5000")),
        ApprovalStep(Role.SPENDING_AUTHORITY, Decimal("10")),
    ]
    # The last step applies to every amount.
    assert await refused(approvals.set_policy(None, steps, actor=admin, now=NOW)) == (
        "BAD_USER_INPUT",
        "steps.1.minGross",
        "The last step applies to every amount: leave out its minimum gross amount.",
    )
    steps[1] = ApprovalStep(Role.SPENDING_AUTHORITY)
    institution = await approvals.set_policy(None, steps, actor=admin, now=NOW)
    assert (institution.scope, institution.steps[0].min_gross) == (
        PolicyScope.INSTITUTION,
        Decimal("5000.00"),
    )
    again = await approvals.set_policy(
        None, [ApprovalStep(Role.SPENDING_AUTHORITY)], actor=admin, now=NOW
    )
    assert again.steps == (ApprovalStep(Role.SPENDING_AUTHORITY),)
    assert await ApprovalPolicy.all().count() == 1
    unit = await approvals.set_policy(str(own.unit.id), steps, actor=admin, now=NOW)
    assert (unit.scope, unit.unit_id) == (PolicyScope.UNIT, own.unit.id)
    # A unit without its own chain follows the institution's.
    other = await approvals.get_policy(str(own.other_unit.id), actor=own["alici"])
    assert (other.scope, other.steps) == (
        PolicyScope.INSTITUTION,
        (ApprovalStep(Role.SPENDING_AUTHORITY),),
    )
    assert (await approvals.get_policy(str(own.unit.id), actor=own["alici"])).scope == (
        PolicyScope.UNIT
    )
    not_found = ("NOT_FOUND", "unitId", "No such spending unit.")
    for unit_id in (str(world.belediye.unit.id), unknown()):
        assert await refused(approvals.get_policy(unit_id, actor=admin)) == not_found
        assert await refused(approvals.set_policy(unit_id, steps, actor=admin, now=NOW)) == (
            not_found
        )
    assert await AuditEvent.filter(action=AuditAction.APPROVAL_POLICY_SET).count() == 3
    # Requests already submitted keep their frozen chain.
    assert (await approvals.get_policy(None, actor=world.belediye["admin"])).scope == (
        PolicyScope.DEFAULT
    )


# --- Inbox -----------------------------------------------------------------------------------


async def _inbox(actor: Actor) -> list[str]:
    page = await approvals.inbox(actor=actor, now=NOW, after=None, size=100)
    return [str(row.id) for row in page.rows]


async def test_the_inbox_holds_what_awaits_the_caller(world: World) -> None:
    own = world.hastane
    first = await submitted(world)
    second = await submitted(world, by="ikisi", minute=1)
    await approve(second, own["gerceklestirme"])  # now awaiting a spending authority
    assert await _inbox(own["gerceklestirme"]) == [first]
    assert await _inbox(own["harcama"]) == [second]
    # Both roles: never their own request, never one where they approved a step already.
    assert await _inbox(own["ikisi"]) == [first]
    await approve(first, own["ikisi"])
    assert await _inbox(own["ikisi"]) == []
    assert await _inbox(own["harcama"]) == [second, first]
    # A stand-in sees the delegator's inbox too; others see nothing.
    assert await _inbox(own["muayene"]) == []
    await delegate(world, "harcama", "muayene", Role.SPENDING_AUTHORITY)
    assert await _inbox(own["muayene"]) == [second, first]
    for outsider in (world.belediye["harcama"], world.desk, own["alici"]):
        assert await _inbox(outsider) == []
    await approve(second, own["harcama"])
    assert await _inbox(own["harcama"]) == [first]


# --- The budget at final approval --------------------------------------------------------------


async def test_budget_exceeded_changes_nothing(world: World) -> None:
    own = world.hastane
    await BudgetLine.filter(id=own.line.id).update(
        appropriation_kurus=100_000, reserved_kurus=90_000, available_kurus=10_000
    )
    rid = await submitted(world, items={"paper": 1})  # 144.00 TRY gross
    await approve(rid, own["gerceklestirme"])
    before = await snapshot()
    assert await refused(approve(rid, own["harcama"])) == (
        "BUDGET_EXCEEDED",
        None,
        "The budget line has 100.00 TRY available; this request needs 144.00 TRY.",
    )
    assert await snapshot() == before
    line = await BudgetLine.get(id=own.line.id)
    assert (line.reserved_kurus, line.available_kurus) == (90_000, 10_000)
    # Once the line covers it, the same approval goes through.
    await BudgetLine.filter(id=own.line.id).update(available_kurus=14_400)
    assert (await approve(rid, own["harcama"])).request.status == S.ORDERED
    line = await BudgetLine.get(id=own.line.id)
    assert (line.reserved_kurus, line.available_kurus) == (104_400, 0)
