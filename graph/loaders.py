"""Per-request DataLoaders (<thing>_by_<key>): nested fields of a page cost one query each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from db.catalogue_queries import ProductRow, SpecRow
from db.models import (
    Address,
    ApprovalAction,
    Brand,
    BudgetLine,
    Category,
    Institution,
    Order,
    OrderEvent,
    OrderLine,
    PurchaseRequestLine,
    SpendingUnit,
    Supplier,
    User,
)
from domain.accounts import Role
from services import approvals, catalogue, institutions, orders, purchase_requests

T = TypeVar("T")


def _by_key(
    fetch: Callable[[Sequence[str]], Awaitable[dict[str, T]]], default: Any = None
) -> DataLoader[str, T | None]:
    async def load(keys: list[str]) -> list[T | None]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key, default) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    category_by_id: DataLoader[str, Category | None] = field(
        default_factory=lambda: _by_key(catalogue.categories_by_ids)
    )
    brand_by_id: DataLoader[str, Brand | None] = field(
        default_factory=lambda: _by_key(catalogue.brands_by_ids)
    )
    supplier_by_id: DataLoader[str, Supplier | None] = field(
        default_factory=lambda: _by_key(catalogue.suppliers_by_ids)
    )
    specifications_by_product: DataLoader[str, list[SpecRow] | None] = field(
        default_factory=lambda: _by_key(catalogue.specifications, default=[])
    )
    # Accounts: only ids the actor may already see reach these (users of their institution).
    institution_by_id: DataLoader[str, Institution | None] = field(
        default_factory=lambda: _by_key(institutions.institutions_by_ids)
    )
    spending_unit_by_id: DataLoader[str, SpendingUnit | None] = field(
        default_factory=lambda: _by_key(institutions.spending_units_by_ids)
    )
    # Requests, approvals and orders: only ids of objects the actor may already see reach
    # these (the rows they hang from were loaded scoped to the actor).
    person_by_id: DataLoader[str, tuple[User, frozenset[Role]] | None] = field(
        default_factory=lambda: _by_key(approvals.people_by_ids)
    )
    request_lines_by_request: DataLoader[str, list[PurchaseRequestLine] | None] = field(
        default_factory=lambda: _by_key(purchase_requests.lines_by_requests, default=[])
    )
    request_address_by_id: DataLoader[str, Address | None] = field(
        default_factory=lambda: _by_key(purchase_requests.addresses_by_ids)
    )
    request_budget_line_by_id: DataLoader[str, BudgetLine | None] = field(
        default_factory=lambda: _by_key(purchase_requests.budget_lines_by_ids)
    )
    line_product_by_id: DataLoader[str, ProductRow | None] = field(
        default_factory=lambda: _by_key(purchase_requests.line_products)
    )
    approval_actions_by_request: DataLoader[str, list[ApprovalAction] | None] = field(
        default_factory=lambda: _by_key(approvals.actions_by_requests, default=[])
    )
    order_by_request: DataLoader[str, Order | None] = field(
        default_factory=lambda: _by_key(orders.orders_by_requests)
    )
    order_lines_by_order: DataLoader[str, list[OrderLine] | None] = field(
        default_factory=lambda: _by_key(orders.lines_by_orders, default=[])
    )
    order_events_by_order: DataLoader[str, list[OrderEvent] | None] = field(
        default_factory=lambda: _by_key(orders.events_by_orders, default=[])
    )
    delivery_by_order: DataLoader[str, orders.Delivery | None] = field(
        default_factory=lambda: _by_key(orders.deliveries_by_orders)
    )
