"""WebSocket sign-in: the connection_init token, refused (4403) or closed at expiry (4401)."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app import create_app
from db.models import Session, User, UserRole
from domain.accounts import ACCESS_TOKEN_LIFETIME, Role
from settings import Settings
from tests.graph.conftest import KEYS, People

PROTOCOL = "graphql-transport-ws"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def ws_url(database: str) -> AsyncIterator[str]:
    """The app under a real uvicorn in this event loop (the test database stays connected)."""
    port = _free_port()
    config = uvicorn.Config(
        # Sockets check their session every 0.2 s here (30 s in service).
        create_app(Settings(database_url=database, socket_check_seconds=0.2), keys=KEYS),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    yield f"ws://127.0.0.1:{port}/graphql"
    server.should_exit = True
    await task


async def _init(url: str, payload: dict[str, Any] | None) -> ClientConnection:
    ws = await connect(url, subprotocols=[PROTOCOL])  # type: ignore[list-item]
    message: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        message["payload"] = payload
    await ws.send(json.dumps(message))
    return ws


async def _close_code(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), timeout=10)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def _me(ws: ClientConnection) -> dict[str, Any]:
    await ws.send(
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": "{ me { username roles } }"}}
        )
    )
    reply: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    return reply


async def test_a_bad_token_is_refused_with_4403(ws_url: str, people: People) -> None:
    token = await people.sign_in("hastane.alici")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for payload in (
        {"Authorization": f"Bearer {tampered}"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": 123},
        {"authorization": ["Bearer", token]},
    ):
        ws = await _init(ws_url, payload)
        assert await _close_code(ws) == 4403, payload


async def test_a_good_token_signs_the_socket_in(ws_url: str, people: People) -> None:
    token = await people.sign_in("hastane.alici")
    ws = await _init(ws_url, {"Authorization": f"Bearer {token}"})
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    assert await _me(ws) == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"me": {"username": "hastane.alici", "roles": ["BUYER"]}}},
    }
    await ws.close()
    # Without a token the socket is anonymous: public operations only.
    anonymous = await _init(ws_url, None)
    assert json.loads(await anonymous.recv()) == {"type": "connection_ack"}
    reply = await _me(anonymous)
    assert reply["payload"]["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    await anonymous.close()


async def test_the_socket_closes_with_4401_when_its_token_expires(
    ws_url: str, people: People
) -> None:
    signed = jwt.decode(await people.sign_in("belediye.alici"), options={"verify_signature": False})
    # The same session, with a token that has two seconds left to live.
    short, expires_at = KEYS.issue_access(
        user_id=uuid.UUID(signed["sub"]),
        session_id=uuid.UUID(signed["sid"]),
        roles=frozenset({Role.BUYER}),
        institution_id=uuid.UUID(signed["institution"]),
        now=datetime.now(UTC) - ACCESS_TOKEN_LIFETIME + timedelta(seconds=2),
    )
    ws = await _init(ws_url, {"Authorization": f"Bearer {short}"})
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    assert await _close_code(ws) == 4401
    assert datetime.now(UTC) >= expires_at - timedelta(seconds=1)


async def test_several_operations_need_a_name_on_sockets_too(ws_url: str, db: str) -> None:
    ws = await _init(ws_url, None)
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    two = "query A { products(first: 1) { totalCount } } query B { brands { edges { cursor } } }"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": two}}))
    reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    assert reply == {
        "id": "1",
        "type": "error",
        "payload": [
            {
                "message": "Must provide operation name if query contains multiple operations.",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }
    named = {"query": two, "operationName": "A"}
    await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": named}))
    ran = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    assert ran == {"id": "2", "type": "next", "payload": {"data": {"products": {"totalCount": 0}}}}
    await ws.close()


async def test_the_key_is_case_insensitive_like_a_header(ws_url: str, people: People) -> None:
    token = await people.sign_in("hastane.alici")
    ws = await _init(ws_url, {"authorization": f"bearer {token}"})
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    assert (await _me(ws))["payload"]["data"]["me"]["username"] == "hastane.alici"
    await ws.close()


USERS = '{"id": "%s", "type": "subscribe", "payload": {"query": "{ users { edges { cursor } } }"}}'


async def test_role_changes_and_sign_out_reach_open_sockets(ws_url: str, people: People) -> None:
    buyer = await User.get(username="hastane.alici")
    await UserRole.create(user=buyer, role=Role.INSTITUTION_ADMIN)
    token = await people.sign_in("hastane.alici")
    ws = await _init(ws_url, {"Authorization": f"Bearer {token}"})
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    await ws.send(USERS % "1")
    assert json.loads(await ws.recv())["type"] == "next"
    assert json.loads(await ws.recv()) == {"id": "1", "type": "complete"}
    # Demoted while the socket is open: the next operation on it is refused.
    await UserRole.filter(user=buyer, role=Role.INSTITUTION_ADMIN).delete()
    await ws.send(USERS % "2")
    refused = json.loads(await ws.recv())
    assert refused["payload"]["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    assert json.loads(await ws.recv()) == {"id": "2", "type": "complete"}
    # Signed out elsewhere: the socket closes at its next check.
    signed = jwt.decode(token, options={"verify_signature": False})
    await Session.filter(id=signed["sid"]).update(revoked_at=datetime.now(UTC))
    assert await _close_code(ws) == 4401


async def test_the_legacy_protocol_refuses_queries_clearly(ws_url: str, db: str) -> None:
    ws = await connect(ws_url, subprotocols=["graphql-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    query = {"query": "{ products(first: 1) { totalCount } }"}
    await ws.send(json.dumps({"id": "1", "type": "start", "payload": query}))
    reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    # The old protocol carries subscriptions only: a clear refusal, not an internal error.
    assert reply == {"type": "error", "id": "1", "payload": {"message": "queries are not allowed"}}
    await ws.close()
