"""Database lifecycle for commands and tests: apply migrations, open and close connections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise import Tortoise
from tortoise.migrations.api import migrate as tortoise_migrate

from db.config import tortoise_config


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
