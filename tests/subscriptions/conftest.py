"""Event bus fixtures: a bus per backend (memory; Redis when ESATIS_TEST_REDIS_URL is set)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from subscriptions import Event, EventBus, Item, Subscription
from subscriptions.memory import MemoryEventBus
from subscriptions.redis_bus import RedisEventBus

REDIS_URL = os.environ.get("ESATIS_TEST_REDIS_URL") or None
NO_REDIS = "ESATIS_TEST_REDIS_URL is not set: Redis backend not tested"
needs_redis = [pytest.mark.redis, pytest.mark.skipif(REDIS_URL is None, reason=NO_REDIS)]

# A fixed clock (ARCHITECTURE.md section 7): events compare exactly, microseconds included.
NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
TIMEOUT = 5.0  # generous: only a broken bus ever waits this long

BusFactory = Callable[..., Awaitable[EventBus]]
Receive = Callable[..., Awaitable[list[Item]]]
MakeEvent = Callable[..., Event]


@pytest.fixture
def make_event() -> MakeEvent:
    """`make_event(seq)`: the seq-th status change of one shipment, `seq` seconds after NOW."""

    def make(seq: int, status: str = "IN_TRANSIT") -> Event:
        data = {"shipment_id": "8f0c6c1e-2b1a-4c5e-9a57-1c1e0d9b7a10", "status": status, "seq": seq}
        return Event("ShipmentStatusChanged", data, NOW + timedelta(seconds=seq))

    return make


@pytest.fixture
def receive() -> Receive:
    """`await receive(subscription, count)`: the next items, failing (not hanging) if none come."""

    async def next_items(subscription: Subscription, count: int = 1) -> list[Item]:
        async with asyncio.timeout(TIMEOUT):
            return [await anext(subscription) for _ in range(count)]

    return next_items


@pytest.fixture
def prefix() -> str:
    # A prefix per test: tests sharing one Redis never see each other's channels.
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
async def make_bus(prefix: str) -> AsyncIterator[BusFactory]:
    """Builds (and by default connects) buses; disconnects every one after the test."""
    buses: list[EventBus] = []

    async def make(backend: str, *, connect: bool = True, **options: Any) -> EventBus:
        bus: EventBus
        if backend == "memory":
            bus = MemoryEventBus(prefix=prefix, **options)
        else:
            bus = RedisEventBus(options.pop("url", REDIS_URL), prefix=prefix, **options)
        buses.append(bus)
        if connect:
            await bus.connect()
        return bus

    yield make
    for bus in buses:
        await bus.disconnect()


@pytest.fixture(params=["memory", pytest.param("redis", marks=needs_redis)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def bus(backend: str, make_bus: BusFactory) -> EventBus:
    return await make_bus(backend)


@pytest.fixture
async def admin() -> AsyncIterator[Redis]:
    """A separate Redis client, to inspect and disturb the bus's connections from outside."""
    if REDIS_URL is None:
        pytest.skip(NO_REDIS)
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.aclose()
