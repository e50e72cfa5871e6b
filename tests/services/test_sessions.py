"""Sign-in (password + TOTP, throttling, lockout), refresh-token rotation, sign-out, actor()."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pyotp
import pytest

from db.models import AuditEvent, Institution, RefreshToken, Session, SignInAttempt, User, UserRole
from domain.accounts import (
    SIGN_IN_FAILED_MESSAGE,
    Actor,
    AuditAction,
    InstitutionType,
    RateLimited,
    Role,
    Unauthenticated,
)
from services import credentials, sessions
from services.keyring import AccessClaims, Keyring

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # on a 30-second boundary: a TOTP step begins
STEP = int(NOW.timestamp()) // 30
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "mavi-Bisiklet-2026-kapı"
ADDRESS = "198.51.100.7"
OTHER_ADDRESS = "203.0.113.9"
SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


def code(at: datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(at)


@pytest.fixture
def keys() -> Keyring:
    return Keyring.generate()


@dataclass
class World:
    keys: Keyring
    institution: Institution
    user: User


@pytest.fixture
async def world(db: str, keys: Keyring) -> World:
    institution = await Institution.create(
        name="Ankara İl Sağlık Müdürlüğü",
        type=InstitutionType.HOSPITAL,
        vkn="4540536920",
        province_code=6,
        created_at=NOW - timedelta(days=30),
    )
    user = await _user(keys, institution, "ayse.yilmaz")
    return World(keys, institution, user)


async def _user(
    keys: Keyring,
    institution: Institution | None,
    username: str,
    *,
    roles: tuple[Role, ...] = (Role.REALISATION_OFFICER, Role.BUYER),
) -> User:
    user = await User.create(
        username=username,
        display_name="Ayşe Yılmaz",
        email=f"{username}@saglik.gov.tr",
        institution=institution,
        password_hash=await credentials.hash_password(PASSWORD),
        totp_secret=keys.encrypt(SECRET),
        totp_enrolled_at=NOW - timedelta(days=1),
        created_at=NOW - timedelta(days=2),
    )
    for role in roles:
        await UserRole.create(user=user, role=role)
    return user


async def _sign_in(
    world: World,
    *,
    at: datetime = NOW,
    username: str = "ayse.yilmaz",
    password: str = PASSWORD,
    otp: str | None = None,
    address: str = ADDRESS,
) -> sessions.TokenPair:
    return await sessions.sign_in(
        username,
        password,
        code(at) if otp is None else otp,
        client_address=address,
        keys=world.keys,
        now=at,
    )


async def _refused(world: World, **options: Any) -> None:
    with pytest.raises(Unauthenticated) as error:
        await _sign_in(world, **options)
    assert (error.value.code, error.value.message, error.value.field) == (
        "INVALID_CREDENTIALS",
        SIGN_IN_FAILED_MESSAGE,
        None,
    )


async def _limited(world: World, **options: Any) -> RateLimited:
    with pytest.raises(RateLimited) as error:
        await _sign_in(world, **options)
    assert (error.value.code, error.value.field) == ("RATE_LIMITED", None)
    return error.value


def _raw(token: str) -> dict[str, Any]:
    # Signature and expiry are test_keyring's business; here: what the claims say.
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _access(pair: sessions.TokenPair) -> AccessClaims:
    raw = _raw(pair.access_token)
    return AccessClaims(
        user_id=uuid.UUID(raw["sub"]),
        session_id=uuid.UUID(raw["sid"]),
        roles=frozenset(Role(r) for r in raw["roles"]),
        institution_id=uuid.UUID(raw["institution"]) if raw["institution"] else None,
        expires_at=datetime.fromtimestamp(raw["exp"], UTC),
    )


async def _attempts() -> list[tuple[str, str, datetime, bool]]:
    rows = await SignInAttempt.all().order_by("occurred_at", "username")
    return [(r.username, r.client_address, r.occurred_at, r.succeeded) for r in rows]


async def _audit(action: AuditAction | None = None) -> list[tuple[Any, ...]]:
    query = AuditEvent.all() if action is None else AuditEvent.filter(action=action)
    rows = await query.order_by("occurred_at", "action")
    return [
        (
            r.action,
            r.subject_type,
            r.subject_id,
            r.actor_id,
            r.institution_id,
            r.client_address,
            r.occurred_at,
            r.details,
        )
        for r in rows
    ]


def _failed(world: World, at: datetime = NOW, address: str = ADDRESS) -> tuple[Any, ...]:
    user = world.user
    return (
        AuditAction.SIGN_IN_FAILED,
        "User",
        str(user.id),
        None,
        world.institution.id,
        address,
        at,
        {},
    )


async def _refresh_rows() -> list[tuple[str, datetime, datetime, datetime | None]]:
    rows = await RefreshToken.all().order_by("issued_at")
    return [(r.token_hash, r.issued_at, r.expires_at, r.used_at) for r in rows]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Signing in -------------------------------------------------------------------------------


async def test_sign_in_issues_exact_tokens_and_records_it(world: World) -> None:
    pair = await _sign_in(world, username="  Ayse.Yilmaz ")

    session = await Session.get()
    assert (session.user_id, session.created_at, session.client_address) == (
        world.user.id,
        NOW,
        ADDRESS,
    )
    assert (session.revoked_at, session.revoked_reason) == (None, None)
    raw = _raw(pair.access_token)
    assert re.fullmatch(r"[0-9a-f]{32}", raw["jti"])
    assert raw == {
        "iss": "esatis",
        "aud": "esatis-api",
        "sub": str(world.user.id),
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 15 * 60,
        "jti": raw["jti"],
        "sid": str(session.id),
        "roles": ["BUYER", "REALISATION_OFFICER"],
        "institution": str(world.institution.id),
    }
    assert jwt.get_unverified_header(pair.access_token)["kid"] == world.keys.kid
    assert pair.access_token_expires_at == NOW + timedelta(minutes=15)
    assert pair.user.id == world.user.id
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", pair.refresh_token)
    assert await _refresh_rows() == [
        (_digest(pair.refresh_token), NOW, NOW + timedelta(days=14), None)
    ]
    assert await _attempts() == [("ayse.yilmaz", ADDRESS, NOW, True)]
    assert await _audit() == [
        (
            AuditAction.SIGNED_IN,
            "User",
            str(world.user.id),
            world.user.id,
            world.institution.id,
            ADDRESS,
            NOW,
            {},
        )
    ]
    assert (await User.get(id=world.user.id)).totp_last_step == STEP


async def test_tokens_decode_into_the_actor(world: World) -> None:
    # decode_access checks expiry on the real clock: this sign-in happens now.
    now = datetime.now(UTC).replace(microsecond=0)
    pair = await _sign_in(world, at=now)
    claims = world.keys.decode_access(pair.access_token)
    session = await Session.get()
    assert claims == AccessClaims(
        user_id=world.user.id,
        session_id=session.id,
        roles=frozenset({Role.BUYER, Role.REALISATION_OFFICER}),
        institution_id=world.institution.id,
        expires_at=now + timedelta(minutes=15),
    )
    assert await sessions.actor(claims) == Actor(
        user_id=world.user.id,
        username="ayse.yilmaz",
        roles=frozenset({Role.BUYER, Role.REALISATION_OFFICER}),
        institution_id=world.institution.id,
        unit_id=None,
    )


async def test_dmo_staff_sign_in_without_an_institution(world: World) -> None:
    staff = await _user(world.keys, None, "dmo.admin", roles=(Role.PLATFORM_ADMIN,))
    pair = await _sign_in(world, username="dmo.admin")
    raw = _raw(pair.access_token)
    assert (raw["sub"], raw["roles"], raw["institution"]) == (str(staff.id), ["PLATFORM_ADMIN"], "")
    assert [row[4] for row in await _audit()] == [None]


async def _inactive(world: World) -> None:
    await User.filter(id=world.user.id).update(active=False)


async def _not_enrolled(world: World) -> None:
    await User.filter(id=world.user.id).update(totp_enrolled_at=None)


async def _other_secret_key(world: World) -> None:
    # Encrypted under another ESATIS_SECRET_KEY: unreadable, so no code can match.
    await User.filter(id=world.user.id).update(totp_secret=Keyring.generate().encrypt(SECRET))


async def _no_password(world: World) -> None:
    await User.filter(id=world.user.id).update(password_hash="")


async def _nothing(world: World) -> None:
    return None


REFUSED_SIGN_INS = {
    "wrong password": (_nothing, {"password": "mavi-Bisiklet-2026-kapi"}, True),
    "wrong code": (_nothing, {"otp": code(NOW - 2 * MINUTE)}, True),
    "short code": (_nothing, {"otp": code(NOW)[:5]}, True),
    "letters": (_nothing, {"otp": "abcdef"}, True),
    "arabic-indic digits": (
        _nothing,
        {"otp": code(NOW).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))},
        True,
    ),
    "unknown user": (_nothing, {"username": "ayse.yilmazz"}, False),
    "oversize password": (_nothing, {"password": PASSWORD + "x" * 300}, False),
    "inactive user": (_inactive, {}, True),
    "no second factor yet": (_not_enrolled, {}, True),
    "unreadable totp secret": (_other_secret_key, {}, True),
    # An account with no password hash: the dummy hash's password must not open it.
    "no password": (_no_password, {"password": "no user has this password"}, True),
}


@pytest.mark.parametrize("case", REFUSED_SIGN_INS.keys())
async def test_every_refusal_looks_the_same(world: World, case: str) -> None:
    prepare, options, known = REFUSED_SIGN_INS[case]
    await prepare(world)
    await _refused(world, **options)

    name = options.get("username", "ayse.yilmaz")
    assert await _attempts() == [(name, ADDRESS, NOW, False)]
    assert await _audit() == ([_failed(world)] if known else [])
    assert await Session.all().count() == 0
    assert await RefreshToken.all().count() == 0
    assert (await User.get(id=world.user.id)).totp_last_step is None


async def test_a_code_is_good_once(world: World) -> None:
    await _sign_in(world)
    await _refused(world, at=NOW + 10 * SECOND, otp=code(NOW))
    # The previous step's code is still in the window, but older than the one just used.
    await _refused(world, at=NOW + 10 * SECOND, otp=code(NOW - 30 * SECOND))
    assert (await User.get(id=world.user.id)).totp_last_step == STEP
    assert await Session.all().count() == 1
    assert await _attempts() == [
        ("ayse.yilmaz", ADDRESS, NOW, True),
        ("ayse.yilmaz", ADDRESS, NOW + 10 * SECOND, False),
        ("ayse.yilmaz", ADDRESS, NOW + 10 * SECOND, False),
    ]
    await _sign_in(world, at=NOW + 30 * SECOND)  # the next step's code
    assert (await User.get(id=world.user.id)).totp_last_step == STEP + 1
    assert await Session.all().count() == 2


async def test_of_two_sign_ins_with_one_code_exactly_one_wins(world: World) -> None:
    outcomes = await asyncio.gather(_sign_in(world), _sign_in(world), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["TokenPair", "Unauthenticated"]
    assert await Session.all().count() == 1
    assert await RefreshToken.all().count() == 1


@pytest.mark.parametrize(
    ("offset", "step"),
    [(-30, STEP - 1), (-1, STEP - 1), (0, STEP), (29, STEP), (30, STEP + 1), (59, STEP + 1)],
)
async def test_codes_one_step_either_side_are_accepted(
    world: World, offset: int, step: int
) -> None:
    await _sign_in(world, otp=code(NOW + offset * SECOND))
    assert (await User.get(id=world.user.id)).totp_last_step == step


@pytest.mark.parametrize("offset", [-31, -60, 60, 90])
async def test_codes_two_steps_away_are_refused(world: World, offset: int) -> None:
    await _refused(world, otp=code(NOW + offset * SECOND))
    assert await Session.all().count() == 0


async def test_a_next_step_code_spends_the_current_one(world: World) -> None:
    await _sign_in(world, otp=code(NOW + 30 * SECOND))
    await _refused(world, at=NOW + 5 * SECOND, otp=code(NOW))


# --- Throttling and lockout -----------------------------------------------------------------


async def test_failures_slow_down_sign_in(world: World) -> None:
    wrong = {"password": "not-the-password"}
    for _ in range(3):
        await _refused(world, **wrong)  # the first three are free

    limited = await _limited(world)  # even the right password waits
    assert limited.retry_after == SECOND
    assert limited.message == "Too many failed sign-ins: try again in 1 second."
    limited = await _limited(world, at=NOW + timedelta(milliseconds=250))
    assert limited.retry_after == timedelta(milliseconds=750)
    assert limited.message == "Too many failed sign-ins: try again in 1 second."
    assert len(await _attempts()) == 3  # a refused attempt is not counted

    await _refused(world, at=NOW + SECOND, **wrong)  # 4 failures: 2 s
    assert (await _limited(world, at=NOW + SECOND)).retry_after == 2 * SECOND
    limited = await _limited(world, at=NOW + 2.5 * SECOND)
    assert (limited.retry_after, limited.message) == (
        timedelta(milliseconds=500),
        "Too many failed sign-ins: try again in 1 second.",
    )
    await _refused(world, at=NOW + 3 * SECOND, **wrong)  # 5 failures: 4 s
    limited = await _limited(world, at=NOW + 3 * SECOND)
    assert (limited.retry_after, limited.message) == (
        4 * SECOND,
        "Too many failed sign-ins: try again in 4 seconds.",
    )
    assert await Session.all().count() == 0

    await _sign_in(world, at=NOW + 7 * SECOND)
    # A success wipes the slate: the next three failures are free again.
    for _ in range(3):
        await _refused(world, at=NOW + 8 * SECOND, **wrong)
    assert (await _limited(world, at=NOW + 8 * SECOND)).retry_after == SECOND
    assert len(await _attempts()) == 9


async def test_unknown_usernames_are_slowed_down_alike(world: World) -> None:
    for _ in range(3):
        await _refused(world, username="nobody")
    assert (await _limited(world, username="nobody")).retry_after == SECOND
    # Another name is not slowed down by those.
    await _sign_in(world)


# Failure times that each wait exactly as long as the policy asks: 0 0 0 then 1, 2, 4, ... 64 s.
FAILURE_OFFSETS = [0, 0, 0, 1, 3, 7, 15, 31, 63, 127]


async def _ten_failures(world: World) -> datetime:
    for offset in FAILURE_OFFSETS:
        await _refused(world, at=NOW + offset * SECOND, password="not-the-password")
    return NOW + FAILURE_OFFSETS[-1] * SECOND


async def test_ten_failures_lock_the_account_for_fifteen_minutes(world: World) -> None:
    last = await _ten_failures(world)
    locked = (
        AuditAction.ACCOUNT_LOCKED,
        "User",
        str(world.user.id),
        None,
        world.institution.id,
        ADDRESS,
        last,
        {"until": (last + timedelta(minutes=15)).isoformat()},
    )
    assert await _audit(AuditAction.ACCOUNT_LOCKED) == [locked]
    assert len(await _audit(AuditAction.SIGN_IN_FAILED)) == 10

    limited = await _limited(world, at=last)
    assert (limited.retry_after, limited.message) == (
        timedelta(minutes=15),
        "Too many failed sign-ins: try again in 900 seconds.",
    )
    # The right password and code are refused until the lock ends, from any address.
    at = last + timedelta(minutes=15) - SECOND
    assert (await _limited(world, at=at)).retry_after == SECOND
    assert (await _limited(world, at=at, address=OTHER_ADDRESS)).retry_after == SECOND
    assert await Session.all().count() == 0
    assert len(await _attempts()) == 10

    await _sign_in(world, at=last + timedelta(minutes=15))
    assert await Session.all().count() == 1


async def test_nine_failures_do_not_lock(world: World) -> None:
    for offset in FAILURE_OFFSETS[:9]:
        await _refused(world, at=NOW + offset * SECOND, password="not-the-password")
    assert await _audit(AuditAction.ACCOUNT_LOCKED) == []
    last = NOW + FAILURE_OFFSETS[8] * SECOND
    assert (await _limited(world, at=last)).retry_after == 64 * SECOND
    await _sign_in(world, at=last + 64 * SECOND)


async def test_a_failure_after_the_lock_locks_again(world: World) -> None:
    last = await _ten_failures(world)
    again = last + timedelta(minutes=15)
    await _refused(world, at=again, password="not-the-password")
    assert (await _limited(world, at=again + 5 * MINUTE)).retry_after == 10 * MINUTE
    assert [row[7] for row in await _audit(AuditAction.ACCOUNT_LOCKED)] == [
        {"until": (last + timedelta(minutes=15)).isoformat()},
        {"until": (again + timedelta(minutes=15)).isoformat()},
    ]


async def test_one_address_is_slowed_down_across_usernames(world: World) -> None:
    for n in range(20):
        await _refused(world, username=f"guess{n:02d}")
    # Every name has one failure only, but the address has twenty.
    limited = await _limited(world)
    assert (limited.retry_after, limited.message) == (
        SECOND,
        "Too many failed sign-ins: try again in 1 second.",
    )
    await _refused(world, at=NOW + SECOND, username="guess20")
    assert (await _limited(world, at=NOW + SECOND)).retry_after == 2 * SECOND
    assert await Session.all().count() == 0
    # The same person from another address is not held up by that one.
    await _sign_in(world, address=OTHER_ADDRESS, at=NOW + SECOND)


async def test_address_failures_are_forgotten_after_fifteen_minutes(world: World) -> None:
    for n in range(20):
        await _refused(world, at=NOW - 15 * MINUTE, username=f"guess{n:02d}")
    await _refused(world, username="guess20")
    # Twenty-one failures from this address, but only one in the last fifteen minutes.
    await _sign_in(world)


# --- Refresh tokens ---------------------------------------------------------------------------


async def test_refresh_rotates_the_token(world: World) -> None:
    first = await _sign_in(world)
    at = NOW + 10 * MINUTE
    second = await sessions.refresh(first.refresh_token, keys=world.keys, now=at)

    assert second.refresh_token != first.refresh_token
    raw, earlier = _raw(second.access_token), _raw(first.access_token)
    assert (raw["sid"], raw["sub"], raw["iat"]) == (
        earlier["sid"],
        earlier["sub"],
        int(at.timestamp()),
    )
    assert raw["jti"] != earlier["jti"]
    assert second.access_token_expires_at == at + timedelta(minutes=15)
    assert await _refresh_rows() == [
        (_digest(first.refresh_token), NOW, NOW + timedelta(days=14), at),
        (_digest(second.refresh_token), at, at + timedelta(days=14), None),
    ]
    third = await sessions.refresh(second.refresh_token, keys=world.keys, now=at + MINUTE)
    assert _raw(third.access_token)["sid"] == earlier["sid"]
    assert await Session.all().count() == 1
    assert await _audit(AuditAction.REFRESH_TOKEN_REUSED) == []


async def _refresh_refused(world: World, token: str, at: datetime) -> None:
    with pytest.raises(Unauthenticated) as error:
        await sessions.refresh(token, keys=world.keys, now=at)
    assert (error.value.code, error.value.message) == (
        "INVALID_CREDENTIALS",
        "This refresh token is not valid; sign in again.",
    )


async def test_a_reused_refresh_token_ends_the_whole_session(world: World) -> None:
    first = await _sign_in(world)
    second = await sessions.refresh(first.refresh_token, keys=world.keys, now=NOW + MINUTE)
    reused_at = NOW + 2 * MINUTE

    await _refresh_refused(world, first.refresh_token, reused_at)
    session = await Session.get()
    assert (session.revoked_at, session.revoked_reason) == (reused_at, "REUSED")
    # The newest token of the family is dead too, and so are its access tokens.
    await _refresh_refused(world, second.refresh_token, reused_at + MINUTE)
    await _refresh_refused(world, first.refresh_token, reused_at + MINUTE)
    assert await sessions.actor(_access(second)) is None
    assert await RefreshToken.all().count() == 2
    assert await _audit(AuditAction.REFRESH_TOKEN_REUSED) == [
        (
            AuditAction.REFRESH_TOKEN_REUSED,
            "Session",
            str(session.id),
            world.user.id,
            world.institution.id,
            ADDRESS,
            reused_at,
            {},
        )
    ]


async def test_a_reuse_raced_twice_is_recorded_once(world: World) -> None:
    first = await _sign_in(world)
    await sessions.refresh(first.refresh_token, keys=world.keys, now=NOW + MINUTE)
    outcomes = await asyncio.gather(
        sessions.refresh(first.refresh_token, keys=world.keys, now=NOW + 2 * MINUTE),
        sessions.refresh(first.refresh_token, keys=world.keys, now=NOW + 2 * MINUTE),
        return_exceptions=True,
    )
    assert [type(o).__name__ for o in outcomes] == ["Unauthenticated", "Unauthenticated"]
    assert len(await _audit(AuditAction.REFRESH_TOKEN_REUSED)) == 1


async def test_an_expired_refresh_token_is_refused_and_changes_nothing(world: World) -> None:
    first = await _sign_in(world)
    await _refresh_refused(world, first.refresh_token, NOW + timedelta(days=14))
    assert await _refresh_rows() == [
        (_digest(first.refresh_token), NOW, NOW + timedelta(days=14), None)
    ]
    session = await Session.get()
    assert session.revoked_at is None
    assert [row[0] for row in await _audit()] == [AuditAction.SIGNED_IN]
    # One second earlier it was still good.
    await sessions.refresh(
        first.refresh_token, keys=world.keys, now=NOW + timedelta(days=14) - SECOND
    )


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 5000])
async def test_an_unknown_refresh_token_is_refused(world: World, token: str) -> None:
    first = await _sign_in(world)
    await _refresh_refused(world, token, NOW + MINUTE)
    await _refresh_refused(world, first.refresh_token + "x", NOW + MINUTE)
    assert [row[3] for row in await _refresh_rows()] == [None]
    assert [row[0] for row in await _audit()] == [AuditAction.SIGNED_IN]


async def test_a_deactivated_user_cannot_refresh(world: World) -> None:
    first = await _sign_in(world)
    await _inactive(world)
    await _refresh_refused(world, first.refresh_token, NOW + MINUTE)
    assert [row[3] for row in await _refresh_rows()] == [None]
    assert await sessions.actor(_access(first)) is None


# --- Sign-out and actor() -------------------------------------------------------------------


async def test_sign_out_ends_the_session(world: World) -> None:
    pair = await _sign_in(world)
    claims = _access(pair)
    assert await sessions.actor(claims) == Actor(
        user_id=world.user.id,
        username="ayse.yilmaz",
        roles=frozenset({Role.BUYER, Role.REALISATION_OFFICER}),
        institution_id=world.institution.id,
    )
    out = NOW + 5 * MINUTE
    await sessions.revoke(pair.refresh_token, now=out)

    session = await Session.get()
    assert (session.revoked_at, session.revoked_reason) == (out, "SIGNED_OUT")
    assert await sessions.actor(claims) is None
    await _refresh_refused(world, pair.refresh_token, out + MINUTE)
    signed_out = (
        AuditAction.SIGNED_OUT,
        "Session",
        str(session.id),
        world.user.id,
        world.institution.id,
        ADDRESS,
        out,
        {},
    )
    assert await _audit(AuditAction.SIGNED_OUT) == [signed_out]
    # Signing out again, or with a token nobody has, changes nothing.
    await sessions.revoke(pair.refresh_token, now=out + MINUTE)
    await sessions.revoke("not-a-token", now=out + MINUTE)
    assert await _audit(AuditAction.SIGNED_OUT) == [signed_out]
    assert (await Session.get()).revoked_at == out
    assert await _audit(AuditAction.REFRESH_TOKEN_REUSED) == []


async def test_two_sign_outs_at_once_are_recorded_once(world: World) -> None:
    pair = await _sign_in(world)
    await asyncio.gather(
        sessions.revoke(pair.refresh_token, now=NOW + MINUTE),
        sessions.revoke(pair.refresh_token, now=NOW + MINUTE),
    )
    assert len(await _audit(AuditAction.SIGNED_OUT)) == 1


async def test_signing_out_one_session_leaves_the_others(world: World) -> None:
    laptop = await _sign_in(world)
    phone = await _sign_in(world, at=NOW + 30 * SECOND)
    await sessions.revoke(laptop.refresh_token, now=NOW + MINUTE)
    assert await sessions.actor(_access(laptop)) is None
    still = await sessions.actor(_access(phone))
    assert still is not None and still.user_id == world.user.id
    await sessions.refresh(phone.refresh_token, keys=world.keys, now=NOW + 2 * MINUTE)


async def test_actor_reads_current_roles_and_state(world: World) -> None:
    claims = _access(await _sign_in(world))
    await UserRole.filter(user_id=world.user.id, role=Role.BUYER).delete()
    await UserRole.create(user=world.user, role=Role.INSPECTOR)
    actor = await sessions.actor(claims)
    assert actor is not None
    assert actor.roles == frozenset({Role.INSPECTOR, Role.REALISATION_OFFICER})

    # Claims naming another user's session, or a session that does not exist, find nobody.
    other = await _user(world.keys, world.institution, "mehmet.oz")
    assert await sessions.actor(_replace(claims, user_id=other.id)) is None
    assert await sessions.actor(_replace(claims, session_id=uuid.uuid4())) is None

    await _inactive(world)
    assert await sessions.actor(claims) is None


def _replace(claims: AccessClaims, **changes: Any) -> AccessClaims:
    return replace(claims, **changes)
