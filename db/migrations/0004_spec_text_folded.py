"""Case-insensitive text filters: product_specifications.value_text_folded, filled for stored rows.

The (attribute_id, value_text) index served the text filter, which now reads the folded column.
"""

import unicodedata

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

_BATCH = 5000
# domain.search.fold_case as it was when this migration was written (a migration never changes):
# NFC, then Turkish lower case (I -> ı, İ -> i).
_TURKISH_UPPER = str.maketrans({"I": "ı", "İ": "i"})


def _fold_case(text):
    return unicodedata.normalize("NFC", text).translate(_TURKISH_UPPER).lower()


async def _fill(apps, schema_editor):
    """Fold every stored text specification, a batch of rows at a time in id order."""
    client = schema_editor.client
    first, second = ("$1", "$2") if client.capabilities.dialect == "postgres" else ("?", "?")
    select = "SELECT id, value_text FROM product_specifications WHERE value_text IS NOT NULL"
    update = f"UPDATE product_specifications SET value_text_folded = {first} WHERE id = {second}"
    last = None
    while True:
        after = "" if last is None else f" AND id > {first}"
        rows = await client.execute_query_dict(
            f"{select}{after} ORDER BY id LIMIT {_BATCH}", [] if last is None else [last]
        )
        if not rows:
            return
        await client.execute_many(update, [[_fold_case(r["value_text"]), r["id"]] for r in rows])
        last = rows[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [("models", "0003_accounts")]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name="ProductSpecification",
            name="product_specs_text_idx",
            fields=None,
        ),
        ops.AddField(
            model_name="ProductSpecification",
            name="value_text_folded",
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.RunPython(_fill, ops.RunPython.noop),
        ops.AddIndex(
            model_name="ProductSpecification",
            index=Index(
                fields=["attribute_id", "value_text_folded"], name="product_specs_folded_idx"
            ),
        ),
    ]
