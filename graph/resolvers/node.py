"""`node(id)`: any object by its global id, dispatched to the area that owns its type."""

from __future__ import annotations

from typing import Any

import strawberry

from graph import ids as global_ids
from graph.context import Info
from graph.errors import translate_errors
from graph.resolvers import accounts, addresses, budgets, catalogue, orders, purchase_requests

ACCOUNTS_TYPES = frozenset({"Institution", "SpendingUnit", "User"})


@translate_errors
async def node(info: Info, id: strawberry.ID) -> Any:
    type_name, raw = global_ids.decode_any(id, field="id")
    if type_name in ACCOUNTS_TYPES:
        return await accounts.node(info, type_name, raw)
    if type_name == "Address":
        return await addresses.node(info, raw)
    if type_name == "BudgetLine":
        return await budgets.node(info, raw)
    if type_name == "PurchaseRequest":
        return await purchase_requests.node(info, raw)
    if type_name == "Order":
        return await orders.node(info, raw)
    return await catalogue.node(info, id)
