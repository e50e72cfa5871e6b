"""Purchase requests use cases: made from the buyer's cart, edited while DRAFT or RETURNED,
submitted (prices and the approval chain frozen), cancelled by the buyer, and read. The
approvers' decisions are services/decisions.py, on the shared steps at the end of this module.

Every state change is one conditional UPDATE on (id, version, status): of two concurrent
changes only one finds the version it read, so each happens once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from db import catalogue_queries
from db.catalogue_queries import ProductRow
from db.models import (
    Address,
    BudgetLine,
    Cart,
    CartLine,
    Order,
    Product,
    PurchaseRequest,
    PurchaseRequestLine,
    SpendingUnit,
)
from domain import approvals as rules
from domain import budgets as budget_rules
from domain import cart
from domain import purchase_requests as pr
from domain.accounts import Actor, AuditAction, Forbidden
from domain.errors import DomainError, InvalidInput, InvalidTransition, NotFound
from domain.purchase_requests import RequestStatus
from services import approvals, audit, events, paging
from services.cart import line_order
from services.conflicts import ChangedMeanwhile
from services.local_time import today_in_turkiye
from subscriptions import EventBus

NO_SUCH_REQUEST = "No such purchase request."
_S = RequestStatus


class CartEmpty(DomainError):
    code = "CART_EMPTY"


@dataclass(frozen=True)
class RequestDraft:
    unit_id: str
    budget_line_id: str
    address_id: str
    justification: str
    requested_delivery_date: date | None = None


@dataclass(frozen=True)
class LineChange:
    line_id: str
    quantity: int  # 0 removes the line


@dataclass(frozen=True)
class RequestChanges:
    """What a buyer changes; None keeps the current value (`set_requested_date` allows null)."""

    unit_id: str | None = None
    budget_line_id: str | None = None
    address_id: str | None = None
    justification: str | None = None
    requested_delivery_date: date | None = None
    set_requested_date: bool = False
    lines: tuple[LineChange, ...] = ()


# --- Create and edit ---------------------------------------------------------------------------


async def create(
    draft: RequestDraft, *, actor: Actor, now: datetime, bus: EventBus | None = None
) -> PurchaseRequest:
    """A DRAFT request holding the buyer's cart at live prices; the cart is emptied."""
    institution_id = _own_institution(actor)
    refs = await _refs(draft.unit_id, draft.budget_line_id, draft.address_id, institution_id)
    justification = pr.check_justification(draft.justification)
    today = today_in_turkiye(now)
    requested = pr.check_requested_date(draft.requested_delivery_date, today=today)
    async with in_transaction() as conn:
        rows = await (
            CartLine.filter(cart__user_id=actor.user_id).using_db(conn).select_related("product")
        )
        # The cart's own order, so the buyer finds the lines as they left them.
        taken = sorted(rows, key=lambda line: line_order(line, line.product.name))
        if not taken:
            raise CartEmpty("Your cart is empty: add products to it first.")
        products = [line.product for line in taken]
        amounts = _priced(products, [line.quantity for line in taken])
        totals = cart.totals(amounts)
        request = await PurchaseRequest.create(
            institution_id=institution_id,
            **refs,
            requester_id=actor.user_id,
            status=_S.DRAFT,
            justification=justification,
            requested_delivery_date=requested,
            net=totals.net,
            kdv=totals.kdv,
            gross=totals.gross,
            created_at=now,
            updated_at=now,
            using_db=conn,
        )
        for position, (product, amount) in enumerate(zip(products, amounts, strict=True)):
            await PurchaseRequestLine.create(
                request_id=request.id,
                position=position,
                product_id=product.id,
                **_line_values(amount),
                using_db=conn,
            )
        # Conditional too: of two requests made from one cart at once, one gets the lines.
        emptied = await CartLine.filter(id__in=[line.id for line in taken]).using_db(conn).delete()
        if emptied != len(taken):
            raise CartEmpty("Your cart changed meanwhile: check it and try again.")
        await Cart.filter(user_id=actor.user_id).using_db(conn).update(updated_at=now)
        await record(AuditAction.PURCHASE_REQUEST_CREATED, request, actor, now, conn)
    return await PurchaseRequest.get(id=request.id)


