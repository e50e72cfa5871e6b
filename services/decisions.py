"""Approval decisions on purchase requests: approve, reject or return the current step, with
the approver's role, delegation (vekalet) and separation of duties checked. The final approval
reserves the budget and places the order in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db.models import ApprovalAction, BudgetLine, Order, PurchaseRequest
from domain import approvals as rules
from domain import budgets as budget_rules
from domain import purchase_requests as pr
from domain.accounts import Actor, AuditAction, Forbidden, Role
from domain.approvals import Decision
from domain.purchase_requests import RequestStatus
from services import approvals, budgets, orders, purchase_requests
from services.conflicts import ChangedMeanwhile
from services.local_time import today_in_turkiye
from subscriptions import EventBus

_S = RequestStatus


@dataclass(frozen=True)
class Decided:
    request: PurchaseRequest
    order: Order | None  # placed by the final approval


_TARGET = {
    Decision.APPROVE: _S.APPROVED,
    Decision.REJECT: _S.REJECTED,
    Decision.RETURN: _S.RETURNED,
}
_AUDIT = {
    Decision.REJECT: AuditAction.PURCHASE_REQUEST_REJECTED,
    Decision.RETURN: AuditAction.PURCHASE_REQUEST_RETURNED,
}


async def decide(
    request_id: str,
    decision: Decision,
    note: str | None,
    *,
    actor: Actor,
    now: datetime,
    bus: EventBus | None = None,
    expected_step: int | None = None,
) -> Decided:
    """Approve, reject or return the request at its current step. Approving the last step
    reserves the gross total on the budget line and places the order, all in one transaction:
    if the line cannot cover it, nothing changes (BUDGET_EXCEEDED)."""
    text = rules.check_note(decision, note)
    async with in_transaction() as conn:
        request = await purchase_requests.load(
            request_id, actor=actor, conn=conn, field="requestId"
        )
        pr.transition(request.status, _TARGET[decision])
        steps = approvals.steps_from_json(request.policy)
        step, role = request.current_step, steps[request.current_step].role
        if expected_step is not None and expected_step != step + 1:
            # The approver decided on the step they saw; the request has moved on since.
            raise ChangedMeanwhile(
                f"This request is now at step {step + 1}, not {expected_step}: reload it.",
                field="step",
            )
        on_behalf_of = await _acting_as(request, role, decision, actor, now=now, conn=conn)
        final = decision == Decision.APPROVE and step == len(steps) - 1
        if decision == Decision.APPROVE and not final:
            values: dict[str, Any] = {
                "current_step": step + 1,
                "awaiting_role": steps[step + 1].role,
            }
        else:
            values = {"status": _TARGET[decision], "awaiting_role": None}
        await purchase_requests.change_state(
            request, values, target=_TARGET[decision], now=now, conn=conn
        )
        await ApprovalAction.create(
            request_id=request.id,
            round=request.round,
            step=step,
            role=role,
            decision=decision,
            note=text,
            actor_id=actor.user_id,
            on_behalf_of_id=on_behalf_of,
            occurred_at=now,
            using_db=conn,
        )
        details = {
            "round": request.round,
            "step": step,
            "role": str(role),
            "on_behalf_of": str(on_behalf_of) if on_behalf_of else None,
            "note": text,
        }
        action = AuditAction.APPROVAL_STEP_APPROVED
        if final:
            action = AuditAction.PURCHASE_REQUEST_APPROVED
        elif decision != Decision.APPROVE:
            action = _AUDIT[decision]
        await purchase_requests.record(action, request, actor, now, conn, details)
        order = await _place_order(request, actor=actor, now=now, conn=conn) if final else None
    found = await purchase_requests.after_commit(
        request.id, bus=bus, now=now, inbox=True, order=order
    )
    return Decided(found, order)


async def _acting_as(
    request: PurchaseRequest,
    role: Role,
    decision: Decision,
    actor: Actor,
    *,
    now: datetime,
    conn: BaseDBAsyncClient,
) -> uuid.UUID | None:
    """Whom the actor acts for (None: in their own name), separation of duties checked."""
    today = today_in_turkiye(now)
    options = await approvals.acting_options(actor, role, today=today, conn=conn)
    if not options:
        raise Forbidden(
            f"Step {request.current_step + 1} of this request awaits a {role}: you hold neither"
            " that role nor a delegation for it.",
            field="requestId",
        )
    # Only approvals count as "approving two steps"; anyone may stop a request they could approve.
    earlier = (
        await approvals.earlier_approvers(request.id, request.round, conn=conn)
        if decision == Decision.APPROVE
        else set()
    )
    refusal: rules.SeparationOfDuties | None = None
    for on_behalf_of in options:
        try:
            rules.check_approver(
                approver_id=actor.user_id,
                requester_id=request.requester_id,  # type: ignore[attr-defined]
                earlier_approver_ids=earlier,
                on_behalf_of_id=on_behalf_of,
            )
        except rules.SeparationOfDuties as error:
            refusal = refusal or error
            continue
        return on_behalf_of
    assert refusal is not None
    raise refusal


async def _place_order(
    request: PurchaseRequest, *, actor: Actor, now: datetime, conn: BaseDBAsyncClient
) -> Order:
    """APPROVED -> ORDERED in the caller's transaction: the request, the order and its history
    first, then the rows other approvals contend for, in ADR 0007's lock order (the budget line,
    then stock in product-id order) and as late as possible, because concurrent approvals wait
    for those locks until this transaction commits."""
    pr.transition(_S.APPROVED, _S.ORDERED)
    await purchase_requests.change_state(
        request, {"status": _S.ORDERED}, target=_S.ORDERED, now=now, conn=conn
    )
    await purchase_requests.record(AuditAction.PURCHASE_REQUEST_ORDERED, request, actor, now, conn)
    placement = await orders.open_order(request, actor=actor, now=now, conn=conn)
    line_id = request.budget_line_id  # type: ignore[attr-defined]
    # Charged to this fiscal year only, even when the year turned since submission (Law 5018).
    this_year = today_in_turkiye(now).year
    if not await budgets.reserve(line_id, request.gross, conn=conn, fiscal_year=this_year):
        line = await BudgetLine.get(id=line_id, using_db=conn)
        budget_rules.check_chargeable(line.fiscal_year, today=today_in_turkiye(now))
        budget_rules.check_covers(request.gross, available=budgets.from_kurus(line.available_kurus))
        raise budget_rules.BudgetExceeded("The budget line cannot cover this request.")
    await orders.reserve_stock(placement, now=now, conn=conn)
    return placement.order
