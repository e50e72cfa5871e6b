"""Order placement benchmark: the final approval that places an order, with 50 concurrent
buyers, through GraphQL over HTTP, through the service layer in-process, and as raw asyncpg.

    python -m bench.orders            # 50 buyers, 30 requests each per run (2 to 3 minutes)
    python -m bench.orders --quick    # 50 buyers, 8 requests each per run (about 30 s)
    python -m bench.orders --quick --targets raw --profile   # statements, plans, CPU, cProfile

"Order placement" is the spending authority's final approval (`purchaseRequestApprove`): in one
transaction the request becomes ORDERED, the budget line is reserved, the order and its lines
are written and stock is decremented conditionally, the rest backordered (ADR 0007). Carts,
requests, submission and the first approval step are prepared beforehand and timed apart.
Each run has its own institution and products; after each run the checks (CHECKS, verify)
must hold exactly (zero oversell, one order per request, budget reserved to the kuruş), or the
script exits with status 1. Results and their reading: docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import math
import os
import pstats
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx

from bench.catalogue import (
    ROOT,
    Server,
    _asgi_post,
    _code_state,
    _free_port,
    _machine_busy,
    _postgres_cpu,
    _process_cpu,
    _runner,
    _uvicorn,
    _wait_ready,
    wait_quiet,
)
from domain.accounts import Actor, InstitutionType, Role, vkn_check_digit
from domain.catalogue import ProductDraft, Unit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_orders"
REFUSED_DATABASES = frozenset({"test", "postgres", "root", "template0", "template1"})
TARGETS = ("graphql", "service", "raw")
CATEGORY = ("39831200-8", "Detergents")
UNITS = 5  # spending units, one budget line each; buyers are spread over them
POOL = 40  # ordinary products; each request also holds the hot product
LIMITED_SHARE = 0.3  # pool products with little stock (they run out during a run)
BUDGET_HEADROOM = Decimal("1.20")  # appropriation = 1.2 x what the run's requests need
TARGET_RATE = 100.0  # orders/s through GraphQL (issue 4, point 10)

APPROVE = (
    "mutation BenchApprove($id: ID!) { purchaseRequestApprove(input: {requestId: $id}) "
    "{ purchaseRequest { id status } order { id status } errors { code field message } } }"
)


# --- 1. The database ---------------------------------------------------------------------------


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


async def reset_database(url: str) -> None:
    """Create the database if missing (createdb), drop and recreate its schema, migrate."""
    from db import lifecycle

    name = _database_name(url)
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        parts = urlsplit(url)
        command = ["createdb", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
        command += ["-U", parts.username or "postgres", name]
        await asyncio.to_thread(subprocess.run, command, check=True)
        print(f"created database {name}")
        conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    await lifecycle.migrate(url)


# --- 2. The world of one run: an institution, its people, budget lines and products -------------


@dataclass(frozen=True)
class Plan:
    """What each buyer's requests hold: (pool index, quantity) pairs besides one hot unit."""

    buyers: int
    per_buyer: int
    carts: list[list[list[tuple[int, int]]]]  # [buyer][request] -> pool lines
    pool_stock: list[int]
    pool_prices: list[tuple[Decimal, int, int]]  # net price, KDV rate, lead time days
    hot_stock: int

    @property
    def requests(self) -> int:
        return self.buyers * self.per_buyer


