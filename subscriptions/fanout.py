"""Local delivery shared by both backends: one bounded queue per subscriber, grouped by channel."""

from __future__ import annotations

import asyncio
import logging

from subscriptions.bus import Item, Resync, ResyncReason

logger = logging.getLogger(__name__)


class _Closed:
    """Queue sentinel: the subscription ended (left its block, or the bus disconnected)."""


_CLOSED = _Closed()


class Subscription:
    """One subscriber's items, read with `async for`; iteration ends when the subscription closes.

    Overflow policy: publishing never waits for a slow consumer. When this subscriber's queue is
    full, its oldest item is dropped and its next item is a `Resync(OVERFLOW)`: the snapshot it
    triggers is newer than everything dropped, and the events still queued after it replay their
    changes in order, so the subscriber converges on the current state.
    """

    def __init__(self, channel: str, queue_size: int) -> None:
        self.channel = channel
        # Set once the backend has confirmed the subscription (at once for the memory bus).
        self.confirmed = asyncio.Event()
        self.dropped = 0
        self._queue: asyncio.Queue[Item | _Closed] = asyncio.Queue(queue_size)
        self._owes_resync = False
        self._closed = False
        self._finished = False

    def offer(self, item: Item) -> None:
        """Queue `item` without waiting, dropping the oldest queued item when full."""
        if self._closed:
            return
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
            if not self._owes_resync:
                logger.warning(
                    "subscriber on %s is too slow: dropping its oldest events", self.channel
                )
            self._owes_resync = True
        self._queue.put_nowait(item)

    def close(self) -> None:
        """End iteration after the items already queued."""
        if self._closed:
            return
        self._closed = True
        # Nobody waits for a confirmation that will never come (the bus is shutting down).
        self.confirmed.set()
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(_CLOSED)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Item:
        if self._finished:
            raise StopAsyncIteration
        if self._owes_resync and not self._closed:
            self._owes_resync = False
            return Resync(ResyncReason.OVERFLOW)
        item = await self._queue.get()
        if isinstance(item, _Closed):
            self._finished = True
            raise StopAsyncIteration
        return item


class Fanout:
    """Live subscriptions by channel: what a message for a channel is delivered to."""

    def __init__(self, queue_size: int) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be at least 1, not {queue_size}")
        self._queue_size = queue_size
        self._channels: dict[str, set[Subscription]] = {}

    def add(self, channel: str) -> Subscription:
        subscription = Subscription(channel, self._queue_size)
        self._channels.setdefault(channel, set()).add(subscription)
        return subscription

    def remove(self, subscription: Subscription) -> bool:
        """Close and forget `subscription`; True when its channel has no subscriber left."""
        subscription.close()
        subscribers = self._channels.get(subscription.channel)
        if subscribers is None or subscription not in subscribers:
            return False
        subscribers.discard(subscription)
        if subscribers:
            return False
        del self._channels[subscription.channel]
        return True

    def has(self, channel: str) -> bool:
        return channel in self._channels

    def channels(self) -> list[str]:
        return list(self._channels)

    def subscribers(self, channel: str) -> tuple[Subscription, ...]:
        return tuple(self._channels.get(channel, ()))

    def deliver(self, channel: str, item: Item) -> int:
        """Queue `item` for every subscriber of `channel`; the number of subscribers."""
        subscribers = self.subscribers(channel)
        for subscription in subscribers:
            subscription.offer(item)
        return len(subscribers)

    def close_all(self) -> None:
        for subscribers in self._channels.values():
            for subscription in subscribers:
                subscription.close()
        self._channels.clear()

    def counts(self) -> tuple[int, int]:
        """(live subscriptions, channels with at least one subscriber)."""
        return sum(len(s) for s in self._channels.values()), len(self._channels)
