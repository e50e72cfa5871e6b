"""Purchase requests GraphQL types: requests, lines, inputs, payloads and errors."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import strawberry

from db.models import PurchaseRequest as PurchaseRequestRow
from db.models import PurchaseRequestLine as PurchaseRequestLineRow
from domain import cart
from domain.accounts import Role
from domain.purchase_requests import EDITABLE, RequestStatus
from graph import ids
from graph.auth import current_actor
from graph.context import Info
from graph.schema.accounts import SpendingUnit, User
from graph.schema.addresses import Address
from graph.schema.approvals import ApprovalAction, ApprovalStep, person
from graph.schema.budgets import BudgetLine
from graph.schema.cart import Totals
from graph.schema.catalogue import Product
from graph.schema.common import Money, Node, PageInfo
from graph.schema.orders import Order, amounts, line_product
from services import approvals

strawberry.enum(
    RequestStatus,
    name="PurchaseRequestStatus",
    description="DRAFT -> SUBMITTED -> IN_APPROVAL -> APPROVED -> ORDERED, or REJECTED, "
    "RETURNED (back to the buyer, then resubmitted) and CANCELLED (by the buyer before final "
    "approval).",
)

# Who may see a request's budget line: the budgetLines query's roles (graph/schema/root.py).
BUDGET_READERS = frozenset(
    {
        Role.INSTITUTION_ADMIN,
        Role.BUYER,
        Role.REALISATION_OFFICER,
        Role.SPENDING_AUTHORITY,
        Role.INSTITUTION_ACCOUNTANT,
    }
)


@strawberry.enum(description="Why a purchase request mutation was refused.")
class PurchaseRequestErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    CART_EMPTY = "CART_EMPTY"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    SEPARATION_OF_DUTIES = "SEPARATION_OF_DUTIES"
    BUDGET_EXCEEDED = "BUDGET_EXCEEDED"


@strawberry.type(description="A refused input: `field` is the camelCase input path, if any.")
class PurchaseRequestError:
    code: PurchaseRequestErrorCode
    field: str | None
    message: str


@strawberry.type(description="One product of a request: live prices until submission, then frozen.")
class PurchaseRequestLine:
    id: strawberry.ID = strawberry.field(description="Opaque id, for purchaseRequestUpdate.")
    quantity: int
    kdv_rate: int = strawberry.field(description="KDV rate in percent.")
    unit_price: Money = strawberry.field(description="Net unit price (KDV hariç).")
    line_net: Money = strawberry.field(description="Unit price x quantity, rounded half-up.")
    line_kdv: Money = strawberry.field(description="KDV on lineNet, rounded half-up.")
    line_gross: Money = strawberry.field(description="lineNet + lineKdv.")
    product_id: strawberry.Private[str]

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await line_product(info, self.product_id)

    @classmethod
    def from_row(cls, row: PurchaseRequestLineRow) -> PurchaseRequestLine:
        return cls(
            id=strawberry.ID(ids.encode("PurchaseRequestLine", str(row.id))),
            quantity=row.quantity,
            kdv_rate=row.kdv_rate,
            unit_price=Money.of(row.unit_price),
            line_net=Money.of(row.net),
            line_kdv=Money.of(row.kdv),
            line_gross=Money.of(row.gross),
            product_id=str(row.product_id),  # type: ignore[attr-defined]
        )


@strawberry.type(description="A purchase request (satın alma talebi) of your institution.")
class PurchaseRequest(Node):
    status: RequestStatus
    justification: str = strawberry.field(description="Why the institution needs it (gerekçe).")
    requested_delivery_date: date | None
    round: int = strawberry.field(description="Submissions so far (0 while a first draft).")
    current_step: int | None = strawberry.field(
        description="The step awaiting a decision, from 1; null unless IN_APPROVAL."
    )
    awaiting_role: Role | None = strawberry.field(
        description="The role the current step awaits; null unless IN_APPROVAL."
    )
    prices_frozen: bool = strawberry.field(
        description="False while DRAFT or RETURNED (line prices follow the catalogue)."
    )
    created_at: datetime
    submitted_at: datetime | None = strawberry.field(description="Of the latest submission.")
    updated_at: datetime
    row: strawberry.Private[PurchaseRequestRow]

    @strawberry.field(description="The approval chain frozen at the latest submission.")
    def steps(self) -> list[ApprovalStep]:
        return [ApprovalStep.of(step) for step in approvals.steps_from_json(self.row.policy)]

    @strawberry.field(description="The spending unit (harcama birimi) buying.")
    async def unit(self, info: Info) -> SpendingUnit:
        row = await info.context.loaders.spending_unit_by_id.load(str(self.row.unit_id))  # type: ignore[attr-defined]
        assert row is not None
        return SpendingUnit.from_row(row)

    @strawberry.field(
        description="The budget line (ödenek) to reserve from; null for roles that cannot read "
        "budget lines."
    )
    async def budget_line(self, info: Info) -> BudgetLine | None:
        actor = await current_actor(info.context)
        if actor is None or not actor.has_any(BUDGET_READERS):
            return None
        line_id = str(self.row.budget_line_id)  # type: ignore[attr-defined]
        row = await info.context.loaders.request_budget_line_by_id.load(line_id)
        return BudgetLine.from_row(row) if row else None

    @strawberry.field(description="The delivery address.")
    async def address(self, info: Info) -> Address:
        address_id = str(self.row.address_id)  # type: ignore[attr-defined]
        row = await info.context.loaders.request_address_by_id.load(address_id)
        assert row is not None
        return Address.from_row(row)

    @strawberry.field(description="Who made the request (talep eden).")
    async def requester(self, info: Info) -> User:
        return await person(info, str(self.row.requester_id))  # type: ignore[attr-defined]

    @strawberry.field(description="In the order they were added to the cart.")
    async def lines(self, info: Info) -> list[PurchaseRequestLine]:
        rows = await info.context.loaders.request_lines_by_request.load(str(self.row.id))
        return [PurchaseRequestLine.from_row(row) for row in rows or ()]

    @strawberry.field(description="Sums of the lines, with the breakdown by KDV rate.")
    async def totals(self, info: Info) -> Totals:
        rows = await info.context.loaders.request_lines_by_request.load(str(self.row.id))
        return Totals.of(cart.totals([amounts(row) for row in rows or ()]))

    @strawberry.field(description="Every decision taken, by round and step.")
    async def approvals(self, info: Info) -> list[ApprovalAction]:
        rows = await info.context.loaders.approval_actions_by_request.load(str(self.row.id))
        return [ApprovalAction.from_row(row) for row in rows or ()]

    @strawberry.field(description="The order placed by the final approval; null before.")
    async def order(self, info: Info) -> Order | None:
        row = await info.context.loaders.order_by_request.load(str(self.row.id))
        return Order.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: PurchaseRequestRow) -> PurchaseRequest:
        awaiting = row.status == RequestStatus.IN_APPROVAL
        return cls(
            id=strawberry.ID(ids.encode("PurchaseRequest", str(row.id))),
            status=row.status,
            justification=row.justification,
            requested_delivery_date=row.requested_delivery_date,
            round=row.round,
            current_step=row.current_step + 1 if awaiting else None,
            awaiting_role=row.awaiting_role if awaiting else None,
            prices_frozen=row.status not in EDITABLE,
            created_at=row.created_at,
            submitted_at=row.submitted_at,
            updated_at=row.updated_at,
            row=row,
        )


@strawberry.type
class PurchaseRequestEdge:
    cursor: str
    node: PurchaseRequest


@strawberry.type(description="Purchase requests, newest first.")
class PurchaseRequestConnection:
    edges: list[PurchaseRequestEdge]
    page_info: PageInfo


# --- Inputs and payloads ---------------------------------------------------------------------


@strawberry.input(description="Make a request from your cart (the cart is emptied).")
class PurchaseRequestCreateInput:
    unit_id: strawberry.ID = strawberry.field(description="A spending unit of your institution.")
    budget_line_id: strawberry.ID = strawberry.field(description="A budget line of that unit.")
    address_id: strawberry.ID = strawberry.field(description="A delivery address.")
    justification: str = strawberry.field(description="Why; up to 2,000 characters.")
    requested_delivery_date: date | None = strawberry.field(
        default=None, description="From today up to one year ahead."
    )


@strawberry.input(description="A new quantity for a line; 0 removes the line.")
class PurchaseRequestLineUpdateInput:
    line_id: strawberry.ID
    quantity: int


@strawberry.input(description="Change a DRAFT or RETURNED request; omitted fields stay.")
class PurchaseRequestUpdateInput:
    request_id: strawberry.ID
    unit_id: strawberry.ID | None = None
    budget_line_id: strawberry.ID | None = None
    address_id: strawberry.ID | None = None
    justification: str | None = None
    requested_delivery_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it."
    )
    lines: list[PurchaseRequestLineUpdateInput] | None = None


@strawberry.input
class PurchaseRequestSubmitInput:
    request_id: strawberry.ID


@strawberry.input
class PurchaseRequestCancelInput:
    request_id: strawberry.ID


@strawberry.input
class PurchaseRequestApproveInput:
    request_id: strawberry.ID
    note: str | None = strawberry.field(default=None, description="Optional when approving.")
    step: int | None = strawberry.field(
        default=None,
        description="The step you are deciding (1-based, as shown to you): refused with CONFLICT "
        "when the request has moved on meanwhile. Recommended for every client.",
    )


@strawberry.input
class PurchaseRequestRejectInput:
    request_id: strawberry.ID
    note: str = strawberry.field(description="Required: why it is rejected.")
    step: int | None = strawberry.field(
        default=None,
        description="The step you are deciding (1-based, as shown to you): refused with CONFLICT "
        "when the request has moved on meanwhile. Recommended for every client.",
    )


@strawberry.input
class PurchaseRequestReturnInput:
    request_id: strawberry.ID
    note: str = strawberry.field(description="Required: what the buyer should change.")
    step: int | None = strawberry.field(
        default=None,
        description="The step you are deciding (1-based, as shown to you): refused with CONFLICT "
        "when the request has moved on meanwhile. Recommended for every client.",
    )


@strawberry.type
class PurchaseRequestPayload:
    purchase_request: PurchaseRequest | None
    errors: list[PurchaseRequestError]


@strawberry.type
class PurchaseRequestCreatePayload(PurchaseRequestPayload):
    pass


@strawberry.type
class PurchaseRequestUpdatePayload(PurchaseRequestPayload):
    pass


@strawberry.type
class PurchaseRequestSubmitPayload(PurchaseRequestPayload):
    pass


@strawberry.type
class PurchaseRequestCancelPayload(PurchaseRequestPayload):
    pass


@strawberry.type
class PurchaseRequestApprovePayload(PurchaseRequestPayload):
    order: Order | None = strawberry.field(description="Placed when this was the final approval.")


@strawberry.type
class PurchaseRequestRejectPayload(PurchaseRequestPayload):
    pass


@strawberry.type
class PurchaseRequestReturnPayload(PurchaseRequestPayload):
    pass
