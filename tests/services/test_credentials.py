"""Password hashes (Argon2id), guessability, and RFC 6238 codes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher

from services import credentials

# RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", codes cut to six digits.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "287082"),
    (1111111109, "081804"),
    (1111111111, "050471"),
    (1234567890, "005924"),
    (2000000000, "279037"),
    (20000000000, "353130"),
]


async def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = await credentials.hash_password("mavi-Bisiklet-2026-kapı")
    assert hashed.startswith("$argon2id$v=19$")
    assert await credentials.hash_password("mavi-Bisiklet-2026-kapı") != hashed  # salted
    assert await credentials.verify_password(hashed, "mavi-Bisiklet-2026-kapı") is True
    assert await credentials.verify_password(hashed, "mavi-Bisiklet-2026-kapi") is False
    assert await credentials.verify_password("not a hash", "mavi-Bisiklet-2026-kapı") is False


def test_production_hashes_use_rfc_9106_low_memory_settings() -> None:
    # tests/conftest.py swaps the module's hasher; argon2-cffi's defaults are what ships.
    default = PasswordHasher()
    assert (default.time_cost, default.memory_cost, default.parallelism) == (3, 65536, 4)


@pytest.mark.parametrize("stored", [None, ""])
async def test_no_stored_hash_never_matches(stored: str | None) -> None:
    for password in ["", "no user has this password", "mavi-Bisiklet-2026-kapı"]:
        assert await credentials.verify_password(stored, password) is False


def test_guessable_passwords() -> None:
    assert credentials.is_guessable("password1234", "ayse") is True
    assert credentials.is_guessable("ayse.yilmaz2026", "ayse.yilmaz") is True
    assert credentials.is_guessable("qwertyuiop12", "ayse") is True
    assert credentials.is_guessable("mavi-Bisiklet-2026-kapı", "ayse") is False
    # Only the first 72 characters are scored (zxcvbn refuses more): long ones are no slower.
    assert credentials.is_guessable("a" * 72 + "Zq8#vL2!mW9@xR4$", "ayse") is True
    assert credentials.is_guessable("a" * 56 + "Zq8#vL2!mW9@xR4$", "ayse") is False
    assert credentials.is_guessable("Zq8#vL2!mW9@xR4$" * 16, "ayse") is False  # 256


@pytest.mark.parametrize(("timestamp", "code"), RFC_VECTORS)
def test_rfc_6238_vectors(timestamp: int, code: str) -> None:
    now = datetime.fromtimestamp(timestamp, UTC)
    assert credentials.totp_code(RFC_SECRET, now) == code
    assert credentials.matching_step(RFC_SECRET, code, now) == timestamp // 30
    assert credentials.matching_step(RFC_SECRET, f" {code[:3]} {code[3:]} ", now) == timestamp // 30


def test_one_step_either_side() -> None:
    now = datetime.fromtimestamp(1111111111, UTC)  # step 37037037
    at = datetime.fromtimestamp
    for step in (37037036, 37037037, 37037038):
        code = credentials.totp_code(RFC_SECRET, at(step * 30, UTC))
        assert credentials.matching_step(RFC_SECRET, code, now) == step
    for step in (37037035, 37037039):
        code = credentials.totp_code(RFC_SECRET, at(step * 30, UTC))
        assert credentials.matching_step(RFC_SECRET, code, now) is None


@pytest.mark.parametrize(
    "code",
    ["", "28708", "2870820", "28708a", "-28708", "٢٨٧٠٨٢", "２８７０８２", "²87082", "287 08 2x"],
)
def test_anything_but_six_ascii_digits_matches_nothing(code: str) -> None:
    assert credentials.matching_step(RFC_SECRET, code, datetime.fromtimestamp(59, UTC)) is None


@pytest.mark.parametrize("secret", ["", "AAAA", "not base32!"])
def test_an_unusable_secret_matches_nothing(secret: str) -> None:
    assert credentials.matching_step(secret, "287082", datetime.fromtimestamp(59, UTC)) is None


def test_new_secrets_and_provisioning_uri() -> None:
    secret = credentials.new_totp_secret()
    assert len(base64.b32decode(secret)) == 20  # 160 bits
    assert credentials.new_totp_secret() != secret
    uri = urlsplit(credentials.provisioning_uri(secret, "ayse.yilmaz"))
    assert (uri.scheme, uri.netloc, uri.path) == (
        "otpauth",
        "totp",
        "/e-Sat%C4%B1%C5%9F:ayse.yilmaz",
    )
    assert parse_qs(uri.query) == {"secret": [secret], "issuer": ["e-Satış"]}