def make_plan(buyers: int, per_buyer: int, seed: int) -> Plan:
    """The same workload for every run (one seed): the hot product in every request, two pool
    products with 1 to 5 units; 30 % of the pool and the hot product run out mid-run."""
    rng = random.Random(seed)
    prices = [
        (
            Decimal(rng.randint(1_000, 200_000)) / 100,
            rng.choice((20, 20, 20, 10, 1)),
            rng.randint(1, 10),
        )
        for _ in range(POOL)
    ]
    requests = buyers * per_buyer
    carts = [
        [
            [(index, rng.randint(1, 5)) for index in sorted(rng.sample(range(POOL), 2))]
            for _ in range(per_buyer)
        ]
        for _ in range(buyers)
    ]
    # A limited product holds about a third of what the run asks of it.
    demand = Counter[int]()
    for buyer in carts:
        for lines in buyer:
            for index, quantity in lines:
                demand[index] += quantity
    limited = set(rng.sample(range(POOL), round(POOL * LIMITED_SHARE)))
    stock = [max(1, demand[i] // 3) if i in limited else 1_000_000 for i in range(POOL)]
    return Plan(buyers, per_buyer, carts, stock, prices, hot_stock=max(1, requests // 2))


@dataclass
class World:
    tag: str
    institution_id: uuid.UUID
    address_id: uuid.UUID
    units: list[uuid.UUID]
    budget_lines: list[uuid.UUID]
    buyers: list[Actor]
    officers: list[Actor]
    authorities: list[Actor]
    hot: uuid.UUID
    pool: list[uuid.UUID]
    initial_stock: dict[uuid.UUID, int] = field(default_factory=dict)
    sku_prefix: str = ""
    # Filled by prepare(): per buyer, the requests awaiting the final approval.
    requests: list[list[str]] = field(default_factory=list)


def _vkn(number: int) -> str:
    first_nine = f"{number:09d}"
    return first_nine + str(vkn_check_digit(first_nine))


async def build_world(tag: str, index: int, plan: Plan, now: datetime) -> World:
    """An institution with `plan.buyers` buyers, as many realisation officers and spending
    authorities, UNITS spending units with a budget line each, one address and the products."""
    from db import catalogue_store, category_store
    from db.models import (
        Address,
        BudgetLine,
        Institution,
        Product,
        SpendingUnit,
        User,
        UserRole,
    )
    from domain.imports import CategoryRow

    await category_store.upsert_categories([CategoryRow(*CATEGORY)])
    institution = await Institution.create(
        name=f"Bench {tag.title()} Devlet Hastanesi",
        type=InstitutionType.HOSPITAL,
        vkn=_vkn(470_000_000 + index),
        province_code=6,
        created_at=now,
    )
    units = [
        await SpendingUnit.create(institution=institution, name=f"Birim {n + 1}", created_at=now)
        for n in range(UNITS)
    ]
    lines = [
        await BudgetLine.create(
            institution=institution,
            unit=unit,
            fiscal_year=now.year,
            economic_code="03.2.1.01",
            name="Tüketim malzemesi alımları",
            appropriation_kurus=0,
            available_kurus=0,
            created_at=now,
        )
        for unit in units
    ]
    address = await Address.create(
        institution=institution,
        label="Ana depo",
        province_code=6,
        district="Çankaya",
        line="Üniversiteler Mah. 1604. Cad. No: 9",
        created_at=now,
    )
    people: dict[Role, list[Actor]] = {}
    kinds = (
        (Role.BUYER, "alici"),
        (Role.REALISATION_OFFICER, "gercek"),
        (Role.SPENDING_AUTHORITY, "harcama"),
    )
    for role, word in kinds:
        rows = [
            User(
                id=uuid.uuid4(),
                username=f"bo.{tag}.{word}{n:03d}",
                display_name=f"{word.title()} {n + 1}",
                email=f"bo.{tag}.{word}{n:03d}@example.org",
                institution_id=institution.id,
                unit_id=units[n % UNITS].id,
                password_hash="x",  # never signs in: the bench issues its access tokens
                totp_secret="x",
                created_at=now,
            )
            for n in range(plan.buyers)
        ]
        await User.bulk_create(rows)
        await UserRole.bulk_create([UserRole(user_id=row.id, role=role) for row in rows])
        people[role] = [
            Actor(
                user_id=row.id,
                username=row.username,
                roles=frozenset({role}),
                institution_id=institution.id,
                unit_id=row.unit_id,  # type: ignore[attr-defined]
            )
            for row in rows
        ]
    prefix = f"BO-{tag.upper()}-"
    drafts = [
        _product(f"{prefix}HOT", "Sıcak Ürün: Cerrahi Maske", "450.00", plan.hot_stock, 20, 7)
    ]
    drafts += [
        _product(f"{prefix}{n:03d}", f"Bench Ürün {n:03d}", str(price), stock, kdv, lead)
        for n, ((price, kdv, lead), stock) in enumerate(
            zip(plan.pool_prices, plan.pool_stock, strict=True)
        )
    ]
    await catalogue_store.upsert_products(drafts, source="bench")
    by_sku = {p.sku: p for p in await Product.filter(sku__startswith=prefix)}
    world = World(
        tag=tag,
        institution_id=institution.id,
        address_id=address.id,
        units=[u.id for u in units],
        budget_lines=[line.id for line in lines],
        buyers=people[Role.BUYER],
        officers=people[Role.REALISATION_OFFICER],
        authorities=people[Role.SPENDING_AUTHORITY],
        hot=by_sku[f"{prefix}HOT"].id,
        pool=[by_sku[f"{prefix}{n:03d}"].id for n in range(POOL)],
        sku_prefix=prefix,
    )
    world.initial_stock = {p.id: p.stock for p in by_sku.values()}
    return world


def _product(sku: str, name: str, price: str, stock: int, kdv: int, lead: int) -> ProductDraft:
    return ProductDraft(
        sku=sku,
        name=name,
        description=f"{name} (benchmark).",
        category_code=CATEGORY[0],
        brand=None,
        supplier="Bench Tedarik A.Ş.",
        unit=Unit.PIECE,
        price_net=Decimal(price),
        kdv_rate=kdv,
        stock=stock,
        lead_time_days=lead,
    )


# --- 3. Preparation (services, in-process; timed apart) ----------------------------------------


@dataclass
class Preparation:
    requests: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # step -> summed latency, s


async def prepare(world: World, plan: Plan) -> Preparation:
    """Each buyer fills the cart, makes the request and submits it, and the buyer's realisation
    officer approves step 1: the request then awaits its spending authority (final step).
    Buyers run concurrently; each buyer's requests one after another (one cart per buyer)."""
    from db.models import BudgetLine, PurchaseRequest
    from domain.approvals import Decision
    from services import budgets, cart, decisions, purchase_requests
    from services.purchase_requests import RequestDraft

    found = Preparation()
    world.requests = [[] for _ in world.buyers]

    async def timed(step: str, call: Awaitable[Any]) -> Any:
        started = time.perf_counter()
        result = await call
        found.steps[step] = found.steps.get(step, 0.0) + time.perf_counter() - started
        return result

    async def buyer_loop(number: int) -> None:
        buyer, officer = world.buyers[number], world.officers[number]
        unit = number % UNITS
        draft = RequestDraft(
            unit_id=str(world.units[unit]),
            budget_line_id=str(world.budget_lines[unit]),
            address_id=str(world.address_id),
            justification="Servis sarf malzemesi (benchmark).",
        )
        for lines in plan.carts[number]:
            now = datetime.now(UTC)
            adds = [cart.LineAdd(str(world.hot), 1)]
            adds += [cart.LineAdd(str(world.pool[i]), q) for i, q in lines]
            await timed("cart", cart.add_lines(adds, actor=buyer, now=now))
            made = await timed("create", purchase_requests.create(draft, actor=buyer, now=now))
            rid = str(made.id)
            await timed("submit", purchase_requests.submit(rid, actor=buyer, now=now))
            await timed(
                "first approval",
                decisions.decide(rid, Decision.APPROVE, None, actor=officer, now=now),
            )
            world.requests[number].append(rid)

    started = time.perf_counter()
    await asyncio.gather(*(buyer_loop(n) for n in range(len(world.buyers))))
    found.seconds = time.perf_counter() - started
    found.requests = sum(len(r) for r in world.requests)
    # Each budget line gets 1.2 x what its requests need: every approval can pass, and the
    # reservations are checked to the kuruş afterwards.
    for line_id in world.budget_lines:
        grosses = await PurchaseRequest.filter(budget_line_id=line_id).values_list(
            "gross", flat=True
        )
        need = budgets.to_kurus(sum((Decimal(g) for g in grosses), Decimal(0)))
        kurus = math.ceil(need * BUDGET_HEADROOM)
        await BudgetLine.filter(id=line_id).update(appropriation_kurus=kurus, available_kurus=kurus)
    return found


def print_preparation(tag: str, prep: Preparation) -> None:
    per = ", ".join(
        f"{step} {seconds * 1000 / max(1, prep.requests):.1f}"
        for step, seconds in prep.steps.items()
    )
    print(
        f"  prepared {prep.requests:,} requests for the {tag} run in {prep.seconds:.1f} s "
        f"({prep.requests / prep.seconds:.0f} a second; mean latency per request, ms: {per})",
        flush=True,
    )


# --- 4. The runs -------------------------------------------------------------------------------


@dataclass
class Sample:
    client: int
    sent: float
    done: float
    ok: bool
    error: str = ""


@dataclass
class Run:
    target: str
    clients: int
    samples: list[Sample] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0
    lowest_stock: int | None = None
    activity: Counter[str] = field(default_factory=Counter)  # backend state -> samples
    activity_samples: int = 0
    warmup: int = 2

    @property
    def ok(self) -> int:
        return sum(s.ok for s in self.samples)

    @property
    def failures(self) -> int:
        return sum(not s.ok for s in self.samples)

    def window(self) -> tuple[float, float]:
        """Steady state: from the moment every client has had `warmup` answers to the moment
        the first client runs out of requests (all clients busy in between). When that holds
        fewer than half the approvals (few requests a buyer), the whole run."""
        by_client: dict[int, list[float]] = {}
        for s in self.samples:
            by_client.setdefault(s.client, []).append(s.done)
        for done in by_client.values():
            done.sort()
        start = max(done[min(self.warmup, len(done)) - 1] for done in by_client.values())
        end = min(done[-1] for done in by_client.values())
        inside = sum(start < s.done <= end for s in self.samples)
        if end <= start or inside < len(self.samples) / 2:
            start = min(s.sent for s in self.samples)
            end = max(s.done for s in self.samples)
        return start, end

    def measured(self) -> list[Sample]:
        start, end = self.window()
        return [s for s in self.samples if start < s.done <= end]

    @property
    def throughput(self) -> float:
        start, end = self.window()
        return sum(s.ok for s in self.measured()) / (end - start)

    @property
    def overall(self) -> float:
        """Orders a second over the whole run, ramp-up and tail included."""
        return self.ok / self.wall if self.wall else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(s.done - s.sent for s in self.measured() if s.ok)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))] * 1000


# What the run's backends (all but the watcher's) are doing: running, waiting for a row lock
# ("Lock: transactionid/tuple"), for the WAL flush of a commit ("IO: WALSync"), or idle: idle
# in a transaction means the application holds the transaction open between statements.
ACTIVITY = """SELECT CASE WHEN state = 'active' AND wait_event IS NULL THEN 'running'
    WHEN state = 'active' THEN 'waiting ' || wait_event_type || ': ' || wait_event
    ELSE state END AS what, COUNT(*)
FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
    AND backend_type = 'client backend' GROUP BY 1"""


def _tree_cpu(pid: int) -> float:
    """CPU of a process and its children (uvicorn's workers when there are several)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += _process_cpu(current)
        todo.extend(children.get(current, ()))
    return total


def _cpu_snapshot(server_pid: int | None, database: str) -> dict[str, float]:
    return {
        "server": _tree_cpu(server_pid) if server_pid else 0.0,
        "postgres": _postgres_cpu(database),
        "loadgen": time.process_time(),
        "machine": _machine_busy(),
    }


async def drive(
    run: Run,
    queues: Sequence[Sequence[Any]],
    one: Callable[[int, Any], Awaitable[str | None]],
    *,
    url: str,
    server_pid: int | None,
    seconds: float,
) -> Run:
    """Closed loop: one task per buyer, one approval in flight each, bounded by the prepared
    requests and by `seconds`. `one(client, request)` returns None or an error text."""
    database = _database_name(url)
    deadline = time.perf_counter() + seconds
    watching = asyncio.Event()

    async def client_loop(number: int) -> None:
        for request_id in queues[number]:
            if (sent := time.perf_counter()) > deadline:
                return
            try:
                error = await one(number, request_id)
            except Exception as caught:  # a failure to count, not to stop the run with
                error = f"{type(caught).__name__}: {caught}"
            run.samples.append(
                Sample(number, sent, time.perf_counter(), error is None, error or "")
            )

    async def watch() -> None:
        """Every 0.1 s on another connection: the run's lowest stock (it must never be below
        zero), and what the database's busy backends are doing (pg_stat_activity)."""
        conn = await asyncpg.connect(url)
        try:
            while not watching.is_set():
                lowest = await conn.fetchval(
                    "SELECT min(stock) FROM products WHERE sku LIKE $1",
                    f"BO-{run.target.upper()}-%",
                )
                run.lowest_stock = (
                    lowest if run.lowest_stock is None else min(run.lowest_stock, lowest)
                )
                for state, count in await conn.fetch(ACTIVITY):
                    run.activity[state] += count
                run.activity_samples += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(watching.wait(), 0.1)
        finally:
            await conn.close()

    watcher = asyncio.create_task(watch())
    before = _cpu_snapshot(server_pid, database)
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(n) for n in range(len(queues))))
    run.wall = time.perf_counter() - started
    after = _cpu_snapshot(server_pid, database)
    watching.set()
    await watcher
    run.cpu = {key: after[key] - before[key] for key in after}
    run.cpu["other"] = run.cpu["machine"] - sum(
        run.cpu[key] for key in ("server", "postgres", "loadgen")
    )
    return run


