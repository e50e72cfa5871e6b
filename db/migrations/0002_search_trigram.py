"""PostgreSQL only: pg_trgm and a trigram index for typo-tolerant catalogue search."""

from tortoise import migrations
from tortoise.migrations import operations as ops

# The expression must match db/catalogue_queries.py's SEARCH_ALL for the index to be used.
_INDEX = (
    "CREATE INDEX IF NOT EXISTS products_search_trgm_idx ON products "
    "USING gin ((search_name || search_context || search_specs || search_description) gin_trgm_ops)"
)


async def _forward(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    await client.execute_script("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    await client.execute_script(_INDEX)


async def _backward(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("DROP INDEX IF EXISTS products_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("models", "0001_catalogue")]

    operations = [ops.RunPython(_forward, _backward)]
