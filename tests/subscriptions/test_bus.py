"""The event bus contract: the same tests against every backend (memory, and Redis when set)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from subscriptions import EventBus, Resync, ResyncReason, create_bus
from subscriptions.memory import MemoryEventBus
from subscriptions.redis_bus import RedisEventBus

Factory = Callable[..., Any]
Receive = Callable[..., Awaitable[list[Any]]]
EMPTY = {"subscriptions": 0, "channels": 0}
NOT_CONNECTED = "the event bus is not connected"


def _counts(bus: EventBus) -> dict[str, int]:
    stats = bus.stats()
    return {"subscriptions": stats["subscriptions"], "channels": stats["channels"]}


async def test_round_trip(bus: EventBus, make_event: Factory, receive: Receive) -> None:
    channel = bus.channels.channel("shipments", "8f0c6c1e-2b1a-4c5e-9a57-1c1e0d9b7a10")
    event = make_event(1, "DELIVERED")
    async with bus.subscribe(channel) as subscription:
        assert await bus.publish(channel, event) is True
        [received] = await receive(subscription)
    assert received == event
    assert received.type == "ShipmentStatusChanged"
    assert received.data == {
        "shipment_id": "8f0c6c1e-2b1a-4c5e-9a57-1c1e0d9b7a10",
        "status": "DELIVERED",
        "seq": 1,
    }
    assert received.occurred_at == event.occurred_at
    assert received.occurred_at.isoformat() == "2025-03-14T09:26:54.589793+00:00"
    assert received.version == 1


async def test_channels_are_isolated(bus: EventBus, make_event: Factory, receive: Receive) -> None:
    first, second = bus.channels.channel("shipments", 1), bus.channels.channel("shipments", 2)
    feed = bus.channels.feed("deliveries")
    async with (
        bus.subscribe(first) as on_first,
        bus.subscribe(second) as on_second,
        bus.subscribe(feed) as on_feed,
    ):
        assert await bus.publish(first, make_event(1)) is True
        assert await receive(on_first) == [make_event(1)]
        # Each other subscriber's next item is the marker published to it afterwards: so the
        # first event did not reach it.
        assert await bus.publish(second, make_event(2)) is True
        assert await bus.publish(feed, make_event(3)) is True
        assert await receive(on_second) == [make_event(2)]
        assert await receive(on_feed) == [make_event(3)]


async def test_every_subscriber_gets_every_event_once_in_order(
    bus: EventBus, make_event: Factory, receive: Receive
) -> None:
    channel = bus.channels.channel("orders", 7)
    events = [make_event(seq) for seq in range(20)]
    async with (
        bus.subscribe(channel) as first,
        bus.subscribe(channel) as second,
        bus.subscribe(channel) as third,
    ):
        assert bus.stats()["subscriptions"] == 3
        assert bus.stats()["channels"] == 1
        for event in events:
            assert await bus.publish(channel, event) is True
        end = make_event(99, "END")
        assert await bus.publish(channel, end) is True
        for subscription in (first, second, third):
            # 21 items exactly: the 20 events in order, then the end marker (no duplicates).
            assert await receive(subscription, 21) == [*events, end]


async def test_leaving_the_block_unsubscribes(bus: EventBus) -> None:
    channel = bus.channels.channel("shipments", 1)
    async with bus.subscribe(channel):
        assert _counts(bus) == {"subscriptions": 1, "channels": 1}
    assert _counts(bus) == EMPTY


async def test_an_exception_unsubscribes(bus: EventBus) -> None:
    channel = bus.channels.channel("shipments", 1)
    with pytest.raises(LookupError, match="boom"):
        async with bus.subscribe(channel):
            assert _counts(bus) == {"subscriptions": 1, "channels": 1}
            raise LookupError("boom")
    assert _counts(bus) == EMPTY


async def test_cancellation_unsubscribes(bus: EventBus) -> None:
    channel = bus.channels.channel("shipments", 1)
    started = asyncio.Event()

    async def watch() -> None:
        async with bus.subscribe(channel) as subscription:
            started.set()
            async for _ in subscription:
                pass

    task = asyncio.create_task(watch())
    async with asyncio.timeout(5):
        await started.wait()
    assert _counts(bus) == {"subscriptions": 1, "channels": 1}
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _counts(bus) == EMPTY


async def test_publish_without_subscribers_is_harmless(
    bus: EventBus, make_event: Factory, receive: Receive
) -> None:
    channel = bus.channels.channel("invoices", 3)
    assert await bus.publish(channel, make_event(1)) is True
    assert _counts(bus) == EMPTY
    async with bus.subscribe(channel) as subscription:
        assert await bus.publish(channel, make_event(2)) is True
        # The event published before anyone listened is not replayed.
        assert await receive(subscription) == [make_event(2)]


async def test_slow_subscriber_loses_oldest_events_and_gets_resync(
    backend: str, make_bus: Factory, make_event: Factory, receive: Receive
) -> None:
    bus = await make_bus(backend, queue_size=3)
    slow, probe = bus.channels.channel("shipments", 1), bus.channels.channel("shipments", 2)
    async with bus.subscribe(slow) as slow_subscription, bus.subscribe(probe) as probing:
        for seq in range(1, 6):
            assert await bus.publish(slow, make_event(seq)) is True
        # Messages reach the listener in publish order: once the probe arrives, all five have
        # been offered to the slow subscriber's queue of three.
        assert await bus.publish(probe, make_event(0)) is True
        assert await receive(probing) == [make_event(0)]
        assert await receive(slow_subscription, 4) == [
            Resync(ResyncReason.OVERFLOW),
            make_event(3),
            make_event(4),
            make_event(5),
        ]
        assert slow_subscription.dropped == 2


async def test_disconnect_ends_live_subscriptions(
    bus: EventBus, make_event: Factory, receive: Receive
) -> None:
    channel = bus.channels.channel("orders", 1)
    async with bus.subscribe(channel) as subscription:
        assert await bus.publish(channel, make_event(1)) is True
        assert await receive(subscription) == [make_event(1)]
        await bus.disconnect()
        async with asyncio.timeout(5):
            assert [item async for item in subscription] == []
    assert _counts(bus) == EMPTY
    assert await bus.ping() is False


async def test_ping_reports_a_connected_bus(bus: EventBus) -> None:
    assert await bus.ping() is True


async def test_unconnected_bus_refuses_quietly(
    backend: str, make_bus: Factory, make_event: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    bus = await make_bus(backend, connect=False)
    channel = bus.channels.channel("orders", 1)
    with caplog.at_level(logging.WARNING, logger="subscriptions"):
        assert await bus.publish(channel, make_event(1)) is False
    records = [r for r in caplog.records if r.name.startswith("subscriptions")]
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("WARNING", f"event ShipmentStatusChanged on {channel} not published: {NOT_CONNECTED}")
    ]
    with pytest.raises(RuntimeError, match="not connected"):
        async with bus.subscribe(channel):
            pass
    assert await bus.ping() is False


async def test_names_from_another_prefix_are_refused(bus: EventBus, make_event: Factory) -> None:
    with pytest.raises(ValueError, match="not under this bus's prefix"):
        await bus.publish("esatis-other:orders:1", make_event(1))
    with pytest.raises(ValueError, match="not under this bus's prefix"):
        async with bus.subscribe("esatis-other:orders:1"):
            pass
    assert _counts(bus) == EMPTY


def test_create_bus_picks_the_backend_by_scheme() -> None:
    memory = create_bus("memory://")
    assert type(memory) is MemoryEventBus
    assert memory.channels.channel("shipments", 5) == "esatis:shipments:5"
    assert type(create_bus("redis://127.0.0.1:6379/0")) is RedisEventBus
    assert type(create_bus("rediss://cache.internal:6380/0")) is RedisEventBus
    assert create_bus("memory://", prefix="p1").channels.feed("deliveries") == "p1:deliveries:feed"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:6379", "http://"),
        ("postgres://db/esatis", "postgres://"),
        ("memory", "a URL without a scheme"),
        ("", "a URL without a scheme"),
        ("rdis://:hunter2@cache:6379/0", "rdis://"),
    ],
)
def test_create_bus_rejects_unknown_schemes(url: str, shown: str) -> None:
    with pytest.raises(ValueError) as raised:
        create_bus(url)
    assert str(raised.value) == (
        f"unsupported event bus URL {shown}: use memory://, redis:// or rediss://"
    )
    assert "hunter2" not in str(raised.value)
