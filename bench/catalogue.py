"""Catalogue listing benchmark: the GraphQL page against a raw asyncpg baseline, side by side.

    python -m bench.catalogue            # 100,000 products, 15 s a cell (about 4.5 minutes,
                                         # plus about 5 when it has to build the catalogue)
    python -m bench.catalogue --quick    # 10,000 products, 5 s a cell (smoke run)

Phases: build the catalogue (skipped when the database already holds enough products), check
that the raw baseline runs exactly the project's SQL, load both servers (closed loop, 10 and 50
clients, page without and with facets), then measure the GraphQL server's CPU per request and
profile it in-process.
Results and their reading: docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import cProfile
import json
import math
import os
import pstats
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx

from bench import raw_baseline
from domain.catalogue import ProductDraft, SortDirection, SortField, SpecValue

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench"
FULL_PRODUCTS, QUICK_PRODUCTS = 100_000, 10_000
BUILD_CHUNK = 5_000
PAGE_SIZE = 50
CENT = Decimal("0.01")
# Words appended to the demo names; none of them is the benchmark's search word.
VARIANTS: tuple[str, ...] = ("Siyah", "Beyaz", "Gri", "Lacivert", "Kırmızı", "Yeşil", "Ekonomik")
VARIANTS += ("Kurumsal", "Eğitim", "Saha", "Dayanıklı", "Yeni Seri")

# The workload: one Turkish word (several thousand matches), a category with its descendants
# (CPV 30200000 computer equipment), a price range, sorted by price. Ten scalar-ish fields.
SEARCH = "bilgisayar"
CATEGORY_CODE = "30200000"
PRICE_RANGE = ("15000", "60000")
NODE = (
    "id sku name price { net { amount } } stock leadTimeDays warrantyMonths unitName "
    "inStock minOrderQuantity"
)
ARGS = "search: $search, filter: $filter, sort: $sort, first: $first"
HEAD = "($search: String, $filter: ProductFilter, $sort: ProductSort, $first: Int)"
FACETS = (
    "totalCount facets { categories { count } brands { count } "
    "price { min { amount } max { amount } } attributes { slug count } }"
)
DOCUMENTS = {
    "page": f"query CataloguePage{HEAD} {{ products({ARGS}) {{ edges {{ node {{ {NODE} }} }} }} }}",
    "facets": f"query CataloguePageFacets{HEAD} {{ products({ARGS}) {{ {FACETS} "
    f"edges {{ node {{ {NODE} }} }} }} }}",
}
RAW_PATHS = {"page": "/page", "facets": "/page-facets"}


def variables(category_id: str) -> dict[str, Any]:
    gte, lte = PRICE_RANGE
    return {
        "search": SEARCH,
        "filter": {
            "categoryIds": [base64.b64encode(f"Category:{category_id}".encode()).decode()],
            "price": {"gte": gte, "lte": lte},
        },
        "sort": {"field": "PRICE", "direction": "ASC"},
        "first": PAGE_SIZE,
    }


def body(variant: str, category_id: str) -> bytes:
    document = {"query": DOCUMENTS[variant], "variables": variables(category_id)}
    return json.dumps(document).encode()


# --- 1. The catalogue -------------------------------------------------------------------------


async def _product_count(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SELECT to_regclass('public.products')") is None:
            return 0
        return int(await conn.fetchval("SELECT COUNT(*) FROM products"))
    finally:
        await conn.close()


async def prepare(url: str, target: int, *, rebuild: bool, seed: int) -> str:
    """A migrated database with at least `target` products; returns the workload category id."""
    from db import lifecycle

    stored = await _product_count(url)
    if rebuild or stored < target:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()
        await lifecycle.migrate(url)
        await lifecycle.open_database(url)
        try:
            await build(target, seed)
        finally:
            await lifecycle.close_database()
        conn = await asyncpg.connect(url)
        try:
            started = time.perf_counter()
            # VACUUM too: autovacuum would otherwise start on the fresh rows mid-measurement.
            await conn.execute("VACUUM (ANALYZE)")
            print(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s")
        finally:
            await conn.close()
    else:
        await lifecycle.migrate(url)
        print(f"catalogue kept: {stored:,} products already stored (--rebuild forces a build)")
    conn = await asyncpg.connect(url)
    try:
        category = await conn.fetchval("SELECT id FROM categories WHERE digits = $1", CATEGORY_CODE)
    finally:
        await conn.close()
    if category is None:
        raise SystemExit(f"category {CATEGORY_CODE} is missing: run with --rebuild")
    return str(category)


async def build(target: int, seed: int) -> None:
    """Demo categories and suppliers, then `target` varied products through the write path."""
    from db import catalogue_store
    from db.demo import loader
    from domain.imports import CategoryRow

    # The demo loader's own parsing (private helpers): the bench uses the demo file's shapes.
    document = loader._read(loader.CATALOGUE)
    suppliers = {s["slug"]: s["name"] for s in document.get("suppliers", ())}
    bases = loader._drafts(document, suppliers)
    rows = [CategoryRow(c["code"], c["name_en"], c.get("name_tr")) for c in document["categories"]]
    started = time.perf_counter()
    await catalogue_store.upsert_categories(rows)
    await catalogue_store.ensure_suppliers(suppliers)
    pools = _text_values(bases)
    rng = random.Random(seed)
    done = 0
    while done < target:
        chunk = [
            _vary(bases, index, rng, pools)
            for index in range(done, min(done + BUILD_CHUNK, target))
        ]
        result = await catalogue_store.upsert_products(chunk, source="bench")
        if result.skipped:
            raise SystemExit(f"the store refused generated rows: {result.skipped[:3]}")
        done += len(chunk)
        elapsed = time.perf_counter() - started
        print(
            f"  built {done:>7,} / {target:,} products  {elapsed:6.1f} s  "
            f"({done / elapsed:,.0f} products/s)",
            flush=True,
        )
    print(f"catalogue built: {target:,} products in {time.perf_counter() - started:.1f} s")


def _text_values(bases: list[ProductDraft]) -> dict[str, list[str]]:
    pools: dict[str, set[str]] = {}
    for draft in bases:
        for spec in draft.specifications:
            if spec.text is not None:
                pools.setdefault(spec.slug, set()).add(spec.text)
    return {slug: sorted(values) for slug, values in pools.items()}


def _vary(
    bases: list[ProductDraft], index: int, rng: random.Random, pools: dict[str, list[str]]
) -> ProductDraft:
    """Copy number index // len(bases) of a demo product, with its own SKU, name and figures."""
    base = bases[index % len(bases)]
    family = base.sku.split("-")[1] if base.sku.count("-") >= 2 else "M"
    price = (base.price_net * Decimal(rng.uniform(0.7, 1.3))).quantize(CENT, ROUND_HALF_UP)
    warranty = base.warranty_months
    if warranty:
        warranty = rng.choice((warranty, warranty, warranty + 12))
    return replace(
        base,
        sku=f"{base.sku}-{index // len(bases):05d}",
        name=f"{base.name} {rng.choice(VARIANTS)} {family}-{rng.randint(100, 9999)}",
        price_net=max(price, CENT),
        stock=0 if rng.random() < 0.15 else rng.randint(1, max(20, base.stock * 2)),
        lead_time_days=min(60, max(1, base.lead_time_days + rng.randint(-2, 10))),
        warranty_months=warranty,
        specifications=tuple(_vary_spec(spec, rng, pools) for spec in base.specifications),
    )