async def update(
    request_id: str,
    changes: RequestChanges,
    *,
    actor: Actor,
    now: datetime,
    bus: EventBus | None = None,
) -> PurchaseRequest:
    """Change a DRAFT or RETURNED request: unit, budget line, address, justification, date and
    line quantities (0 removes a line). Line prices follow the catalogue until submission."""
    today = today_in_turkiye(now)
    async with in_transaction() as conn:
        request = await load(request_id, actor=actor, conn=conn, field="requestId")
        _check_requester(request, actor)
        _check_editable(request)
        values: dict[str, Any] = {}
        if changes.unit_id or changes.budget_line_id or changes.address_id:
            values |= await _refs(
                changes.unit_id or str(request.unit_id),  # type: ignore[attr-defined]
                changes.budget_line_id or str(request.budget_line_id),  # type: ignore[attr-defined]
                changes.address_id or str(request.address_id),  # type: ignore[attr-defined]
                request.institution_id,  # type: ignore[attr-defined]
            )
        if changes.justification is not None:
            values["justification"] = pr.check_justification(changes.justification)
        if changes.set_requested_date:
            values["requested_delivery_date"] = pr.check_requested_date(
                changes.requested_delivery_date, today=today
            )
        lines = await _lines(request, conn)
        kept, removed = _apply_line_changes(lines, changes.lines)
        amounts = _priced([line.product for line in kept], [line.quantity for line in kept])
        totals = cart.totals(amounts)
        values |= {"net": totals.net, "kdv": totals.kdv, "gross": totals.gross}
        await change_state(request, values, target=None, now=now, conn=conn)
        await (
            PurchaseRequestLine.filter(id__in=[line.id for line in removed]).using_db(conn).delete()
        )
        await _rewrite_lines(kept, amounts, conn)
        await record(AuditAction.PURCHASE_REQUEST_UPDATED, request, actor, now, conn)
    return await after_commit(request.id, bus=bus, now=now)


def _apply_line_changes(
    lines: list[PurchaseRequestLine], changes: Sequence[LineChange]
) -> tuple[list[PurchaseRequestLine], list[PurchaseRequestLine]]:
    by_id = {str(line.id): line for line in lines}
    removed: list[PurchaseRequestLine] = []
    seen: set[str] = set()
    for index, change in enumerate(changes):
        field = f"lines.{index}"
        line = by_id.get(change.line_id)
        if line is None:
            raise NotFound("No such line in this request.", field=f"{field}.lineId")
        if change.line_id in seen:
            raise InvalidInput("This line is listed twice.", field=f"{field}.lineId")
        seen.add(change.line_id)
        if change.quantity == 0:
            removed.append(line)
            continue
        line.quantity = cart.check_quantity(
            change.quantity,
            min_order_quantity=line.product.min_order_quantity,
            field=f"{field}.quantity",
        )
    kept = [line for line in lines if line not in removed]
    if not kept:
        raise InvalidInput(
            "A request keeps at least one line: cancel the request instead.", field="lines"
        )
    return kept, removed


# --- Submit and cancel ---------------------------------------------------------------------


async def submit(
    request_id: str, *, actor: Actor, now: datetime, bus: EventBus | None = None
) -> PurchaseRequest:
    """DRAFT or RETURNED -> SUBMITTED -> IN_APPROVAL: prices re-read and frozen, the approval
    chain that applies to the gross total frozen, a new round of approvals started."""
    async with in_transaction() as conn:
        request = await load(request_id, actor=actor, conn=conn, field="requestId")
        _check_requester(request, actor)
        pr.transition(request.status, _S.SUBMITTED)
        line = await BudgetLine.get(id=request.budget_line_id).using_db(conn)  # type: ignore[attr-defined]
        budget_rules.check_chargeable(line.fiscal_year, today=today_in_turkiye(now))
        lines = await _lines(request, conn)
        for line in lines:
            if not line.product.active:
                raise InvalidInput(
                    f"{line.product.name} is no longer in the catalogue: remove its line first."
                )
        amounts = _priced([line.product for line in lines], [line.quantity for line in lines])
        totals = cart.totals(amounts)
        policy = await approvals.policy_for(
            request.institution_id,  # type: ignore[attr-defined]
            request.unit_id,  # type: ignore[attr-defined]
            conn=conn,
        )
        steps = rules.applicable_steps(policy.steps, totals.gross)
        frozen = {
            "net": totals.net,
            "kdv": totals.kdv,
            "gross": totals.gross,
            "policy": approvals.steps_to_json(steps),
            "round": request.round + 1,
            "current_step": 0,
            "status": _S.SUBMITTED,
            "submitted_at": now,
        }
        await change_state(request, frozen, target=_S.SUBMITTED, now=now, conn=conn)
        await _rewrite_lines(lines, amounts, conn)
        await record(AuditAction.PURCHASE_REQUEST_SUBMITTED, request, actor, now, conn)
        pr.transition(_S.SUBMITTED, _S.IN_APPROVAL)
        started = {"status": _S.IN_APPROVAL, "awaiting_role": steps[0].role}
        await change_state(request, started, target=_S.IN_APPROVAL, now=now, conn=conn)
        await record(AuditAction.PURCHASE_REQUEST_IN_APPROVAL, request, actor, now, conn)
    return await after_commit(request.id, bus=bus, now=now, inbox=True)


