"""Graph fixtures: the real app over in-process HTTP, and a small known catalogue."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import create_app
from db import catalogue_store, category_store
from db.models import Brand, Category, Product, Supplier
from domain.catalogue import ProductDraft, SpecKind, SpecValue, Unit
from domain.imports import CategoryRow
from graph import ids
from services import credentials, demo
from services.keyring import Keyring
from settings import Settings

# One key set for the test session: tokens made by one test's app verify in another's.
KEYS = Keyring.generate()

CATEGORY_CODES = [
    "30213100-6",  # portable computers (and its ancestors)
    "30232110-8",  # laser printers
    "39831200-8",  # detergents
]


def _ram(gb: int) -> SpecValue:
    return SpecValue("ram", "Bellek (RAM)", SpecKind.NUMBER, number=Decimal(gb), unit="GB")


def _screen(inches: str) -> SpecValue:
    return SpecValue(
        "ekran-boyutu", "Ekran boyutu", SpecKind.NUMBER, number=Decimal(inches), unit="inç"
    )


def _cpu(name: str) -> SpecValue:
    return SpecValue("islemci", "İşlemci", SpecKind.TEXT, text=name)


def _colour(value: bool) -> SpecValue:
    return SpecValue("renkli-baski", "Renkli baskı", SpecKind.BOOLEAN, boolean=value)


def _speed(ppm: int) -> SpecValue:
    return SpecValue(
        "baski-hizi", "Baskı hızı", SpecKind.NUMBER, number=Decimal(ppm), unit="sayfa/dk"
    )


def _volume(litres: str) -> SpecValue:
    return SpecValue("hacim", "Hacim", SpecKind.NUMBER, number=Decimal(litres), unit="L")


def _draft(key: str, name: str, **kw: Any) -> ProductDraft:
    defaults: dict[str, Any] = {
        "sku": f"T-{key}",
        "name": name,
        "description": kw.pop("description", f"{name} açıklaması."),
        "brand": None,
        "supplier": "Test Tedarik A.Ş.",
        "unit": Unit.PIECE,
        "kdv_rate": 20,
        "stock": 10,
        "lead_time_days": 5,
        "warranty_months": 24,
    }
    defaults.update(kw)
    return ProductDraft(**defaults)


PRODUCTS: dict[str, ProductDraft] = {
    "laptop14": _draft(
        "L14",
        "Kuzey Dizüstü Bilgisayar 14",
        category_code="30213100-6",
        brand="Kuzey",
        price_net=Decimal("28450.00"),
        stock=10,
        lead_time_days=7,
        specifications=(_ram(16), _screen("14"), _cpu("Çekirdek i5")),
    ),
    "laptop15": _draft(
        "L15",
        "Kuzey Dizüstü Bilgisayar 15.6",
        category_code="30213100-6",
        brand="Kuzey",
        price_net=Decimal("32999.90"),
        stock=0,
        lead_time_days=10,
        specifications=(_ram(32), _screen("15.6"), _cpu("Çekirdek i7")),
    ),
    "laptop13": _draft(
        "L13",
        "Tekno Dizüstü Bilgisayar 13",
        category_code="30213100-6",
        brand="Tekno",
        price_net=Decimal("28450.00"),
        stock=5,
        lead_time_days=3,
        specifications=(_ram(8), _screen("13.3")),
    ),
    "printer": _draft(
        "P1",
        "IŞIKSAN Lazer Yazıcı",
        category_code="30232110-8",
        brand="IŞIKSAN",
        price_net=Decimal("8999.99"),
        stock=3,
        lead_time_days=5,
        specifications=(_colour(False), _speed(40)),
    ),
    "colour_printer": _draft(
        "P2",
        "Tekno Renkli Lazer Yazıcı",
        category_code="30232110-8",
        brand="Tekno",
        price_net=Decimal("15499.00"),
        stock=2,
        lead_time_days=14,
        specifications=(_colour(True), _speed(30)),
    ),
    "glass_cleaner": _draft(
        "C1",
        "Çay Bardağı Temizleyici",
        category_code="39831200-8",
        brand="Pak Hijyen",
        price_net=Decimal("1.66"),
        stock=500,
        lead_time_days=2,
        warranty_months=0,
        unit=Unit.LITRE,
        specifications=(_volume("1"),),
    ),
    "surface_cleaner": _draft(
        "C2",
        "İSTANBUL Yüzey Temizleyici 50% Konsantre",
        category_code="39831200-8",
        brand="Pak Hijyen",
        price_net=Decimal("89.90"),
        stock=100,
        lead_time_days=2,
        warranty_months=0,
        unit=Unit.LITRE,
        specifications=(_volume("5"),),
    ),
    "board_wiper": _draft(
        "C3",
        "Yazı Tahtası Silici",
        category_code="39831200-8",
        brand=None,
        description="Tahta yüzeyi için; temizleyici sıvı ile kullanılır.",
        price_net=Decimal("45.00"),
        stock=40,
        lead_time_days=4,
        warranty_months=0,
    ),
    "retired": _draft(
        "OLD",
        "Eski Model Yazıcı",
        category_code="30232110-8",
        brand="Tekno",
        price_net=Decimal("100.00"),
        active=False,
    ),
}


@dataclass
class Catalogue:
    products: dict[str, str]  # key -> global id
    categories: dict[str, str]  # CPV code -> global id
    brands: dict[str, str]  # name -> global id
    suppliers: dict[str, str]

    def keys_of(self, global_ids: list[str]) -> list[str]:
        by_id = {v: k for k, v in self.products.items()}
        return [by_id[i] for i in global_ids]


def _category_rows(shared_data: Path) -> list[CategoryRow]:
    labels: dict[str, str] = json.loads(
        (shared_data / "cpv" / "cpv2008-en.json").read_text(encoding="utf-8")
    )
    by_digits = {code[:8]: code for code in labels}
    wanted: set[str] = set()
    for code in CATEGORY_CODES:
        digits = code[:8]
        wanted.add(code)
        stripped = digits.rstrip("0")
        for n in range(len(stripped) - 1, 1, -1):
            candidate = by_digits.get(digits[:n].ljust(8, "0"))
            if candidate:
                wanted.add(candidate)
    return [CategoryRow(code=c, name_en=labels[c]) for c in sorted(wanted)]


@pytest.fixture
async def catalogue(db: str, shared_data: Path) -> Catalogue:
    await category_store.upsert_categories(_category_rows(shared_data))
    await catalogue_store.upsert_products(list(PRODUCTS.values()), source="test")
    by_sku = {p.sku: str(p.id) for p in await Product.all()}
    return Catalogue(
        products={k: ids.encode("Product", by_sku[d.sku]) for k, d in PRODUCTS.items()},
        categories={c.code: ids.encode("Category", str(c.id)) for c in await Category.all()},
        brands={b.name: ids.encode("Brand", str(b.id)) for b in await Brand.all()},
        suppliers={s.name: ids.encode("Supplier", str(s.id)) for s in await Supplier.all()},
    )


@pytest.fixture
async def client(database: str) -> AsyncIterator[httpx.AsyncClient]:
    # The session fixture already connected Tortoise; the app's lifespan is not run here.
    app = create_app(Settings(database_url=database), keys=KEYS)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


# --- Accounts: a movable clock, the demo people, signed-in clients -----------------------------


class Clock:
    """The app's clock in tests: stopped at the real time it was made, moved only by `advance`.

    Starting at real time keeps the access tokens it dates valid (PyJWT checks them against
    the real clock); standing still keeps every delay and expiry in a test exact.
    """

    def __init__(self) -> None:
        self.start = datetime.now(UTC).replace(microsecond=0)
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.start + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def http(database: str, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the test clock; each request from a different client address if asked."""
    app = create_app(Settings(database_url=database), keys=KEYS, clock=clock)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


