"""Shared fixtures: one migrated database per session (SQLite or PostgreSQL), emptied per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from tortoise import Tortoise, connections

from db import lifecycle
from db.config import dialect

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REDIS_URL = os.environ.get("ESATIS_TEST_REDIS_URL") or None


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"database: {os.environ.get('ESATIS_TEST_DATABASE_URL') or 'sqlite (temporary file)'}",
        f"redis: {REDIS_URL or 'not set (redis tests skipped)'}",
        f"shared data: {SHARED_DATA}",
    ]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at the lowest cost: the same code path, without 64 MiB and ~50 ms a hash."""
    from services import credentials

    monkeypatch.setattr(
        credentials, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"../shared/data is missing (looked in {SHARED_DATA})")
    return SHARED_DATA


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get("ESATIS_TEST_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[str]:
    """A freshly migrated database, connected for the whole session."""
    if dialect(database_url) == "postgres":
        await lifecycle.open_database(database_url)
        await connections.get("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await lifecycle.close_database()
    await lifecycle.migrate(database_url)
    await lifecycle.open_database(database_url)
    yield database_url
    await lifecycle.close_database()


def _tables() -> list[str]:
    return [model._meta.db_table for model in Tortoise.apps["models"].values()]


@pytest.fixture
async def db(database: str) -> AsyncIterator[str]:
    """The session database, emptied before the test (and no count or facet cached)."""
    from services import catalogue

    catalogue.summaries.clear()
    conn = connections.get("default")
    tables = _tables()
    if dialect(database) == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} CASCADE")
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys = OFF;"
            + "".join(f"DELETE FROM {table};" for table in tables)
            + "PRAGMA foreign_keys = ON;"
        )
    yield database
