"""Addresses resolvers: decode input, take the actor and clock, call one service, map the result."""

from __future__ import annotations

from typing import Any

from domain import catalogue as paging
from domain.errors import DomainError, NotFound
from graph import connections
from graph.auth import current_actor, require_actor
from graph.context import Info
from graph.errors import payload_errors, translate_errors
from graph.schema import addresses as types
from services import addresses

SORT = "label"


def _errors(error: DomainError) -> list[types.AddressesError]:
    return payload_errors(error, types.AddressesError, types.AddressesErrorCode)


@translate_errors
async def addresses_query(
    info: Info, first: int | None = None, after: str | None = None
) -> types.AddressConnection:
    actor = await require_actor(info.context)
    size = paging.page_size(first, None, after, None)
    position = connections.after(after, SORT)
    page = await addresses.list_addresses(actor=actor, after=position, size=size)
    edges, page_info = connections.edges(
        page, SORT, lambda row: row.label, types.Address.from_row, types.AddressEdge
    )
    return types.AddressConnection(edges=edges, page_info=page_info)


async def address_create(info: Info, input: types.AddressCreateInput) -> types.AddressCreatePayload:
    actor = await require_actor(info.context)
    try:
        row = await addresses.create(
            input.label,
            input.province_code,
            input.district,
            input.line,
            input.postal_code,
            actor=actor,
            now=info.context.clock(),
        )
    except DomainError as error:
        return types.AddressCreatePayload(address=None, errors=_errors(error))
    return types.AddressCreatePayload(address=types.Address.from_row(row), errors=[])


async def node(info: Info, raw_id: str) -> Any:
    """An address by id, scoped to the actor's institution; None when unknown or not theirs."""
    actor = await current_actor(info.context)
    if actor is None:
        return None
    try:
        return types.Address.from_row(await addresses.get(raw_id, actor=actor))
    except NotFound:
        return None
