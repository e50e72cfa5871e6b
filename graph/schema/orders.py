"""Orders GraphQL types: orders, their lines (from stock or backordered), status history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import strawberry

from db.models import Order as OrderRow
from db.models import OrderEvent as OrderEventRow
from db.models import OrderLine as OrderLineRow
from db.models import PurchaseRequestLine as PurchaseRequestLineRow
from domain import cart
from domain.orders import OrderStatus
from graph import ids
from graph.context import Info
from graph.schema.accounts import Institution
from graph.schema.addresses import Address
from graph.schema.cart import Totals
from graph.schema.catalogue import Product
from graph.schema.common import Money, Node, PageInfo

strawberry.enum(
    OrderStatus,
    name="OrderStatus",
    description="PLACED -> CONFIRMED -> IN_FULFILMENT -> (PARTIALLY_DELIVERED ->) DELIVERED -> "
    "ACCEPTED -> INVOICED -> PAID -> CLOSED, or CANCELLED (from PLACED, or from CONFIRMED by "
    "DMO's order desk).",
)


@strawberry.enum(description="Why an orders mutation was refused.")
class OrdersErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"


@strawberry.type(description="A refused input: `field` is the camelCase input path, if any.")
class OrdersError:
    code: OrdersErrorCode
    field: str | None
    message: str


async def line_product(info: Info, product_id: str) -> Product:
    row = await info.context.loaders.line_product_by_id.load(product_id)
    assert row is not None  # products are never deleted (RESTRICT), only deactivated
    return Product.from_row(row)


def amounts(row: OrderLineRow | PurchaseRequestLineRow) -> cart.LineAmounts:
    """A stored line's frozen amounts, for domain.cart.totals."""
    return cart.LineAmounts(row.unit_price, row.quantity, row.kdv_rate, row.net, row.kdv, row.gross)


@strawberry.type(description="One line of an order, at the prices frozen when it was requested.")
class OrderLine:
    id: strawberry.ID
    quantity: int
    from_stock: int = strawberry.field(description="Units reserved from DMO's stock when placed.")
    backordered: int = strawberry.field(description="Units stock could not cover (reordered).")
    backorder_eta: date | None = strawberry.field(
        description="When backordered units are expected (lead time + 10 business days); an "
        "estimate. Null when nothing is backordered."
    )
    kdv_rate: int = strawberry.field(description="KDV rate in percent.")
    unit_price: Money = strawberry.field(description="Net unit price (KDV hariç), frozen.")
    line_net: Money
    line_kdv: Money
    line_gross: Money
    product_id: strawberry.Private[str]

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await line_product(info, self.product_id)

    @classmethod
    def from_row(cls, row: OrderLineRow) -> OrderLine:
        return cls(
            id=strawberry.ID(ids.encode("OrderLine", str(row.id))),
            quantity=row.quantity,
            from_stock=row.from_stock,
            backordered=row.backordered,
            backorder_eta=row.backorder_eta,
            kdv_rate=row.kdv_rate,
            unit_price=Money.of(row.unit_price),
            line_net=Money.of(row.net),
            line_kdv=Money.of(row.kdv),
            line_gross=Money.of(row.gross),
            product_id=str(row.product_id),  # type: ignore[attr-defined]
        )


@strawberry.type(description="One status change of an order.")
class OrderStatusEvent:
    status: OrderStatus
    occurred_at: datetime
    note: str

    @classmethod
    def from_row(cls, row: OrderEventRow) -> OrderStatusEvent:
        return cls(status=row.status, occurred_at=row.occurred_at, note=row.note)


@strawberry.type(description="An order (sipariş) placed with DMO by a request's final approval.")
class Order(Node):
    status: OrderStatus
    placed_at: datetime
    updated_at: datetime
    row: strawberry.Private[OrderRow]

    @strawberry.field(description="The ordering institution.")
    async def institution(self, info: Info) -> Institution:
        row = await info.context.loaders.institution_by_id.load(
            str(self.row.institution_id)  # type: ignore[attr-defined]
        )
        assert row is not None
        return Institution.from_row(row)

    @strawberry.field(description="In the order of the request's lines.")
    async def lines(self, info: Info) -> list[OrderLine]:
        rows = await info.context.loaders.order_lines_by_order.load(str(self.row.id))
        return [OrderLine.from_row(row) for row in rows or ()]

    @strawberry.field(description="Sums of the lines, with the breakdown by KDV rate.")
    async def totals(self, info: Info) -> Totals:
        rows = await info.context.loaders.order_lines_by_order.load(str(self.row.id))
        return Totals.of(cart.totals([amounts(row) for row in rows or ()]))

    @strawberry.field(description="Where to deliver: the purchase request's delivery address.")
    async def delivery_address(self, info: Info) -> Address:
        delivery = await info.context.loaders.delivery_by_order.load(str(self.row.id))
        assert delivery is not None
        return Address.from_row(delivery.address)

    @strawberry.field(description="The delivery date the institution asked for, if any.")
    async def requested_delivery_date(self, info: Info) -> date | None:
        delivery = await info.context.loaders.delivery_by_order.load(str(self.row.id))
        return delivery.requested_date if delivery else None

    @strawberry.field(description="Status history, oldest first (PLACED first).")
    async def history(self, info: Info) -> list[OrderStatusEvent]:
        rows = await info.context.loaders.order_events_by_order.load(str(self.row.id))
        return [OrderStatusEvent.from_row(row) for row in rows or ()]

    @classmethod
    def from_row(cls, row: OrderRow) -> Order:
        return cls(
            id=strawberry.ID(ids.encode("Order", str(row.id))),
            status=row.status,
            placed_at=row.placed_at,
            updated_at=row.updated_at,
            row=row,
        )


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type(description="Orders, newest first.")
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo


# --- Inputs and payloads ---------------------------------------------------------------------


@strawberry.input
class OrderConfirmInput:
    order_id: strawberry.ID


@strawberry.type
class OrderConfirmPayload:
    order: Order | None
    errors: list[OrdersError]


@strawberry.input(description="Cancel an order: stock and the budget reservation are released.")
class OrderCancelInput:
    order_id: strawberry.ID
    note: str = strawberry.field(default="", description="Why; kept in the status history.")


@strawberry.type
class OrderCancelPayload:
    order: Order | None
    errors: list[OrdersError]
