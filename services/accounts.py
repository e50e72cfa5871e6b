"""Accounts use cases: institutions' creation, invitations, users and their roles.

Every read and write is scoped to the actor's side: an institution's users see only their own
institution; DMO staff (no institution) administer institutions and DMO accounts. Another
institution's object raises exactly the NotFound an unknown id raises.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from db.models import Institution, Invitation, SpendingUnit, User, UserRole
from domain import accounts
from domain.accounts import INVITATION_LIFETIME, Actor, AuditAction, InstitutionType, Role
from domain.errors import Checks, DomainError, InvalidInput, NotFound
from services import audit, credentials, institutions, paging
from services.conflicts import AlreadyExists
from services.keyring import Keyring


class InvitationInvalid(DomainError):
    """Unknown, used or expired: one code and message, so a guessed token learns nothing."""

    code = "INVITATION_INVALID"


USER_NOT_FOUND = "No such user."
INVITATION_INVALID_MESSAGE = "This invitation is unknown, already used or expired."


@dataclass(frozen=True)
class Invited:
    """A new invitation and its token, shown once to whoever passes it on to the invitee."""

    invitation: Invitation
    token: str


@dataclass(frozen=True)
class Accepted:
    user: User
    provisioning_uri: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Institutions and spending units ---------------------------------------------------------


async def create_institution(
    name: str,
    type: InstitutionType,
    vkn: str,
    province_code: int,
    *,
    admin_email: str,
    admin_name: str,
    actor: Actor,
    now: datetime,
) -> tuple[Institution, Invited]:
    """A new institution and the invitation of its first INSTITUTION_ADMIN (PLATFORM_ADMIN)."""
    checks = Checks()
    values = {
        "name": checks.run(accounts.check_name, name, field="name"),
        "vkn": checks.run(accounts.check_vkn, vkn),
        "province_code": checks.run(accounts.check_province, province_code),
    }
    email = checks.run(accounts.check_email, admin_email, field="adminEmail")
    display = checks.run(accounts.check_name, admin_name, field="adminName")
    checks.done()
    if await Institution.exists(vkn=values["vkn"]):
        raise AlreadyExists("An institution with this VKN exists already.", field="vkn")
    try:
        async with in_transaction() as conn:
            institution = await Institution.create(
                **values, type=type, created_at=now, using_db=conn
            )
            invited = await _invite(
                institution,
                None,
                email,
                display,
                frozenset({Role.INSTITUTION_ADMIN}),
                actor=actor,
                now=now,
                conn=conn,
            )
            await audit.record(
                AuditAction.INSTITUTION_CREATED,
                subject_type="Institution",
                subject_id=institution.id,
                actor_id=actor.user_id,
                institution_id=institution.id,
                details={"name": institution.name, "vkn": institution.vkn},
                now=now,
                using=conn,
            )
    except IntegrityError:  # a concurrent create with the same VKN won
        raise AlreadyExists("An institution with this VKN exists already.", field="vkn") from None
    return institution, invited


# --- Invitations and users -----------------------------------------------------------------


async def invite_user(
    email: str,
    display_name: str,
    roles: list[Role],
    *,
    unit_id: str | None,
    actor: Actor,
    now: datetime,
    institution_id: str | None = None,
) -> Invited:
    """An invitation into the actor's own side: their institution, or DMO staff.

    A platform administrator may also invite a new INSTITUTION_ADMIN into an institution
    (`institution_id`): the way back when its first invitation was lost or expired.
    """
    if institution_id is not None:
        return await _invite_institution_admin(
            institution_id, email, display_name, roles, unit_id, actor=actor, now=now
        )
    institution_side = actor.institution_id is not None
    checks = Checks()
    granted = checks.run(accounts.check_roles, roles, institution=institution_side)
    clean_email = checks.run(accounts.check_email, email)
    display = checks.run(accounts.check_name, display_name, field="displayName")
    checks.done()
    unit = None
    if unit_id is not None:
        try:
            unit = await institutions.get_spending_unit(unit_id, actor=actor)
        except NotFound:
            raise NotFound(institutions.UNIT_NOT_FOUND, field="unitId") from None
    institution = (
        await Institution.get_or_none(id=actor.institution_id) if institution_side else None
    )
    async with in_transaction() as conn:
        return await _invite(
            institution, unit, clean_email, display, granted, actor=actor, now=now, conn=conn
        )


async def _invite_institution_admin(
    institution_id: str,
    email: str,
    display_name: str,
    roles: list[Role],
    unit_id: str | None,
    *,
    actor: Actor,
    now: datetime,
) -> Invited:
    checks = Checks()
    if actor.institution_id is not None or not actor.has_any(frozenset({Role.PLATFORM_ADMIN})):
        checks.run(
            _refuse,
            "Only DMO's platform administrators invite into an institution.",
            field="institutionId",
        )
    if list(dict.fromkeys(roles)) != [Role.INSTITUTION_ADMIN]:
        checks.run(
            _refuse,
            "Invite an institution's administrator only: [INSTITUTION_ADMIN].",
            field="roles",
        )
    if unit_id is not None:
        checks.run(_refuse, "An institution's administrator sets units later.", field="unitId")
    clean_email = checks.run(accounts.check_email, email)
    display = checks.run(accounts.check_name, display_name, field="displayName")
    checks.done()
    institution = await institutions.visible(actor).get_or_none(id=institution_id)
    if institution is None:
        raise NotFound("No such institution.", field="institutionId")
    async with in_transaction() as conn:
        return await _invite(
            institution,
            None,
            clean_email,
            display,
            frozenset({Role.INSTITUTION_ADMIN}),
            actor=actor,
            now=now,
            conn=conn,
        )


def _refuse(message: str, *, field: str) -> None:
    raise InvalidInput(message, field=field)


async def _invite(
    institution: Institution | None,
    unit: SpendingUnit | None,
    email: str,
    display_name: str,
    roles: frozenset[Role],
    *,
    actor: Actor | None,
    now: datetime,
    conn: object,
    username: str | None = None,
) -> Invited:
    token = secrets.token_urlsafe(32)
    invitation = await Invitation.create(
        token_hash=_digest(token),
        institution=institution,
        unit=unit,
        email=email,
        display_name=display_name,
        roles=sorted(roles),
        username=username,
        created_by_id=actor.user_id if actor else None,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
        using_db=conn,  # type: ignore[arg-type]
    )
    await audit.record(
        AuditAction.USER_INVITED,
        subject_type="Invitation",
        subject_id=invitation.id,
        actor_id=actor.user_id if actor else None,
        institution_id=institution.id if institution else None,
        details={"email": email, "roles": sorted(roles)},
        now=now,
        using=conn,  # type: ignore[arg-type]
    )
    return Invited(invitation, token)


async def invite_platform_admin(username: str, *, now: datetime) -> Invited:
    """`esatis admin-create`: the first PLATFORM_ADMIN's invitation, the username reserved."""
    name = accounts.check_username(username)
    if await User.exists(username=name):
        raise AlreadyExists("This username is taken.", field="username")
    async with in_transaction() as conn:
        return await _invite(
            None,
            None,
            "",
            name,
            frozenset({Role.PLATFORM_ADMIN}),
            actor=None,
            now=now,
            conn=conn,
            username=name,
        )


