"""Live updates: the event bus (memory:// or redis://), channel names and the event codec."""

from subscriptions.bus import (
    BusStats,
    BusUnavailable,
    EventBus,
    Item,
    Resync,
    ResyncReason,
    create_bus,
)
from subscriptions.channels import DEFAULT_PREFIX, Channels
from subscriptions.codec import Event, EventDecodeError, EventEncodeError, decode, encode
from subscriptions.fanout import Subscription

__all__ = [
    "DEFAULT_PREFIX",
    "BusStats",
    "BusUnavailable",
    "Channels",
    "Event",
    "EventBus",
    "EventDecodeError",
    "EventEncodeError",
    "Item",
    "Resync",
    "ResyncReason",
    "Subscription",
    "create_bus",
    "decode",
    "encode",
]