def _vary_spec(spec: SpecValue, rng: random.Random, pools: dict[str, list[str]]) -> SpecValue:
    if spec.number is not None:
        number = spec.number * Decimal(rng.choice(("0.5", "0.75", "1", "1", "1", "1.5", "2")))
        whole = spec.number == spec.number.to_integral_value()
        number = number.to_integral_value(ROUND_HALF_UP) if whole else number.quantize(CENT)
        return replace(spec, number=max(number, Decimal(1) if whole else CENT))
    if spec.boolean is not None:
        return replace(spec, boolean=(not spec.boolean) if rng.random() < 0.2 else spec.boolean)
    if spec.text is not None and rng.random() < 0.3:
        return replace(spec, text=rng.choice(pools[spec.slug]))
    return spec


# --- 2. Same SQL, same answer ------------------------------------------------------------------


async def check_same_sql(url: str, category_id: str) -> int:
    """Capture the statements the GraphQL path runs in-process; they must equal the raw ones."""
    from tortoise import connections

    from db import lifecycle
    from services import catalogue

    # The server caches count, facets and category scopes (a hit runs fewer statements): the
    # check runs with that cache off, so that every statement of a cold request is compared.
    catalogue.summaries.seconds = 0
    await lifecycle.open_database(url)
    try:
        client = connections.get("default")
        original = client.execute_query_dict
        captured: list[tuple[str, list[Any]]] = []

        async def capture(query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
            captured.append((query, list(values or [])))
            rows: list[dict[str, Any]] = await original(query, values)
            return rows

        client.execute_query_dict = capture
        try:
            for variant in ("page", "facets"):
                captured.clear()
                result = await _execute(variant, category_id)
                if result.errors:
                    raise SystemExit(f"the GraphQL page failed in-process: {result.errors}")
                listing = raw_baseline.listing_of(variables(category_id))
                text, values = raw_baseline.descendants_statement(listing)
                scope = tuple(sorted(str(r["id"]) for r in await original(text, values)))
                expected = raw_baseline.statements(
                    variables(category_id), facets=variant == "facets", scope=scope
                )
                # The attribute-name lookup's ids come from the summary's rows: compared by text.
                meta = raw_baseline.ATTRIBUTES.split("{", 1)[0]
                dynamic = [c for c in captured if c[0].startswith(meta)]
                static = [c for c in captured if not c[0].startswith(meta)]
                if len(dynamic) > 1 or sorted(map(repr, static)) != sorted(map(repr, expected)):
                    for text, values in captured:
                        print("GraphQL ran:", text, values, file=sys.stderr)
                    raise SystemExit(
                        f"the raw baseline's SQL differs from the project's ({variant})"
                    )
        finally:
            del client.execute_query_dict
        return len(expected) + len(dynamic)
    finally:
        await lifecycle.close_database()


async def _execute(variant: str, category_id: str) -> Any:
    from graph.context import Context
    from graph.schema.root import schema
    from settings import Settings

    context = Context(request=None, settings=Settings(), request_id="bench")  # type: ignore[arg-type]
    return await schema.execute(
        DOCUMENTS[variant], variable_values=variables(category_id), context_value=context
    )


def check_same_answers(graphql_url: str, raw_url: str, category_id: str) -> dict[str, Any]:
    """Both servers answer each variant with 50 edges and the very same JSON (and bytes)."""
    found: dict[str, Any] = {"identical_bytes": True}
    with httpx.Client(timeout=120) as client:
        for variant in DOCUMENTS:
            data = body(variant, category_id)
            headers = {"content-type": "application/json"}
            ours = client.post(f"{graphql_url}/graphql", content=data, headers=headers)
            raw = client.post(f"{raw_url}{RAW_PATHS[variant]}", content=data, headers=headers)
            if not (_answer_ok(ours, variant) and _answer_ok(raw, variant)):
                raise SystemExit(f"bad answer ({variant}): {ours.text[:300]} / {raw.text[:300]}")
            if ours.json() != raw.json():
                raise SystemExit(f"the raw baseline answers other JSON than GraphQL ({variant})")
            found["identical_bytes"] &= ours.content == raw.content
            found[f"{variant}_bytes"] = len(ours.content)
            if variant == "facets":
                found["matches"] = ours.json()["data"]["products"]["totalCount"]
    return found


def _answer_ok(response: httpx.Response, variant: str) -> bool:
    if response.status_code != 200:
        return False
    payload = response.json()
    if "errors" in payload:
        return False
    products = payload["data"]["products"]
    if variant == "facets" and ("facets" not in products or "totalCount" not in products):
        return False
    return len(products["edges"]) == PAGE_SIZE


# --- 3. Servers --------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _uvicorn(target: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def _server_env(database_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        ESATIS_DATABASE_URL=database_url,
        ESATIS_ENV="development",
        ESATIS_DEMO_DATA="0",
        BENCH_DATABASE_URL=database_url,
    )


