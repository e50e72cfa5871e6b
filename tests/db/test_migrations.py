"""Migrations build every table the models declare."""

from tortoise import Tortoise

from db.models import Product


async def test_migrated_database_has_every_model_table(db: str) -> None:
    assert await Product.all().count() == 0
    assert {m._meta.db_table for m in Tortoise.apps["models"].values()} >= {
        "categories", "brands", "suppliers", "products", "attributes", "product_specifications"
    }
