"""Cart GraphQL types: the cart, its priced lines and totals, line inputs, payloads, errors."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import strawberry

from domain import cart as rules
from graph import ids
from graph.schema.catalogue import Product
from graph.schema.common import Money
from services import cart as service


@strawberry.enum(description="Why a cart mutation was refused.")
class CartErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"


@strawberry.type(
    description="A refused input: `field` is the camelCase input path (`lines.2.quantity`)."
)
class CartError:
    code: CartErrorCode
    field: str | None
    message: str


@strawberry.type(description="The amounts of the lines at one KDV rate.")
class KdvRateTotal:
    kdv_rate: int = strawberry.field(description="KDV rate in percent.")
    net: Money = strawberry.field(description="Sum of the lines' net amounts (KDV hariç).")
    kdv: Money = strawberry.field(description="Sum of the lines' KDV amounts.")
    gross: Money = strawberry.field(description="Net plus KDV (KDV dahil).")

    @classmethod
    def of(cls, total: rules.RateTotal) -> KdvRateTotal:
        return cls(
            kdv_rate=total.kdv_rate,
            net=Money.of(total.net),
            kdv=Money.of(total.kdv),
            gross=Money.of(total.gross),
        )


@strawberry.type(
    description="Sums of the already rounded line amounts, so they add up to the kuruş."
)
class Totals:
    net: Money = strawberry.field(description="Total net amount (KDV hariç).")
    kdv: Money = strawberry.field(description="Total KDV.")
    gross: Money = strawberry.field(description="Total gross amount (KDV dahil).")
    by_kdv_rate: list[KdvRateTotal] = strawberry.field(
        description="The same totals per KDV rate, highest rate first."
    )

    @classmethod
    def of(cls, totals: rules.Totals) -> Totals:
        return cls(
            net=Money.of(totals.net),
            kdv=Money.of(totals.kdv),
            gross=Money.of(totals.gross),
            by_kdv_rate=[KdvRateTotal.of(total) for total in totals.by_kdv_rate],
        )


@strawberry.type(description="One product in the cart, priced at the product's live price.")
class CartLine:
    id: strawberry.ID = strawberry.field(description="Opaque id, for cartLinesUpdate/Remove.")
    product: Product
    quantity: int
    kdv_rate: int = strawberry.field(description="The product's KDV rate in percent.")
    unit_price: Money = strawberry.field(description="Current net unit price (KDV hariç).")
    added_unit_price: Money = strawberry.field(
        description="Net unit price when the line was added to the cart."
    )
    price_changed: bool = strawberry.field(
        description="Whether unitPrice differs from addedUnitPrice: show both to the buyer."
    )
    line_net: Money = strawberry.field(
        description="Unit price x quantity, rounded half-up to the kuruş."
    )
    line_kdv: Money = strawberry.field(
        description="KDV on lineNet, rounded half-up to the kuruş (per line, as invoices do)."
    )
    line_gross: Money = strawberry.field(description="lineNet + lineKdv.")
    added_at: datetime
    estimated_delivery_date: date = strawberry.field(
        description=(
            "Lead time in business days (Saturdays and Sundays skipped, public holidays not) "
            "from today's date in Türkiye (Europe/Istanbul); 10 business days more when stock "
            "does not cover the quantity. An estimate, never a promise."
        )
    )

    @classmethod
    def of(cls, view: service.LineView) -> CartLine:
        amounts = view.amounts
        return cls(
            id=strawberry.ID(ids.encode("CartLine", str(view.row.id))),
            product=Product.from_row(view.product),
            quantity=view.row.quantity,
            kdv_rate=amounts.kdv_rate,
            unit_price=Money.of(amounts.unit_price),
            added_unit_price=Money.of(view.added_unit_price),
            price_changed=view.price_changed,
            line_net=Money.of(amounts.net),
            line_kdv=Money.of(amounts.kdv),
            line_gross=Money.of(amounts.gross),
            added_at=view.row.added_at,
            estimated_delivery_date=view.delivery_date,
        )


@strawberry.type(description="The signed-in buyer's one open cart (sepet); prices are live.")
class Cart:
    id: strawberry.ID = strawberry.field(description="Opaque id of the cart.")
    lines: list[CartLine] = strawberry.field(
        description="Oldest first; lines added together in product name order."
    )
    totals: Totals
    estimated_delivery_date: date | None = strawberry.field(
        description="When the last line is expected (the cart arrives complete); null if empty."
    )
    updated_at: datetime

    @classmethod
    def of(cls, view: service.CartView) -> Cart:
        return cls(
            id=strawberry.ID(ids.encode("Cart", str(view.cart.id))),
            lines=[CartLine.of(line) for line in view.lines],
            totals=Totals.of(view.totals),
            estimated_delivery_date=view.delivery_date,
            updated_at=view.cart.updated_at,
        )


# --- Inputs and payloads ---------------------------------------------------------------------

QUANTITY = "A whole number from 1 (or the product's minimum order quantity) to 100,000."


@strawberry.input(description="A product and how many to add.")
class CartLineInput:
    product_id: strawberry.ID
    quantity: int = strawberry.field(
        description="How many to add, at least 1. A product already in the cart adds to its "
        "line, and the line's new quantity is what must reach the minimum order quantity."
    )


@strawberry.input(description="Add up to 200 lines; all are added, or none.")
class CartLinesAddInput:
    lines: list[CartLineInput]


@strawberry.input(description="A line of your cart and its new quantity.")
class CartLineUpdateInput:
    line_id: strawberry.ID
    quantity: int = strawberry.field(description=QUANTITY)


@strawberry.input(description="Change up to 200 lines; all are changed, or none.")
class CartLinesUpdateInput:
    lines: list[CartLineUpdateInput]


@strawberry.input(description="Remove up to 200 lines; all are removed, or none.")
class CartLinesRemoveInput:
    line_ids: list[strawberry.ID]


@strawberry.type(description="The cart after the change; null with `errors` when refused.")
class CartLinesAddPayload:
    cart: Cart | None
    errors: list[CartError]


@strawberry.type(description="The cart after the change; null with `errors` when refused.")
class CartLinesUpdatePayload:
    cart: Cart | None
    errors: list[CartError]


@strawberry.type(description="The cart after the change; null with `errors` when refused.")
class CartLinesRemovePayload:
    cart: Cart | None
    errors: list[CartError]
