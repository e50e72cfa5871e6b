"""The per-request GraphQL context: request, settings, keys, clock, actor, loaders and bus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.websockets import WebSocket

from domain.accounts import Actor
from graph.loaders import Loaders
from services.keyring import Keyring
from settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    request: Request | WebSocket
    settings: Settings
    request_id: str
    keys: Keyring | None = None
    bus: Any = None
    # Injected so tests can move time (lockouts, invitation expiry); aware UTC.
    clock: Callable[[], datetime] = utc_now
    loaders: Loaders = field(default_factory=Loaders)
    # Filled by Strawberry from the WebSocket `connection_init` payload.
    connection_params: dict[str, Any] | None = None
    # graph.auth caches the signed-in actor here (None: not yet looked up).
    auth_checked: bool = False
    actor: Actor | None = None

    @property
    def client_address(self) -> str:
        client = self.request.client
        return client.host if client else ""


Info = strawberry.Info[Context, None]
