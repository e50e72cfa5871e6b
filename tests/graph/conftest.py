"""Graph fixtures: the real app over in-process HTTP, and a small known catalogue."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
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
from settings import Settings

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
    app = create_app(Settings(database_url=database))
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
