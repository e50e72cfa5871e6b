"""End to end: `esatis serve` as a real process on an empty SQLite file, queried over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

pytestmark = pytest.mark.e2e
ESATIS = Path(sys.executable).with_name("esatis")
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESATIS_")}
    env.update({"ESATIS_DATABASE_URL": f"sqlite://{tmp_path / 'e2e.sqlite3'}"}, **extra)
    return env


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(ESATIS), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why.
        assert process.returncode in (0, -signal.SIGTERM), output.decode(errors="replace")


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"esatis serve exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("esatis serve did not become ready in time")


def test_serve_migrates_loads_demo_data_and_answers(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server}/readyz").json()
    assert ready["status"] == "ok"
    assert ready["checks"] == {"database": True, "bus": True}
    query = """query($search: String) { products(search: $search, first: 3) {
      totalCount edges { node { sku name } } } }"""
    response = httpx.post(
        f"{server}/graphql", json={"query": query, "variables": {"search": "YAZICI"}}
    )
    assert response.status_code == 200
    products = response.json()["data"]["products"]
    assert products["totalCount"] >= 5
    # Ranked by relevance: the search word in the name comes first.
    assert all("Yazıcı" in e["node"]["name"] for e in products["edges"])
    total = httpx.post(f"{server}/graphql", json={"query": "{ products { totalCount } }"})
    assert total.json()["data"]["products"]["totalCount"] >= 150
    # GraphiQL is served to browsers in development.
    page = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert response.headers["x-request-id"]


def test_a_demo_user_signs_in_as_the_readme_says(server: str, tmp_path: Path) -> None:
    listed = subprocess.run(
        [str(ESATIS), "demo-users", "--json"],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    users = {u["username"]: u for u in json.loads(listed.stdout)}
    assert len(users) == 17
    buyer = users["hastane.alici"]
    assert (buyer["roles"], buyer["institution"]) == (["BUYER"], "Ankara Şehir Hastanesi")
    sign_in = """mutation($u: String!, $p: String!, $o: String!) {
      tokenCreate(input: {username: $u, password: $p, otp: $o}) {
        accessToken errors { code } } }"""
    variables = {
        "u": "hastane.alici",
        "p": buyer["password"],
        "o": pyotp.TOTP(buyer["totp_secret"]).now(),
    }
    body = httpx.post(f"{server}/graphql", json={"query": sign_in, "variables": variables}).json()
    token = body["data"]["tokenCreate"]["accessToken"]
    assert body["data"]["tokenCreate"]["errors"] == []
    me = httpx.post(
        f"{server}/graphql",
        json={"query": "{ me { username roles institution { name } } }"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert me == {
        "data": {
            "me": {
                "username": "hastane.alici",
                "roles": ["BUYER"],
                "institution": {"name": "Ankara Şehir Hastanesi"},
            }
        }
    }
    # The demo purchasing data is there for the buyer: a request in every state.
    mine = httpx.post(
        f"{server}/graphql",
        json={"query": "{ purchaseRequests { edges { node { status order { status } } } } }"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["data"]["purchaseRequests"]["edges"]
    assert sorted(
        (n["node"]["status"], (n["node"]["order"] or {}).get("status")) for n in mine
    ) == [
        ("CANCELLED", None),
        ("DRAFT", None),
        ("IN_APPROVAL", None),
        ("IN_APPROVAL", None),
        ("IN_APPROVAL", None),
        ("ORDERED", "CONFIRMED"),
        ("ORDERED", "PLACED"),
        ("REJECTED", None),
        ("RETURNED", None),
    ]
    # Development keys were made once, readable by the owner only, beside the database.
    assert oct((tmp_path / ".esatis" / "token-ed25519.pem").stat().st_mode & 0o777) == "0o600"


def test_production_refuses_to_start_without_token_keys(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ESATIS), "serve", "--port", str(_free_port())],
        cwd=tmp_path,
        env=_environment(tmp_path, ESATIS_ENV="production", ESATIS_SECRET_KEY="k" * 40),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "esatis: configuration error: ESATIS_TOKEN_KEY_FILE must name the Ed25519 private key "
        "(PEM) that signs access tokens when ESATIS_ENV=production"
    )
    missing = tmp_path / "missing.pem"
    unreadable = subprocess.run(
        [str(ESATIS), "serve", "--port", str(_free_port())],
        cwd=tmp_path,
        env=_environment(
            tmp_path,
            ESATIS_ENV="production",
            ESATIS_SECRET_KEY="k" * 40,
            ESATIS_TOKEN_KEY_FILE=str(missing),
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unreadable.returncode == 2
    assert unreadable.stderr.strip() == (
        f"esatis: configuration error: cannot read the token key {missing}: "
        "No such file or directory"
    )
    assert not (tmp_path / "e2e.sqlite3").exists()


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ESATIS), "serve", "--port", str(_free_port())],
        cwd=tmp_path,
        env=_environment(tmp_path, ESATIS_ENV="production"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "esatis: configuration error: ESATIS_SECRET_KEY must be set when ESATIS_ENV=production"
    )
    assert not (tmp_path / "e2e.sqlite3").exists()


def test_several_workers_need_a_shared_bus(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ESATIS), "serve", "--workers", "2", "--port", str(_free_port())],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--workers > 1 needs a shared event bus" in result.stderr
    assert not (tmp_path / "e2e.sqlite3").exists()


def test_missing_sqlite_folder_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "x.sqlite3"
    result = subprocess.run(
        [str(ESATIS), "migrate"],
        cwd=tmp_path,
        env=_environment(tmp_path, ESATIS_DATABASE_URL=f"sqlite://{missing}"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"esatis: the folder for the SQLite file {missing} does not exist"
    )


def test_unreachable_postgresql_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgres://nobody@127.0.0.1:{_free_port()}/nothing"
    result = subprocess.run(
        [str(ESATIS), "migrate"],
        cwd=tmp_path,
        env=_environment(tmp_path, ESATIS_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("esatis: cannot connect to the database (")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_port_must_be_valid(tmp_path: Path, port: str) -> None:
    result = subprocess.run(
        [str(ESATIS), "serve", "--port", port],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "must be a port number from 1 to 65535" in result.stderr
