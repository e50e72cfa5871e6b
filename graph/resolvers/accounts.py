"""Accounts resolvers: decode input, take the actor and clock, call one service, map the result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from domain import catalogue as page_rules
from domain.errors import DomainError, NotFound
from graph import cursors
from graph import ids as global_ids
from graph.auth import current_actor, require_actor
from graph.context import Info
from graph.errors import payload_errors, translate_errors
from graph.schema import accounts as types
from graph.schema.common import PageInfo
from services import accounts, paging, sessions
from services import institutions as institutions_service
from services.keyring import Keyring

E = TypeVar("E")
N = TypeVar("N")


def _errors(error: DomainError) -> list[types.AccountsError]:
    return payload_errors(error, types.AccountsError, types.AccountsErrorCode)


# A malformed id reads exactly like an unknown one: the same code, field and message.
NOT_FOUND_MESSAGES = {
    "User": accounts.USER_NOT_FOUND,
    "SpendingUnit": institutions_service.UNIT_NOT_FOUND,
    "Institution": "No such institution.",
}


def _keys(info: Info) -> Keyring:
    keys = info.context.keys
    if keys is None:  # create_app always sets them; a bare Context in a test may not
        raise RuntimeError("no keyring in the GraphQL context")
    return keys


def _decode(global_id: strawberry.ID, type_name: str, field: str) -> str:
    try:
        return global_ids.decode(global_id, type_name, field=field)
    except DomainError:
        # A malformed id is reported like an unknown one: NOT_FOUND on that field.
        raise NotFound(NOT_FOUND_MESSAGES[type_name], field=field) from None


async def _user_type(row: Any) -> types.User:
    roles = await accounts.roles_by_user([row.id])
    return types.User.from_row(row, roles[row.id])


# --- Queries -------------------------------------------------------------------------------


async def me(info: Info) -> types.User:
    actor = await require_actor(info.context)
    return await _user_type(await accounts.get_user(str(actor.user_id), actor=actor))


def _edges(
    page: paging.Page[Any],
    key: str,
    make_node: Callable[[Any], N],
    make_edge: Callable[..., E],
) -> tuple[list[E], PageInfo]:
    edges = [
        make_edge(cursor=cursors.encode(key, getattr(row, key), str(row.id)), node=make_node(row))
        for row in page.rows
    ]
    info = PageInfo(
        has_next_page=page.has_next,
        has_previous_page=False,
        start_cursor=edges[0].cursor if edges else None,  # type: ignore[attr-defined]
        end_cursor=edges[-1].cursor if edges else None,  # type: ignore[attr-defined]
    )
    return edges, info


def _after(after: str | None, key: str) -> tuple[str, str] | None:
    if after is None:
        return None
    at = cursors.decode(after, key, cursors.ValueKind.TEXT, field="after")
    return str(at.value), at.id


@translate_errors
async def institutions(
    info: Info, first: int | None = None, after: str | None = None
) -> types.InstitutionConnection:
    actor = await require_actor(info.context)
    size = page_rules.page_size(first, None, after, None)
    page = await institutions_service.list_institutions(
        actor=actor, after=_after(after, "name"), size=size
    )
    edges, page_info = _edges(page, "name", types.Institution.from_row, types.InstitutionEdge)
    return types.InstitutionConnection(edges=edges, page_info=page_info)


@translate_errors
async def spending_units(
    info: Info, first: int | None = None, after: str | None = None
) -> types.SpendingUnitConnection:
    actor = await require_actor(info.context)
    size = page_rules.page_size(first, None, after, None)
    page = await institutions_service.list_spending_units(
        actor=actor, after=_after(after, "name"), size=size
    )
    edges, page_info = _edges(page, "name", types.SpendingUnit.from_row, types.SpendingUnitEdge)
    return types.SpendingUnitConnection(edges=edges, page_info=page_info)


@translate_errors
async def users(
    info: Info, first: int | None = None, after: str | None = None
) -> types.UserConnection:
    actor = await require_actor(info.context)
    size = page_rules.page_size(first, None, after, None)
    page = await accounts.list_users(actor=actor, after=_after(after, "username"), size=size)
    roles = await accounts.roles_by_user([row.id for row in page.rows])
    edges, page_info = _edges(
        page, "username", lambda row: types.User.from_row(row, roles[row.id]), types.UserEdge
    )
    return types.UserConnection(edges=edges, page_info=page_info)


async def node(info: Info, type_name: str, raw_id: str) -> Any:
    """An accounts object by id, scoped to the actor; None when unknown or not theirs."""
    actor = await current_actor(info.context)
    if actor is None:
        return None
    try:
        if type_name == "Institution":
            return types.Institution.from_row(
                await institutions_service.get_institution(raw_id, actor=actor)
            )
        if type_name == "SpendingUnit":
            unit = await institutions_service.get_spending_unit(raw_id, actor=actor)
            return types.SpendingUnit.from_row(unit)
        if type_name == "User":
            return await _user_type(await accounts.get_user(raw_id, actor=actor))
    except NotFound:
        return None
    return None


# --- Mutations -----------------------------------------------------------------------------


async def institution_create(
    info: Info, input: types.InstitutionCreateInput
) -> types.InstitutionCreatePayload:
    actor = await require_actor(info.context)
    try:
        row, invited = await accounts.create_institution(
            input.name,
            input.type,
            input.vkn,
            input.province_code,
            admin_email=input.admin_email,
            admin_name=input.admin_name,
            actor=actor,
            now=info.context.clock(),
        )
    except DomainError as error:
        return types.InstitutionCreatePayload(
            institution=None, invitation=None, invitation_token=None, errors=_errors(error)
        )
    return types.InstitutionCreatePayload(
        institution=types.Institution.from_row(row),
        invitation=types.Invitation.from_row(invited.invitation),
        invitation_token=invited.token,
        errors=[],
    )


async def spending_unit_create(
    info: Info, input: types.SpendingUnitCreateInput
) -> types.SpendingUnitCreatePayload:
    actor = await require_actor(info.context)
    try:
        unit = await institutions_service.create_spending_unit(
            input.name, actor=actor, now=info.context.clock()
        )
    except DomainError as error:
        return types.SpendingUnitCreatePayload(spending_unit=None, errors=_errors(error))
    return types.SpendingUnitCreatePayload(
        spending_unit=types.SpendingUnit.from_row(unit), errors=[]
    )


async def user_invite(info: Info, input: types.UserInviteInput) -> types.UserInvitePayload:
    actor = await require_actor(info.context)
    try:
        unit_id = _decode(input.unit_id, "SpendingUnit", "unitId") if input.unit_id else None
        institution_id = (
            _decode(input.institution_id, "Institution", "institutionId")
            if input.institution_id
            else None
        )
        invited = await accounts.invite_user(
            input.email,
            input.display_name,
            list(input.roles),
            unit_id=unit_id,
            institution_id=institution_id,
            actor=actor,
            now=info.context.clock(),
        )
    except DomainError as error:
        return types.UserInvitePayload(
            invitation=None, invitation_token=None, errors=_errors(error)
        )
    return types.UserInvitePayload(
        invitation=types.Invitation.from_row(invited.invitation),
        invitation_token=invited.token,
        errors=[],
    )


async def user_roles_set(info: Info, input: types.UserRolesSetInput) -> types.UserRolesSetPayload:
    actor = await require_actor(info.context)
    try:
        user_id = _decode(input.user_id, "User", "userId")
        row = await accounts.set_roles(
            user_id, list(input.roles), actor=actor, now=info.context.clock()
        )
    except DomainError as error:
        return types.UserRolesSetPayload(user=None, errors=_errors(error))
    return types.UserRolesSetPayload(user=await _user_type(row), errors=[])


async def invitation_accept(
    info: Info, input: types.InvitationAcceptInput
) -> types.InvitationAcceptPayload:
    try:
        accepted = await accounts.accept_invitation(
            input.token, input.username, input.password, keys=_keys(info), now=info.context.clock()
        )
    except DomainError as error:
        return types.InvitationAcceptPayload(
            user=None, provisioning_uri=None, errors=_errors(error)
        )
    return types.InvitationAcceptPayload(
        user=await _user_type(accepted.user),
        provisioning_uri=accepted.provisioning_uri,
        errors=[],
    )


async def _tokens(info: Info, issue: Callable[[], Any]) -> types.TokenPayload:
    try:
        pair: sessions.TokenPair = await issue()
    except DomainError as error:
        return types.TokenPayload(
            access_token=None,
            refresh_token=None,
            access_token_expires_at=None,
            user=None,
            errors=_errors(error),
        )
    return types.TokenPayload(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        access_token_expires_at=pair.access_token_expires_at,
        user=await _user_type(pair.user),
        errors=[],
    )


def _sign_in(info: Info, input: types.TokenCreateInput, *, enrolling: bool) -> Any:
    return sessions.sign_in(
        input.username,
        input.password,
        input.otp,
        client_address=info.context.client_address,
        keys=_keys(info),
        now=info.context.clock(),
        enrolling=enrolling,
    )


async def token_create(info: Info, input: types.TokenCreateInput) -> types.TokenPayload:
    return await _tokens(info, lambda: _sign_in(info, input, enrolling=False))


async def totp_enrol_confirm(info: Info, input: types.TokenCreateInput) -> types.TokenPayload:
    return await _tokens(info, lambda: _sign_in(info, input, enrolling=True))


async def token_refresh(info: Info, input: types.TokenRefreshInput) -> types.TokenPayload:
    return await _tokens(
        info,
        lambda: sessions.refresh(input.refresh_token, keys=_keys(info), now=info.context.clock()),
    )


async def token_revoke(info: Info, input: types.TokenRefreshInput) -> types.TokenRevokePayload:
    await sessions.revoke(input.refresh_token, now=info.context.clock())
    # The same answer whether or not the token was known: revoking reveals nothing.
    return types.TokenRevokePayload(revoked=True, errors=[])
