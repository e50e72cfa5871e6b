"""Opaque keyset cursors: the sort they belong to, the row's sort value and its id."""

from __future__ import annotations

import base64
import binascii
import json
import math
import uuid
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from db.catalogue_queries import Keyset
from domain.errors import InvalidInput

MAX_CURSOR_LENGTH = 500


def encode(sort_key: str, value: Any, row_id: str) -> str:
    # Every listed row gets a cursor: a cheap fast path for the usual value types.
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    if isinstance(value, str):
        payload = f'["{sort_key}",{_quote(value)},"{row_id}"]'
    elif isinstance(value, int | float) and not isinstance(value, bool):
        payload = f'["{sort_key}",{value!r},"{row_id}"]'
    else:
        payload = json.dumps([sort_key, value, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


def _quote(text: str) -> str:
    if '"' in text or "\\" in text or not text.isprintable():
        return json.dumps(text)
    return f'"{text}"'


class OtherSort(InvalidInput):
    """A well-formed cursor made for another sort or search."""


class ValueKind(Enum):
    """What a cursor's sort value must be, so a forged cursor cannot reach the database."""

    INTEGER = "integer"
    NUMBER = "number"
    TEXT = "text"
    TIMESTAMP = "timestamp"


MAX_INTEGER = 2**53  # beyond this JSON numbers lose precision; no sort value comes near it
MAX_TEXT = 200


def decode(cursor: str, sort_key: str, kind: ValueKind, *, field: str) -> Keyset:
    """The position a cursor marks; refused when malformed or made for another sort."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidInput("malformed cursor", field=field)
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput("malformed cursor", field=field) from None
    if not (isinstance(payload, list) and len(payload) == 3):
        raise InvalidInput("malformed cursor", field=field)
    key, value, row_id = payload
    if key != sort_key:
        raise OtherSort("this cursor belongs to another search or sort", field=field)
    if not (isinstance(row_id, str) and _is_uuid(row_id) and _fits(value, kind)):
        raise InvalidInput("malformed cursor", field=field)
    return Keyset(value=value, id=row_id)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _fits(value: object, kind: ValueKind) -> bool:
    if isinstance(value, bool):
        return False
    if kind is ValueKind.INTEGER:
        return isinstance(value, int) and abs(value) <= MAX_INTEGER
    if kind is ValueKind.NUMBER:
        return isinstance(value, int | float) and math.isfinite(value) and abs(value) <= MAX_INTEGER
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return False
    if kind is ValueKind.TIMESTAMP:
        try:
            return datetime.fromisoformat(value).tzinfo is not None
        except ValueError:
            return False
    return True
