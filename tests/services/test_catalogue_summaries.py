"""Count and facets are cached per listing for a few seconds, and cleared by catalogue writes."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from db import catalogue_store, category_store
from db.models import Product
from domain import catalogue as rules
from domain.catalogue import ProductDraft, Unit
from domain.imports import CategoryRow
from services import catalogue


@pytest.fixture
def clock() -> Iterator[list[float]]:
    now = [1000.0]
    catalogue.summaries.clock = lambda: now[0]
    catalogue.summaries.seconds = 30
    yield now
    catalogue.summaries.seconds = 0
    catalogue.summaries.clock = __import__("time").monotonic
    catalogue.summaries.clear()


async def _stock(db: str) -> None:
    await category_store.upsert_categories(
        [
            CategoryRow(code="39000000-2", name_en="Furniture"),
            CategoryRow(code="39100000-3", name_en="Furniture", name_tr="Mobilya"),
        ]
    )
    drafts = [
        ProductDraft(
            sku=f"M-{n}",
            name=f"Masa {n}",
            description="",
            category_code="39100000-3",
            brand="Ahşap",
            supplier="Mobilya A.Ş.",
            unit=Unit.PIECE,
            price_net=Decimal("1000.00") + n,
            kdv_rate=20,
            stock=5,
        )
        for n in range(3)
    ]
    await catalogue_store.upsert_products(drafts, source="test")


async def _count(listing: rules.ProductListing) -> int:
    page = await catalogue.list_products(listing, size=1, after=None, before=None, with_facets=True)
    return await page.total_count()


async def test_summary_is_reused_until_it_expires(db: str, clock: list[float]) -> None:
    await _stock(db)
    listing = rules.listing("masa", rules.ProductFilter(), rules.ProductSort())
    assert await _count(listing) == 3
    await Product.filter(sku="M-0").update(active=False)
    clock[0] += 29
    assert await _count(listing) == 3  # still within 30 seconds: the cached count
    clock[0] += 2
    assert await _count(listing) == 2  # expired: computed afresh


async def test_clear_drops_cached_summaries(db: str, clock: list[float]) -> None:
    await _stock(db)
    listing = rules.listing("masa", rules.ProductFilter(), rules.ProductSort())
    assert await _count(listing) == 3
    await Product.filter(sku="M-1").update(active=False)
    catalogue.summaries.clear()
    assert await _count(listing) == 2


async def test_zero_seconds_never_caches(db: str) -> None:
    await _stock(db)
    catalogue.summaries.seconds = 0
    listing = rules.listing("masa", rules.ProductFilter(), rules.ProductSort())
    assert await _count(listing) == 3
    await Product.filter(sku="M-2").update(active=False)
    assert await _count(listing) == 2