@contextlib.contextmanager
def servers(database_url: str, logs: Path) -> Iterator[dict[str, Server]]:
    """The project's app and the raw baseline under uvicorn, one worker each, on 127.0.0.1."""
    env = _server_env(database_url)
    started: dict[str, Server] = {}
    try:
        for name, target in (
            ("graphql", "app:create_app"),
            ("raw", "bench.raw_baseline:create_app"),
        ):
            port, log = _free_port(), logs / f"{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    _uvicorn(target, port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            started[name] = Server(name, f"http://127.0.0.1:{port}", process, log)
        for server in started.values():
            _wait_ready(server)
        yield started
    finally:
        for server in started.values():
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
        for server in started.values():
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def _wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{server.name} server did not start:\n{server.log.read_text()[-3000:]}")


# --- 4. Load -----------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (proc(5): fields 14 and 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _postgres_cpu(database: str) -> float:
    """CPU of the PostgreSQL backends serving `database` (not other sessions' databases)."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                title = cmdline.read().decode(errors="replace")
            # Backend titles read "postgres: 15/main: <user> <database> <client> <state>".
            if title.startswith("postgres: ") and f" {database} " in title:
                total += _process_cpu(int(entry.name))
    return total


def _machine_busy() -> float:
    """CPU-seconds all processes of the machine have spent, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / _TICK


def _cpu_snapshot(server_pid: int, database: str) -> dict[str, float]:
    return {
        "server": _process_cpu(server_pid),
        "postgres": _postgres_cpu(database),
        "loadgen": time.process_time(),
        "machine": _machine_busy(),
    }


def wait_quiet(limit: float = 60.0, busy: float = 0.25) -> float:
    """Wait (up to `limit` s) until other processes leave the CPUs mostly idle; return the
    share of the machine they used in the last second (other sessions share this machine)."""
    deadline = time.monotonic() + limit
    while True:
        before = _machine_busy()
        time.sleep(1.0)
        share = (_machine_busy() - before) / (os.cpu_count() or 1)
        if share <= busy or time.monotonic() > deadline:
            return share


@dataclass
class Cell:
    target: str
    clients: int
    variant: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    warmup: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.failures

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))] * 1000


MAX_WARMUP = 60.0


