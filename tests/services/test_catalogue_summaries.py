"""Count and facets are cached per listing for a few seconds, and cleared by catalogue writes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from db import catalogue_store, category_store
from db.models import Category, Product
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


async def test_category_scope_is_reused_until_it_expires_or_is_cleared(
    db: str, clock: list[float]
) -> None:
    await _stock(db)
    furniture = str((await Category.get(digits="39000000")).id)
    before = await catalogue.summaries.scope((furniture,))
    assert len(before) == 2  # furniture and its one subcategory
    await category_store.upsert_categories(
        [CategoryRow(code="39110000-6", name_en="Seats, chairs and related products")]
    )
    clock[0] += 29
    assert await catalogue.summaries.scope((furniture,)) == before  # still the cached scope
    clock[0] += 2
    after = await catalogue.summaries.scope((furniture,))
    assert len(after) == 3 and set(before) < set(after)
    await category_store.upsert_categories(
        [CategoryRow(code="39120000-9", name_en="Tables, cupboards, desk and bookcases")]
    )
    catalogue.summaries.clear()
    assert len(await catalogue.summaries.scope((furniture,))) == 4


async def test_concurrent_misses_share_one_statement(db: str, clock: list[float]) -> None:
    await _stock(db)
    listing = rules.listing("masa", rules.ProductFilter(), rules.ProductSort())
    first, second = await asyncio.gather(
        catalogue.summaries.get(listing), catalogue.summaries.get(listing)
    )
    assert first is second  # one statement answered both
    assert await catalogue.summaries.get(listing) is first


async def test_a_summary_started_before_clear_is_not_kept(db: str, clock: list[float]) -> None:
    await _stock(db)
    listing = rules.listing("masa", rules.ProductFilter(), rules.ProductSort())
    started = asyncio.ensure_future(catalogue.summaries.get(listing))
    await asyncio.sleep(0)  # the statement is on its way
    catalogue.summaries.clear()
    old = await started
    assert old.count == 3
    assert await catalogue.summaries.get(listing) is not old
