"""Channel names: `{prefix}:{area}:{id}` and `{prefix}:{area}:feed`, and nothing ambiguous."""

from __future__ import annotations

from uuid import UUID

import pytest

from subscriptions import Channels

SHIPMENT = UUID("8f0c6c1e-2b1a-4c5e-9a57-1c1e0d9b7a10")


def test_object_and_feed_channels() -> None:
    channels = Channels()
    assert channels.channel("shipments", SHIPMENT) == (
        "esatis:shipments:8f0c6c1e-2b1a-4c5e-9a57-1c1e0d9b7a10"
    )
    assert channels.channel("purchase_requests", 42) == "esatis:purchase_requests:42"
    assert channels.feed("deliveries") == "esatis:deliveries:feed"


def test_prefix_isolates_deployments() -> None:
    channels = Channels("test-1a2b")
    assert channels.channel("orders", "o-1") == "test-1a2b:orders:o-1"
    assert channels.owns("test-1a2b:orders:o-1") is True
    assert channels.owns("esatis:orders:o-1") is False
    assert channels.owns("test-1a2b-other:orders:o-1") is False


@pytest.mark.parametrize("area", ["", "Shipments", "ship:ments", "ship ments", "1orders", "*"])
def test_bad_areas_are_refused(area: str) -> None:
    with pytest.raises(ValueError, match="channel area must be a snake_case area name"):
        Channels().channel(area, 1)
    with pytest.raises(ValueError, match="channel area must be a snake_case area name"):
        Channels().feed(area)


@pytest.mark.parametrize("id", ["", "a:b", "a b", "feed", "x*", "\n"])
def test_bad_ids_are_refused(id: str) -> None:
    # "feed" would collide with the area's feed channel; ':' would make names ambiguous.
    with pytest.raises(ValueError, match="channel id must match"):
        Channels().channel("orders", id)


@pytest.mark.parametrize("prefix", ["", "a:b", "a b"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="channel prefix must match"):
        Channels(prefix)
