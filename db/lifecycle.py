"""Database lifecycle for commands and tests: apply migrations, open and close connections."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from tortoise import Tortoise, connections
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.migrations.api import migrate as tortoise_migrate

from db.config import tortoise_config

log = logging.getLogger("esatis.db")


async def migrate(database_url: str) -> None:
    """Apply every pending migration (Tortoise's built-in migrations in db/migrations)."""
    await tortoise_migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()


async def open_database(database_url: str) -> None:
    await Tortoise.init(config=tortoise_config(database_url))


async def close_database() -> None:
    await Tortoise.close_connections()


@asynccontextmanager
async def database(database_url: str, *, apply_migrations: bool = True) -> AsyncIterator[None]:
    """Migrated and connected for the duration of a command."""
    if apply_migrations:
        await migrate(database_url)
    await open_database(database_url)
    try:
        yield
    finally:
        await close_database()


def registered(app: Any, database_url: str) -> AbstractAsyncContextManager[Any]:
    """Tortoise bound to a Starlette app's lifespan (plain Tortoise.init loses its context)."""
    return RegisterTortoise(app, config=tortoise_config(database_url))


async def ping() -> bool:
    """Whether the database answers; the reason for a failure goes to the log, not the caller."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any failure means "not ready"
        log.warning("database check failed", exc_info=True)
        return False
    return True