async def cancel(
    request_id: str, *, actor: Actor, now: datetime, bus: EventBus | None = None
) -> PurchaseRequest:
    """The buyer withdraws the request, at any point before the final approval."""
    async with in_transaction() as conn:
        request = await load(request_id, actor=actor, conn=conn, field="requestId")
        _check_requester(request, actor)
        was_awaiting = request.status == _S.IN_APPROVAL
        pr.transition(request.status, _S.CANCELLED)
        values = {"status": _S.CANCELLED, "awaiting_role": None}
        await change_state(request, values, target=_S.CANCELLED, now=now, conn=conn)
        await record(AuditAction.PURCHASE_REQUEST_CANCELLED, request, actor, now, conn)
    return await after_commit(request.id, bus=bus, now=now, inbox=was_awaiting)


# --- Shared steps ------------------------------------------------------------------------------


async def change_state(
    request: PurchaseRequest,
    values: dict[str, Any],
    *,
    target: RequestStatus | None,
    now: datetime,
    conn: BaseDBAsyncClient,
) -> None:
    """One conditional UPDATE on the version read; the row in memory follows it. A lost race
    is refused as the state found now refuses it (`target` None: an edit), else CONFLICT."""
    changed = (
        await PurchaseRequest.filter(id=request.id, version=request.version, status=request.status)
        .using_db(conn)
        .update(**values, version=request.version + 1, updated_at=now)
    )
    if changed != 1:
        current = await PurchaseRequest.get(id=request.id, using_db=conn)
        if target is None:
            _check_editable(current)
        elif current.status != request.status:
            pr.transition(current.status, target)  # names the state it is in now
        raise ChangedMeanwhile("This request changed meanwhile: reload it and try again.")
    for name, value in values.items():
        setattr(request, name, value)
    request.version += 1


async def after_commit(
    request_id: uuid.UUID,
    *,
    bus: EventBus | None,
    now: datetime,
    inbox: bool = False,
    order: Order | None = None,
) -> PurchaseRequest:
    found = await PurchaseRequest.get(id=request_id)
    await events.request_changed(bus, found, now=now, inbox=inbox, order=order)
    return found


async def record(
    action: AuditAction,
    request: PurchaseRequest,
    actor: Actor,
    now: datetime,
    conn: BaseDBAsyncClient,
    details: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        action,
        subject_type="PurchaseRequest",
        subject_id=request.id,
        actor_id=actor.user_id,
        institution_id=request.institution_id,  # type: ignore[attr-defined]
        details={"status": str(request.status), "version": request.version, **(details or {})},
        now=now,
        using=conn,
    )


async def _refs(
    unit_id: str, budget_line_id: str, address_id: str, institution_id: uuid.UUID
) -> dict[str, Any]:
    """The unit, budget line and address ids, each of the institution (else NOT_FOUND)."""
    unit = await SpendingUnit.get_or_none(id=unit_id, institution_id=institution_id)
    if unit is None:
        raise NotFound("No such spending unit.", field="unitId")
    line = await BudgetLine.get_or_none(id=budget_line_id, institution_id=institution_id)
    if line is None:
        raise NotFound("No such budget line.", field="budgetLineId")
    if line.unit_id != unit.id:  # type: ignore[attr-defined]
        raise InvalidInput(
            "This budget line belongs to another spending unit.", field="budgetLineId"
        )
    if not await Address.exists(id=address_id, institution_id=institution_id):
        raise NotFound("No such address.", field="addressId")
    return {"unit_id": unit.id, "budget_line_id": line.id, "address_id": uuid.UUID(address_id)}


