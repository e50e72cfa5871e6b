"""The Redis bus (`redis://`): redis.asyncio pub/sub, one listener per process for everyone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from subscriptions.bus import (
    DEFAULT_QUEUE_SIZE,
    BusStats,
    BusUnavailable,
    EventBus,
    Resync,
    ResyncReason,
)
from subscriptions.channels import DEFAULT_PREFIX
from subscriptions.codec import Event, EventDecodeError, decode, encode
from subscriptions.fanout import Fanout, Subscription

logger = logging.getLogger(__name__)

T = TypeVar("T")

BACKOFF_MIN = 0.1  # seconds before the first reconnection attempt, doubling up to BACKOFF_MAX
BACKOFF_MAX = 2.0
CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 2.0
CONFIRM_TIMEOUT = 5.0
_TRANSPORT_ERRORS = (RedisError, OSError)


class RedisEventBus(EventBus):
    """Two connections per process, whatever the number of subscribers: one publishes, one PubSub.

    The listener task reads the PubSub and fans messages out to local queues. A channel is
    SUBSCRIBEd on Redis when its first local subscriber arrives and UNSUBSCRIBEd when its last
    leaves. After a lost connection the listener reconnects (capped backoff), subscribes every
    live channel again and, once Redis confirms, gives each live subscriber a `Resync`.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        client_name: str | None = None,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        confirm_timeout: float = CONFIRM_TIMEOUT,
    ) -> None:
        super().__init__(prefix=prefix)
        self._url = url
        # Shown by CLIENT LIST, so operators (and tests) can find this bus's connections.
        self.client_name = client_name or f"{self.channels.prefix}-bus"
        self._confirm_timeout = confirm_timeout
        self._fanout = Fanout(queue_size)
        self._publisher: Redis | None = None
        self._listener_client: Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()
        # Serialises SUBSCRIBE/UNSUBSCRIBE with reconnection, so the bookkeeping below always
        # describes the connection in self._pubsub (None while disconnected).
        self._lock = asyncio.Lock()
        self._pubsub: PubSub | None = None
        self._requested: set[str] = set()  # SUBSCRIBE sent on this connection and not undone
        self._pending: dict[str, int] = {}  # SUBSCRIBEs sent whose confirmation has not arrived
        self._confirmed: set[str] = set()  # channels Redis confirmed on this connection

    async def connect(self) -> None:
        if self._listener is not None:
            return
        self._publisher, self._listener_client = self._clients()
        self._first_attempt = asyncio.Event()
        self._listener = asyncio.create_task(
            self._listen(self._listener_client), name=f"event bus listener {self.client_name}"
        )
        # Return after the first connection attempt, so a bus whose Redis is up is live at once;
        # an unreachable Redis is retried in the background and reported by ping().
        await self._first_attempt.wait()

    async def disconnect(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        self._fanout.close_all()
        listener.cancel()
        await asyncio.wait([listener])
        if not listener.cancelled() and listener.exception() is not None:
            logger.error("event bus listener had stopped", exc_info=listener.exception())
        await self._drop_pubsub()
        for client in (self._publisher, self._listener_client):
            if client is not None:
                with suppress(*_TRANSPORT_ERRORS):
                    await client.aclose()
        self._publisher = self._listener_client = None

    async def publish(self, channel: str, event: Event) -> bool:
        self._check_channel(channel)
        raw = encode(event)
        try:
            await self._command(lambda client: client.publish(channel, raw))
        except _TRANSPORT_ERRORS as exc:
            logger.warning("event %s on %s not published: %s", event.type, channel, exc)
            return False
        return True

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        self._check_channel(channel)
        if self._listener is None:
            raise RuntimeError("the event bus is not connected: call connect() first")
        subscription = self._fanout.add(channel)
        try:
            if channel in self._confirmed:
                subscription.confirmed.set()
            else:
                await self._request(channel)
            await self._wait_confirmed(subscription)
            yield subscription
        finally:
            await self._release(subscription)

    def stats(self) -> BusStats:
        subscriptions, channels = self._fanout.counts()
        running = self._listener is not None and not self._listener.done()
        return BusStats(subscriptions=subscriptions, channels=channels, listener_tasks=int(running))

    async def ping(self) -> bool:
        if self._pubsub is None:
            return False  # the listener is not connected: subscriptions would not work
        try:
            return bool(await self._command(lambda client: client.ping()))
        except _TRANSPORT_ERRORS:
            return False

    def _clients(self) -> tuple[Redis, Redis]:
        options: dict[str, Any] = {
            "decode_responses": True,
            "client_name": self.client_name,
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": COMMAND_TIMEOUT,
            "socket_keepalive": True,
            # No silent retries inside redis-py: this module decides when to reconnect, and
            # must see every lost connection to resync its subscribers.
            "retry": Retry(NoBackoff(), 0),
            # health_check_interval stays 0: a health-check PING would read from the PubSub
            # connection concurrently with the listener.
        }
        # One publishing connection: concurrent publishes wait their turn (bounded by timeout).
        pool = BlockingConnectionPool.from_url(
            self._url, max_connections=1, timeout=COMMAND_TIMEOUT, **options
        )
        return Redis.from_pool(pool), Redis.from_url(self._url, **options)

    async def _command(self, call: Callable[[Redis], Awaitable[T]]) -> T:
        """Run `call` on the publishing connection, retrying once on a dropped connection."""
        client = self._publisher
        if client is None:
            raise RedisConnectionError("the event bus is not connected")
        try:
            return await call(client)
        except RedisConnectionError:
            # The first command on a connection Redis closed (restart, CLIENT KILL) fails at
            # once; the retry opens a new connection.
            return await call(client)

    async def _request(self, channel: str) -> None:
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None or channel in self._requested or not self._fanout.has(channel):
                # Disconnected: the listener subscribes every live channel when it reconnects.
                return
            self._requested.add(channel)
            self._pending[channel] = self._pending.get(channel, 0) + 1
            try:
                await pubsub.subscribe(channel)
            except _TRANSPORT_ERRORS as exc:
                # The listener sees the same failure, reconnects and subscribes live channels.
                logger.debug("SUBSCRIBE %s failed: %s", channel, exc)
                self._requested.discard(channel)
                self._settle_pending(channel)

    async def _wait_confirmed(self, subscription: Subscription) -> None:
        try:
            async with asyncio.timeout(self._confirm_timeout):
                await subscription.confirmed.wait()
        except TimeoutError:
            raise BusUnavailable(
                f"Redis did not confirm the subscription to {subscription.channel} "
                f"within {self._confirm_timeout:g} s"
            ) from None

    async def _release(self, subscription: Subscription) -> None:
        channel = subscription.channel
        # Local state first and synchronously: it must be right even if we are cancelled below.
        if not self._fanout.remove(subscription):
            return
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None or self._fanout.has(channel) or channel not in self._requested:
                return
            self._requested.discard(channel)
            self._confirmed.discard(channel)
            try:
                await pubsub.unsubscribe(channel)
            except _TRANSPORT_ERRORS as exc:
                # A lost connection takes its subscriptions with it.
                logger.debug("UNSUBSCRIBE %s failed: %s", channel, exc)

    async def _listen(self, client: Redis) -> None:
        delay, failures = BACKOFF_MIN, 0
        while True:
            try:
                pubsub = await self._open(client)
                if failures:
                    logger.info("event bus reconnected to Redis after %d attempt(s)", failures)
                delay, failures = BACKOFF_MIN, 0
                self._first_attempt.set()
                await self._pump(pubsub)
            except _TRANSPORT_ERRORS as exc:
                log = logger.warning if failures == 0 else logger.debug
                log("event bus has no Redis connection (%s); retrying in %.1f s", exc, delay)
            except Exception:
                # A bug must not end live updates for the whole process: log it, start over.
                logger.exception("event bus listener failed; reconnecting in %.1f s", delay)
            failures += 1
            self._first_attempt.set()
            await self._drop_pubsub()
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    async def _open(self, client: Redis) -> PubSub:
        """A new PubSub connection, subscribed to every channel that has local subscribers."""
        pubsub = client.pubsub()
        try:
            await pubsub.connect()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            async with self._lock:
                channels = self._fanout.channels()
                self._requested = set(channels)
                self._pending = dict.fromkeys(channels, 1)
                self._confirmed = set()
                if channels:
                    await pubsub.subscribe(*channels)
                self._pubsub = pubsub
        except BaseException:
            await _close_quietly(pubsub)
            raise
        return pubsub

    async def _drop_pubsub(self) -> None:
        async with self._lock:
            pubsub, self._pubsub = self._pubsub, None
            self._requested.clear()
            self._pending.clear()
            self._confirmed.clear()
        if pubsub is not None:
            await _close_quietly(pubsub)

    async def _pump(self, pubsub: PubSub) -> None:
        while True:
            message = await pubsub.get_message(timeout=None)
            if message is None:
                continue
            channel = message.get("channel")
            if not isinstance(channel, str):
                continue
            if message["type"] == "subscribe":
                self._on_subscribed(channel)
            elif message["type"] == "message":
                self._on_message(channel, message["data"])

    def _on_subscribed(self, channel: str) -> None:
        if self._settle_pending(channel) or channel not in self._requested:
            return  # more confirmations to come, or nobody wants the channel any more
        if not self._fanout.has(channel):
            return
        self._confirmed.add(channel)
        for subscription in self._fanout.subscribers(channel):
            if subscription.confirmed.is_set():
                # Already live, so this confirmation follows a reconnect: Redis dropped whatever
                # was published while the connection was down.
                subscription.offer(Resync(ResyncReason.RECONNECTED))
            else:
                subscription.confirmed.set()

    def _on_message(self, channel: str, data: Any) -> None:
        if not self._fanout.has(channel):
            return
        try:
            event = decode(data)  # anything but an event's JSON text raises EventDecodeError
        except EventDecodeError as exc:
            logger.warning("skipping a message on %s that is not an event: %s", channel, exc)
            return
        self._fanout.deliver(channel, event)

    def _settle_pending(self, channel: str) -> int:
        """Count one SUBSCRIBE of `channel` as answered; how many are still unanswered."""
        left = self._pending.get(channel, 0) - 1
        if left > 0:
            self._pending[channel] = left
            return left
        self._pending.pop(channel, None)
        return 0


async def _close_quietly(pubsub: PubSub) -> None:
    with suppress(*_TRANSPORT_ERRORS):
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