async def run_cell(
    server: Server,
    variant: str,
    clients: int,
    category_id: str,
    *,
    database: str,
    warmup: float,
    seconds: float,
) -> Cell:
    """Closed loop: `clients` tasks, each with its own keep-alive connection and one request in
    flight. The measured window opens after the warm-up, and not before every client has had
    an answer (the steady state of a closed loop: slow pages make 50 clients wait for long);
    it counts the requests that complete inside it."""
    url = f"{server.url}/graphql" if server.name == "graphql" else server.url + RAW_PATHS[variant]
    data, headers = body(variant, category_id), {"content-type": "application/json"}
    cell = Cell(server.name, clients, variant, seconds)
    window = [math.inf, math.inf]  # begin, end: set by sample()
    answered: set[int] = set()
    everyone = asyncio.Event()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def client_loop(number: int) -> None:
        async with httpx.AsyncClient(limits=limits, timeout=120) as client:
            while (sent := time.perf_counter()) < window[1]:
                try:
                    ok = _answer_ok(await client.post(url, content=data, headers=headers), variant)
                except (httpx.HTTPError, ValueError, KeyError, TypeError):
                    ok = False
                done = time.perf_counter()
                answered.add(number)
                if len(answered) == clients:
                    everyone.set()
                if window[0] <= done <= window[1]:
                    if ok:
                        cell.latencies.append(done - sent)
                    else:
                        cell.failures += 1

    async def sample() -> None:
        started = time.perf_counter()
        await asyncio.sleep(warmup)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everyone.wait(), MAX_WARMUP)
        cell.warmup = time.perf_counter() - started
        window[:] = [time.perf_counter(), time.perf_counter() + seconds]
        before = _cpu_snapshot(server.process.pid, database)
        await asyncio.sleep(seconds)
        after = _cpu_snapshot(server.process.pid, database)
        cell.cpu = {key: after[key] - before[key] for key in after}
        # What neither the server, its PostgreSQL backends nor the load generator used.
        cell.cpu["other"] = cell.cpu["machine"] - sum(
            cell.cpu[key] for key in ("server", "postgres", "loadgen")
        )

    await asyncio.gather(sample(), *(client_loop(n) for n in range(clients)))
    return cell


def _runner() -> asyncio.Runner:
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


# --- 5. Where the time goes --------------------------------------------------------------------

CPU_BATCHES = 10


async def cpu_per_request(url: str, category_id: str, runs: int) -> dict[tuple[str, str], Any]:
    """CPU time per request in this process, without the profiler: `schema.execute` alone and
    the whole ASGI app (middleware, Strawberry's HTTP view, context, execution, JSON encoding),
    one request at a time, in CPU_BATCHES batches of `runs` each. Caches are warm, as in the
    load cells. The CPU is this process's (user and system), so PostgreSQL's own work is not
    in it, but the client side of each round trip is. Other work on the machine inflates some
    batches: read the minimum first."""
    from app import create_app
    from db import lifecycle
    from services import catalogue
    from settings import Settings

    app = create_app(Settings.from_env(_server_env(url)))  # the server's settings and caches
    bodies = {variant: body(variant, category_id) for variant in DOCUMENTS}

    def executed(variant: str) -> Callable[[], Awaitable[Any]]:
        return lambda: _execute(variant, category_id)

    def posted(variant: str) -> Callable[[], Awaitable[Any]]:
        return lambda: _asgi_post(app, bodies[variant])

    steps = {(variant, "schema.execute"): executed(variant) for variant in DOCUMENTS}
    steps |= {(variant, "ASGI app (HTTP POST)"): posted(variant) for variant in DOCUMENTS}
    found: dict[tuple[str, str], Any] = {key: [] for key in steps}
    await lifecycle.open_database(url)
    try:
        for (variant, _path), step in steps.items():
            for _ in range(20):
                _check_answer(variant, await step())
        for _ in range(CPU_BATCHES):
            for key, step in steps.items():
                started = time.process_time()
                for _ in range(runs):
                    await step()
                found[key].append((time.process_time() - started) * 1000 / runs)
    finally:
        catalogue.summaries.seconds = 0
        catalogue.summaries.clear()
        await lifecycle.close_database()
    return found