# GraphQL over HTTP ------------------------------------------------------------------------------


def _server_env(url: str, local_dir: str) -> dict[str, str]:
    return dict(
        os.environ,
        ESATIS_DATABASE_URL=url,
        ESATIS_ENV="development",
        ESATIS_DEMO_DATA="0",
        ESATIS_LOCAL_DIR=local_dir,  # the token keys the bench signs with
        ESATIS_LOG_LEVEL="WARNING",
    )


@contextlib.contextmanager
def graphql_server(url: str, local_dir: Path, workers: int) -> Iterator[Server]:
    """The project's app under uvicorn (one worker unless asked), uvloop and httptools, on
    127.0.0.1."""
    port, log = _free_port(), local_dir / "graphql.log"
    command = _uvicorn("app:create_app", port)
    command[command.index("--workers") + 1] = str(workers)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_server_env(url, str(local_dir)),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server("graphql", f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def issue_tokens(world: World, local_dir: Path) -> list[str]:
    """A session and an access token for each spending authority, signed with the keys the
    server loads from the same folder (signing in is not what this bench measures)."""
    from app import load_keys
    from db.models import Session
    from settings import Settings

    keys = load_keys(Settings(local_dir=str(local_dir)))
    now = datetime.now(UTC)
    tokens = []
    for actor in world.authorities:
        session = await Session.create(user_id=actor.user_id, created_at=now)
        token, _ = keys.issue_access(
            user_id=actor.user_id,
            session_id=session.id,
            roles=actor.roles,
            institution_id=actor.institution_id,
            now=now,
        )
        tokens.append(token)
    return tokens


def _graphql_error(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    body = response.json()
    if body.get("errors"):
        return str(body["errors"][0].get("message"))
    payload = body["data"]["purchaseRequestApprove"]
    if payload["errors"]:
        return "{code}: {message}".format(**payload["errors"][0])
    if (payload["order"] or {}).get("status") != "PLACED":
        return "no order placed"
    if payload["purchaseRequest"]["status"] != "ORDERED":
        return f"request {payload['purchaseRequest']['status']}"
    return None


async def run_graphql(
    world: World, server: Server, tokens: list[str], *, url: str, seconds: float
) -> Run:
    from graph import ids

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(
            base_url=server.url,
            limits=limits,
            timeout=60,
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        for token in tokens
    ]
    queues = [[ids.encode("PurchaseRequest", rid) for rid in queue] for queue in world.requests]
    try:
        # One cheap request per client first: connections open, the schema warm.
        ping = json.dumps({"query": "{ __typename }"}).encode()
        await asyncio.gather(*(c.post("/graphql", content=ping) for c in clients))

        async def one(client: int, request_id: str) -> str | None:
            data = json.dumps({"query": APPROVE, "variables": {"id": request_id}}).encode()
            return _graphql_error(await clients[client].post("/graphql", content=data))

        run = Run("graphql", len(clients))
        return await drive(
            run, queues, one, url=url, server_pid=server.process.pid, seconds=seconds
        )
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


# The service layer, in-process -------------------------------------------------------------------


async def run_service(world: World, *, url: str, seconds: float) -> Run:
    from domain.approvals import Decision
    from domain.errors import DomainError
    from services import decisions
    from subscriptions.memory import MemoryEventBus

    bus = MemoryEventBus()  # as in the server: events are published after commit
    await bus.connect()

    async def one(client: int, request_id: str) -> str | None:
        actor = world.authorities[client]
        try:
            decided = await decisions.decide(
                request_id, Decision.APPROVE, None, actor=actor, now=datetime.now(UTC), bus=bus
            )
        except DomainError as error:
            return f"{error.code}: {error.message}"
        return None if decided.order is not None else "no order placed"

    try:
        return await drive(
            Run("service", len(world.buyers)),
            world.requests,
            one,
            url=url,
            server_pid=None,
            seconds=seconds,
        )
    finally:
        await bus.disconnect()


# The raw baseline: the same transaction's SQL with asyncpg ---------------------------------------

RAW_REQUEST = """SELECT id, institution_id, budget_line_id, requester_id, status, version, round,
current_step, jsonb_array_length(policy) AS steps, policy -> current_step ->> 'role' AS role,
net, kdv, gross FROM purchase_requests WHERE id = $1 AND institution_id = $2"""
RAW_EARLIER = """SELECT actor_id, on_behalf_of_id FROM approval_actions
WHERE request_id = $1 AND round = $2 AND decision = 'APPROVE'"""
RAW_ORDERED = """UPDATE purchase_requests SET status = 'ORDERED', awaiting_role = NULL,
version = version + 2, updated_at = $3 WHERE id = $1 AND version = $2 AND status = 'IN_APPROVAL'"""
RAW_ACTION = """INSERT INTO approval_actions (id, request_id, round, step, role, decision, note,
actor_id, on_behalf_of_id, occurred_at) VALUES ($1, $2, $3, $4, $5, 'APPROVE', '', $6, NULL, $7)"""
RAW_RESERVE = """UPDATE budget_lines SET available_kurus = available_kurus - $2,
reserved_kurus = reserved_kurus + $2 WHERE id = $1 AND available_kurus >= $2"""
RAW_ORDER = """INSERT INTO orders (id, institution_id, request_id, status, net, kdv, gross,
placed_at, updated_at) VALUES ($1, $2, $3, 'PLACED', $4, $5, $6, $7, $7)"""
RAW_LINES = """SELECT position, product_id, quantity, unit_price, kdv_rate, net, kdv, gross
FROM purchase_request_lines WHERE request_id = $1"""
RAW_STOCK = "SELECT stock, lead_time_days FROM products WHERE id = $1"
RAW_TAKE = "UPDATE products SET stock = stock - $2 WHERE id = $1 AND stock >= $2"
RAW_ORDER_LINE = """INSERT INTO order_lines (id, order_id, position, product_id, quantity,
from_stock, backordered, backorder_eta, unit_price, kdv_rate, net, kdv, gross)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"""
RAW_EVENT = """INSERT INTO order_events (id, order_id, status, occurred_at, actor_id, note)
VALUES ($1, $2, 'PLACED', $3, $4, '')"""
RAW_AUDIT = """INSERT INTO audit_events (id, occurred_at, action, actor_id, institution_id,
subject_type, subject_id, details, client_address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '')"""


class RawRefusal(Exception):
    pass


async def raw_place(conn: asyncpg.Connection, request_id: uuid.UUID, actor: Actor) -> None:
    """The final approval by hand: the request's conditional update (to ORDERED at once), the
    decision row, the budget reservation, the order, stock in product-id order with the same
    conditional decrement and re-allocation as services/orders.py, lines, history, audit."""
    from domain import orders as order_rules
    from services.local_time import today_in_turkiye

    now = datetime.now(UTC)
    async with conn.transaction():
        row = await conn.fetchrow(RAW_REQUEST, request_id, actor.institution_id)
        if row is None or row["status"] != "IN_APPROVAL" or row["current_step"] != row["steps"] - 1:
            raise RawRefusal("not awaiting its final approval")
        if row["role"] not in actor.roles:  # the actor's own role (no delegation in this bench)
            raise RawRefusal("FORBIDDEN")
        earlier = await conn.fetch(RAW_EARLIER, request_id, row["round"])
        if actor.user_id == row["requester_id"] or any(actor.user_id in tuple(r) for r in earlier):
            raise RawRefusal("separation of duties")
        if await conn.execute(RAW_ORDERED, request_id, row["version"], now) != "UPDATE 1":
            raise RawRefusal("changed meanwhile")
        step = row["current_step"]
        await conn.execute(
            RAW_ACTION,
            uuid.uuid4(),
            request_id,
            row["round"],
            step,
            row["role"],
            actor.user_id,
            now,
        )
        kurus = int(row["gross"] * 100)
        if await conn.execute(RAW_RESERVE, row["budget_line_id"], kurus) != "UPDATE 1":
            raise RawRefusal("BUDGET_EXCEEDED")
        order_id = uuid.uuid4()
        await conn.execute(
            RAW_ORDER,
            order_id,
            row["institution_id"],
            request_id,
            row["net"],
            row["kdv"],
            row["gross"],
            now,
        )
        today = today_in_turkiye(now)
        placed = []
        for line in sorted(
            await conn.fetch(RAW_LINES, request_id), key=lambda r: str(r["product_id"])
        ):
            while True:
                stock, lead = await conn.fetchrow(RAW_STOCK, line["product_id"])
                allocation = order_rules.allocate(line["quantity"], stock)
                if allocation.from_stock == 0:
                    break
                if (
                    await conn.execute(RAW_TAKE, line["product_id"], allocation.from_stock)
                    == "UPDATE 1"
                ):
                    break
            eta = order_rules.backorder_eta(today, lead) if allocation.backordered else None
            placed.append(
                (
                    uuid.uuid4(),
                    order_id,
                    line["position"],
                    line["product_id"],
                    line["quantity"],
                    allocation.from_stock,
                    allocation.backordered,
                    eta,
                    line["unit_price"],
                    line["kdv_rate"],
                    line["net"],
                    line["kdv"],
                    line["gross"],
                )
            )
        await conn.executemany(RAW_ORDER_LINE, placed)
        await conn.execute(RAW_EVENT, uuid.uuid4(), order_id, now, actor.user_id)
        institution = actor.institution_id
        await conn.executemany(
            RAW_AUDIT,
            [
                (
                    uuid.uuid4(),
                    now,
                    "PURCHASE_REQUEST_APPROVED",
                    actor.user_id,
                    institution,
                    "PurchaseRequest",
                    str(request_id),
                    json.dumps({"status": "APPROVED"}),
                ),
                (
                    uuid.uuid4(),
                    now,
                    "ORDER_PLACED",
                    actor.user_id,
                    institution,
                    "Order",
                    str(order_id),
                    json.dumps({"request_id": str(request_id), "gross": str(row["gross"])}),
                ),
                (
                    uuid.uuid4(),
                    now,
                    "PURCHASE_REQUEST_ORDERED",
                    actor.user_id,
                    institution,
                    "PurchaseRequest",
                    str(request_id),
                    json.dumps({"status": "ORDERED"}),
                ),
            ],
        )


async def run_raw(world: World, *, url: str, seconds: float, pool_size: int) -> Run:
    # As many connections as the app's Tortoise pool may open.
    pool = await asyncpg.create_pool(url, min_size=pool_size, max_size=pool_size)
    assert pool is not None
    queues = [[uuid.UUID(rid) for rid in queue] for queue in world.requests]

    async def one(client: int, request_id: Any) -> str | None:
        try:
            async with pool.acquire() as conn:
                await raw_place(conn, request_id, world.authorities[client])
        except RawRefusal as refusal:
            return str(refusal)
        return None

    try:
        return await drive(
            Run("raw", len(world.buyers)), queues, one, url=url, server_pid=None, seconds=seconds
        )
    finally:
        await pool.close()


# --- 5. Checks after each run --------------------------------------------------------------------

CHECKS = {
    # name: SQL returning the offending rows; $1 is the run's institution, or, for the first
    # two (products), the pattern of the run's SKUs.
    "stock never negative": ("SELECT sku, stock FROM products WHERE sku LIKE $1 AND stock < 0",),
    "initial stock = final stock + sum(from_stock), per product": (
        """SELECT p.sku, p.stock, COALESCE(SUM(l.from_stock), 0) AS taken
        FROM products p LEFT JOIN order_lines l ON l.product_id = p.id
        WHERE p.sku LIKE $1 GROUP BY p.id, p.sku, p.stock""",
    ),
    "every request has at most one order": (
        """SELECT o.request_id, COUNT(*) FROM orders o WHERE o.institution_id = $1
        GROUP BY o.request_id HAVING COUNT(*) > 1""",
    ),
    "ORDERED requests have one order, the others none": (
        """SELECT r.id, r.status, COUNT(o.id) AS orders FROM purchase_requests r
        LEFT JOIN orders o ON o.request_id = r.id WHERE r.institution_id = $1
        GROUP BY r.id, r.status
        HAVING (r.status = 'ORDERED') <> (COUNT(o.id) = 1) OR COUNT(o.id) > 1
            OR r.status NOT IN ('ORDERED', 'IN_APPROVAL')""",
    ),
    "budget reserved = sum of the orders' gross, to the kuruş": (
        """SELECT b.id, b.reserved_kurus, COALESCE(SUM(o.gross), 0) * 100 AS ordered,
        b.available_kurus, b.appropriation_kurus, b.spent_kurus
        FROM budget_lines b
        LEFT JOIN purchase_requests r ON r.budget_line_id = b.id
        LEFT JOIN orders o ON o.request_id = r.id
        WHERE b.institution_id = $1 GROUP BY b.id
        HAVING b.reserved_kurus <> COALESCE(SUM(o.gross), 0) * 100
            OR b.available_kurus <> b.appropriation_kurus - b.reserved_kurus - b.spent_kurus
            OR b.available_kurus < 0""",
    ),
    "order lines: quantity = from_stock + backordered, ETA iff backordered": (
        """SELECT l.id FROM order_lines l JOIN orders o ON o.id = l.order_id
        WHERE o.institution_id = $1 AND (l.from_stock < 0 OR l.backordered < 0
            OR l.quantity <> l.from_stock + l.backordered
            OR (l.backordered > 0) <> (l.backorder_eta IS NOT NULL))""",
    ),
    "order lines = request lines; order gross = request gross = sum of lines": (
        """SELECT o.id FROM orders o JOIN purchase_requests r ON r.id = o.request_id
        WHERE o.institution_id = $1 AND (
            o.gross <> r.gross OR o.net <> r.net OR o.kdv <> r.kdv
            OR o.gross <> (SELECT SUM(gross) FROM order_lines WHERE order_id = o.id)
            OR EXISTS (
                (SELECT position, product_id, quantity, unit_price, gross
                 FROM purchase_request_lines WHERE request_id = r.id)
                EXCEPT
                (SELECT position, product_id, quantity, unit_price, gross
                 FROM order_lines WHERE order_id = o.id))
            OR (SELECT COUNT(*) FROM order_lines WHERE order_id = o.id)
               <> (SELECT COUNT(*) FROM purchase_request_lines WHERE request_id = r.id))""",
    ),
    "one final decision and one PLACED event per order": (
        """SELECT o.id FROM orders o JOIN purchase_requests r ON r.id = o.request_id
        WHERE o.institution_id = $1 AND (
            (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id) <> 1
            OR (SELECT COUNT(*) FROM approval_actions a WHERE a.request_id = r.id
                AND a.round = r.round AND a.step = jsonb_array_length(r.policy) - 1) <> 1)""",
    ),
}


@dataclass
class Checked:
    problems: list[str]
    orders: int
    hot_from_stock: int
    hot_backordered: int
    backordered_lines: int
    lines: int


async def verify(url: str, world: World, run: Run) -> Checked:
    """The invariants of zero oversell, exactly, from the database (not from the clients)."""
    problems: list[str] = []
    conn = await asyncpg.connect(url)
    try:
        pattern = f"{world.sku_prefix}%"
        for number, (name, (sql,)) in enumerate(CHECKS.items()):
            rows = await conn.fetch(sql, pattern if number < 2 else world.institution_id)
            if name.startswith("initial stock"):
                skus = {
                    p: s
                    for p, s in (
                        await conn.fetch("SELECT id, sku FROM products WHERE sku LIKE $1", pattern)
                    )
                }
                initial = {skus[p]: n for p, n in world.initial_stock.items()}
                rows = [r for r in rows if initial[r["sku"]] != r["stock"] + r["taken"]]
                if len(initial) != len(skus):
                    problems.append(f"{name}: products appeared or vanished")
            if rows:
                problems.append(f"{name}: {len(rows)} offending rows, e.g. {dict(rows[0])}")
        orders = await conn.fetchval(
            "SELECT COUNT(*) FROM orders WHERE institution_id = $1", world.institution_id
        )
        if orders != run.ok:
            problems.append(f"the clients saw {run.ok} orders placed, the database holds {orders}")
        if run.lowest_stock is not None and run.lowest_stock < 0:
            problems.append(f"stock seen below zero during the run: {run.lowest_stock}")
        if run.failures:
            errors = Counter(s.error for s in run.samples if not s.ok)
            problems.append(f"{run.failures} approvals failed: {errors.most_common(3)}")
        hot = await conn.fetchrow(
            """SELECT COALESCE(SUM(from_stock), 0) AS taken, COALESCE(SUM(backordered), 0) AS late
            FROM order_lines WHERE product_id = $1""",
            world.hot,
        )
        counts = await conn.fetchrow(
            """SELECT COUNT(*) AS lines, COUNT(*) FILTER (WHERE l.backordered > 0) AS late
            FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.institution_id = $1""",
            world.institution_id,
        )
    finally:
        await conn.close()
    return Checked(problems, orders, hot["taken"], hot["late"], counts["late"], counts["lines"])


def print_checked(run: Run, world: World, checked: Checked) -> None:
    verdict = "all hold" if not checked.problems else f"{len(checked.problems)} FAILED"
    print(
        f"  checks ({run.target}): {verdict}. {checked.orders:,} orders, {checked.lines:,} lines "
        f"({checked.backordered_lines:,} with a backorder); hot product: "
        f"{checked.hot_from_stock:,} of {world.initial_stock[world.hot]:,} in stock taken, "
        f"{checked.hot_backordered:,} backordered; lowest stock seen during the run: "
        f"{run.lowest_stock}",
        flush=True,
    )
    for problem in checked.problems:
        print(f"    FAILED: {problem}", flush=True)


# --- 6. Where the time goes (--profile) -------------------------------------------------------


@contextlib.contextmanager
def statements() -> Iterator[list[tuple[str, tuple[Any, ...], float]]]:
    """Every statement sent through asyncpg in this process, with its round-trip time
    (Tortoise's pool hands out proxies that look methods up on the Connection class)."""
    captured: list[tuple[str, tuple[Any, ...], float]] = []
    originals = {name: getattr(asyncpg.Connection, name) for name in _CAPTURED}

    def wrap(name: str) -> Callable[..., Awaitable[Any]]:
        original = originals[name]

        async def call(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(self, query, *args, **kwargs)
            finally:
                captured.append((query, args, time.perf_counter() - started))

        return call

    for name in originals:
        setattr(asyncpg.Connection, name, wrap(name))
    try:
        yield captured
    finally:
        for name, original in originals.items():
            setattr(asyncpg.Connection, name, original)


CPU_BATCHES = 5
_CAPTURED = ("execute", "executemany", "fetch", "fetchrow", "fetchval")


def _short(query: str, width: int = 96) -> str:
    text = " ".join(query.split())
    return text if len(text) <= width else text[: width - 1] + "…"


async def profile(world: World, url: str, top: int) -> None:
    """One at a time, in-process: the statements of one final approval (services, GraphQL,
    raw) with their round trips and plans, the CPU of an approval on each path, then cProfile
    of the GraphQL path (the ASGI app without a socket) grouped by package."""
    from app import create_app, load_keys
    from domain.approvals import Decision
    from graph import ids
    from services import decisions
    from settings import Settings

    queue = [(n, rid) for n, rids in enumerate(world.requests) for rid in rids]
    folder = tempfile.TemporaryDirectory(prefix="bench-orders-")
    tokens = await issue_tokens(world, Path(folder.name))
    settings = Settings(database_url=url, load_demo_data=False, local_dir=folder.name)
    app = create_app(settings, keys=load_keys(settings))
    endpoint = next(r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql")  # type: ignore[attr-defined]
    await endpoint.bus.connect()  # the lifespan would; Tortoise is already open in-process
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    assert pool is not None

    async def service_one() -> None:
        number, rid = queue.pop(0)
        actor = world.authorities[number]
        await decisions.decide(rid, Decision.APPROVE, None, actor=actor, now=datetime.now(UTC))

    async def graphql_one() -> None:
        number, rid = queue.pop(0)
        variables = {"id": ids.encode("PurchaseRequest", rid)}
        body = json.dumps({"query": APPROVE, "variables": variables}).encode()
        answer = json.loads(await _asgi_post(app, body, tokens[number]))
        payload = answer["data"]["purchaseRequestApprove"]
        if answer.get("errors") or payload["errors"] or payload["order"] is None:
            raise SystemExit(f"in-process approval failed: {answer}")

    async def raw_one() -> None:
        number, rid = queue.pop(0)
        async with pool.acquire() as conn:
            await raw_place(conn, uuid.UUID(rid), world.authorities[number])

    paths = {
        "raw asyncpg (bench)": raw_one,
        "services/decisions.decide": service_one,
        "GraphQL POST through the ASGI app (auth, GraphQL, service, JSON)": graphql_one,
    }
    try:
        for step in paths.values():
            for _ in range(3):  # warm: prepared statements, validation cache
                await step()
        for name, step in paths.items():
            with statements() as captured:
                started = time.perf_counter()
                await step()
                wall = time.perf_counter() - started
            waited = sum(c[2] for c in captured) * 1000
            print(
                f"\nOne final approval, alone: {name}: {wall * 1000:.1f} ms wall, "
                f"{len(captured)} statements, {waited:.1f} ms of them waiting for PostgreSQL"
            )
            for index, (query, _args, seconds) in enumerate(captured, start=1):
                print(f"  {index:2}. {seconds * 1000:6.2f} ms  {_short(query)}")
            if name.startswith("services"):
                await _explain(url, captured)
        # Batches of each path in turn: other work on the machine inflates some batches, the
        # minimum is the least disturbed one (the figure to compare between commits).
        size = max(5, len(queue) // (len(paths) * CPU_BATCHES * 2))
        found: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
        for _ in range(CPU_BATCHES):
            for name, step in paths.items():
                wall, cpu = time.perf_counter(), time.process_time()
                for _ in range(size):
                    await step()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                found[name].append((cpu * 1000 / size, wall * 1000 / size))
        print(
            f"\nCPU (of this process) and wall time per final approval, one at a time, "
            f"ms: {CPU_BATCHES} batches of {size} per path"
        )
        print("| path | CPU min | CPU median | wall min | wall median |")
        print("|---|---:|---:|---:|---:|")
        for name, batches in found.items():
            cpus, walls = sorted(b[0] for b in batches), sorted(b[1] for b in batches)
            middle = len(batches) // 2
            print(
                f"| {name} | {cpus[0]:.2f} | {cpus[middle]:.2f} | {walls[0]:.2f} "
                f"| {walls[middle]:.2f} |"
            )
        runs = len(queue)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            await graphql_one()
        profiler.disable()
    finally:
        await pool.close()
        await endpoint.bus.disconnect()
        folder.cleanup()
    _print_cprofile(pstats.Stats(profiler), runs, top)


async def _explain(url: str, captured: list[tuple[str, tuple[Any, ...], float]]) -> None:
    """EXPLAIN ANALYZE of each SELECT and UPDATE with its own values, each in a transaction
    rolled back (the request is ORDERED by now: its conditional updates match nothing)."""
    conn = await asyncpg.connect(url)
    print(
        "\nPlans of the service's statements (EXPLAIN ANALYZE, rolled back): top node, its "
        "execution and planning time, and every scan"
    )
    try:
        for index, (query, args, _seconds) in enumerate(captured, start=1):
            head = query.lstrip().split(None, 1)[0].upper()
            if head not in ("SELECT", "UPDATE", "DELETE") or not args:
                continue  # INSERT ... VALUES writes one row: no plan to read
            transaction = conn.transaction()
            await transaction.start()
            try:
                plan = json.loads(
                    await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {query}", *args)
                )[0]
            except asyncpg.PostgresError as error:
                print(f"  {index:2}. (not explained: {type(error).__name__})")
                continue
            finally:
                await transaction.rollback()
            scans = sorted(set(_scans(plan["Plan"])))
            node, took, planned = (
                plan["Plan"]["Node Type"],
                plan["Execution Time"],
                plan["Planning Time"],
            )
            print(
                f"  {index:2}. {node:<16} exec {took:.3f} ms  plan {planned:.3f} ms  "
                f"{', '.join(scans) or '-'}"
            )
    finally:
        await conn.close()


def _scans(node: dict[str, Any]) -> Iterator[str]:
    kind = node["Node Type"]
    if "Scan" in kind:
        on = f" on {node['Relation Name']}" if "Relation Name" in node else ""
        yield kind + on + (f" using {node['Index Name']}" if "Index Name" in node else "")
    for child in node.get("Plans", ()):
        yield from _scans(child)


_GROUPS = (
    ("select.epoll", "event loop wait (PostgreSQL round trips)"),
    ("/graphql/", "graphql-core"),
    ("/strawberry/", "strawberry"),
    ("/starlette/", "starlette"),
    ("/jwt/", "pyjwt"),
    ("/cryptography/", "cryptography (Ed25519 token check)"),
    ("/tortoise/", "tortoise"),
    ("/asyncpg/", "asyncpg"),
    ("/pypika", "pypika (tortoise's SQL builder)"),
    (f"{ROOT}/graph/", "project: graph/"),
    (f"{ROOT}/services/", "project: services/"),
    (f"{ROOT}/db/", "project: db/"),
    (f"{ROOT}/domain/", "project: domain/"),
    ("/asyncio/", "asyncio"),
)


def _print_cprofile(stats: pstats.Stats, runs: int, top: int) -> None:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    groups: Counter[str] = Counter()
    for (filename, _line, function), entry in raw.items():
        name = next((g for needle, g in _GROUPS if needle in filename or needle in function), None)
        groups[name or ("C builtins" if filename == "~" else "other Python (stdlib, ...)")] += (
            entry[2]
        )
    print(
        f"\ncProfile of {runs} final approvals through the ASGI app (one at a time), own time "
        "by package:"
    )
    for name, seconds in groups.most_common():
        print(f"  {seconds * 1000 / runs:7.3f} ms  {100 * seconds / total:5.1f} %  {name}")
    print(f"\nTop {top} project functions by cumulative time (ms per approval):")
    rows = sorted(
        (
            item
            for item in raw.items()
            if item[0][0].startswith(str(ROOT)) and "/bench/" not in item[0][0]
        ),
        key=lambda item: -item[1][3],
    )
    for (filename, line, function), (_cc, ncalls, _tt, ct, _callers) in rows[:top]:
        where = filename.replace(str(ROOT) + "/", "")
        print(
            f"  cum {ct * 1000 / runs:7.3f}  calls {ncalls / runs:5.1f}  {where}:{line} {function}"
        )
    print(f"\nTop {top} functions by own time (ms per approval):")
    for (filename, line, function), (_cc, ncalls, tt, _ct, _callers) in sorted(
        raw.items(), key=lambda item: -item[1][2]
    )[:top]:
        where = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        print(
            f"  own {tt * 1000 / runs:7.3f}  calls {ncalls / runs:6.1f}  {where}:{line} {function}"
        )


# --- Report and main ---------------------------------------------------------------------------


def _line(run: Run, quiet_before: float) -> str:
    cpus = os.cpu_count() or 1
    other = max(0.0, run.cpu["other"]) / (cpus * run.wall)
    start, end = run.window()
    return (
        f"  {run.target:8} {run.clients} buyers: {run.throughput:7.1f} orders/s  "
        f"p50 {run.percentile(0.5):7.1f} ms  p99 {run.percentile(0.99):7.1f} ms  "
        f"failures {run.failures}  ({run.ok:,} orders in {run.wall:.1f} s: {run.overall:.1f} "
        f"a second overall; window {end - start:.1f} s; other load {100 * other:.0f} %, "
        f"{100 * quiet_before:.0f} % before)"
    )


def _activity(run: Run) -> str:
    samples = max(1, run.activity_samples)
    shares = ", ".join(
        f"{what} {count / samples:.1f}" for what, count in run.activity.most_common()
    )
    return f"  PostgreSQL backends, mean of {run.activity_samples} samples: {shares}"


def print_table(runs: list[Run]) -> None:
    cpus = os.cpu_count() or 1
    print(
        "\n| target | buyers | orders | orders/s | overall orders/s | p50 ms | p99 ms | failures "
        "| app CPU ms/order | PostgreSQL CPU ms/order | client CPU ms/order | other load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        n = max(1, len(run.samples))
        in_process = run.target != "graphql"
        app = run.cpu["loadgen"] if in_process else run.cpu["server"]
        client = "-" if in_process else f"{run.cpu['loadgen'] * 1000 / n:.2f}"
        other = max(0.0, run.cpu["other"]) / (cpus * run.wall)
        print(
            f"| {run.target} | {run.clients} | {run.ok:,} | {run.throughput:.1f} "
            f"| {run.overall:.1f} "
            f"| {run.percentile(0.5):.1f} | {run.percentile(0.99):.1f} | {run.failures} "
            f"| {app * 1000 / n:.2f} | {run.cpu['postgres'] * 1000 / n:.2f} | {client} "
            f"| {100 * other:.0f} % |"
        )
    by_target = {run.target: run for run in runs}
    raw = by_target.get("raw")
    if raw and raw.throughput:
        print("\n| target | orders/s | share of the raw baseline's |")
        print("|---|---:|---:|")
        for run in runs:
            share = 100 * run.throughput / raw.throughput
            print(f"| {run.target} | {run.throughput:.1f} | {share:.0f} % |")
    graphql = by_target.get("graphql")
    if graphql:
        met = "met" if graphql.throughput >= TARGET_RATE else "NOT met"
        print(
            f"\ntarget: at least {TARGET_RATE:.0f} orders/s through GraphQL: {met} "
            f"({graphql.throughput:.1f})"
        )


def _app_url(url: str, pool_size: int) -> str:
    """The URL the app (and the in-process service run) opens: Tortoise reads `maxsize`."""
    from db.config import POOL_MAX_SIZE

    if pool_size == POOL_MAX_SIZE:
        return url
    return f"{url}{'&' if '?' in url else '?'}maxsize={pool_size}"


async def run_target(
    target: str, world: World, url: str, seconds: float, *, workers: int, pool_size: int
) -> Run:
    if target == "service":
        return await run_service(world, url=url, seconds=seconds)
    if target == "raw":
        return await run_raw(world, url=url, seconds=seconds, pool_size=pool_size)
    with tempfile.TemporaryDirectory(prefix="bench-orders-") as folder:
        tokens = await issue_tokens(world, Path(folder))
        with graphql_server(_app_url(url, pool_size), Path(folder), workers) as server:
            return await run_graphql(world, server, tokens, url=url, seconds=seconds)


async def settle(url: str) -> None:
    """After preparing: statistics for the planner (autovacuum is off on this server) and a
    checkpoint, so that the run does not pay for the preparation's dirty pages."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM (ANALYZE)")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def main_async(args: argparse.Namespace, url: str) -> int:
    from db import lifecycle

    per_buyer = args.requests or (8 if args.quick else 30)
    seconds = args.seconds or (10.0 if args.quick else 30.0)
    quiet_wait = args.quiet_wait if args.quiet_wait is not None else (2.0 if args.quick else 20.0)
    targets = [t for t in args.targets.split(",") if t]
    plan = make_plan(args.buyers, per_buyer, args.seed)
    print(
        f"workload: {args.buyers} buyers, {per_buyer} requests each per run "
        f"({plan.requests:,} orders a run, at most {seconds:.0f} s), {UNITS} spending units with "
        f"a budget line each; every request: 1 hot product (stock {plan.hot_stock:,}) and 2 of "
        f"{POOL} others, {round(POOL * LIMITED_SHARE)} of them with about a third of their "
        f"demand in stock; {args.workers} uvicorn worker(s); pools of {args.pool} connections"
    )
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise SystemExit(f"unknown targets: {', '.join(sorted(unknown))}")
    await reset_database(url)
    await lifecycle.open_database(_app_url(url, args.pool))
    runs, failed = [], 0
    try:
        for index, target in enumerate(targets):
            world = await build_world(target, index, plan, datetime.now(UTC))
            print_preparation(target, await prepare(world, plan))
            await settle(url)
            quiet = wait_quiet(limit=quiet_wait)
            run = await run_target(
                target, world, url, seconds, workers=args.workers, pool_size=args.pool
            )
            print(_line(run, quiet), flush=True)
            print(_activity(run), flush=True)
            checked = await verify(url, world, run)
            print_checked(run, world, checked)
            failed += bool(checked.problems)
            runs.append(run)
        print_table(runs)
        if args.profile:
            profile_plan = make_plan(
                args.buyers, max(4, args.profile_runs // args.buyers), args.seed
            )
            world = await build_world("profile", len(targets), profile_plan, datetime.now(UTC))
            await prepare(world, profile_plan)
            await settle(url)
            await profile(world, url, args.top)
    finally:
        await lifecycle.close_database()
    if failed:
        print(f"\n{failed} run(s) FAILED their checks", file=sys.stderr)
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    from db.config import POOL_MAX_SIZE

    parser = argparse.ArgumentParser(
        prog="python -m bench.orders",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--database-url", default=DEFAULT_URL, help=f"the bench's own database ({DEFAULT_URL})")
    add("--quick", action="store_true", help="smoke run: 8 requests a buyer, 10 s at most a run")
    add("--buyers", type=int, default=50, help="concurrent buyers (and approvers): 50")
    add("--requests", type=int, help="requests a buyer per run (30; 8 with --quick)")
    add("--seconds", type=float, help="time limit of a run (30; 10 with --quick)")
    add("--targets", default=",".join(TARGETS), help="runs, in order (graphql,service,raw)")
    add("--workers", type=int, default=1, help="uvicorn workers of the GraphQL server (1)")
    add("--pool", type=int, default=POOL_MAX_SIZE, help=f"database pool size ({POOL_MAX_SIZE})")
    add("--seed", type=int, default=20260302, help="random seed of the workload")
    add(
        "--quiet-wait",
        type=float,
        help="seconds to wait for a quiet machine before a run (20; 2 with --quick)",
    )
    add("--profile", action="store_true", help="then profile one approval at a time in-process")
    add("--profile-runs", type=int, default=400, help="approvals prepared for --profile")
    add("--top", type=int, default=15, help="functions listed per profile table")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark needs a PostgreSQL database URL")
    url = args.database_url.replace("postgresql://", "postgres://", 1)
    if _database_name(url) in REFUSED_DATABASES:
        parser.error(f"the benchmark drops its database's schema: not {_database_name(url)!r}")
    if not 1 <= args.buyers <= 500 or (args.requests is not None and args.requests < 1):
        parser.error("--buyers is 1 to 500 and --requests at least 1")
    print(f"machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; database {url}")
    print(f"code: {_code_state()}")
    with _runner() as runner:  # uvloop, as the server runs
        return runner.run(main_async(args, url))


if __name__ == "__main__":
    sys.exit(main())
