"""Opaque keyset cursors: the sort they belong to, the row's sort value and its id."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from decimal import Decimal
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


def decode(cursor: str, sort_key: str, *, field: str) -> Keyset:
    """The position a cursor marks; refused when malformed or made for another sort."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidInput("malformed cursor", field=field)
    try:
        key, value, row_id = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        uuid.UUID(row_id)
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise InvalidInput("malformed cursor", field=field) from None
    if key != sort_key:
        raise InvalidInput("this cursor belongs to another search or sort", field=field)
    if not isinstance(value, (int, float, str)) or isinstance(value, bool):
        raise InvalidInput("malformed cursor", field=field)
    return Keyset(value=value, id=row_id)
