"""The GraphQL endpoint: Strawberry's ASGI view with our context and error logging."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from graph.context import Context
from graph.schema.root import schema
from settings import Settings


class GraphQLEndpoint(GraphQL[Context, None]):
    def __init__(self, settings: Settings, bus: Any = None) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        self.settings = settings
        self.bus = bus

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

    def encode_json(self, data: object) -> bytes:
        # UTF-8 rather than \u escapes: Turkish text stays readable and responses smaller.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
        return Context(request=request, settings=self.settings, request_id=request_id, bus=self.bus)
