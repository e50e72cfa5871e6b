"""Migrations: they build every model table, and the models have no change they lack."""

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from db.config import tortoise_config
from db.models import Product


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
