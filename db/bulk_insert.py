"""Multi-row INSERT for imports: thousands of rows a statement, every value a bind parameter."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
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
    names = [*given, *implied]
    fields: list[Field[Any]] = [meta.fields_map[name] for name in names]
    columns = [meta.fields_db_projection[name] for name in names]
    connection = connections.get(meta.default_connection or "default")
    postgres = connection.capabilities.dialect == "postgres"
    per_statement = UNNEST_ROWS if postgres else max(1, MAX_PARAMETERS // len(fields))
    for start in range(0, len(rows), per_statement):
        values = [
            # The class, not an instance: auto_now fields must not stamp the class itself.
            [
                field.to_db_value(value, model)
                for field, value in zip(
                    fields,
                    [*(row[n] for n in given), *(m() for m in implied.values())],
                    strict=True,
                )
            ]
            for row in rows[start : start + per_statement]
        ]
        sql, params = _statement(meta.db_table, columns, fields, values, postgres)
        await connection.execute_query(sql, params)


def _statement(
    table: str,
    columns: list[str],
    fields: list[Field[Any]],
    values: list[list[Any]],
    postgres: bool,
) -> tuple[str, list[Any]]:
    quoted = ", ".join(f'"{column}"' for column in columns)
    head = f'INSERT INTO "{table}" ({quoted}) '
    if postgres:
        # One array a column: a small statement that PostgreSQL parses and plans once.
        types = [field.get_for_dialect("postgres", "SQL_TYPE") for field in fields]
        arrays = ", ".join(
            f"${n}::{'TEXT' if _is_array(sql_type) else sql_type}[]"
            for n, sql_type in enumerate(types, 1)
        )
        names = ", ".join(f"c{n}" for n in range(1, len(types) + 1))
        picked = ", ".join(
            f"CAST(c{n} AS {sql_type})" if _is_array(sql_type) else f"c{n}"
            for n, sql_type in enumerate(types, 1)
        )
        columns_of_values = [
            [_array_literal(v) for v in column] if _is_array(sql_type) else list(column)
            for sql_type, column in zip(types, zip(*values, strict=True), strict=True)
        ]
        return f"{head}SELECT {picked} FROM unnest({arrays}) AS u({names})", columns_of_values
    row_marks = f"({', '.join('?' * len(fields))})"
    flat = [value for row in values for value in row]
    return f"{head}VALUES {', '.join([row_marks] * len(values))}", flat


def _is_array(sql_type: str) -> bool:
    return sql_type.endswith("[]")


def _array_literal(value: list[int] | None) -> str | None:
    # unnest() would flatten an array of arrays: an array column travels as its text form
    # ("{1,2,3}"), which PostgreSQL casts back. Only arrays of numbers need no quoting.
    if value is None:
        return None
    return "{" + ",".join(str(int(v)) for v in value) + "}"


def _implied(model: type[Model], given: set[str]) -> dict[str, Callable[[], Any]]:
    """Field name -> zero-argument maker of the default value, for fields not given."""
    now = datetime.now(UTC)
    makers: dict[str, Callable[[], Any]] = {}
    for name in model._meta.fields_db_projection:
        if name in given:
            continue
        field = model._meta.fields_map[name]
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            makers[name] = functools.partial(_constant, now)
        elif callable(field.default):
            makers[name] = field.default
        elif field.default is not None:
            makers[name] = functools.partial(_constant, field.default)
        elif not field.has_db_default():
            makers[name] = functools.partial(_constant, None)
    return makers


def _constant(value: Any) -> Any:
    return value
