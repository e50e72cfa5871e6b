"""Sign-in, refresh-token rotation, sign-out, and the actor behind an access token."""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from db.models import RefreshToken, Session, SignInAttempt, User, UserRole
from domain import accounts
from domain.accounts import (
    ADDRESS_WINDOW,
    REFRESH_TOKEN_LIFETIME,
    SIGN_IN_FAILED_MESSAGE,
    Actor,
    AuditAction,
    RateLimited,
    Role,
    Unauthenticated,
)
from services import audit, credentials
from services.keyring import AccessClaims, Keyring

# Failures older than this are forgotten when counting consecutive ones (bounds the query).
FAILURE_MEMORY = timedelta(hours=24)
REFRESH_FAILED_MESSAGE = "This refresh token is not valid; sign in again."


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    user: User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def sign_in(
    username: str,
    password: str,
    otp: str,
    *,
    client_address: str,
    keys: Keyring,
    now: datetime,
    enrolling: bool = False,
) -> TokenPair:
    """Password + TOTP -> tokens. Every failure gives the same error, whatever went wrong.

    With `enrolling`, the code is the first one from a new authenticator app: it confirms the
    second factor of an account that has none yet, and signs in (TOTP enrolment).
    """
    name = accounts.normalise_username(username)
    address = client_address[:64]
    wait = await _wait(name, address, now)
    if wait > timedelta(0):
        seconds = math.ceil(wait.total_seconds())  # whole seconds, never fewer than needed
        raise RateLimited(
            f"Too many failed sign-ins: try again in {seconds} second{'s' if seconds > 1 else ''}.",
            retry_after=wait,
        )
    # A name no account can have is not looked up (the column holds 32 characters at most);
    # it still costs a password check, so the answer takes as long as for a real name.
    plausible = accounts.USERNAME.fullmatch(name) is not None and len(password) <= 256
    user = await User.get_or_none(username=name) if plausible else None
    matched = await credentials.verify_password(user.password_hash if user else None, password)
    step = None
    enrolled = user is not None and user.totp_enrolled_at is not None
    if user is not None and matched and user.active and enrolled != enrolling:
        step = credentials.matching_step(keys.decrypt(user.totp_secret), otp, now)
    if user is None or step is None or not await _spend_step(user, step, enrolling, now):
        await _record_failure(name, address, user, now)
        raise Unauthenticated(SIGN_IN_FAILED_MESSAGE)
    user.totp_last_step = step
    if enrolling:
        user.totp_enrolled_at = now
    async with in_transaction() as conn:
        await SignInAttempt.create(
            username=name, client_address=address, occurred_at=now, succeeded=True, using_db=conn
        )
        session = await Session.create(
            user=user, created_at=now, client_address=address, using_db=conn
        )
        refresh = await _new_refresh_token(session, now, conn)
        actions = [AuditAction.TOTP_ENROLLED, AuditAction.SIGNED_IN]
        for action in actions if enrolling else actions[1:]:
            await audit.record(
                action,
                subject_type="User",
                subject_id=user.id,
                actor_id=user.id,
                institution_id=user.institution_id,  # type: ignore[attr-defined]
                client_address=address,
                now=now,
                using=conn,
            )
    return await _pair(user, session, refresh, keys, now)


