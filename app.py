"""create_app(settings) -> Starlette: the one module wiring database, bus, GraphQL and routes."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db import lifecycle
from graph.context import utc_now
from graph.http import GraphQLEndpoint
from services import catalogue, keyring
from settings import Settings
from subscriptions.bus import EventBus, create_bus

log = logging.getLogger("esatis")
MAX_BODY_BYTES = 1024 * 1024


class RequestLimits:
    """Gives each request an id (X-Request-Id) and refuses bodies over MAX_BODY_BYTES with 413."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        if scope["type"] == "http" and _declared_length(scope) > MAX_BODY_BYTES:
            await JSONResponse({"errors": [_too_large()]}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except BodyTooLarge:
            await JSONResponse({"errors": [_too_large()]}, status_code=413)(scope, receive, send)


class BodyTooLarge(Exception):
    pass


def _too_large() -> dict[str, object]:
    return {
        "message": "request body too large (limit 1 MiB)",
        "extensions": {"code": "BAD_USER_INPUT"},
    }


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return MAX_BODY_BYTES + 1
    return 0


def load_keys(settings: Settings) -> keyring.Keyring:
    """The token keys: configured files, or (development only) keys generated once locally."""
    return keyring.load(
        key_file=settings.token_key_file,
        previous_key_files=settings.token_previous_key_files,
        secret_key=settings.secret_key,
        local_dir=settings.local_dir,
        create=not settings.is_production,
    )


def create_app(
    settings: Settings | None = None,
    *,
    keys: keyring.Keyring | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Starlette:
    settings = settings or Settings.from_env()
    settings.check_startable()
    bus: EventBus = create_bus(settings.bus_url)
    catalogue.summaries.seconds = settings.facet_cache_seconds
    graphql = GraphQLEndpoint(
        settings, bus=bus, keys=keys or load_keys(settings), clock=clock or utc_now
    )

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        checks = {"database": await lifecycle.ping(), "bus": await bus.ping()}
        body = {
            "status": "ok" if all(checks.values()) else "unavailable",
            "checks": checks,
            "bus": bus.stats(),
        }
        return JSONResponse(body, status_code=200 if all(checks.values()) else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with lifecycle.registered(app, settings.database_url):
            await bus.connect()
            try:
                yield
            finally:
                await bus.disconnect()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        middleware=[
            Middleware(RequestLimits),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            ),
        ],
        lifespan=lifespan,
    )
