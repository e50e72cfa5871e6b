"""`node(id)`: any object by its global id, dispatched to the area that owns its type."""

from __future__ import annotations

from typing import Any

import strawberry

from graph import ids as global_ids
from graph.context import Info
from graph.errors import translate_errors
from graph.resolvers import accounts, catalogue

ACCOUNTS_TYPES = frozenset({"Institution", "SpendingUnit", "User"})


@translate_errors
async def node(info: Info, id: strawberry.ID) -> Any:
    type_name, raw = global_ids.decode_any(id, field="id")
    if type_name in ACCOUNTS_TYPES:
        return await accounts.node(info, type_name, raw)
    return await catalogue.node(info, id)