def _priced(products: Sequence[Product], quantities: Sequence[int]) -> list[cart.LineAmounts]:
    """Each line at the product's current catalogue price (domain.cart's rounding)."""
    return [
        cart.price_line(product.price_net, quantity, product.kdv_rate)
        for product, quantity in zip(products, quantities, strict=True)
    ]


def _line_values(amount: cart.LineAmounts) -> dict[str, Any]:
    return {
        "quantity": amount.quantity,
        "unit_price": amount.unit_price,
        "kdv_rate": amount.kdv_rate,
        "net": amount.net,
        "kdv": amount.kdv,
        "gross": amount.gross,
    }


async def _lines(request: PurchaseRequest, conn: BaseDBAsyncClient) -> list[PurchaseRequestLine]:
    return list(
        await PurchaseRequestLine.filter(request_id=request.id)
        .using_db(conn)
        .order_by("position")
        .select_related("product")
    )


async def _rewrite_lines(
    lines: Sequence[PurchaseRequestLine],
    amounts: Sequence[cart.LineAmounts],
    conn: BaseDBAsyncClient,
) -> None:
    for position, (line, amount) in enumerate(zip(lines, amounts, strict=True)):
        await (
            PurchaseRequestLine.filter(id=line.id)
            .using_db(conn)
            .update(position=position, **_line_values(amount))
        )


def _check_editable(request: PurchaseRequest) -> None:
    if request.status not in pr.EDITABLE:
        raise InvalidTransition(
            f"A request in state {request.status} cannot be changed: only DRAFT and RETURNED"
            " requests can."
        )


def _check_requester(request: PurchaseRequest, actor: Actor) -> None:
    if request.requester_id != actor.user_id:  # type: ignore[attr-defined]
        raise Forbidden(
            "Only the person who made this request can change, submit or cancel it.",
            field="requestId",
        )


def _own_institution(actor: Actor) -> uuid.UUID:
    if actor.institution_id is None:
        raise InvalidInput("Only an institution's users make purchase requests.", field=None)
    return actor.institution_id


# --- Reads -------------------------------------------------------------------------------------


def _visible(actor: Actor) -> Any:
    # DMO staff see no institution's requests; an impossible id keeps the query's shape.
    return PurchaseRequest.filter(institution_id=actor.institution_id or uuid.UUID(int=0))


async def load(
    request_id: str, *, actor: Actor, conn: BaseDBAsyncClient | None = None, field: str = "id"
) -> PurchaseRequest:
    found: PurchaseRequest | None = await _visible(actor).using_db(conn).get_or_none(id=request_id)
    if found is None:
        raise NotFound(NO_SUCH_REQUEST, field=field)
    return found


async def get(request_id: str, *, actor: Actor) -> PurchaseRequest:
    return await load(request_id, actor=actor)


async def list_requests(
    *,
    actor: Actor,
    status: RequestStatus | None,
    after: tuple[datetime, str] | None,
    size: int,
) -> paging.Page[PurchaseRequest]:
    query = _visible(actor)
    if status is not None:
        query = query.filter(status=status)
    return await paging.newest_first(query, "created_at", after, size)


async def lines_by_requests(request_ids: Sequence[str]) -> dict[str, list[PurchaseRequestLine]]:
    found: dict[str, list[PurchaseRequestLine]] = {key: [] for key in request_ids}
    rows = await PurchaseRequestLine.filter(request_id__in=list(request_ids)).order_by("position")
    for row in rows:
        found[str(row.request_id)].append(row)  # type: ignore[attr-defined]
    return found


async def line_products(product_ids: Sequence[str]) -> dict[str, ProductRow]:
    """The products of request and order lines, inactive ones too: a line outlives a product's
    removal from the catalogue."""
    return await catalogue_queries.products_by_ids(product_ids, active_only=False)


async def addresses_by_ids(address_ids: Sequence[str]) -> dict[str, Address]:
    """Requests' delivery addresses (only ids of requests the caller may see reach this)."""
    return {str(row.id): row for row in await Address.filter(id__in=list(address_ids))}


async def budget_lines_by_ids(line_ids: Sequence[str]) -> dict[str, BudgetLine]:
    """Requests' budget lines (only ids of requests the caller may see reach this)."""
    return {str(row.id): row for row in await BudgetLine.filter(id__in=list(line_ids))}
