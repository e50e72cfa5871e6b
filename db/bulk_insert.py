"""Multi-row INSERT for imports: a few hundred rows a statement, every value a bind parameter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.fields import Field
from tortoise.models import Model

# SQLite (3.32+) allows 32,766 bind parameters a statement; PostgreSQL gets one array a column.
MAX_PARAMETERS = 30_000
UNNEST_ROWS = 5_000


async def insert_rows(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows of `model` given as {field name: Python value}, all with the same fields.

    Fields a row leaves out get their model default, as Model() would give them. Tortoise's
    bulk_create builds a model instance and runs one INSERT per row: for 100,000 products
    with their specifications that was most of an import's time.
    """
    if not rows:
        return
    meta = model._meta
    given = list(rows[0])
    implied = _implied(model, set(given))
    names = given + list(implied)
    fields: list[Field[Any]] = [meta.fields_map[name] for name in names]
    columns = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in names)
    connection = connections.get(meta.default_connection or "default")
    postgres = connection.capabilities.dialect == "postgres"
    per_statement = UNNEST_ROWS if postgres else max(1, MAX_PARAMETERS // len(names))
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        values: list[list[Any]] = []
        for row in batch:
            # The class, not an instance: auto_now fields must not stamp the class itself.
            full = [*(row[name] for name in given), *(make() for make in implied.values())]
            values.append(
                [field.to_db_value(v, model) for field, v in zip(fields, full, strict=True)]
            )
        head = f'INSERT INTO "{meta.db_table}" ({columns}) '
        if postgres:
            # One array a column: a fixed, small statement that PostgreSQL plans once.
            types = (field.get_for_dialect("postgres", "SQL_TYPE") for field in fields)
            arrays = ", ".join(f"${n}::{sql_type}[]" for n, sql_type in enumerate(types, 1))
            await connection.execute_query(
                f"{head}SELECT * FROM unnest({arrays})",
                [list(col) for col in zip(*values, strict=True)],
            )
        else:
            row_marks = f"({', '.join('?' * len(names))})"
            await connection.execute_query(
                f"{head}VALUES {', '.join([row_marks] * len(batch))}",
                [value for row_values in values for value in row_values],
            )


def _implied(model: type[Model], given: set[str]) -> dict[str, Any]:
    """Field name -> zero-argument maker of the default value, for fields not given."""
    now = datetime.now(UTC)
    makers: dict[str, Any] = {}
    for name in model._meta.fields_db_projection:
        if name in given:
            continue
        field = model._meta.fields_map[name]
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            makers[name] = lambda now=now: now
        elif callable(field.default):
            makers[name] = field.default
        elif field.default is not None:
            makers[name] = lambda value=field.default: value
        elif not field.has_db_default():
            makers[name] = lambda: None
    return makers
