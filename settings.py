"""Settings: the service's configuration, read from ESATIS_* environment variables only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


DEFAULT_DATABASE_URL = "sqlite://esatis.sqlite3"
DEFAULT_BUS_URL = "memory://"
DEFAULT_LOCAL_DIR = ".esatis"


@dataclass(frozen=True)
class Settings:
    env: Environment = Environment.DEVELOPMENT
    database_url: str = DEFAULT_DATABASE_URL
    bus_url: str = DEFAULT_BUS_URL
    # Never logged or printed: see __repr__ below.
    secret_key: str | None = field(default=None, repr=False)
    allowed_origins: tuple[str, ...] = ()
    carrier_secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    load_demo_data: bool = True
    log_level: str = "INFO"
    # GraphQL limits (graph/schema/root.py applies them).
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    # Seconds a listing's count and facets may be reused (0: always computed afresh).
    facet_cache_seconds: float = 30
    # Access tokens: the Ed25519 private key (PEM) that signs them, and earlier keys whose
    # tokens still verify until they expire. Development generates one under `local_dir`.
    token_key_file: str | None = None
    token_previous_key_files: tuple[str, ...] = ()
    # Development keys (token key, secret key) live here, created once, never committed.
    local_dir: str = DEFAULT_LOCAL_DIR
    # How often an open WebSocket checks that its session still stands (closed with 4401 if not).
    socket_check_seconds: float = 30

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def graphiql_enabled(self) -> bool:
        return not self.is_production

    @property
    def demo_data_enabled(self) -> bool:
        return self.load_demo_data and not self.is_production

    def check_startable(self) -> None:
        """Refuse configurations that must never serve traffic."""
        if self.is_production and not self.secret_key:
            raise SettingsError("ESATIS_SECRET_KEY must be set when ESATIS_ENV=production")
        if self.is_production and len(self.secret_key or "") < 32:
            raise SettingsError("ESATIS_SECRET_KEY must be at least 32 characters in production")
        if self.is_production and not self.token_key_file:
            raise SettingsError(
                "ESATIS_TOKEN_KEY_FILE must name the Ed25519 private key (PEM) that signs "
                "access tokens when ESATIS_ENV=production"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        raw_env = env.get("ESATIS_ENV", Environment.DEVELOPMENT.value).strip().lower()
        try:
            environment = Environment(raw_env)
        except ValueError:
            raise SettingsError(
                f"ESATIS_ENV must be 'development' or 'production', not {raw_env!r}"
            ) from None
        bus_url = env.get("ESATIS_BUS_URL", DEFAULT_BUS_URL).strip() or DEFAULT_BUS_URL
        if not bus_url.startswith(("memory://", "redis://", "rediss://")):
            raise SettingsError("ESATIS_BUS_URL must start with memory://, redis:// or rediss://")
        database_url = env.get("ESATIS_DATABASE_URL", DEFAULT_DATABASE_URL).strip()
        if not database_url.startswith(("sqlite://", "postgres://", "asyncpg://")):
            raise SettingsError("ESATIS_DATABASE_URL must be a sqlite:// or postgres:// URL")
        return cls(
            env=environment,
            database_url=database_url or DEFAULT_DATABASE_URL,
            bus_url=bus_url,
            secret_key=env.get("ESATIS_SECRET_KEY") or None,
            allowed_origins=_split_list(env.get("ESATIS_ALLOWED_ORIGINS", "")),
            carrier_secrets=_parse_pairs(env.get("ESATIS_CARRIER_SECRETS", "")),
            load_demo_data=env.get("ESATIS_DEMO_DATA", "1").strip() not in ("0", "false", "no"),
            log_level=_log_level(env.get("ESATIS_LOG_LEVEL", "INFO")),
            facet_cache_seconds=_seconds(env.get("ESATIS_FACET_CACHE_SECONDS", "30")),
            token_key_file=env.get("ESATIS_TOKEN_KEY_FILE", "").strip() or None,
            token_previous_key_files=_split_list(env.get("ESATIS_TOKEN_PREVIOUS_KEY_FILES", "")),
            local_dir=env.get("ESATIS_LOCAL_DIR", "").strip() or DEFAULT_LOCAL_DIR,
        )


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(raw: str) -> str:
    level = raw.strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise SettingsError(f"ESATIS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    return level


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 3600:
        raise SettingsError("ESATIS_FACET_CACHE_SECONDS must be a number of seconds from 0 to 3600")
    return value


def _split_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _parse_pairs(raw: str) -> dict[str, str]:
    """Parse `CODE=secret,CODE2=secret2` (carrier webhook secrets)."""
    pairs: dict[str, str] = {}
    for item in _split_list(raw):
        code, sep, secret = item.partition("=")
        if not sep or not code.strip() or not secret.strip():
            raise SettingsError("ESATIS_CARRIER_SECRETS must look like CODE=secret,CODE2=secret2")
        pairs[code.strip()] = secret.strip()
    return pairs
