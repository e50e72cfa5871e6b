"""The in-process bus (`memory://`): one process, development and tests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from subscriptions.bus import DEFAULT_QUEUE_SIZE, BusStats, EventBus
from subscriptions.channels import DEFAULT_PREFIX
from subscriptions.codec import Event, decode, encode
from subscriptions.fanout import Fanout, Subscription

logger = logging.getLogger(__name__)


class MemoryEventBus(EventBus):
    """Delivers published events straight into this process's subscriber queues."""

    def __init__(self, *, prefix: str = DEFAULT_PREFIX, queue_size: int = DEFAULT_QUEUE_SIZE):
        super().__init__(prefix=prefix)
        self._fanout = Fanout(queue_size)
        self._connected = False

    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False
        self._fanout.close_all()

    async def publish(self, channel: str, event: Event) -> bool:
        self._check_channel(channel)
        # Round-trip through the codec, as Redis does, so an event that cannot travel as JSON
        # fails in development and tests too, and subscribers never share the caller's dict.
        item = decode(encode(event))
        if not self._connected:
            logger.warning(
                "event %s on %s not published: the event bus is not connected", event.type, channel
            )
            return False
        self._fanout.deliver(channel, item)
        return True

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        self._check_channel(channel)
        if not self._connected:
            raise RuntimeError("the event bus is not connected: call connect() first")
        subscription = self._fanout.add(channel)
        subscription.confirmed.set()
        try:
            yield subscription
        finally:
            self._fanout.remove(subscription)

    def stats(self) -> BusStats:
        subscriptions, channels = self._fanout.counts()
        return BusStats(subscriptions=subscriptions, channels=channels, listener_tasks=0)

    async def ping(self) -> bool:
        return self._connected
