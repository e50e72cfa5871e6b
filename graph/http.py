"""The GraphQL endpoint: Strawberry's ASGI view with our context and error logging."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from graph import auth, operations
from graph.context import Context, utc_now
from graph.schema.root import schema
from services import sessions
from services.keyring import AccessClaims, Keyring
from settings import Settings

# A plain connection_ack (no payload) for both WebSocket protocols.
ACK: UnsetType = UNSET


class GraphQLEndpoint(GraphQL[Context, None]):
    def __init__(
        self,
        settings: Settings,
        bus: Any = None,
        *,
        keys: Keyring | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        self.settings = settings
        self.bus = bus
        self.keys = keys
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            # The same JSON error shape as GraphQL errors, not Strawberry's plain text.
            body = {"errors": [{"message": error.reason, "extensions": {"code": "BAD_REQUEST"}}]}
            response = JSONResponse(body, status_code=error.status_code)
        await response(scope, receive, send)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            parsed = json.loads(data)
        except ValueError:  # not JSON, or not UTF-8
            raise HTTPException(400, "The request body is not valid UTF-8 JSON.") from None
        # One operation per request: a batch (list) or a bare value is refused here.
        if not isinstance(parsed, dict):
            raise HTTPException(400, 'The request body must be a JSON object: {"query": ...}.')
        return parsed

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        # Several operations and no operationName: refused, not the first one run.
        refused = operations.refuse_unnamed(request_data, max_tokens=self.settings.max_tokens)
        if refused is not None:
            return refused
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    def encode_json(self, data: object) -> bytes:
        # UTF-8 rather than \u escapes: Turkish text stays readable and responses smaller.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
        return Context(
            request=request,
            settings=self.settings,
            request_id=request_id,
            keys=self.keys,
            bus=self.bus,
            clock=self.clock,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate a socket by its `connection_init` payload, and watch it afterwards.

        No Authorization: an anonymous socket (public operations only). A bad token: refused
        (graphql-transport-ws closes with 4403). A good one: every operation checks the session
        and roles again (graph.auth), and the socket is closed with 4401 when the token expires
        or, at the next check, once its session has ended (sign-out, reuse, deactivation).
        """
        if auth.bearer_token(context) is None:
            return ACK
        claims = await auth.claims_of(context)
        actor = await auth.current_actor(context) if claims else None
        if claims is None or actor is None:
            raise ConnectionRejectionError({"message": auth.SIGN_IN_MESSAGE})
        socket = context.request
        if isinstance(socket, WebSocket):
            watch = _watch(socket, claims, self.settings.socket_check_seconds)
            task = asyncio.create_task(watch)
            _WATCHES.add(task)
            task.add_done_callback(_WATCHES.discard)
        return ACK


_WATCHES: set[asyncio.Task[None]] = set()  # kept referenced until they finish


async def _watch(socket: WebSocket, claims: AccessClaims, every: float) -> None:
    """Close the socket with 4401 at the token's expiry, or once its session has ended."""
    reason = "Token expired"
    while socket.application_state is WebSocketState.CONNECTED:
        remaining = (claims.expires_at - datetime.now(UTC)).total_seconds()
        if remaining <= 0:
            break
        await asyncio.sleep(min(remaining, every))
        if remaining > every and await sessions.actor(claims) is None:
            reason = "Session ended"
            break
    if socket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError):  # closed meanwhile by the client
            await socket.close(code=4401, reason=reason)
