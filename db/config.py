"""Tortoise configuration for a database URL; TORTOISE_ORM serves Tortoise's own CLI."""

from __future__ import annotations

import os
from typing import Any

MODEL_MODULES = ["db.models"]
MIGRATIONS_MODULE = "db.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    # Tortoise names the asyncpg engine "postgres://"; accept both spellings.
    url = database_url.replace("asyncpg://", "postgres://", 1)
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def dialect(database_url: str) -> str:
    return "postgres" if database_url.startswith(("postgres://", "asyncpg://")) else "sqlite"


# Used by `tortoise makemigrations` (see [tool.tortoise] in pyproject.toml).
TORTOISE_ORM = tortoise_config(os.environ.get("ESATIS_DATABASE_URL", "sqlite://esatis.sqlite3"))
