"""The app's wiring: health, readiness, GraphiQL per environment, CORS and request ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app import create_app
from settings import Environment, Settings

SECRET = "s" * 40


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def production(database: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    key_file = tmp_path / "token.pem"
    key_file.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings = Settings(
        env=Environment.PRODUCTION,
        secret_key=SECRET,
        token_key_file=str(key_file),
        database_url=database,
        allowed_origins=("https://portal.example",),
    )
    async for http in _client(settings):
        yield http


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = await client.get("/readyz")
    # The bus is not connected here (the app's lifespan is not run by this client).
    assert ready.json()["checks"]["database"] is True
    assert ready.json()["bus"] == {"subscriptions": 0, "channels": 0, "listener_tasks": 0}


async def test_graphiql_only_in_development(
    client: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    html = {"accept": "text/html"}
    development = await client.get("/graphql", headers=html)
    assert development.status_code == 200
    assert "graphiql" in development.text.lower()
    refused = await production.get("/graphql", headers=html)
    assert refused.status_code == 404
    assert "graphiql" not in refused.text.lower()


async def test_queries_over_get(db: str, client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ brands { edges { cursor } } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"brands": {"edges": []}}}


async def test_request_id_header(client: httpx.AsyncClient) -> None:
    first = await client.get("/healthz")
    second = await client.get("/healthz")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_cors_follows_allowed_origins(production: httpx.AsyncClient) -> None:
    preflight = {"access-control-request-method": "POST"}
    allowed = await production.options(
        "/graphql", headers={"origin": "https://portal.example", **preflight}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    other = await production.options(
        "/graphql", headers={"origin": "https://evil.example", **preflight}
    )
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers


def test_production_app_needs_a_secret() -> None:
    from settings import SettingsError

    with pytest.raises(SettingsError) as refused:
        create_app(Settings(env=Environment.PRODUCTION))
    assert str(refused.value) == "ESATIS_SECRET_KEY must be set when ESATIS_ENV=production"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (
            b"null",
            "application/json",
            400,
            'The request body must be a JSON object: {"query": ...}.',
        ),
        (
            b'"hi"',
            "application/json",
            400,
            'The request body must be a JSON object: {"query": ...}.',
        ),
        (
            b"[1, 2]",
            "application/json",
            400,
            'The request body must be a JSON object: {"query": ...}.',
        ),
        (
            b'{"query": "\xff\xfe"}',
            "application/json",
            400,
            "The request body is not valid UTF-8 JSON.",
        ),
        (b"{not json", "application/json", 400, "The request body is not valid UTF-8 JSON."),
        (
            b"query { brands { pageInfo { hasNextPage } } }",
            "text/plain",
            400,
            "Unsupported content type",
        ),
        (b"{}", "application/json", 400, "No GraphQL query found in the request"),
    ],
)
async def test_malformed_requests_get_json_errors(
    client: httpx.AsyncClient, body: bytes, content_type: str, status: int, message: str
) -> None:
    response = await client.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == status
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]
    }


async def test_mutation_over_get_is_refused_as_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "mutation { x }"})
    assert response.status_code in (400, 405)
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}