async def _spend_step(user: User, step: int, enrolling: bool, now: datetime) -> bool:
    # Conditional update: of two requests with the same code, exactly one wins (no replay).
    query = User.filter(
        Q(id=user.id)
        & Q(totp_enrolled_at__isnull=enrolling)
        & (Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
    )
    if enrolling:
        updated = await query.update(totp_last_step=step, totp_enrolled_at=now)
    else:
        updated = await query.update(totp_last_step=step)
    return updated == 1


async def _wait(name: str, address: str, now: datetime) -> timedelta:
    last_success = (
        await SignInAttempt.filter(
            username=name, succeeded=True, occurred_at__gt=now - FAILURE_MEMORY
        )
        .order_by("-occurred_at")
        .first()
        .values_list("occurred_at", flat=True)
    )
    since = last_success or now - FAILURE_MEMORY
    failures = SignInAttempt.filter(username=name, succeeded=False, occurred_at__gt=since)
    address_failures = SignInAttempt.filter(
        client_address=address, succeeded=False, occurred_at__gt=now - ADDRESS_WINDOW
    )
    return accounts.sign_in_wait(
        username_failures=await failures.count(),
        last_username_failure=await _latest(failures),
        address_failures=await address_failures.count(),
        last_address_failure=await _latest(address_failures),
        now=now,
    )


async def _latest(query: object) -> datetime | None:
    found = await query.order_by("-occurred_at").first().values_list("occurred_at", flat=True)  # type: ignore[attr-defined]
    return found if isinstance(found, datetime) else None


async def _record_failure(name: str, address: str, user: User | None, now: datetime) -> None:
    async with in_transaction() as conn:
        await SignInAttempt.create(
            username=name, client_address=address, occurred_at=now, succeeded=False, using_db=conn
        )
        if user is None:
            return
        await audit.record(
            AuditAction.SIGN_IN_FAILED,
            subject_type="User",
            subject_id=user.id,
            institution_id=user.institution_id,  # type: ignore[attr-defined]
            client_address=address,
            now=now,
            using=conn,
        )
        last_success = (
            await SignInAttempt.filter(username=name, succeeded=True)
            .using_db(conn)
            .order_by("-occurred_at")
            .first()
            .values_list("occurred_at", flat=True)
        )
        since = max(last_success or now - FAILURE_MEMORY, now - FAILURE_MEMORY)
        failures = (
            await SignInAttempt.filter(username=name, succeeded=False, occurred_at__gt=since)
            .using_db(conn)
            .count()
        )
        # Every failure from the tenth on starts a new lock (domain.accounts.sign_in_wait):
        # each is recorded with the time it ends.
        if failures >= accounts.LOCK_AFTER_FAILURES:
            await audit.record(
                AuditAction.ACCOUNT_LOCKED,
                subject_type="User",
                subject_id=user.id,
                institution_id=user.institution_id,  # type: ignore[attr-defined]
                client_address=address,
                details={"until": (now + accounts.LOCK_DURATION).isoformat()},
                now=now,
                using=conn,
            )


async def _new_refresh_token(session: Session, now: datetime, conn: BaseDBAsyncClient) -> str:
    token = secrets.token_urlsafe(32)
    await RefreshToken.create(
        session=session,
        token_hash=_digest(token),
        issued_at=now,
        expires_at=now + REFRESH_TOKEN_LIFETIME,
        using_db=conn,
    )
    return token


async def _pair(
    user: User, session: Session, refresh: str, keys: Keyring, now: datetime
) -> TokenPair:
    roles = await roles_of(user.id)
    access, expires_at = keys.issue_access(
        user_id=user.id,
        session_id=session.id,
        roles=roles,
        institution_id=user.institution_id,  # type: ignore[attr-defined]
        now=now,
    )
    return TokenPair(access, expires_at, refresh, user)


async def roles_of(user_id: uuid.UUID) -> frozenset[Role]:
    rows = await UserRole.filter(user_id=user_id).values_list("role", flat=True)
    return frozenset(Role(str(r)) for r in rows)


async def refresh(token: str, *, keys: Keyring, now: datetime) -> TokenPair:
    """A new token pair for an unused refresh token; a reused one revokes its whole session."""
    row = await RefreshToken.get_or_none(token_hash=_digest(token[:200])).select_related(
        "session", "session__user"
    )
    if row is None or row.expires_at <= now:
        raise Unauthenticated(REFRESH_FAILED_MESSAGE)
    session = row.session
    user = session.user
    if session.revoked_at is not None or not user.active:
        raise Unauthenticated(REFRESH_FAILED_MESSAGE)
    async with in_transaction() as conn:
        rotated = (
            await RefreshToken.filter(id=row.id, used_at__isnull=True)
            .using_db(conn)
            .update(used_at=now)
        )
        new_token = await _new_refresh_token(session, now, conn) if rotated else ""
    if not rotated:
        # A spent token presented again: it was stolen, or the client is confused. Either way
        # nobody may keep using this family (OAuth 2.0 Security BCP, refresh token rotation).
        await _revoke(session, "REUSED", AuditAction.REFRESH_TOKEN_REUSED, now)
        raise Unauthenticated(REFRESH_FAILED_MESSAGE)
    return await _pair(user, session, new_token, keys, now)


async def revoke(token: str, *, now: datetime) -> None:
    """Sign out: the refresh token's session ends, and its access tokens stop working."""
    row = await RefreshToken.get_or_none(token_hash=_digest(token[:200])).select_related(
        "session", "session__user"
    )
    if row is not None and row.session.revoked_at is None:
        await _revoke(row.session, "SIGNED_OUT", AuditAction.SIGNED_OUT, now)


async def _revoke(session: Session, reason: str, action: AuditAction, now: datetime) -> None:
    async with in_transaction() as conn:
        revoked = (
            await Session.filter(id=session.id, revoked_at__isnull=True)
            .using_db(conn)
            .update(revoked_at=now, revoked_reason=reason)
        )
        if not revoked:
            return  # another request ended this session first, and recorded why
        await audit.record(
            action,
            subject_type="Session",
            subject_id=session.id,
            actor_id=session.user_id,  # type: ignore[attr-defined]
            institution_id=session.user.institution_id,  # type: ignore[attr-defined]
            client_address=session.client_address,
            now=now,
            using=conn,
        )


async def actor(claims: AccessClaims) -> Actor | None:
    """The actor for verified claims, with current roles; None once signed out or deactivated."""
    user = await User.filter(
        id=claims.user_id,
        active=True,
        sessions__id=claims.session_id,
        sessions__revoked_at__isnull=True,
    ).first()
    if user is None:
        return None
    return Actor(
        user_id=user.id,
        username=user.username,
        roles=await roles_of(user.id),
        institution_id=user.institution_id,  # type: ignore[attr-defined]
        unit_id=user.unit_id,  # type: ignore[attr-defined]
    )
