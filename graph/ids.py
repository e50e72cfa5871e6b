"""Opaque global ids ("Product:<uuid>" in base64) for Node types."""

from __future__ import annotations

import base64
import binascii
import uuid

from domain.errors import InvalidInput

MAX_ID_LENGTH = 200


def encode(type_name: str, raw_id: str) -> str:
    return base64.b64encode(f"{type_name}:{raw_id}".encode()).decode()


def decode_any(global_id: str, *, field: str) -> tuple[str, str]:
    """(type name, uuid) of a well-formed id; InvalidInput naming `field` otherwise."""
    if len(global_id) > MAX_ID_LENGTH:
        raise InvalidInput("malformed id", field=field)
    try:
        text = base64.b64decode(global_id.encode(), validate=True).decode()
        type_name, _, raw = text.partition(":")
        parsed = uuid.UUID(raw)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInput("malformed id", field=field) from None
    if not type_name:
        raise InvalidInput("malformed id", field=field)
    return type_name, str(parsed)


def decode(global_id: str, type_name: str, *, field: str) -> str:
    """The uuid of an id of `type_name`; an id of another type is malformed here."""
    found_type, raw = decode_any(global_id, field=field)
    if found_type != type_name:
        raise InvalidInput(f"not a {type_name} id", field=field)
    return raw
