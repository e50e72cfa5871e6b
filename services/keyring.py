"""Keys: Ed25519 keys that sign and verify access tokens (by `kid`), and the TOTP secret cipher."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.accounts import ACCESS_TOKEN_LIFETIME, Role

ALGORITHM = "EdDSA"  # pinned: the only algorithm accepted (no alg=none, no HS/RS confusion)
ISSUER = "esatis"
AUDIENCE = "esatis-api"
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "jti", "roles", "institution", "sid")
TOKEN_KEY_FILE = "token-ed25519.pem"
SECRET_KEY_FILE = "secret-key"
MAX_TOKEN_LENGTH = 4096


class KeyringError(ValueError):
    """A key file is missing, unreadable or not an Ed25519 key; the message names the file."""


class InvalidAccessToken(Exception):
    """An access token that is malformed, forged, expired or for someone else."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    roles: frozenset[Role]
    institution_id: uuid.UUID | None
    expires_at: datetime


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode()


class Keyring:
    def __init__(
        self,
        signing: Ed25519PrivateKey,
        secret_key: str,
        previous: Sequence[Ed25519PublicKey] = (),
    ) -> None:
        self._signing = signing
        self.kid = key_id(signing.public_key())
        # Previous keys still verify tokens they signed until those expire (key rotation).
        self._verifying: Mapping[str, Ed25519PublicKey] = {
            key_id(k): k for k in (signing.public_key(), *previous)
        }
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"esatis totp secrets"
        ).derive(secret_key.encode())
        self._cipher = Fernet(base64.urlsafe_b64encode(derived))

    @classmethod
    def generate(cls) -> Keyring:
        """Fresh keys, for tests."""
        return cls(Ed25519PrivateKey.generate(), secrets.token_urlsafe(32))

    def issue_access(
        self,
        *,
        user_id: uuid.UUID,
        session_id: uuid.UUID,
        roles: frozenset[Role],
        institution_id: uuid.UUID | None,
        now: datetime,
    ) -> tuple[str, datetime]:
        expires_at = now + ACCESS_TOKEN_LIFETIME
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": uuid.uuid4().hex,
            "sid": str(session_id),
            "roles": sorted(roles),
            # DMO staff belong to no institution: an empty string, so the claim is never absent.
            "institution": str(institution_id) if institution_id else "",
        }
        token = jwt.encode(claims, self._signing, algorithm=ALGORITHM, headers={"kid": self.kid})
        return token, expires_at

    def decode_access(self, token: str) -> AccessClaims:
        """Verified claims, or InvalidAccessToken (expiry is checked against the real clock)."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidAccessToken("token too long")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._verifying.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise InvalidAccessToken("unknown key")
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": list(REQUIRED_CLAIMS)},
            )
            return _claims(claims)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
            raise InvalidAccessToken(str(error)) from None

    def encrypt(self, secret: str) -> str:
        return self._cipher.encrypt(secret.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._cipher.decrypt(token.encode()).decode()
        except InvalidToken:
            # Encrypted under another ESATIS_SECRET_KEY: unusable, like a wrong code.
            return ""


def _claims(claims: dict[str, Any]) -> AccessClaims:
    roles = claims["roles"]
    institution = claims["institution"]
    if not isinstance(roles, list) or not isinstance(institution, str):
        raise ValueError("malformed claims")
    # Defence in depth: even a token signed with our key lives no longer than we issue them.
    if int(claims["exp"]) - int(claims["iat"]) > ACCESS_TOKEN_LIFETIME.total_seconds():
        raise ValueError("token lifetime too long")
    return AccessClaims(
        user_id=uuid.UUID(str(claims["sub"])),
        session_id=uuid.UUID(str(claims["sid"])),
        roles=frozenset(Role(r) for r in roles),
        institution_id=uuid.UUID(institution) if institution else None,
        expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
    )


def load(
    *,
    key_file: str | None,
    previous_key_files: Sequence[str],
    secret_key: str | None,
    local_dir: str,
    create: bool,
) -> Keyring:
    """The configured keys; in development, keys generated once and kept in `local_dir`."""
    if key_file is None:
        if not create:
            raise KeyringError("ESATIS_TOKEN_KEY_FILE must name an Ed25519 private key (PEM)")
        key_file = str(Path(local_dir) / TOKEN_KEY_FILE)
        if not Path(key_file).exists():
            _write_private(Path(key_file), _private_pem(Ed25519PrivateKey.generate()))
    if secret_key is None:
        if not create:
            raise KeyringError("ESATIS_SECRET_KEY must be set")
        path = Path(local_dir) / SECRET_KEY_FILE
        if not path.exists():
            _write_private(path, secrets.token_urlsafe(48).encode())
        secret_key = _read_secret(path)
    signing = _read_private(key_file)
    previous = [_read_public(path) for path in previous_key_files]
    return Keyring(signing, secret_key, previous)


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, content: bytes) -> None:
    """Create `path` whole or not at all; a file another process created first is kept."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written beside it, readable by the owner only (never briefly world-readable), then linked
    # into place: several workers starting together never read a half-written key, and never
    # fail because another created it first (os.link, like O_EXCL, refuses an existing name).
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)


def _read_secret(path: Path) -> str:
    try:
        secret = path.read_text().strip()
    except OSError as error:
        raise KeyringError(f"cannot read the secret key {path}: {_reason(error)}") from None
    except UnicodeDecodeError:
        raise KeyringError(f"cannot read the secret key {path}: not UTF-8 text") from None
    if not secret:
        raise KeyringError(f"the secret key {path} is empty")
    return secret


def _read_private(path: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise KeyringError(f"cannot read the token key {path}: {_reason(error)}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyringError(f"the token key {path} is not an Ed25519 private key")
    return key


def _read_public(path: str) -> Ed25519PublicKey:
    data = _read_bytes(path)
    try:
        private = serialization.load_pem_private_key(data, password=None)
        key: object = private.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm):
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError, UnsupportedAlgorithm) as error:
            raise KeyringError(f"cannot read the key {path}: {_reason(error)}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyringError(f"the key {path} is not an Ed25519 key")
    return key


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise KeyringError(f"cannot read the key {path}: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else "not a PEM key"
