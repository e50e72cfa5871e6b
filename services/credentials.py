"""Credentials: Argon2id password hashes, password guessability, RFC 6238 TOTP codes."""

from __future__ import annotations

import asyncio
import hmac
import re
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# argon2-cffi's defaults are RFC 9106's low-memory profile (Argon2id, 64 MiB, t=3).
# Tests swap in a cheap hasher (tests/conftest.py); nothing else should.
hasher = PasswordHasher()
TOTP_ISSUER = "e-Satış"
# zxcvbn scores 0 to 4; below 3 a password is among, or close to, commonly used ones.
MIN_GUESSABILITY_SCORE = 3
# zxcvbn's matching grows fast with length, and zxcvbn 4.5 raises ValueError past 72
# characters (its max_length): only the first 72 are scored; the rest adds no risk.
ZXCVBN_MAX_INPUT = 72
SIX_DIGITS = re.compile(r"[0-9]{6}")


async def hash_password(password: str) -> str:
    # Argon2 is deliberately slow (~50 ms): keep it off the event loop.
    return await asyncio.to_thread(hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user costs the same time as a known one."""
    # An empty hash is no password at all: it is checked against the dummy hash and refused,
    # never matched by the dummy hash's own password.
    target = password_hash if password_hash else await asyncio.to_thread(_dummy_hash)
    try:
        await asyncio.to_thread(hasher.verify, target, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(password_hash)


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    if "hash" not in _DUMMY or not _DUMMY["hash"].startswith(_prefix()):
        _DUMMY["hash"] = hasher.hash("no user has this password")
    return _DUMMY["hash"]


def _prefix() -> str:
    return f"$argon2id$v=19$m={hasher.memory_cost},t={hasher.time_cost}"


def is_guessable(password: str, username: str) -> bool:
    result = zxcvbn(
        password[:ZXCVBN_MAX_INPUT], user_inputs=[username], max_length=ZXCVBN_MAX_INPUT
    )
    return int(result["score"]) < MIN_GUESSABILITY_SCORE


def new_totp_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def totp_code(secret: str, now: datetime) -> str:
    return pyotp.TOTP(secret).at(now)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, one step either side of now (RFC 6238 5.2), or None."""
    cleaned = code.strip().replace(" ", "")
    # ASCII digits only: str.isdigit() also accepts "²" or "٣", which compare_digest refuses.
    if not SIX_DIGITS.fullmatch(cleaned):
        return None
    try:
        totp = pyotp.TOTP(secret)
    except ValueError:
        # An empty secret (Keyring.decrypt under another key) or a malformed one: no code fits.
        return None
    current = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.generate_otp(current + offset), cleaned):
            return current + offset
    return None
