"""The event bus contract (`EventBus`, `Resync`, stats) and `create_bus(url)` choosing a backend."""

from __future__ import annotations

import abc
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypedDict

from subscriptions.channels import DEFAULT_PREFIX, Channels
from subscriptions.codec import Event

if TYPE_CHECKING:
    from subscriptions.fanout import Subscription

DEFAULT_QUEUE_SIZE = 1000


class ResyncReason(StrEnum):
    RECONNECTED = "reconnected"  # Redis came back: messages published meanwhile are lost
    OVERFLOW = "overflow"  # this subscriber was too slow: its oldest queued item was dropped


@dataclass(frozen=True, slots=True)
class Resync:
    """Events may have been missed: send the subscriber a fresh snapshot, then keep streaming."""

    reason: ResyncReason


# What a subscription yields.
Item = Event | Resync


class BusStats(TypedDict):
    """Counts for /readyz and tests (a plain dict, so it serialises as JSON)."""

    subscriptions: int
    channels: int
    listener_tasks: int


class BusUnavailable(Exception):
    """The bus could not confirm a subscription in time (Redis unreachable)."""


class EventBus(abc.ABC):
    """Publish events to channels and stream them to subscribers in this process or others.

    `publish` is best-effort: a transport failure is logged and returns False, never raises,
    because it runs after a committed mutation. `subscribe(channel)` is an async context manager
    yielding a `Subscription` (an async iterator of `Event` and `Resync`); leaving the block, by
    return, exception or cancellation, unsubscribes. Channel names come from `bus.channels`.
    Subscribers of a channel share each delivered `Event`: treat its `data` as read-only.
    """

    def __init__(self, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.channels = Channels(prefix)

    @abc.abstractmethod
    async def connect(self) -> None:
        """Start the bus; idempotent. An unreachable Redis is retried in the background."""

    @abc.abstractmethod
    async def disconnect(self) -> None:
        """Stop the bus, end every live subscription's iteration, and release connections."""

    @abc.abstractmethod
    async def publish(self, channel: str, event: Event) -> bool:
        """Send `event` to `channel`'s subscribers; False (and a logged warning) on failure."""

    @abc.abstractmethod
    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]:
        """Subscribe to `channel`; the block starts once the subscription is live."""

    @abc.abstractmethod
    def stats(self) -> BusStats:
        """Live subscriptions, channels with subscribers, and running listener tasks."""

    @abc.abstractmethod
    async def ping(self) -> bool:
        """Whether the bus can deliver events right now (for /readyz)."""

    def _check_channel(self, channel: str) -> None:
        # A name built under another prefix would silently talk to another deployment (or test).
        if not self.channels.owns(channel):
            raise ValueError(
                f"channel {channel!r} is not under this bus's prefix {self.channels.prefix!r}: "
                "build names with bus.channels"
            )


def create_bus(url: str, *, prefix: str = DEFAULT_PREFIX) -> EventBus:
    """The bus for `url`: `memory://` (one process) or `redis://` / `rediss://` (shared)."""
    # Imported here because both backends import this module for the contract.
    from subscriptions.memory import MemoryEventBus
    from subscriptions.redis_bus import RedisEventBus

    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme == "memory":
        return MemoryEventBus(prefix=prefix)
    if scheme in ("redis", "rediss"):
        return RedisEventBus(url, prefix=prefix)
    # The URL itself is not echoed: it may carry a password.
    shown = f"{scheme}://" if scheme else "a URL without a scheme"
    raise ValueError(f"unsupported event bus URL {shown}: use memory://, redis:// or rediss://")
