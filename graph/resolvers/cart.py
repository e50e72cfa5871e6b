"""Cart resolvers: decode ids, take the actor and clock, call one service, map the result."""

from __future__ import annotations

from collections.abc import Awaitable

import strawberry

from domain.errors import DomainError
from graph import ids as global_ids
from graph.auth import require_actor
from graph.context import Info
from graph.errors import payload_errors, translate_errors
from graph.schema import cart as types
from services import cart

Outcome = tuple[types.Cart | None, list[types.CartError]]


def _errors(error: DomainError) -> list[types.CartError]:
    return payload_errors(error, types.CartError, types.CartErrorCode)


def _decode(global_id: strawberry.ID, type_name: str) -> str | None:
    """The uuid of the id, or None when malformed: the service reports it like an unknown id."""
    try:
        return global_ids.decode(global_id, type_name, field="id")
    except DomainError:
        return None


async def _outcome(call: Awaitable[cart.CartView]) -> Outcome:
    try:
        return types.Cart.of(await call), []
    except DomainError as error:
        return None, _errors(error)


@translate_errors
async def cart_query(info: Info) -> types.Cart:
    actor = await require_actor(info.context)
    return types.Cart.of(await cart.get(actor=actor, now=info.context.clock()))


async def cart_lines_add(info: Info, input: types.CartLinesAddInput) -> types.CartLinesAddPayload:
    actor = await require_actor(info.context)
    lines = [
        cart.LineAdd(_decode(line.product_id, "Product"), line.quantity) for line in input.lines
    ]
    found, errors = await _outcome(cart.add_lines(lines, actor=actor, now=info.context.clock()))
    return types.CartLinesAddPayload(cart=found, errors=errors)


async def cart_lines_update(
    info: Info, input: types.CartLinesUpdateInput
) -> types.CartLinesUpdatePayload:
    actor = await require_actor(info.context)
    lines = [
        cart.LineUpdate(_decode(line.line_id, "CartLine"), line.quantity) for line in input.lines
    ]
    found, errors = await _outcome(cart.update_lines(lines, actor=actor, now=info.context.clock()))
    return types.CartLinesUpdatePayload(cart=found, errors=errors)


async def cart_lines_remove(
    info: Info, input: types.CartLinesRemoveInput
) -> types.CartLinesRemovePayload:
    actor = await require_actor(info.context)
    line_ids = [_decode(line_id, "CartLine") for line_id in input.line_ids]
    found, errors = await _outcome(
        cart.remove_lines(line_ids, actor=actor, now=info.context.clock())
    )
    return types.CartLinesRemovePayload(cart=found, errors=errors)
