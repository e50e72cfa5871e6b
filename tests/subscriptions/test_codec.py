"""The event codec: exact JSON out, the same Event back, and a clear error for each bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from subscriptions import Event, EventDecodeError, EventEncodeError, decode, encode

NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
EVENT = Event("OrderStatusChanged", {"order_id": "o-1", "status": "SHIPPED", "lines": [1, 2]}, NOW)
VALID = {"type": "T", "version": 1, "occurred_at": "2025-03-14T09:26:53+00:00", "data": {}}


def test_encode_writes_compact_json_with_iso_utc_time() -> None:
    assert encode(EVENT) == (
        '{"type":"OrderStatusChanged","version":1,"occurred_at":"2025-03-14T09:26:53.589793+00:00",'
        '"data":{"order_id":"o-1","status":"SHIPPED","lines":[1,2]}}'
    )


def test_round_trip_gives_an_equal_event() -> None:
    decoded = decode(encode(EVENT))
    assert decoded == EVENT
    assert decoded.occurred_at.tzinfo is UTC
    assert decode(encode(EVENT).encode()) == EVENT  # bytes too, as Redis may deliver them


def test_turkish_text_survives_unescaped() -> None:
    event = Event("TicketOpened", {"subject": "Teslimat gecikti: İzmir, Çeşme"}, NOW, version=2)
    assert "İzmir, Çeşme" in encode(event)
    assert decode(encode(event)) == event


def test_other_offsets_are_normalised_to_utc() -> None:
    istanbul = timezone(timedelta(hours=3))
    event = Event("T", {}, datetime(2025, 3, 14, 12, 26, 53, tzinfo=istanbul))
    assert event.occurred_at == datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
    assert event.occurred_at.tzinfo is UTC
    raw = json.dumps({**VALID, "occurred_at": "2025-03-14T12:26:53+03:00"})
    assert decode(raw).occurred_at.isoformat() == "2025-03-14T09:26:53+00:00"


def test_event_copies_its_data() -> None:
    data = {"order_id": "o-1"}
    event = Event("T", data, NOW)
    data["order_id"] = "changed"
    assert event.data == {"order_id": "o-1"}


def test_unknown_top_level_keys_are_ignored() -> None:
    assert decode(json.dumps({**VALID, "trace": "x"})) == Event("T", {}, NOW.replace(microsecond=0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"occurred_at": datetime(2025, 3, 14, 9, 26)}, "timezone-aware"),
        ({"type": ""}, "non-empty string"),
        ({"version": 0}, "positive integer"),
        ({"version": True}, "positive integer"),
        ({"data": ["not", "a", "mapping"]}, "mapping"),
        ({"data": {"access_token": "eyJ..."}}, "must not carry secrets: key 'access_token'"),
        ({"data": {"buyer": {"Password": "x"}}}, "must not carry secrets: key 'Password'"),
    ],
)
def test_invalid_events_are_refused(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"type": "T", "data": {}, "occurred_at": NOW, **kwargs}
    with pytest.raises(ValueError, match=message):
        Event(**fields)  # type: ignore[arg-type]


def test_data_that_is_not_json_cannot_be_encoded() -> None:
    with pytest.raises(EventEncodeError, match="'InvoiceIssued' cannot be encoded as JSON"):
        encode(Event("InvoiceIssued", {"total": Decimal("10.00")}, NOW))
    with pytest.raises(EventEncodeError, match="cannot be encoded as JSON"):
        encode(Event("InvoiceIssued", {"total": float("nan")}, NOW))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "event is not valid JSON"),
        (b"\xff\xfe\x00", "event is not valid JSON"),
        ('{"type": "T", "version": 1, "occurred_at": NaN, "data": {}}', "NaN is not valid JSON"),
        ("[1, 2]", "event must be a JSON object, not list"),
        ('"text"', "event must be a JSON object, not str"),
        ('{"type": "T", "data": {}}', "event is missing version, occurred_at"),
        ("{}", "event is missing type, version, occurred_at, data"),
        (json.dumps({**VALID, "type": 5}), "event type must be a non-empty string"),
        (json.dumps({**VALID, "type": ""}), "event type must be a non-empty string"),
        (json.dumps({**VALID, "version": "1"}), "event version must be a positive integer"),
        (json.dumps({**VALID, "version": True}), "event version must be a positive integer"),
        (json.dumps({**VALID, "version": 0}), "event version must be a positive integer"),
        (json.dumps({**VALID, "occurred_at": 1741944413}), "must be an ISO-8601 string"),
        (json.dumps({**VALID, "occurred_at": "yesterday"}), "is not ISO-8601: 'yesterday'"),
        (json.dumps({**VALID, "occurred_at": "2025-03-14T09:26:53"}), "has no UTC offset"),
        (json.dumps({**VALID, "data": [1]}), "event data must be a JSON object"),
        (json.dumps({**VALID, "data": {"token": "x"}}), "must not carry secrets: key 'token'"),
    ],
)
def test_bad_input_raises_event_decode_error(raw: str | bytes, message: str) -> None:
    with pytest.raises(EventDecodeError, match=message):
        decode(raw)


@pytest.mark.parametrize("raw", [None, 5, ["a"]])
def test_input_that_is_not_text_raises_event_decode_error(raw: object) -> None:
    with pytest.raises(EventDecodeError, match="event is not valid JSON: the JSON object must be"):
        decode(raw)  # type: ignore[arg-type]
