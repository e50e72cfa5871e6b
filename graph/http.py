"""The GraphQL endpoint: Strawberry's ASGI view with our context and error logging."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
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

    def encode_json(self, data: object) -> bytes:
        # UTF-8 rather than \u escapes: Turkish text stays readable and responses smaller.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
        return Context(request=request, settings=self.settings, request_id=request_id, bus=self.bus)
