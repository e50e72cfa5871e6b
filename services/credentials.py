"""Credentials: Argon2id password hashes, password guessability, RFC 6238 TOTP codes."""

from __future__ import annotations

import asyncio
import hmac
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
ZXCVBN_MAX_INPUT = 100  # zxcvbn's matching grows fast with length; the rest adds no risk


async def hash_password(password: str) -> str:
    # Argon2 is deliberately slow (~50 ms): keep it off the event loop.
    return await asyncio.to_thread(hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user costs the same time as a known one."""
    target = password_hash or _dummy_hash()
    try:
        await asyncio.to_thread(hasher.verify, target, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    if "hash" not in _DUMMY or not _DUMMY["hash"].startswith(_prefix()):
        _DUMMY["hash"] = hasher.hash("no user has this password")
    return _DUMMY["hash"]


def _prefix() -> str:
    return f"$argon2id$v=19$m={hasher.memory_cost},t={hasher.time_cost}"


def is_guessable(password: str, username: str) -> bool:
    result = zxcvbn(password[:ZXCVBN_MAX_INPUT], user_inputs=[username])
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
    if not (len(cleaned) == 6 and cleaned.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.generate_otp(current + offset), cleaned):
            return current + offset
    return None
