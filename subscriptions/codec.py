"""Events on the wire: the `Event` value and its JSON form `{type, version, occurred_at, data}`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_KEYS = ("type", "version", "occurred_at", "data")
# Events carry ids and changed fields, never tokens (ARCHITECTURE.md section 5): refuse keys
# that look like credentials so a careless payload fails in tests instead of leaking.
_SECRET_WORDS = ("token", "password", "secret")


class EventEncodeError(ValueError):
    """An event's data cannot be written as JSON (a programming error, not a transport one)."""


class EventDecodeError(ValueError):
    """A message is not a valid event; the message says what is wrong with it."""


@dataclass(frozen=True)
class Event:
    """Something that happened: a past-tense `type`, ids and changed fields in `data`."""

    type: str
    data: Mapping[str, Any]
    occurred_at: datetime
    version: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.type, str) or not self.type:
            raise ValueError("event type must be a non-empty string")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise ValueError(f"event version must be a positive integer, not {self.version!r}")
        if not isinstance(self.occurred_at, datetime) or self.occurred_at.utcoffset() is None:
            raise ValueError("event occurred_at must be timezone-aware (UTC)")
        if not isinstance(self.data, Mapping):
            raise ValueError("event data must be a mapping of field names to values")
        _refuse_secrets(self.data)
        # Normalise to UTC, and copy the data (shallowly) so that a caller reusing its dict
        # cannot change an event already published.
        object.__setattr__(self, "occurred_at", self.occurred_at.astimezone(UTC))
        object.__setattr__(self, "data", dict(self.data))


def encode(event: Event) -> str:
    """The event as compact JSON text."""
    payload = {
        "type": event.type,
        "version": event.version,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.data,
    }
    try:
        return json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise EventEncodeError(f"event {event.type!r} cannot be encoded as JSON: {exc}") from exc


def decode(raw: str | bytes) -> Event:
    """The event in `raw`, or `EventDecodeError` saying what is wrong with it."""
    try:
        payload = json.loads(raw, parse_constant=_refuse_constant)
    except (TypeError, ValueError) as exc:
        raise EventDecodeError(f"event is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise EventDecodeError(f"event must be a JSON object, not {type(payload).__name__}")
    missing = [key for key in _KEYS if key not in payload]
    if missing:
        raise EventDecodeError(f"event is missing {', '.join(missing)}")
    # Unknown top-level keys are ignored: a newer producer may add one during a rolling deploy.
    version = payload["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise EventDecodeError(f"event version must be a positive integer, not {version!r}")
    if not isinstance(payload["type"], str) or not payload["type"]:
        raise EventDecodeError("event type must be a non-empty string")
    if not isinstance(payload["data"], dict):
        raise EventDecodeError("event data must be a JSON object")
    occurred_at = _decode_time(payload["occurred_at"])
    try:
        return Event(payload["type"], payload["data"], occurred_at, version)
    except ValueError as exc:
        raise EventDecodeError(str(exc)) from None


def _decode_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise EventDecodeError("event occurred_at must be an ISO-8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise EventDecodeError(f"event occurred_at is not ISO-8601: {value!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise EventDecodeError(f"event occurred_at has no UTC offset: {value!r}")
    return moment


def _refuse_constant(name: str) -> None:
    # json accepts NaN and Infinity by default; they are not JSON (RFC 8259 section 6).
    raise ValueError(f"{name} is not valid JSON")


def _refuse_secrets(value: object) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and any(word in key.lower() for word in _SECRET_WORDS):
                raise ValueError(f"event data must not carry secrets: key {key!r}")
            _refuse_secrets(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_secrets(item)
