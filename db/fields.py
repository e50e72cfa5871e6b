"""Field types Tortoise lacks: a list of integers, INTEGER[] on PostgreSQL and JSON on SQLite."""

from __future__ import annotations

import json
from typing import Any

from tortoise.fields import Field
from tortoise.models import Model


class IntArrayField(Field[list[int]]):
    """A list of integers. PostgreSQL stores INTEGER[] (SQL reads it with unnest() and `&&`),
    SQLite a JSON array in text (read with json_each())."""

    SQL_TYPE = "TEXT"
    field_type = list

    class _db_postgres:
        SQL_TYPE = "INTEGER[]"

    def to_db_value(self, value: Any, instance: type[Model] | Model) -> Any:
        if value is None:
            return None
        numbers = [int(v) for v in value]
        if self.model._meta.db.capabilities.dialect == "postgres":
            return numbers  # asyncpg sends a list as an array
        return json.dumps(numbers, separators=(",", ":"))

    def to_python_value(self, value: Any) -> list[int] | None:
        if value is None or isinstance(value, list):
            return value
        numbers: list[int] = json.loads(value)
        return numbers