async def accept_invitation(
    token: str, username: str, password: str, *, keys: Keyring, now: datetime
) -> Accepted:
    """Choose a username and password; the answer carries the otpauth:// URI to enrol TOTP."""
    invitation = await Invitation.get_or_none(
        token_hash=_digest(token[:200]), accepted_at__isnull=True, expires_at__gt=now
    )
    if invitation is None:
        raise InvitationInvalid(INVITATION_INVALID_MESSAGE, field="token")
    name = accounts.check_username(username)
    if invitation.username is not None and name != invitation.username:
        raise InvalidInput(
            f"This invitation is for the username {invitation.username}.", field="username"
        )
    accounts.check_password(password, name)
    if credentials.is_guessable(password, name):
        raise InvalidInput(
            "This password is too common or too easy to guess: use a longer passphrase.",
            field="password",
        )
    if await User.exists(username=name):
        raise AlreadyExists("This username is taken.", field="username")
    secret = credentials.new_totp_secret()
    password_hash = await credentials.hash_password(password)
    try:
        user = await _create_user(invitation, name, password_hash, keys.encrypt(secret), now)
    except IntegrityError:  # the same username chosen at the same moment
        raise AlreadyExists("This username is taken.", field="username") from None
    return Accepted(user, credentials.provisioning_uri(secret, name))


