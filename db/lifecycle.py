"""Database lifecycle for commands and tests: apply migrations, open and close connections."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as tortoise_migrate

from db.config import dialect, tortoise_config

log = logging.getLogger("esatis.db")


class DatabaseUnavailable(Exception):
    """The database cannot be opened or reached; the message says why, without the URL."""


def _check_sqlite_folder(database_url: str) -> None:
    # aiosqlite waits forever when the file cannot be created: refuse before connecting.
    if dialect(database_url) != "sqlite":
        return
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    if path and path != ":memory:" and not Path(path).resolve().parent.is_dir():
        raise DatabaseUnavailable(f"the folder for the SQLite file {path} does not exist")


@asynccontextmanager
async def _reachable() -> AsyncIterator[None]:
    try:
        yield
    except (OSError, DBConnectionError) as error:
        raise DatabaseUnavailable(f"cannot connect to the database ({error})") from error


async def migrate(database_url: str) -> None:
    """Apply every pending migration (Tortoise's built-in migrations in db/migrations)."""
    _check_sqlite_folder(database_url)
    async with _reachable():
        await tortoise_migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()


async def open_database(database_url: str) -> None:
    _check_sqlite_folder(database_url)
    async with _reachable():
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
