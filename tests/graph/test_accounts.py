"""Accounts over GraphQL: invitation -> password -> TOTP -> tokens, refresh, sign-out, attacks."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pyotp
from cryptography.hazmat.primitives import serialization

from db.models import AuditEvent, Institution, Invitation, Session, SignInAttempt, User
from domain.accounts import AuditAction
from graph import ids
from services import accounts, credentials
from services.keyring import ALGORITHM, AUDIENCE, ISSUER
from tests.graph.conftest import KEYS, SIGN_IN, Api, Clock, People

PASSWORD = "uzun-ve-guclu-bir-parola-7"

ACCEPT = """
mutation($t: String!, $u: String!, $p: String!) {
  invitationAccept(input: {token: $t, username: $u, password: $p}) {
    user { username displayName email roles totpEnrolled institution { name } }
    provisioningUri
    errors { code field message }
  }
}"""

ENROL = """
mutation($u: String!, $p: String!, $o: String!) {
  totpEnrolConfirm(input: {username: $u, password: $p, otp: $o}) {
    accessToken refreshToken
    user { username roles totpEnrolled }
    errors { code field message }
  }
}"""

ME = "{ me { username displayName roles institution { name vkn provinceName } unit { name } } }"

INSTITUTION_CREATE = """
mutation($vkn: String!) {
  institutionCreate(input: {name: "Bursa İl Milli Eğitim Müdürlüğü", type: SCHOOL, vkn: $vkn,
                            provinceCode: 16, adminEmail: "mudur@meb.example",
                            adminName: "Fatma Korkmaz"}) {
    institution { name type vkn provinceCode provinceName }
    invitation { email displayName roles }
    invitationToken
    errors { code field message }
  }
}"""

INVITE = """
mutation($roles: [Role!]!) {
  userInvite(input: {email: "alici@meb.example", displayName: "Ali Veli", roles: $roles}) {
    invitation { email roles }
    invitationToken
    errors { code field message }
  }
}"""

REFRESH = """
mutation($r: String!) {
  tokenRefresh(input: {refreshToken: $r}) {
    accessToken refreshToken errors { code field message }
  }
}"""

REVOKE = (
    "mutation($r: String!) { tokenRevoke(input: {refreshToken: $r}) { revoked errors { code } } }"
)

BAD_CREDENTIALS = [
    {
        "code": "INVALID_CREDENTIALS",
        "field": None,
        "message": "The username, password or code is wrong.",
    }
]


async def _accept_and_enrol(api: Api, clock: Clock, token: str, username: str) -> dict[str, Any]:
    accepted = (await api(ACCEPT, t=token, u=username, p=PASSWORD))["data"]["invitationAccept"]
    assert accepted["errors"] == []
    secret = pyotp.parse_uri(accepted["provisioningUri"]).secret
    code = credentials.totp_code(secret, clock())
    enrolled = (await api(ENROL, u=username, p=PASSWORD, o=code))["data"]["totpEnrolConfirm"]
    assert enrolled["errors"] == []
    return {"accepted": accepted, "enrolled": enrolled, "secret": secret}


async def test_whole_flow_from_bootstrap_to_an_invited_buyer(
    db: str, http: Any, clock: Clock
) -> None:
    api = Api(http)
    invited = await accounts.invite_platform_admin("Kurucu.Admin", now=clock())
    admin = await _accept_and_enrol(api, clock, invited.token, "kurucu.admin")
    assert admin["accepted"]["user"] == {
        "username": "kurucu.admin",
        "displayName": "kurucu.admin",
        "email": "",
        "roles": ["PLATFORM_ADMIN"],
        "totpEnrolled": False,
        "institution": None,
    }
    uri = admin["accepted"]["provisioningUri"]
    assert uri.startswith("otpauth://totp/e-Sat%C4%B1%C5%9F:kurucu.admin?secret=")
    assert admin["enrolled"]["user"] == {
        "username": "kurucu.admin",
        "roles": ["PLATFORM_ADMIN"],
        "totpEnrolled": True,
    }
    platform = api.as_(admin["enrolled"]["accessToken"])
    me = await platform(ME)
    assert me == {
        "data": {
            "me": {
                "username": "kurucu.admin",
                "displayName": "kurucu.admin",
                "roles": ["PLATFORM_ADMIN"],
                "institution": None,
                "unit": None,
            }
        }
    }

    created = (await platform(INSTITUTION_CREATE, vkn="4740132157"))["data"]["institutionCreate"]
    assert created["errors"] == []
    assert created["institution"] == {
        "name": "Bursa İl Milli Eğitim Müdürlüğü",
        "type": "SCHOOL",
        "vkn": "4740132157",
        "provinceCode": 16,
        "provinceName": "Bursa",
    }
    assert created["invitation"] == {
        "email": "mudur@meb.example",
        "displayName": "Fatma Korkmaz",
        "roles": ["INSTITUTION_ADMIN"],
    }
    head = await _accept_and_enrol(api, clock, created["invitationToken"], "fatma.korkmaz")
    institution_admin = api.as_(head["enrolled"]["accessToken"])
    invite = (await institution_admin(INVITE, roles=["BUYER"]))["data"]["userInvite"]
    assert (invite["errors"], invite["invitation"]) == (
        [],
        {"email": "alici@meb.example", "roles": ["BUYER"]},
    )
    buyer = await _accept_and_enrol(api, clock, invite["invitationToken"], "ali.veli")
    buyer_me = await api.as_(buyer["enrolled"]["accessToken"])(ME)
    assert buyer_me["data"]["me"]["roles"] == ["BUYER"]
    assert buyer_me["data"]["me"]["institution"] == {
        "name": "Bursa İl Milli Eğitim Müdürlüğü",
        "vkn": "4740132157",
        "provinceName": "Bursa",
    }
    # Signing in later takes the next code (the enrolment spent the current one).
    clock.advance(timedelta(seconds=30))
    code = credentials.totp_code(buyer["secret"], clock())
    signed = (await api(SIGN_IN, u="ALI.VELI", p=PASSWORD, o=code))["data"]["tokenCreate"]
    assert (signed["errors"], signed["user"]) == ([], {"username": "ali.veli", "roles": ["BUYER"]})
    actions = (
        await AuditEvent.all().order_by("occurred_at", "action").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        [
            AuditAction.USER_INVITED,  # bootstrap
            AuditAction.INVITATION_ACCEPTED,
            AuditAction.TOTP_ENROLLED,
            AuditAction.SIGNED_IN,
            AuditAction.INSTITUTION_CREATED,
            AuditAction.USER_INVITED,
            AuditAction.INVITATION_ACCEPTED,
            AuditAction.TOTP_ENROLLED,
            AuditAction.SIGNED_IN,
            AuditAction.USER_INVITED,
            AuditAction.INVITATION_ACCEPTED,
            AuditAction.TOTP_ENROLLED,
            AuditAction.SIGNED_IN,
            AuditAction.SIGNED_IN,
        ]
    )


async def test_an_invitation_is_single_use_and_expires(db: str, http: Any, clock: Clock) -> None:
    api = Api(http)
    first = await accounts.invite_platform_admin("birinci", now=clock())
    await _accept_and_enrol(api, clock, first.token, "birinci")
    again = (await api(ACCEPT, t=first.token, u="birinci2", p=PASSWORD))["data"]
    refused = [
        {
            "code": "INVITATION_INVALID",
            "field": "token",
            "message": "This invitation is unknown, already used or expired.",
        }
    ]
    assert again["invitationAccept"]["errors"] == refused
    late = await accounts.invite_platform_admin("ikinci", now=clock())
    clock.advance(timedelta(days=7, seconds=1))
    expired = (await api(ACCEPT, t=late.token, u="ikinci", p=PASSWORD))["data"]
    assert expired["invitationAccept"]["errors"] == refused
    unknown = (await api(ACCEPT, t="not-a-token", u="ucuncu", p=PASSWORD))["data"]
    assert unknown["invitationAccept"]["errors"] == refused
    assert await User.filter(username__in=["birinci2", "ikinci", "ucuncu"]).count() == 0


async def test_password_and_username_rules(db: str, http: Any, clock: Clock) -> None:
    api = Api(http)
    invited = await accounts.invite_platform_admin("yonetici", now=clock())

    async def errors(username: str, password: str) -> list[dict[str, Any]]:
        body = await api(ACCEPT, t=invited.token, u=username, p=password)
        result: list[dict[str, Any]] = body["data"]["invitationAccept"]["errors"]
        return result

    assert await errors("yonetici", "kisa-parola") == [
        {
            "code": "BAD_USER_INPUT",
            "field": "password",
            "message": "A password has at least 12 characters.",
        }
    ]
    assert await errors("yonetici", "password1234") == [
        {
            "code": "BAD_USER_INPUT",
            "field": "password",
            "message": "This password is too common or too easy to guess: use a longer passphrase.",
        }
    ]
    assert await errors("yonetici", "benim-yonetici-parolam-99") == [
        {
            "code": "BAD_USER_INPUT",
            "field": "password",
            "message": "A password must not contain the username.",
        }
    ]
    assert (await errors("baskasi", PASSWORD))[0]["message"] == (
        "This invitation is for the username yonetici."
    )
    assert (await errors("1abc", PASSWORD))[0]["field"] == "username"
    # Nothing was created, and the invitation is still open.
    assert await User.all().count() == 0
    assert (await Invitation.get(id=invited.invitation.id)).accepted_at is None


async def test_taken_username_and_duplicate_vkn(people: People) -> None:
    platform = await people.as_("dmo.admin")
    body = await platform(INSTITUTION_CREATE, vkn="4740132157")  # the demo hospital's VKN
    assert body["data"]["institutionCreate"]["errors"] == [
        {
            "code": "ALREADY_EXISTS",
            "field": "vkn",
            "message": "An institution with this VKN exists already.",
        }
    ]
    wrong = await platform(INSTITUTION_CREATE, vkn="4740132158")
    assert wrong["data"]["institutionCreate"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "vkn",
            "message": "This VKN's check digit is wrong; check the number.",
        }
    ]
    assert await Institution.all().count() == 2
    invited = await accounts.invite_platform_admin("yeni.admin", now=people.clock())
    taken = await people.api(ACCEPT, t=invited.token, u="yeni.admin", p=PASSWORD)
    assert taken["data"]["invitationAccept"]["errors"] == []
    other = await platform(INVITE, roles=["ORDER_DESK"])
    token = other["data"]["userInvite"]["invitationToken"]
    clash = await people.api(ACCEPT, t=token, u="dmo.admin", p=PASSWORD)
    assert clash["data"]["invitationAccept"]["errors"] == [
        {"code": "ALREADY_EXISTS", "field": "username", "message": "This username is taken."}
    ]


# --- Tokens -------------------------------------------------------------------------------


def _forge(claims: dict[str, Any], *, key: Any = None, alg: str = ALGORITHM) -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": KEYS.kid})


def _claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_tampered_tokens_are_refused(people: People) -> None:
    token = await people.sign_in("hastane.alici")
    good = _claims(token)
    assert set(good) == {"iss", "aud", "sub", "exp", "iat", "jti", "roles", "institution", "sid"}
    assert (good["iss"], good["aud"], good["roles"]) == (ISSUER, AUDIENCE, ["BUYER"])
    assert good["exp"] - good["iat"] == 15 * 60
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": KEYS.kid, "typ": "JWT"}
    header, payload, signature = token.split(".")
    public_pem = KEYS._verifying[KEYS.kid].public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(datetime.now(UTC).timestamp())
    elevated = _b64(json.dumps({**good, "roles": ["PLATFORM_ADMIN"]}).encode())
    none_header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": KEYS.kid}).encode())
    forged = {
        "alg none": f"{none_header}.{payload}.",
        "HS256 with the public key": _hs256(good, public_pem),
        "expired": _signed({**good, "iat": now - 3600, "exp": now - 1800}),
        "wrong audience": _signed({**good, "aud": "someone-else"}),
        "wrong issuer": _signed({**good, "iss": "evil"}),
        "altered payload": f"{header}.{elevated}.{signature}",
        "garbage": "not.a.token",
        "empty": "",
    }
    for claim in ("iss", "aud", "sub", "exp", "iat", "jti", "roles", "institution", "sid"):
        forged[f"missing {claim}"] = _signed({k: v for k, v in good.items() if k != claim})
    for name, bad in forged.items():
        body = await people.api.as_(bad)(ME) if bad else await people.api(ME)
        assert body["data"] is None, name
        assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}, name
    # The untouched token still works, and each forgery was refused as a whole.
    assert (await people.api.as_(token)(ME))["data"]["me"]["username"] == "hastane.alici"


def _signed(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, KEYS._signing, algorithm=ALGORITHM, headers={"kid": KEYS.kid})


def _hs256(claims: dict[str, Any], secret: bytes) -> str:
    # PyJWT refuses to HMAC with a PEM key, as an attacker's library would not: sign by hand.
    import hashlib
    import hmac

    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KEYS.kid}).encode())
    payload = _b64(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}"


async def test_refresh_rotates_and_reuse_revokes_the_family(people: People) -> None:
    first = await people.api(
        SIGN_IN, u="hastane.alici", p=people.password, o=people.code("hastane.alici")
    )
    pair = first["data"]["tokenCreate"]
    rotated = (await people.api(REFRESH, r=pair["refreshToken"]))["data"]["tokenRefresh"]
    assert rotated["errors"] == []
    assert rotated["refreshToken"] != pair["refreshToken"]
    # The spent token again: refused, and the whole session ends with it.
    reused = (await people.api(REFRESH, r=pair["refreshToken"]))["data"]["tokenRefresh"]
    refused = [
        {
            "code": "INVALID_CREDENTIALS",
            "field": None,
            "message": "This refresh token is not valid; sign in again.",
        }
    ]
    assert (reused["accessToken"], reused["errors"]) == (None, refused)
    newest = (await people.api(REFRESH, r=rotated["refreshToken"]))["data"]["tokenRefresh"]
    assert newest["errors"] == refused
    for access in (pair["accessToken"], rotated["accessToken"]):
        body = await people.api.as_(access)(ME)
        assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    session = await Session.get()
    assert (
        session.revoked_reason,
        await AuditEvent.filter(action="REFRESH_TOKEN_REUSED").count(),
    ) == (
        "REUSED",
        1,
    )


async def test_sign_out_ends_the_session(people: People) -> None:
    body = await people.api(
        SIGN_IN, u="belediye.admin", p=people.password, o=people.code("belediye.admin")
    )
    pair = body["data"]["tokenCreate"]
    assert (await people.api(REVOKE, r=pair["refreshToken"]))["data"]["tokenRevoke"] == {
        "revoked": True,
        "errors": [],
    }
    me = await people.api.as_(pair["accessToken"])(ME)
    assert me["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    again = (await people.api(REFRESH, r=pair["refreshToken"]))["data"]["tokenRefresh"]
    assert again["errors"][0]["code"] == "INVALID_CREDENTIALS"


# --- Brute force and replay ---------------------------------------------------------------


async def _attempt(people: People, username: str, password: str, otp: str) -> dict[str, Any]:
    body = await people.api(SIGN_IN, u=username, p=password, o=otp)
    payload: dict[str, Any] = body["data"]["tokenCreate"]
    return payload


async def test_failures_look_the_same_whatever_was_wrong(people: People) -> None:
    code = people.code("hastane.harcama")
    cases = [
        ("hastane.harcama", "yanlis-parola-123456", code),  # wrong password
        ("hastane.harcama", people.password, "000000"),  # wrong code
        ("kimse.yok", people.password, code),  # no such user
        ("hastane.harcama", people.password, "12ab"),  # malformed code
    ]
    for username, password, otp in cases:
        payload = await _attempt(people, username, password, otp)
        assert (payload["accessToken"], payload["errors"]) == (None, BAD_CREDENTIALS)
    assert await Session.all().count() == 0


async def test_a_code_works_once_and_one_step_either_side(people: People) -> None:
    user = "hastane.muayene"
    old = people.code(user, -1)
    assert (await _attempt(people, user, people.password, old))["errors"] == []
    assert (await _attempt(people, user, people.password, old))["errors"] == BAD_CREDENTIALS
    # An older step than the one just used is a replay too; the next step is fine.
    current = people.code(user)
    if current != old:
        assert (await _attempt(people, user, people.password, current))["errors"] == []
    assert (await _attempt(people, user, people.password, people.code(user, 1)))["errors"] == []
    assert (await _attempt(people, user, people.password, people.code(user, 1)))["errors"] == (
        BAD_CREDENTIALS
    )
    two_ahead = people.code(user, 3)
    assert (await _attempt(people, user, people.password, two_ahead))["errors"] == BAD_CREDENTIALS


async def test_growing_delays_then_a_15_minute_lock(people: People) -> None:
    user = "belediye.alici"
    for _ in range(3):  # the first failures cost nothing
        assert (await _attempt(people, user, "yanlis-parola-123456", "000000"))["errors"] == (
            BAD_CREDENTIALS
        )
    throttled = await _attempt(people, user, people.password, people.code(user))
    assert throttled["errors"] == [
        {
            "code": "RATE_LIMITED",
            "field": None,
            "message": "Too many failed sign-ins: try again in 1 second.",
        }
    ]
    for failures in range(4, 11):
        people.clock.advance(timedelta(minutes=5))
        payload = await _attempt(people, user, "yanlis-parola-123456", "000000")
        assert payload["errors"] == BAD_CREDENTIALS, failures
    # Ten consecutive failures: even the right password and code wait 15 minutes.
    people.clock.advance(timedelta(minutes=14, seconds=59))
    locked = await _attempt(people, user, people.password, people.code(user))
    assert locked["errors"][0]["code"] == "RATE_LIMITED"
    assert locked["errors"][0]["message"] == "Too many failed sign-ins: try again in 1 second."
    assert await AuditEvent.filter(action="ACCOUNT_LOCKED").count() == 1
    people.clock.advance(timedelta(seconds=2))
    opened = await _attempt(people, user, people.password, people.code(user))
    assert opened["errors"] == []
    assert await SignInAttempt.filter(username=user, succeeded=False).count() == 10


ROLES_SET = """
mutation($id: ID!, $roles: [Role!]!) {
  userRolesSet(input: {userId: $id, roles: $roles}) {
    user { username roles } errors { code field message }
  }
}"""

UNIT_CREATE = """
mutation($name: String!) {
  spendingUnitCreate(input: {name: $name}) { spendingUnit { name } errors { code field message } }
}"""


async def _global_id(username: str) -> str:
    return ids.encode("User", str((await User.get(username=username)).id))


async def test_roles_are_replaced_and_audited(people: People) -> None:
    admin = await people.as_("hastane.admin")
    buyer_id = await _global_id("hastane.alici")
    body = await admin(ROLES_SET, id=buyer_id, roles=["INSPECTOR", "BUYER", "BUYER"])
    assert body["data"]["userRolesSet"] == {
        "user": {"username": "hastane.alici", "roles": ["BUYER", "INSPECTOR"]},
        "errors": [],
    }
    event = await AuditEvent.get(action=AuditAction.ROLES_SET)
    assert event.details == {"roles": ["BUYER", "INSPECTOR"]}
    # The buyer's next request already carries the new roles (they are not read from the JWT).
    me = await (await people.as_("hastane.alici"))(ME)
    assert me["data"]["me"]["roles"] == ["BUYER", "INSPECTOR"]
    dmo_role = await admin(ROLES_SET, id=buyer_id, roles=["ORDER_DESK"])
    assert dmo_role["data"]["userRolesSet"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "roles.0",
            "message": "ORDER_DESK is not a role for an institution.",
        }
    ]
    own = await admin(ROLES_SET, id=await _global_id("hastane.admin"), roles=["BUYER"])
    assert own["data"]["userRolesSet"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "roles",
            "message": "You cannot remove your own INSTITUTION_ADMIN role.",
        }
    ]
    empty = await admin(ROLES_SET, id=buyer_id, roles=[])
    assert empty["data"]["userRolesSet"]["errors"][0]["field"] == "roles"
    # The refused changes changed nothing.
    assert await AuditEvent.filter(action=AuditAction.ROLES_SET).count() == 1
    me_again = await (await people.as_("hastane.admin"))(ME)
    assert me_again["data"]["me"]["roles"] == ["INSTITUTION_ADMIN"]


async def test_spending_units_are_named_once_per_institution(people: People) -> None:
    admin = await people.as_("belediye.admin")
    created = await admin(UNIT_CREATE, name="  Park ve Bahçeler   Dairesi ")
    assert created["data"]["spendingUnitCreate"] == {
        "spendingUnit": {"name": "Park ve Bahçeler Dairesi"},
        "errors": [],
    }
    again = await admin(UNIT_CREATE, name="Park ve Bahçeler Dairesi")
    assert again["data"]["spendingUnitCreate"]["errors"] == [
        {
            "code": "ALREADY_EXISTS",
            "field": "name",
            "message": "This institution has a spending unit of that name.",
        }
    ]
    # Another institution may use the same name.
    other = await (await people.as_("hastane.admin"))(UNIT_CREATE, name="Park ve Bahçeler Dairesi")
    assert other["data"]["spendingUnitCreate"]["errors"] == []
    too_long = await admin(UNIT_CREATE, name="x" * 201)
    assert too_long["data"]["spendingUnitCreate"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "name", "message": "At most 200 characters."}
    ]


async def test_oversized_inputs_are_refused_cleanly(people: People) -> None:
    huge = "a" * 10_000
    payload = await _attempt(people, huge, huge, huge)
    assert payload["errors"] == BAD_CREDENTIALS
    # Longer than any username, with a short password: the same refusal, never a crash.
    for name in ("a" * 33, "a" * 33 + "\nCRITICAL forged line", "ayşe", ""):
        assert (await _attempt(people, name, "x", "1"))["errors"] == BAD_CREDENTIALS, name
        enrol = await people.api(ENROL, u=name, p="x", o="1")
        assert enrol["data"]["totpEnrolConfirm"]["errors"] == BAD_CREDENTIALS, name
    accepted = await people.api(ACCEPT, t=huge, u=huge, p=huge)
    assert accepted["data"]["invitationAccept"]["errors"][0]["code"] == "INVITATION_INVALID"
    refreshed = await people.api(REFRESH, r=huge)
    assert refreshed["data"]["tokenRefresh"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    body = await people.api.as_(huge)(ME)
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


REINVITE = """
mutation($inst: ID!, $roles: [Role!]!, $unit: ID) {
  userInvite(input: {email: "yeni.mudur@hastane.example", displayName: "Yeni Müdür",
                     roles: $roles, institutionId: $inst, unitId: $unit}) {
    invitation { email roles } invitationToken errors { code field message }
  }
}"""


async def test_every_refused_field_is_reported_at_once(people: People) -> None:
    platform = await people.as_("dmo.admin")
    body = await platform(
        """mutation { institutionCreate(input: {name: "Okul\\u0000\\u202eXYZ", type: SCHOOL,
          vkn: "123", provinceCode: 82, adminEmail: "yok", adminName: " "}) {
          institution { id } errors { code field message } } }"""
    )
    assert body["data"]["institutionCreate"] == {
        "institution": None,
        "errors": [
            {
                "code": "BAD_USER_INPUT",
                "field": "name",
                "message": "Text may not contain control or formatting characters.",
            },
            {"code": "BAD_USER_INPUT", "field": "vkn", "message": "A VKN is exactly 10 digits."},
            {
                "code": "BAD_USER_INPUT",
                "field": "provinceCode",
                "message": "Unknown province: use the plate code, 1 to 81.",
            },
            {"code": "BAD_USER_INPUT", "field": "adminEmail", "message": "Not an e-mail address."},
            {"code": "BAD_USER_INPUT", "field": "adminName", "message": "A name is required."},
        ],
    }
    assert await Institution.all().count() == 2


async def test_a_platform_admin_can_invite_a_new_institution_admin(people: People) -> None:
    hospital = await Institution.get(vkn="4740132157")
    global_id = ids.encode("Institution", str(hospital.id))
    platform = await people.as_("dmo.admin")
    invited = await platform(REINVITE, inst=global_id, roles=["INSTITUTION_ADMIN"])
    assert invited["data"]["userInvite"]["errors"] == []
    assert invited["data"]["userInvite"]["invitation"] == {
        "email": "yeni.mudur@hastane.example",
        "roles": ["INSTITUTION_ADMIN"],
    }
    token = invited["data"]["userInvite"]["invitationToken"]
    accepted = await people.api(ACCEPT, t=token, u="yeni.mudur", p=PASSWORD)
    assert accepted["data"]["invitationAccept"]["user"]["institution"] == {
        "name": "Ankara Şehir Hastanesi"
    }
    wrong_role = await platform(REINVITE, inst=global_id, roles=["BUYER"])
    assert wrong_role["data"]["userInvite"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "roles",
            "message": "Invite an institution's administrator only: [INSTITUTION_ADMIN].",
        }
    ]
    # An institution's own administrator cannot invite into any institution by id.
    own_admin = await people.as_("hastane.admin")
    refused = await own_admin(REINVITE, inst=global_id, roles=["INSTITUTION_ADMIN"])
    assert refused["data"]["userInvite"]["errors"] == [
        {
            "code": "BAD_USER_INPUT",
            "field": "institutionId",
            "message": "Only DMO's platform administrators invite into an institution.",
        }
    ]
    unknown = await platform(
        REINVITE, inst=ids.encode("Institution", str(uuid.uuid4())), roles=["INSTITUTION_ADMIN"]
    )
    malformed = await platform(REINVITE, inst="zzz", roles=["INSTITUTION_ADMIN"])
    missing = [{"code": "NOT_FOUND", "field": "institutionId", "message": "No such institution."}]
    assert unknown["data"]["userInvite"]["errors"] == missing
    assert malformed["data"]["userInvite"]["errors"] == missing
    assert await Invitation.filter(email="yeni.mudur@hastane.example").count() == 1


async def test_unit_names_are_unique_whatever_their_case(people: People) -> None:
    admin = await people.as_("hastane.admin")
    created = await admin(UNIT_CREATE, name="Acil Servis")
    assert created["data"]["spendingUnitCreate"]["errors"] == []
    for name in ("acil servis", "ACİL SERVİS"):
        again = await admin(UNIT_CREATE, name=name)
        assert again["data"]["spendingUnitCreate"]["errors"][0]["code"] == "ALREADY_EXISTS", name
    # "ACIL" with a dotless capital I is another word in Turkish ("acıl"): a different unit.
    other = await admin(UNIT_CREATE, name="ACIL SERVIS")
    assert other["data"]["spendingUnitCreate"]["errors"] == []


async def test_carriers_do_not_see_institutions(people: People) -> None:
    hospital = ids.encode("Institution", str((await Institution.get(vkn="4740132157")).id))
    node = "query($id: ID!) { node(id: $id) { ... on Institution { vkn } } }"
    for username, seen in (("dmo.kargo", None), ("dmo.katalog", None), ("dmo.siparis", True)):
        body = await (await people.as_(username))(node, id=hospital)
        assert (body["data"]["node"] is not None) == bool(seen), username


async def test_a_token_living_longer_than_issued_is_refused(people: People) -> None:
    good = _claims(await people.sign_in("hastane.alici"))
    stretched = _signed({**good, "exp": good["iat"] + 15 * 60 + 1})
    body = await people.api.as_(stretched)(ME)
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
