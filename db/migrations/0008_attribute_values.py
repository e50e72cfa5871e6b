"""Numbered specification values (attribute_values) and each product's list of them, filled.

Facets and attribute filters read products.attribute_value_ids instead of joining
product_specifications for every product of the filtered set.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from db.fields import IntArrayField
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


_VALUES = (
    "INSERT INTO attribute_values "
    "(attribute_id, value_text, value_text_folded, value_number, value_boolean) "
    "SELECT DISTINCT attribute_id, value_text, value_text_folded, value_number, value_boolean "
    "FROM product_specifications"
)
# A specification's value row: the same attribute and the same value (NULLs alike).
_POSTGRES_IDS = (
    "UPDATE products p SET attribute_value_ids = m.ids FROM (SELECT s.product_id, "
    "array_agg(v.id ORDER BY v.id) AS ids FROM product_specifications s "
    "JOIN attribute_values v ON v.attribute_id = s.attribute_id "
    "AND v.value_text IS NOT DISTINCT FROM s.value_text "
    "AND v.value_number IS NOT DISTINCT FROM s.value_number "
    "AND v.value_boolean IS NOT DISTINCT FROM s.value_boolean "
    "GROUP BY s.product_id) m WHERE m.product_id = p.id; "
    "UPDATE products SET attribute_value_ids = '{}' WHERE attribute_value_ids IS NULL"
)
_SQLITE_IDS = (
    "UPDATE products SET attribute_value_ids = (SELECT json_group_array(id) FROM "
    "(SELECT v.id FROM product_specifications s JOIN attribute_values v "
    "ON v.attribute_id = s.attribute_id AND v.value_text IS s.value_text "
    "AND v.value_number IS s.value_number AND v.value_boolean IS s.value_boolean "
    "WHERE s.product_id = products.id ORDER BY v.id))"
)


# PostgreSQL only (SQLite keeps JSON text): attribute filters (`ids && ARRAY(...)`) can start
# from the products holding a value instead of testing every product of the listing.
_INDEX = (
    "CREATE INDEX IF NOT EXISTS products_attribute_values_idx ON products "
    "USING gin (attribute_value_ids)"
)


async def _fill(apps, schema_editor):
    """One value row per distinct stored specification value, then every product's list."""
    client = schema_editor.client
    await client.execute_script(_VALUES)
    postgres = client.capabilities.dialect == "postgres"
    await client.execute_script(_POSTGRES_IDS if postgres else _SQLITE_IDS)


async def _create_index(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(_INDEX)


async def _drop_index(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("DROP INDEX IF EXISTS products_attribute_values_idx")


class Migration(migrations.Migration):
    dependencies = [('models', '0007_address_budget_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttributeValue',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attribute', fields.ForeignKeyField('models.Attribute', source_field='attribute_id', db_constraint=True, to_field='id', related_name='distinct_values', on_delete=OnDelete.RESTRICT)),
                ('value_text', fields.CharField(null=True, max_length=200)),
                ('value_text_folded', fields.CharField(null=True, max_length=200)),
                ('value_number', fields.FloatField(null=True)),
                ('value_boolean', fields.BooleanField(null=True)),
            ],
            options={'table': 'attribute_values', 'app': 'models', 'indexes': [Index(fields=['attribute_id'], name='attribute_values_attribute_idx')], 'pk_attr': 'id', 'table_description': 'One distinct value of an attribute (a text, a number or a yes/no), numbered.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Product',
            name='attribute_value_ids',
            field=IntArrayField(null=True, generated=False, unique=False),
        ),
        ops.RunPython(_fill, ops.RunPython.noop),
        ops.RunPython(_create_index, _drop_index),
    ]