async def _create_user(
    invitation: Invitation, name: str, password_hash: str, secret: str, now: datetime
) -> User:
    async with in_transaction() as conn:
        # Single use, even when two acceptances race: only one update finds it unaccepted.
        claimed = await (
            Invitation.filter(id=invitation.id, accepted_at__isnull=True)
            .using_db(conn)
            .update(accepted_at=now)
        )
        if claimed != 1:
            raise InvitationInvalid(INVITATION_INVALID_MESSAGE, field="token")
        user = await User.create(
            username=name,
            display_name=invitation.display_name,
            email=invitation.email,
            institution_id=invitation.institution_id,  # type: ignore[attr-defined]
            unit_id=invitation.unit_id,  # type: ignore[attr-defined]
            password_hash=password_hash,
            totp_secret=secret,
            created_at=now,
            using_db=conn,
        )
        for role in invitation.roles:
            await UserRole.create(user=user, role=Role(role), using_db=conn)
        await Invitation.filter(id=invitation.id).using_db(conn).update(user_id=user.id)
        await audit.record(
            AuditAction.INVITATION_ACCEPTED,
            subject_type="User",
            subject_id=user.id,
            actor_id=user.id,
            institution_id=invitation.institution_id,  # type: ignore[attr-defined]
            now=now,
            using=conn,
        )
    return user


async def get_user(user_id: str, *, actor: Actor) -> User:
    found = await _users(actor).get_or_none(id=user_id)
    if found is None:
        raise NotFound(USER_NOT_FOUND, field="id")
    return found


async def list_users(
    *, actor: Actor, after: tuple[str, str] | None, size: int
) -> paging.Page[User]:
    position = ((after[0],), after[1]) if after else None
    return await paging.ascending(_users(actor), ("username",), position, size)


def _users(actor: Actor) -> QuerySet[User]:
    if actor.institution_id is None:
        return User.filter(institution_id__isnull=True)
    return User.filter(institution_id=actor.institution_id)


async def set_roles(user_id: str, roles: list[Role], *, actor: Actor, now: datetime) -> User:
    """Replace a user's roles; an administrator cannot take their own administrator role."""
    try:
        user = await get_user(user_id, actor=actor)
    except NotFound:
        raise NotFound(USER_NOT_FOUND, field="userId") from None
    granted = accounts.check_roles(roles, institution=actor.institution_id is not None)
    admin = Role.PLATFORM_ADMIN if actor.institution_id is None else Role.INSTITUTION_ADMIN
    if user.id == actor.user_id and admin not in granted:
        raise InvalidInput(f"You cannot remove your own {admin} role.", field="roles")
    async with in_transaction() as conn:
        await UserRole.filter(user_id=user.id).using_db(conn).delete()
        for role in sorted(granted):
            await UserRole.create(user_id=user.id, role=role, using_db=conn)
        await audit.record(
            AuditAction.ROLES_SET,
            subject_type="User",
            subject_id=user.id,
            actor_id=actor.user_id,
            institution_id=actor.institution_id,
            details={"roles": sorted(granted)},
            now=now,
            using=conn,
        )
    return user


async def roles_by_user(user_ids: list[uuid.UUID]) -> dict[uuid.UUID, frozenset[Role]]:
    rows = await UserRole.filter(user_id__in=user_ids).values_list("user_id", "role")
    found: dict[uuid.UUID, set[Role]] = {}
    for user_id, role in rows:
        found.setdefault(uuid.UUID(str(user_id)), set()).add(Role(str(role)))
    return {user_id: frozenset(found.get(user_id, ())) for user_id in user_ids}