async def _asgi_post(app: Any, data: bytes, token: str | None = None) -> bytes:
    """One POST /graphql through the ASGI app, without a socket or a client library."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
            *([(b"authorization", f"Bearer {token}".encode())] if token else []),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    messages = [{"type": "http.request", "body": data, "more_body": False}]
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise SystemExit(f"the app answered {message['status']}")
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


def _check_answer(variant: str, answer: Any) -> None:
    if isinstance(answer, bytes):
        payload = json.loads(answer)
    else:  # an ExecutionResult
        payload = {"data": answer.data, "errors": answer.errors}
    products = (payload.get("data") or {}).get("products") or {}
    if payload.get("errors") or len(products.get("edges", ())) != PAGE_SIZE:
        raise SystemExit(f"bad in-process answer ({variant}): {str(payload)[:300]}")
    if variant == "facets" and not ("facets" in products and "totalCount" in products):
        raise SystemExit(f"bad in-process answer ({variant}): no facets")


def print_cpu(found: dict[tuple[str, str], Any], runs: int) -> None:
    print(
        f"\nCPU per request in-process (ms; no profiler; one request at a time; "
        f"{CPU_BATCHES} batches of {runs}; the minimum is the least disturbed batch):"
    )
    print("| variant | path | min | median |")
    print("|---|---|---:|---:|")
    for (variant, path), batches in found.items():
        ordered = sorted(batches)
        print(f"| {variant} | {path} | {ordered[0]:.2f} | {ordered[len(ordered) // 2]:.2f} |")


STATEMENT_NAMES = ("category descendants", "page", "summary (totalCount + facets)")


async def profile(
    url: str, category_id: str, runs: int, top: int, variant: str = "page"
) -> dict[str, Any]:
    """SQL plans, layered timings and the validation cache (no profiler), then cProfile."""
    from tortoise import connections

    from db import lifecycle
    from services import catalogue
    from settings import Settings

    # Cached counts, facets and category scopes, as in the server (warm after the first run).
    catalogue.summaries.seconds = Settings.from_env(_server_env(url)).facet_cache_seconds
    await lifecycle.open_database(url)
    try:
        for _ in range(20):
            result = await _execute("page", category_id)
            assert not result.errors and len(result.data["products"]["edges"]) == PAGE_SIZE
        found: dict[str, Any] = {"runs": runs, "top": top, "variant": variant}
        found["sql"] = await _sql_timings(url, category_id)
        found["layers"] = await _layers(url, category_id, connections.get("default"), runs)
        found["validation"] = await _validation(category_id, runs)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(runs):
            await _execute(variant, category_id)
        profiler.disable()
        found["profiled_ms"] = (time.perf_counter() - started) * 1000 / runs
    finally:
        catalogue.summaries.seconds = 0
        catalogue.summaries.clear()
        await lifecycle.close_database()
    found["stats"] = pstats.Stats(profiler)
    return found


async def _sql_timings(url: str, category_id: str) -> list[dict[str, Any]]:
    """Per statement: EXPLAIN ANALYZE (custom plan) and prepared executions as the servers run
    them (PostgreSQL may switch a prepared statement to a generic plan after 5 executions)."""
    conn = await asyncpg.connect(
        url,
        server_settings={
            "pg_trgm.word_similarity_threshold": "0.5",
            "plan_cache_mode": "force_custom_plan",
        },
    )
    out = []
    try:
        listing = raw_baseline.listing_of(variables(category_id))
        text, values = raw_baseline.descendants_statement(listing)
        scope = tuple(sorted(str(r["id"]) for r in await conn.fetch(text, *values)))
        found = raw_baseline.statements(variables(category_id), facets=True, scope=scope)
        for name, (text, values) in zip(STATEMENT_NAMES, found, strict=True):
            for _ in range(3):
                plan = json.loads(
                    await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {text}", *values)
                )[0]
            prepared = await conn.prepare(text)
            times = []
            for _ in range(15):
                started = time.perf_counter()
                rows = await prepared.fetch(*values)
                times.append((time.perf_counter() - started) * 1000)
            out.append(
                {
                    "name": name,
                    "rows": len(rows),
                    "execution_ms": plan["Execution Time"],
                    "planning_ms": plan["Planning Time"],
                    "node": plan["Plan"]["Node Type"],
                    "jit_ms": plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0),
                    "first5_ms": sum(times[:5]) / 5,
                    "next10_ms": sum(times[5:]) / 10,
                }
            )
    finally:
        await conn.close()
    return out


async def _layers(
    url: str, category_id: str, client: Any, runs: int
) -> list[tuple[str, float, float]]:
    """Mean wall time of each layer of the page, sequentially (one request at a time)."""
    from db import catalogue_queries as queries
    from graph.resolvers import catalogue as resolvers
    from graph.schema import catalogue as types

    listing = raw_baseline.listing_of(variables(category_id))
    scope_conn = await asyncpg.connect(url)
    try:
        text, ids_ = raw_baseline.descendants_statement(listing)
        scope = tuple(sorted(str(r["id"]) for r in await scope_conn.fetch(text, *ids_)))
    finally:
        await scope_conn.close()
    listing = replace(listing, category_scope=scope)
    _, (statement, values) = raw_baseline.statements(
        variables(category_id), facets=False, scope=scope
    )
    gte, lte = PRICE_RANGE
    flt = types.ProductFilter(
        category_ids=variables(category_id)["filter"]["categoryIds"],
        price=types.DecimalRange(gte=Decimal(gte), lte=Decimal(lte)),
    )
    sort = types.ProductSort(field=SortField.PRICE, direction=SortDirection.ASC)
    # The resolver reads only the selection from its info: here none (no count, no facets).
    info: Any = SimpleNamespace(_raw_info=SimpleNamespace(field_nodes=[], fragments={}))
    data = (await _execute("page", category_id)).data
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)

    async def dumps() -> None:
        json.dumps(data)

    steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        (
            "SQL: asyncpg pool.fetch of the page statement (PostgreSQL round trip)",
            lambda: pool.fetch(statement, *values),
        ),
        (
            "Tortoise execute_query_dict (same SQL, rows as dicts)",
            lambda: client.execute_query_dict(statement, values),
        ),
        (
            "db: catalogue_queries.product_page (+ ProductRow conversion)",
            lambda: queries.product_page(listing, limit=PAGE_SIZE + 1, after=None, backwards=False),
        ),
        (
            "resolver: products() (+ listing, service, Product.from_row, cursors)",
            lambda: resolvers.products(info, first=PAGE_SIZE, search=SEARCH, filter=flt, sort=sort),
        ),
        (
            "GraphQL: schema.execute of the document (+ extensions, validation, execution)",
            lambda: _execute("page", category_id),
        ),
        ("json.dumps of the result (separately; the HTTP view adds it)", dumps),
    ]
    timings = []
    try:
        for name, step in steps:
            for _ in range(10):
                await step()
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(runs):
                await step()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            timings.append((name, wall * 1000 / runs, cpu * 1000 / runs))
    finally:
        await pool.close()
    return timings


async def _validation(category_id: str, runs: int) -> dict[str, Any]:
    """Does strawberry's ValidationCache hit for a repeated document, and what does a miss cost?"""
    from graphql import parse
    from graphql.validation import specified_rules
    from strawberry.extensions import ValidationCache, validation_cache
    from strawberry.schema.schema import validate_document

    from graph.schema.root import schema

    sizes = [
        getattr(ext, "keywords", {}).get("maxsize")
        for ext in schema.extensions
        if getattr(ext, "func", None) is ValidationCache
    ]
    cache: Any = validation_cache._get_validate_cache(sizes[0] if sizes else 128)
    before = cache.cache_info()
    for _ in range(runs):
        await _execute("page", category_id)
    after = cache.cache_info()
    extensions, again = schema.get_extensions(), schema.get_extensions()
    added = tuple(rule for ext in extensions for rule in getattr(ext, "validation_rules", ()))
    rules, document = (*specified_rules, *added), parse(DOCUMENTS["page"])
    started = time.perf_counter()
    for _ in range(runs):
        validate_document(schema._schema, document, rules)
    fresh = [
        type(first).__name__
        for first, second in zip(extensions, again, strict=True)
        if getattr(first, "validation_rules", None)
        and getattr(first, "validation_rules", None) != getattr(second, "validation_rules", None)
    ]
    return {
        "hits": after.hits - before.hits,
        "misses": after.misses - before.misses,
        "validate_ms": (time.perf_counter() - started) * 1000 / runs,
        "fresh_rules": fresh,
    }


