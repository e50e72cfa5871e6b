"""Redis-only behaviour: one connection per process, confirmation, reconnection, failures."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from subscriptions import BusUnavailable, Resync, ResyncReason, encode
from subscriptions.redis_bus import RedisEventBus

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("ESATIS_TEST_REDIS_URL"),
        reason="ESATIS_TEST_REDIS_URL is not set: Redis backend not tested",
    ),
]

Factory = Callable[..., Any]
Receive = Callable[..., Awaitable[list[Any]]]
UNUSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


async def eventually(check: Callable[[], Awaitable[bool]], limit: float = 5.0) -> None:
    """Wait until `check()` holds: another connection's view of Redis lags by a round trip."""
    async with asyncio.timeout(limit):
        # Polling: Redis offers no notification for NUMSUB changes.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def bus_clients(admin: Redis, bus: RedisEventBus) -> list[dict[str, str]]:
    return [c for c in await admin.client_list() if c["name"] == bus.client_name]


async def numsub(admin: Redis, *channels: str) -> list[int]:
    return [count for _, count in await admin.pubsub_numsub(*channels)]


async def test_subscription_is_live_when_the_block_starts(
    make_bus: Factory, admin: Redis, make_event: Factory, receive: Receive
) -> None:
    bus = await make_bus("redis")
    channel = bus.channels.channel("shipments", 1)
    async with bus.subscribe(channel) as subscription:
        # No waiting: Redis already counts this process as a receiver of the channel.
        assert await admin.publish(channel, encode(make_event(1))) == 1
        assert await receive(subscription) == [make_event(1)]


async def test_one_pubsub_connection_serves_every_subscriber(
    make_bus: Factory, admin: Redis, make_event: Factory, receive: Receive
) -> None:
    bus = await make_bus("redis")
    channels = [bus.channels.channel("shipments", n) for n in range(20)]
    entered, publish_done = asyncio.Semaphore(0), asyncio.Event()

    async def watch(n: int) -> list[Any]:
        # 200 subscribers arriving at once: 10 per channel race for the first SUBSCRIBE.
        async with bus.subscribe(channels[n % 20]) as subscription:
            entered.release()
            await publish_done.wait()
            return await receive(subscription)

    watchers = [asyncio.create_task(watch(n)) for n in range(200)]
    async with asyncio.timeout(5):
        for _ in range(200):
            await entered.acquire()
    assert bus.stats() == {"subscriptions": 200, "channels": 20, "listener_tasks": 1}
    for n, channel in enumerate(channels):
        assert await bus.publish(channel, make_event(n)) is True
    clients = await bus_clients(admin, bus)
    # One publishing connection and one PubSub connection subscribed to the 20 channels; a
    # connection per subscriber would show 200 connections here and 10 receivers per channel.
    assert sorted((c["flags"], c["sub"]) for c in clients) == [("N", "0"), ("P", "20")]
    assert await numsub(admin, *channels) == [1] * 20
    publish_done.set()
    assert await asyncio.gather(*watchers) == [[make_event(n % 20)] for n in range(200)]
    assert bus.stats() == {"subscriptions": 0, "channels": 0, "listener_tasks": 1}

    async def all_unsubscribed() -> bool:
        return await numsub(admin, *channels) == [0] * 20

    await eventually(all_unsubscribed)
    # Still two connections; Redis drops the P flag once a connection has no subscription.
    assert sorted((c["flags"], c["sub"]) for c in await bus_clients(admin, bus)) == [
        ("N", "0"),
        ("N", "0"),
    ]


async def test_redis_subscription_follows_first_and_last_subscriber(
    make_bus: Factory, admin: Redis
) -> None:
    bus = await make_bus("redis")
    channel = bus.channels.channel("orders", 1)
    async with bus.subscribe(channel):
        async with bus.subscribe(channel):
            assert await numsub(admin, channel) == [1]
        assert await numsub(admin, channel) == [1]

    async def unsubscribed() -> bool:
        return await numsub(admin, channel) == [0]

    await eventually(unsubscribed)


async def test_subscribers_resync_after_their_connections_are_killed(
    make_bus: Factory, admin: Redis, make_event: Factory, receive: Receive
) -> None:
    bus = await make_bus("redis")
    first, second = bus.channels.channel("shipments", 1), bus.channels.channel("shipments", 2)
    async with (
        bus.subscribe(first) as a,
        bus.subscribe(first) as b,
        bus.subscribe(second) as c,
    ):
        assert await bus.publish(first, make_event(1)) is True  # opens the publishing connection
        assert await receive(a) == await receive(b) == [make_event(1)]
        before = await bus_clients(admin, bus)
        assert len(before) == 2
        # What a Redis restart does to this process: every connection of the bus drops.
        for client in before:
            assert await admin.client_kill_filter(_id=client["id"]) == 1
        for subscription in (a, b, c):
            assert await receive(subscription) == [Resync(ResyncReason.RECONNECTED)]
        # The first publish meets the dead publishing connection and retries once.
        assert await bus.publish(first, make_event(2)) is True
        assert await bus.publish(second, make_event(3)) is True
        assert await receive(a) == await receive(b) == [make_event(2)]
        assert await receive(c) == [make_event(3)]
        after = await bus_clients(admin, bus)
        assert sorted((c["flags"], c["sub"]) for c in after) == [("N", "0"), ("P", "2")]
        assert {c["id"] for c in after}.isdisjoint(c["id"] for c in before)
        assert bus.stats() == {"subscriptions": 3, "channels": 2, "listener_tasks": 1}
        assert await bus.ping() is True


