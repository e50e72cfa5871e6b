"""The per-request GraphQL context: request, loaders, bus, connection params, request id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.websockets import WebSocket

from graph.loaders import Loaders
from settings import Settings


@dataclass
class Context:
    request: Request | WebSocket
    settings: Settings
    request_id: str
    bus: Any = None
    loaders: Loaders = field(default_factory=Loaders)
    # Filled by Strawberry from the WebSocket `connection_init` payload.
    connection_params: dict[str, Any] | None = None


Info = strawberry.Info[Context, None]