_GROUPS = (
    ("select.epoll", "waiting for PostgreSQL (epoll wait, socket send/recv)"),
    ("_socket.socket", "waiting for PostgreSQL (epoll wait, socket send/recv)"),
    ("/graphql/", "graphql-core"),
    ("/strawberry/", "strawberry"),
    ("/tortoise/", "tortoise"),
    ("/asyncpg/", "asyncpg"),
    (f"{ROOT}/graph/", "project: graph/"),
    (f"{ROOT}/services/", "project: services/"),
    (f"{ROOT}/db/", "project: db/"),
    (f"{ROOT}/domain/", "project: domain/"),
    ("/asyncio/", "asyncio"),
)
_NOISE = ("/asyncio/", "bench/catalogue.py", "_contextvars", "await_maybe")


def _group(filename: str, function: str) -> str:
    for needle, name in _GROUPS:
        if needle in filename or needle in function:
            return name
    if filename == "~":
        return "C builtins (isinstance, getattr, hash, Decimal, ...)"
    return "other Python (stdlib: dataclasses, enum, typing, json, base64, ...)"


def _where(filename: str, line: int, function: str) -> str:
    return f"{filename.replace(str(ROOT) + '/', '').split('site-packages/')[-1]}:{line} {function}"


def print_profile(found: dict[str, Any]) -> None:
    runs, stats = found["runs"], found["stats"]
    print("\nSQL of the faceted page, one statement at a time (ms; no concurrent load):")
    print(
        "| statement | rows | EXPLAIN ANALYZE exec | planning | JIT | top node "
        "| prepared, runs 1-5 | prepared, runs 6-15 |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for s in found["sql"]:
        print(
            f"| {s['name']} | {s['rows']} | {s['execution_ms']:.2f} | {s['planning_ms']:.2f} "
            f"| {s['jit_ms']:.1f} | {s['node']} | {s['first5_ms']:.2f} | {s['next10_ms']:.2f} |"
        )
    print(
        "\nLayers of the page, in-process, one at a time, no profiler (ms per page; CPU is "
        "this process's CPU time, so PostgreSQL's work is not in it):"
    )
    print("| layer | wall ms | CPU ms | CPU added by the layer |")
    print("|---|---:|---:|---:|")
    layers = found["layers"]
    for index, (name, wall, cpu) in enumerate(layers):
        last = index == len(layers) - 1
        added = cpu if index == 0 or last else cpu - layers[index - 1][2]
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {added:+.2f} |")
    v = found["validation"]
    print(
        f"\nValidationCache over {runs} executions of one document: {v['hits']} hits, "
        f"{v['misses']} misses; one validation of the page document costs "
        f"{v['validate_ms']:.2f} ms. Extensions whose validation rules are new classes on "
        f"every operation (so the cache key never repeats): {', '.join(v['fresh_rules']) or 'none'}"
    )
    raw: dict[Any, Any] = stats.stats
    total = sum(entry[2] for entry in raw.values())
    calls = sum(entry[1] for entry in raw.values())
    print(
        f"\ncProfile: {runs} executions of the {found['variant']} document, "
        f"{found['profiled_ms']:.2f} ms each "
        f"under the profiler, {calls / runs:,.0f} function calls per execution "
        "(a coroutine counts one call per resumption)."
    )
    groups: dict[str, float] = {}
    for (filename, _line, function), entry in raw.items():
        key = _group(filename, function)
        groups[key] = groups.get(key, 0.0) + entry[2]
    print("Own time by package (ms per execution, share of profiled time):")
    for name, seconds in sorted(groups.items(), key=lambda item: -item[1]):
        print(f"  {seconds * 1000 / runs:7.3f}  {100 * seconds / total:5.1f} %  {name}")
    tables: tuple[tuple[str, int, Callable[[Any], bool]], ...] = (
        (
            "cumulative time (event loop and bench frames left out)",
            3,
            lambda key: not any(n in key[0] or n in key[2] for n in _NOISE),
        ),
        ("own time", 2, lambda key: True),
        (
            "cumulative time, project code only",
            3,
            lambda key: key[0].startswith(str(ROOT)) and "/bench/" not in key[0],
        ),
    )
    for label, column, keep in tables:
        print(f"\nTop {found['top']} functions by {label} (ms per execution):")
        rows = sorted((item for item in raw.items() if keep(item[0])), key=lambda i: -i[1][column])
        for key, (_cc, ncalls, tt, ct, _callers) in rows[: found["top"]]:
            print(
                f"  cum {ct * 1000 / runs:7.3f}  own {tt * 1000 / runs:7.3f}  "
                f"calls {ncalls / runs:7.1f}  {_where(*key)}"
            )


# --- Report ------------------------------------------------------------------------------------


def print_table(cells: list[Cell]) -> None:
    cpus = os.cpu_count() or 1
    print(
        "\n| target | clients | variant | requests | req/s | p50 ms | p99 ms | failures "
        "| server CPU ms/req | PostgreSQL CPU ms/req | load gen CPU ms/req | other load |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in cells:
        n = max(1, c.requests)
        print(
            f"| {c.target} | {c.clients} | {c.variant} | {c.requests} | {c.throughput:.1f} "
            f"| {c.percentile(0.50):.1f} | {c.percentile(0.99):.1f} | {c.failures} "
            f"| {c.cpu['server'] * 1000 / n:.2f} | {c.cpu['postgres'] * 1000 / n:.2f} "
            f"| {c.cpu['loadgen'] * 1000 / n:.2f} "
            f"| {100 * max(0.0, c.cpu['other']) / (cpus * c.seconds):.0f} % |"
        )
    print("\n| variant | clients | GraphQL req/s | raw req/s | GraphQL / raw |")
    print("|---|---:|---:|---:|---:|")
    by_key = {(c.target, c.variant, c.clients): c for c in cells}
    for c in cells:
        raw = by_key.get(("raw", c.variant, c.clients))
        if c.target != "graphql" or raw is None:
            continue
        ratio = c.throughput / raw.throughput if raw.throughput else float("nan")
        print(
            f"| {c.variant} | {c.clients} | {c.throughput:.1f} | {raw.throughput:.1f} "
            f"| {100 * ratio:.0f} % |"
        )


def _summary(cell: Cell) -> dict[str, Any]:
    return {
        "target": cell.target,
        "clients": cell.clients,
        "variant": cell.variant,
        "seconds": cell.seconds,
        "warmup_seconds": cell.warmup,
        "requests": cell.requests,
        "throughput": cell.throughput,
        "p50_ms": cell.percentile(0.50),
        "p99_ms": cell.percentile(0.99),
        "failures": cell.failures,
        "cpu_seconds": cell.cpu,
    }


def _code_state() -> str:
    """The commit measured, and whether project files differ from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    changed = [line[3:] for line in status if not line[3:].startswith(("bench/", "docs/"))]
    return f"{head}" + (f" with uncommitted changes in {', '.join(changed)}" if changed else "")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.catalogue",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--database-url", default=DEFAULT_URL, help=f"the bench's own database ({DEFAULT_URL})")
    add("--quick", action="store_true", help="smoke run: 10,000 products, 5 s a cell")
    add("--rebuild", action="store_true", help="reset the schema and build the catalogue anew")
    add("--products", type=int, help="catalogue size (default 100,000; 10,000 with --quick)")
    add("--seconds", type=float, help="measured seconds a cell (default 15; 5 with --quick)")
    add("--warmup", type=float, help="warm-up seconds a cell (default 3; 1 with --quick)")
    add("--clients", default="10,50", help="concurrent clients, comma-separated (10,50)")
    add("--seed", type=int, default=20240601, help="random seed of the generated catalogue")
    add("--profile-runs", type=int, help="in-process executions profiled (200; 50 with --quick)")
    add("--top", type=int, default=20, help="functions listed per profile table")
    add("--json", type=Path, help="also write the load results to this JSON file")
    add("--skip-load", action="store_true", help="build, check and profile only")
    add("--skip-profile", action="store_true", help="no in-process CPU figures and profile")
    add("--profile-variant", choices=sorted(DOCUMENTS), default="page", help="document profiled")
    add("--cpu-runs", type=int, help="requests per batch of the CPU step (100; 30 with --quick)")
    return parser


def _progress_line(cell: Cell, quiet_before: float) -> str:
    other = max(0.0, cell.cpu["other"]) / ((os.cpu_count() or 1) * cell.seconds)
    return (
        f"  {cell.target:8} {cell.variant:7} {cell.clients:3} clients: "
        f"{cell.throughput:7.1f} req/s  p50 {cell.percentile(0.5):7.1f} ms  "
        f"p99 {cell.percentile(0.99):7.1f} ms  failures {cell.failures}  (warm-up "
        f"{cell.warmup:.0f} s; other load {100 * other:.0f} %, {100 * quiet_before:.0f} % before)"
    )


def load(
    url: str, category_id: str, clients: list[int], warmup: float, seconds: float
) -> list[Cell]:
    database = url.rsplit("/", 1)[-1].split("?")[0]
    cells = []
    with tempfile.TemporaryDirectory(prefix="bench-") as logs, servers(url, Path(logs)) as up:
        answers = check_same_answers(up["graphql"].url, up["raw"].url, category_id)
        same = "byte for byte" if answers["identical_bytes"] else "parsed (bytes differ)"
        print(
            f"answers: both servers return the same JSON, {same} ({answers['page_bytes']:,} and "
            f"{answers['facets_bytes']:,} bytes); the filtered set holds "
            f"{answers['matches']:,} products"
        )
        plan = [(v, n, name) for v in DOCUMENTS for n in clients for name in ("graphql", "raw")]
        with _runner() as runner:
            for variant, n, name in plan:
                before = wait_quiet(limit=30)
                cell = runner.run(
                    run_cell(
                        up[name],
                        variant,
                        n,
                        category_id,
                        database=database,
                        warmup=warmup,
                        seconds=seconds,
                    )
                )
                cells.append(cell)
                print(_progress_line(cell, before), flush=True)
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    target = args.products or (QUICK_PRODUCTS if args.quick else FULL_PRODUCTS)
    seconds = args.seconds or (5.0 if args.quick else 15.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    runs = args.profile_runs or (50 if args.quick else 200)
    cpu_runs = args.cpu_runs or (30 if args.quick else 100)
    clients = [int(n) for n in args.clients.split(",")]
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark needs a PostgreSQL database URL")
    url = args.database_url.replace("postgresql://", "postgres://", 1)

    print(f"machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; database {url}")
    print(f"code: {_code_state()}")
    category_id = asyncio.run(prepare(url, target, rebuild=args.rebuild, seed=args.seed))
    count = asyncio.run(_product_count(url))
    checked = asyncio.run(check_same_sql(url, category_id))
    print(
        f"catalogue: {count:,} products; SQL check: the raw baseline runs the same "
        f"{checked} statements with the same bind values as the GraphQL path (faceted page)"
    )
    if not args.skip_load:
        cells = load(url, category_id, clients, warmup, seconds)
        print_table(cells)
        if args.json:
            args.json.write_text(json.dumps([_summary(c) for c in cells], indent=2))
    if not args.skip_profile:
        with _runner() as runner:  # the servers' event loop
            print_cpu(runner.run(cpu_per_request(url, category_id, cpu_runs)), cpu_runs)
        found = asyncio.run(profile(url, category_id, runs, args.top, args.profile_variant))
        print_profile(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
