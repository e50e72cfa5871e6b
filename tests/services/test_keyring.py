"""Access tokens (EdDSA, pinned, by kid), the TOTP secret cipher, and loading key files."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import stat
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.accounts import Role
from services import keyring
from services.keyring import AccessClaims, InvalidAccessToken, Keyring, KeyringError

# Fixed keys: the same kid on every run.
PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
SECRET_KEY = "a-development-secret-key-of-48-characters-000000"
USER = uuid.UUID("5a2d7a0e-8c1b-4f7e-9d2a-1b3c4d5e6f70")
SESSION = uuid.UUID("0b9e6f2c-3a4d-4e5f-8a6b-7c8d9e0f1a2b")
INSTITUTION = uuid.UUID("c4e1d2b3-a5f6-4789-8abc-def012345678")
PAST = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_DROP = object()  # a claim or header left out


@pytest.fixture
def keys() -> Keyring:
    return Keyring(PRIVATE, SECRET_KEY)


@pytest.fixture
def now() -> datetime:
    # decode_access checks expiry against the real clock (PyJWT takes no `now`), so a token
    # meant to be valid is issued now, to the second; refusals use fixed times.
    return datetime.now(UTC).replace(microsecond=0)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(part: dict[str, Any]) -> str:
    return _b64(json.dumps(part, separators=(",", ":")).encode())


def _header(**changes: Any) -> dict[str, Any]:
    header: dict[str, Any] = {
        "alg": "EdDSA",
        "typ": "JWT",
        "kid": keyring.key_id(PRIVATE.public_key()),
    }
    return _changed(header, changes)


def _claims(now: datetime, **changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": "esatis",
        "aud": "esatis-api",
        "sub": str(USER),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=15)).timestamp()),
        "jti": "0123456789abcdef0123456789abcdef",
        "sid": str(SESSION),
        "roles": ["BUYER"],
        "institution": str(INSTITUTION),
    }
    return _changed(claims, changes)


def _changed(part: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    part = {**part, **changes}
    return {name: value for name, value in part.items() if value is not _DROP}


def _ed25519(
    header: dict[str, Any], claims: dict[str, Any], key: Ed25519PrivateKey = PRIVATE
) -> str:
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    return f"{signing_input}.{_b64(key.sign(signing_input.encode()))}"


def _refusal(keys: Keyring, token: str) -> str:
    with pytest.raises(InvalidAccessToken) as error:
        keys.decode_access(token)
    return str(error.value)


# --- Issue and decode -------------------------------------------------------------------------


def test_issue_and_decode_round_trip(keys: Keyring, now: datetime) -> None:
    token, expires_at = keys.issue_access(
        user_id=USER,
        session_id=SESSION,
        roles=frozenset({Role.SPENDING_AUTHORITY, Role.BUYER}),
        institution_id=INSTITUTION,
        now=now,
    )
    assert expires_at == now + timedelta(minutes=15)
    assert keys.decode_access(token) == AccessClaims(
        user_id=USER,
        session_id=SESSION,
        roles=frozenset({Role.BUYER, Role.SPENDING_AUTHORITY}),
        institution_id=INSTITUTION,
        expires_at=now + timedelta(minutes=15),
    )
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "typ": "JWT", "kid": keys.kid}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert re.fullmatch(r"[0-9a-f]{32}", claims["jti"])
    assert claims == _claims(now, jti=claims["jti"], roles=["BUYER", "SPENDING_AUTHORITY"])


def test_dmo_staff_tokens_carry_an_empty_institution(keys: Keyring, now: datetime) -> None:
    token, _ = keys.issue_access(
        user_id=USER,
        session_id=SESSION,
        roles=frozenset({Role.PLATFORM_ADMIN}),
        institution_id=None,
        now=now,
    )
    assert jwt.decode(token, options={"verify_signature": False})["institution"] == ""
    decoded = keys.decode_access(token)
    assert (decoded.institution_id, decoded.roles) == (None, frozenset({Role.PLATFORM_ADMIN}))


def test_every_token_has_its_own_id(keys: Keyring, now: datetime) -> None:
    issued = [
        keys.issue_access(
            user_id=USER, session_id=SESSION, roles=frozenset(), institution_id=None, now=now
        )[0]
        for _ in range(3)
    ]
    jtis = {jwt.decode(t, options={"verify_signature": False})["jti"] for t in issued}
    assert len(jtis) == 3


def test_the_key_id_is_a_digest_of_the_public_key(keys: Keyring) -> None:
    raw = PRIVATE.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert keys.kid == _b64(hashlib.sha256(raw).digest()[:12])
    assert len(keys.kid) == 16
    assert Keyring(OTHER, SECRET_KEY).kid != keys.kid


def test_a_hand_built_token_is_accepted(keys: Keyring, now: datetime) -> None:
    # The forgeries below are built the same way: this one proves the builder itself is sound.
    decoded = keys.decode_access(_ed25519(_header(), _claims(now)))
    assert decoded == AccessClaims(
        user_id=USER,
        session_id=SESSION,
        roles=frozenset({Role.BUYER}),
        institution_id=INSTITUTION,
        expires_at=now + timedelta(minutes=15),
    )


# --- Refused tokens ---------------------------------------------------------------------------


def test_alg_none_is_refused(keys: Keyring, now: datetime) -> None:
    token = f"{_segment(_header(alg='none'))}.{_segment(_claims(now))}."
    assert _refusal(keys, token) == "The specified alg value is not allowed"


def _hs256(secret: bytes, now: datetime) -> str:
    signing_input = f"{_segment(_header(alg='HS256'))}.{_segment(_claims(now))}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@pytest.mark.parametrize(
    "encoding",
    [
        lambda key: key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        lambda key: key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    ],
    ids=["raw", "pem"],
)
def test_hs256_signed_with_the_public_key_is_refused(
    keys: Keyring, now: datetime, encoding: Callable[[Any], bytes]
) -> None:
    token = _hs256(encoding(PRIVATE.public_key()), now)
    assert _refusal(keys, token) == "The specified alg value is not allowed"


def test_an_expired_token_is_refused(keys: Keyring) -> None:
    token, _ = keys.issue_access(
        user_id=USER, session_id=SESSION, roles=frozenset(), institution_id=None, now=PAST
    )
    assert _refusal(keys, token) == "Signature has expired"


def test_a_token_issued_in_the_future_is_refused(keys: Keyring, now: datetime) -> None:
    token, _ = keys.issue_access(
        user_id=USER,
        session_id=SESSION,
        roles=frozenset(),
        institution_id=None,
        now=now + timedelta(hours=1),
    )
    assert _refusal(keys, token) == "The token is not yet valid (iat)"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "another-api"}, "Audience doesn't match"),
        ({"aud": ["another-api"]}, "Audience doesn't match"),
        ({"iss": "someone-else"}, "Invalid issuer"),
    ],
)
def test_a_token_for_someone_else_is_refused(
    keys: Keyring, now: datetime, changes: dict[str, Any], reason: str
) -> None:
    assert _refusal(keys, _ed25519(_header(), _claims(now, **changes))) == reason


def test_an_altered_payload_is_refused(keys: Keyring, now: datetime) -> None:
    token, _ = keys.issue_access(
        user_id=USER,
        session_id=SESSION,
        roles=frozenset({Role.BUYER}),
        institution_id=INSTITUTION,
        now=now,
    )
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["BUYER", "PLATFORM_ADMIN"]
    forged = f"{header}.{_segment(claims)}.{signature}"
    assert _refusal(keys, forged) == "Signature verification failed"


def test_a_token_signed_by_another_key_under_our_kid_is_refused(
    keys: Keyring, now: datetime
) -> None:
    assert _refusal(keys, _ed25519(_header(), _claims(now), OTHER)) == (
        "Signature verification failed"
    )


@pytest.mark.parametrize(
    "claim", ["iss", "aud", "sub", "exp", "iat", "jti", "roles", "institution", "sid"]
)
def test_each_required_claim_must_be_there(keys: Keyring, now: datetime, claim: str) -> None:
    token = _ed25519(_header(), _claims(now, **{claim: _DROP}))
    assert _refusal(keys, token) == f'Token is missing the "{claim}" claim'


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"roles": ["BUYER", "GOD"]}, "'GOD' is not a valid Role"),
        ({"roles": "BUYER"}, "malformed claims"),
        ({"institution": 42}, "malformed claims"),
        ({"institution": "not-a-uuid"}, "badly formed hexadecimal UUID string"),
        ({"sub": "not-a-uuid"}, "badly formed hexadecimal UUID string"),
        ({"sid": "not-a-uuid"}, "badly formed hexadecimal UUID string"),
        ({"sub": 42}, "Subject must be a string"),
        ({"exp": "soon"}, "Expiration Time claim (exp) must be an integer."),
    ],
)
def test_malformed_claims_are_refused(
    keys: Keyring, now: datetime, changes: dict[str, Any], reason: str
) -> None:
    assert _refusal(keys, _ed25519(_header(), _claims(now, **changes))) == reason


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (_header(kid=keyring.key_id(OTHER.public_key())), "unknown key"),
        (_header(kid=_DROP), "unknown key"),
        (_header(kid=7), "Key ID header parameter must be a string"),
        (_header(kid=["x"]), "Key ID header parameter must be a string"),
    ],
    ids=["another-key", "none", "number", "list"],
)
def test_an_unknown_kid_is_refused(
    keys: Keyring, now: datetime, header: dict[str, Any], reason: str
) -> None:
    assert _refusal(keys, _ed25519(header, _claims(now), OTHER)) == reason


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "...", "eyJ9.eyJ9.x", "ä.ö.ü"])
def test_garbage_is_refused(keys: Keyring, token: str) -> None:
    with pytest.raises(InvalidAccessToken):
        keys.decode_access(token)


def _token_of_length(length: int, now: datetime) -> str:
    for pad in range(4000):
        for extra in ("", "x", "xx", "xxx"):
            token = _ed25519(_header(x=extra), _claims(now, pad="p" * pad))
            if len(token) == length:
                return token
    raise AssertionError(f"no token of {length} characters")


def test_tokens_up_to_4096_characters_are_read(keys: Keyring, now: datetime) -> None:
    token = _token_of_length(4096, now)
    assert keys.decode_access(token).user_id == USER
    assert _refusal(keys, _token_of_length(4097, now)) == "token too long"
    assert _refusal(keys, "a" * 100_000) == "token too long"


def test_a_previous_key_still_verifies_its_tokens(now: datetime) -> None:
    before = Keyring(OTHER, SECRET_KEY)
    old_token, _ = before.issue_access(
        user_id=USER, session_id=SESSION, roles=frozenset(), institution_id=None, now=now
    )
    rotated = Keyring(PRIVATE, SECRET_KEY, previous=[OTHER.public_key()])
    new_token, _ = rotated.issue_access(
        user_id=USER, session_id=SESSION, roles=frozenset(), institution_id=None, now=now
    )
    assert rotated.kid == keyring.key_id(PRIVATE.public_key())
    assert jwt.get_unverified_header(new_token)["kid"] == rotated.kid
    assert rotated.decode_access(old_token).user_id == USER
    assert rotated.decode_access(new_token).user_id == USER
    # Without the previous key, its tokens are unknown; the old keyring never knew the new key.
    assert _refusal(Keyring(PRIVATE, SECRET_KEY), old_token) == "unknown key"
    assert _refusal(before, new_token) == "unknown key"


# --- TOTP secret cipher -----------------------------------------------------------------------


def test_secrets_are_encrypted_and_decrypted(keys: Keyring) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    first, second = keys.encrypt(secret), keys.encrypt(secret)
    assert first != second  # a fresh IV each time
    assert secret not in first
    assert keys.decrypt(first) == keys.decrypt(second) == secret
    # The cipher comes from the secret key alone, not from the signing key.
    assert Keyring(OTHER, SECRET_KEY).decrypt(first) == secret


def test_a_secret_encrypted_under_another_secret_key_reads_as_empty(keys: Keyring) -> None:
    token = Keyring(PRIVATE, "another-secret-key-of-48-characters-00000000000").encrypt("S3CR3T")
    assert keys.decrypt(token) == ""
    assert keys.decrypt("not a fernet token") == ""
    assert keys.decrypt("") == ""


# --- Loading keys -----------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _load(local_dir: Path, **options: Any) -> Keyring:
    arguments: dict[str, Any] = {
        "key_file": None,
        "previous_key_files": (),
        "secret_key": None,
        "local_dir": str(local_dir),
        "create": True,
    }
    return keyring.load(**{**arguments, **options})


def test_development_keys_are_created_once_owner_only(tmp_path: Path, now: datetime) -> None:
    local = tmp_path / "local"
    first = _load(local)
    key_file, secret_file = local / "token-ed25519.pem", local / "secret-key"
    assert sorted(p.name for p in local.iterdir()) == ["secret-key", "token-ed25519.pem"]
    assert (_mode(local), _mode(key_file), _mode(secret_file)) == (0o700, 0o600, 0o600)
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    assert first.kid == keyring.key_id(key.public_key())
    assert len(secret_file.read_text()) == 64

    contents = (key_file.read_bytes(), secret_file.read_bytes())
    second = _load(local)
    assert (key_file.read_bytes(), secret_file.read_bytes()) == contents
    assert second.kid == first.kid
    assert second.decrypt(first.encrypt("JBSWY3DPEHPK3PXP")) == "JBSWY3DPEHPK3PXP"
    token, _ = first.issue_access(
        user_id=USER, session_id=SESSION, roles=frozenset(), institution_id=None, now=now
    )
    assert second.decode_access(token).user_id == USER


def test_workers_starting_together_share_one_set_of_keys(tmp_path: Path) -> None:
    # Several workers of `esatis serve` load the development keys at the same moment.
    local = tmp_path / "local"
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def worker() -> None:
        start.wait()
        try:
            outcomes.append(_load(local).kid)
        except Exception as error:  # whatever went wrong, the assertion below shows it
            outcomes.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [_load(local).kid] * 8
    assert sorted(p.name for p in local.iterdir()) == ["secret-key", "token-ed25519.pem"]


def test_configured_keys_are_used_as_they_are(tmp_path: Path, now: datetime) -> None:
    key_file = tmp_path / "token.pem"
    key_file.write_bytes(_pem(PRIVATE))
    previous = tmp_path / "previous.pub.pem"
    previous.write_bytes(
        OTHER.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    previous_private = tmp_path / "previous.pem"
    previous_private.write_bytes(_pem(OTHER))
    local = tmp_path / "local"
    for previous_file in (previous, previous_private):
        loaded = _load(
            local,
            key_file=str(key_file),
            previous_key_files=[str(previous_file)],
            secret_key=SECRET_KEY,
            create=False,
        )
        assert loaded.kid == keyring.key_id(PRIVATE.public_key())
        old_token, _ = Keyring(OTHER, SECRET_KEY).issue_access(
            user_id=USER, session_id=SESSION, roles=frozenset(), institution_id=None, now=now
        )
        assert loaded.decode_access(old_token).user_id == USER
        assert loaded.decrypt(Keyring(OTHER, SECRET_KEY).encrypt("S")) == "S"
    assert not local.exists()


def _pem(key: Any) -> bytes:
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_nothing_configured_and_no_creating_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyringError) as error:
        _load(tmp_path / "local", create=False)
    assert str(error.value) == "ESATIS_TOKEN_KEY_FILE must name an Ed25519 private key (PEM)"
    key_file = tmp_path / "token.pem"
    key_file.write_bytes(_pem(PRIVATE))
    with pytest.raises(KeyringError) as error:
        _load(tmp_path / "local", key_file=str(key_file), create=False)
    assert str(error.value) == "ESATIS_SECRET_KEY must be set"
    assert not (tmp_path / "local").exists()


def test_a_token_key_that_is_not_ed25519_is_named(tmp_path: Path) -> None:
    key_file = tmp_path / "p256.pem"
    key_file.write_bytes(_pem(ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(KeyringError) as error:
        _load(tmp_path, key_file=str(key_file), secret_key=SECRET_KEY)
    assert str(error.value) == f"the token key {key_file} is not an Ed25519 private key"


def test_unreadable_token_keys_are_named(tmp_path: Path) -> None:
    missing, garbage = tmp_path / "missing.pem", tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    with pytest.raises(KeyringError) as error:
        _load(tmp_path, key_file=str(missing), secret_key=SECRET_KEY)
    assert str(error.value) == f"cannot read the token key {missing}: No such file or directory"
    with pytest.raises(KeyringError) as error:
        _load(tmp_path, key_file=str(garbage), secret_key=SECRET_KEY)
    assert str(error.value) == f"cannot read the token key {garbage}: not a PEM key"


def test_bad_previous_keys_are_named(tmp_path: Path) -> None:
    key_file = tmp_path / "token.pem"
    key_file.write_bytes(_pem(PRIVATE))
    p256 = tmp_path / "p256.pem"
    p256.write_bytes(_pem(ec.generate_private_key(ec.SECP256R1())))
    missing, garbage = tmp_path / "missing.pem", tmp_path / "garbage.pem"
    garbage.write_text("hello")
    expected = {
        p256: f"the key {p256} is not an Ed25519 key",
        missing: f"cannot read the key {missing}: No such file or directory",
        garbage: f"cannot read the key {garbage}: not a PEM key",
    }
    for path, message in expected.items():
        with pytest.raises(KeyringError) as error:
            _load(
                tmp_path,
                key_file=str(key_file),
                previous_key_files=[str(path)],
                secret_key=SECRET_KEY,
            )
        assert str(error.value) == message


def test_an_empty_secret_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret-key").write_text("\n")
    with pytest.raises(KeyringError) as error:
        _load(tmp_path)
    assert str(error.value) == f"the secret key {tmp_path / 'secret-key'} is empty"
