"""Migrations: they build every model table, and the models have no change they lack."""

import importlib
from decimal import Decimal
from types import SimpleNamespace

from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from db import catalogue_store, category_store
from db.config import tortoise_config
from db.models import Product, ProductSpecification
from domain import search
from domain.catalogue import ProductDraft, SpecKind, SpecValue, Unit
from domain.imports import CategoryRow


async def test_migrated_database_has_every_model_table(db: str) -> None:
    assert await Product.all().count() == 0
    assert {m._meta.db_table for m in Tortoise.apps["models"].values()} >= {
        "categories",
        "brands",
        "suppliers",
        "products",
        "attributes",
        "product_specifications",
    }


async def test_models_and_migrations_agree(database: str) -> None:
    # The same check as `tortoise makemigrations`, without writing a file: no pending changes.
    # Same backend as the session: Tortoise caches compiled SQL per model, per process.
    config = tortoise_config(database)
    apps = {label: dict(app) for label, app in config["apps"].items()}
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, apps).changes()
    assert [w.name for w in writers] == []


async def test_the_folded_text_migration_fills_stored_rows(db: str) -> None:
    migration = importlib.import_module("db.migrations.0004_spec_text_folded")
    texts = ["SİYAH", "Işık", "ÇAM", "I\u0307nci", "zaten küçük"]
    await category_store.upsert_categories([CategoryRow("30192000-1", "Office supplies")])
    drafts = [
        ProductDraft(
            sku=f"M-{n}", name="Kalem", description="", category_code="30192000-1", brand=None,
            supplier="Kırtasiye Ltd.", unit=Unit.PACK, price_net=Decimal("1.00"), kdv_rate=20,
            stock=1, specifications=(SpecValue("renk", "Renk", SpecKind.TEXT, text=text),),
        )
        for n, text in enumerate(texts)
    ]  # fmt: skip
    await catalogue_store.upsert_products(drafts, source="test")
    # Rows as they were before the migration: no folded text.
    await ProductSpecification.all().update(value_text_folded=None)
    migration._BATCH = 2  # several batches

    await migration._fill(None, SimpleNamespace(client=connections.get("default")))

    stored = await ProductSpecification.all().values_list("value_text", "value_text_folded")
    assert sorted(stored) == sorted((text, search.fold_case(text)) for text in texts)
    assert sorted(folded for _, folded in stored) == ["inci", "siyah", "zaten küçük", "çam", "ışık"]