async def test_publish_to_unreachable_redis_returns_false(
    make_bus: Factory, make_event: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    bus = await make_bus("redis", url=UNUSED_PORT_URL, confirm_timeout=0.2)
    channel = bus.channels.channel("orders", 1)
    with caplog.at_level(logging.WARNING, logger="subscriptions"):
        assert await bus.publish(channel, make_event(1)) is False
    [warning] = [r.getMessage() for r in caplog.records if "not published" in r.getMessage()]
    assert warning.startswith(f"event ShipmentStatusChanged on {channel} not published: Error ")
    assert "connecting to 127.0.0.1:1" in warning
    assert await bus.ping() is False
    with pytest.raises(BusUnavailable, match=f"did not confirm the subscription to {channel}"):
        async with bus.subscribe(channel):
            pass
    # The listener keeps trying in the background; nothing is left subscribed.
    assert bus.stats() == {"subscriptions": 0, "channels": 0, "listener_tasks": 1}


async def test_messages_that_are_not_events_are_skipped(
    make_bus: Factory,
    admin: Redis,
    make_event: Factory,
    receive: Receive,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = await make_bus("redis")
    channel = bus.channels.channel("orders", 1)
    async with bus.subscribe(channel) as subscription:
        with caplog.at_level(logging.WARNING, logger="subscriptions"):
            assert await admin.publish(channel, "{not json") == 1
            assert await admin.publish(channel, '{"type": "T"}') == 1
            assert await bus.publish(channel, make_event(1)) is True
            assert await receive(subscription) == [make_event(1)]
    assert [r.getMessage() for r in caplog.records if r.name == "subscriptions.redis_bus"] == [
        f"skipping a message on {channel} that is not an event: event is not valid JSON: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        f"skipping a message on {channel} that is not an event: "
        "event is missing version, occurred_at, data",
    ]
    assert bus.stats()["listener_tasks"] == 1


async def test_disconnect_releases_subscribers_still_waiting_for_redis(
    make_bus: Factory,
) -> None:
    bus = await make_bus("redis", url=UNUSED_PORT_URL, confirm_timeout=30)
    channel = bus.channels.channel("orders", 1)

    async def watch() -> list[Any]:
        async with bus.subscribe(channel) as subscription:
            return [item async for item in subscription]

    watcher = asyncio.create_task(watch())
    async with asyncio.timeout(5):
        while bus.stats()["subscriptions"] == 0:  # noqa: ASYNC110  # no hook to wait on
            await asyncio.sleep(0)
    await bus.disconnect()
    async with asyncio.timeout(5):
        # Shutdown does not leave it waiting 30 s: the stream simply ends.
        assert await watcher == []
    assert bus.stats() == {"subscriptions": 0, "channels": 0, "listener_tasks": 0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_redis(port: int, directory: str) -> asyncio.subprocess.Process:
    """A private redis-server on `port` (stopped by its own pid), once it answers PING."""
    process = await asyncio.create_subprocess_exec(
        *("redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory),
        *("--save", "", "--appendonly", "no"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    client = Redis(port=port)
    try:
        async with asyncio.timeout(5):
            while True:
                try:
                    await client.ping()
                    return process
                except RedisConnectionError:
                    await asyncio.sleep(0.02)
    finally:
        await client.aclose()


async def stop_redis(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        await process.wait()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
async def test_subscribers_resync_after_a_real_redis_restart(
    make_bus: Factory, make_event: Factory, receive: Receive, tmp_path: Path
) -> None:
    port = _free_port()
    server = await start_redis(port, str(tmp_path))
    try:
        bus = await make_bus("redis", url=f"redis://127.0.0.1:{port}/0", confirm_timeout=0.2)
        channel = bus.channels.channel("shipments", 1)
        async with bus.subscribe(channel) as subscription:
            assert await bus.publish(channel, make_event(1)) is True
            assert await receive(subscription) == [make_event(1)]
            await stop_redis(server)
            # Down: publishing fails quietly, readiness says so, new subscriptions time out.
            assert await bus.publish(channel, make_event(2)) is False
            assert await bus.ping() is False
            with pytest.raises(BusUnavailable):
                async with bus.subscribe(bus.channels.channel("shipments", 2)):
                    pass
            server = await start_redis(port, str(tmp_path))
            # Back: the event published while down is lost; a Resync says so.
            assert await receive(subscription) == [Resync(ResyncReason.RECONNECTED)]
            assert await bus.publish(channel, make_event(3)) is True
            assert await receive(subscription) == [make_event(3)]
            assert await bus.ping() is True
            assert bus.stats() == {"subscriptions": 1, "channels": 1, "listener_tasks": 1}
    finally:
        await stop_redis(server)