class Api:
    """GraphQL over HTTP with an optional bearer token; returns the whole JSON body."""

    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http = http
        self.token = token

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def as_(self, token: str | None) -> Api:
        return Api(self.http, token)


SIGN_IN = """
mutation($u: String!, $p: String!, $o: String!) {
  tokenCreate(input: {username: $u, password: $p, otp: $o}) {
    accessToken refreshToken accessTokenExpiresAt
    user { username roles }
    errors { code field message }
  }
}"""


@dataclass
class People:
    """The demo accounts, loaded into the test database; `sign_in` returns an access token."""

    api: Api
    clock: Clock
    password: str
    secrets: dict[str, str]
    users: dict[str, dict[str, Any]]
    tokens: dict[str, str]

    def code(self, username: str, offset_steps: int = 0) -> str:
        at = self.clock() + timedelta(seconds=30 * offset_steps)
        return credentials.totp_code(self.secrets[username], at)

    async def sign_in(self, username: str) -> str:
        if username not in self.tokens:
            body = await self.api(SIGN_IN, u=username, p=self.password, o=self.code(username))
            payload = body["data"]["tokenCreate"]
            assert payload["errors"] == [], payload
            self.tokens[username] = payload["accessToken"]
        return self.tokens[username]

    async def as_(self, username: str) -> Api:
        return self.api.as_(await self.sign_in(username))


@pytest.fixture
async def people(db: str, http: httpx.AsyncClient, clock: Clock) -> People:
    await demo.load_accounts(keys=KEYS, now=clock())
    document = demo.demo_accounts()
    return People(
        api=Api(http),
        clock=clock,
        password=document["password"],
        secrets={u["username"]: u["totp_secret"] for u in document["users"]},
        users={u["username"]: u for u in document["users"]},
        tokens={},
    )
