"""Catalogue tables: CPV category tree, brands, suppliers, products and typed specifications."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from db.fields import IntArrayField
from domain.catalogue import SpecKind, Unit


class Category(Model):
    id = fields.UUIDField(primary_key=True)
    code = fields.CharField(max_length=10, unique=True, description="CPV code with check digit")
    digits = fields.CharField(max_length=8, unique=True, description="CPV code's eight digits")
    parent: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    # Materialised path of eight-digit codes ("30000000/30200000/"): descendants by prefix.
    path = fields.CharField(max_length=100)
    depth = fields.SmallIntField()
    name_tr = fields.CharField(max_length=300, null=True)
    name_en = fields.CharField(max_length=300)

    class Meta:
        table = "categories"
        indexes = [Index(fields=("path",), name="categories_path_idx")]


class Brand(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=120)
    slug = fields.CharField(max_length=140, unique=True)

    class Meta:
        table = "brands"


class Supplier(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=220, unique=True)

    class Meta:
        table = "suppliers"


class Product(Model):
    id = fields.UUIDField(primary_key=True)
    sku = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255)
    description = fields.TextField(default="")
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="products", on_delete=fields.RESTRICT
    )
    brand: fields.ForeignKeyNullableRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="products", null=True, on_delete=fields.RESTRICT
    )
    supplier: fields.ForeignKeyRelation[Supplier] = fields.ForeignKeyField(
        "models.Supplier", related_name="products", on_delete=fields.RESTRICT
    )
    unit = fields.CharEnumField(Unit, max_length=8, default=Unit.PIECE)
    price_net = fields.DecimalField(max_digits=14, decimal_places=2)
    # The same price in whole kuruş, for filtering and sorting: SQLite stores decimals as text,
    # which compares "100.00" < "20.00". Written together with price_net, never on its own.
    price_kurus = fields.BigIntField(default=0)
    kdv_rate = fields.SmallIntField()
    stock = fields.IntField(default=0)
    min_order_quantity = fields.IntField(default=1)
    lead_time_days = fields.SmallIntField(default=5)
    warranty_months = fields.SmallIntField(default=0)
    images: fields.Field[list[str]] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)
    price_valid_from = fields.DateField(null=True)
    price_valid_until = fields.DateField(null=True)
    rating_average = fields.FloatField(default=0)
    rating_count = fields.IntField(default=0)
    # Search columns, written from domain.search (Turkish folding) whenever the product changes.
    search_name = fields.TextField(default=" ")
    search_context = fields.TextField(default=" ")
    search_specs = fields.TextField(default=" ")
    search_description = fields.TextField(default=" ")
    name_sort = fields.CharField(max_length=120, default="")
    # The numbers of this product's specification values (AttributeValue), so that facets and
    # attribute filters need no join. Written with the specifications by db/catalogue_store.py,
    # indexed (GIN) on PostgreSQL by migration 0008.
    attribute_value_ids = IntArrayField(null=True)
    # Hash of the imported fields: a re-import of an unchanged row writes nothing.
    content_hash = fields.CharField(max_length=64, default="")
    source = fields.CharField(max_length=32, default="manual")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "products"
        indexes = [
            Index(fields=("active", "price_kurus", "id"), name="products_price_idx"),
            Index(fields=("active", "name_sort", "id"), name="products_name_idx"),
            Index(fields=("active", "lead_time_days", "id"), name="products_lead_idx"),
            Index(fields=("active", "rating_average", "id"), name="products_rating_idx"),
            Index(fields=("active", "created_at", "id"), name="products_newest_idx"),
            Index(fields=("category_id",), name="products_category_idx"),
            Index(fields=("brand_id",), name="products_brand_idx"),
            Index(fields=("supplier_id",), name="products_supplier_idx"),
            Index(fields=("kdv_rate",), name="products_kdv_idx"),
            Index(fields=("stock",), name="products_stock_idx"),
        ]


class Attribute(Model):
    """A specification name shared across products ("RAM", unit GB, kind NUMBER)."""

    id = fields.UUIDField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=120)
    kind = fields.CharEnumField(SpecKind, max_length=8)
    unit = fields.CharField(max_length=16, null=True)

    class Meta:
        table = "attributes"


class AttributeValue(Model):
    """One distinct value of an attribute (a text, a number or a yes/no), numbered.

    Products list their values' numbers in attribute_value_ids, so counting facets is counting
    small integers. Rows are added (db/attribute_values.py, on import), never changed.
    """

    id = fields.IntField(primary_key=True)
    attribute: fields.ForeignKeyRelation[Attribute] = fields.ForeignKeyField(
        "models.Attribute", related_name="distinct_values", on_delete=fields.RESTRICT
    )
    # The same columns, with the same meaning, as ProductSpecification's.
    value_text = fields.CharField(max_length=200, null=True)
    value_text_folded = fields.CharField(max_length=200, null=True)
    value_number = fields.FloatField(null=True)
    value_boolean = fields.BooleanField(null=True)

    class Meta:
        table = "attribute_values"
        indexes = [Index(fields=("attribute_id",), name="attribute_values_attribute_idx")]


class ProductSpecification(Model):
    id = fields.UUIDField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="specifications", on_delete=fields.CASCADE
    )
    attribute: fields.ForeignKeyRelation[Attribute] = fields.ForeignKeyField(
        "models.Attribute", related_name="values", on_delete=fields.RESTRICT
    )
    position = fields.SmallIntField(default=0)
    value_text = fields.CharField(max_length=200, null=True)
    # value_text in Turkish lower case (domain.search.fold_case), for case-insensitive filters;
    # written with value_text by db/catalogue_store.py. Lower-casing keeps the length.
    value_text_folded = fields.CharField(max_length=200, null=True)
    # Specifications are measurements, not money: a float compares numerically on both backends.
    value_number = fields.FloatField(null=True)
    value_boolean = fields.BooleanField(null=True)

    class Meta:
        table = "product_specifications"
        unique_together = (("product", "attribute"),)
        indexes = [
            Index(fields=("attribute_id", "value_text_folded"), name="product_specs_folded_idx"),
            Index(fields=("attribute_id", "value_number"), name="product_specs_number_idx"),
            Index(fields=("attribute_id", "value_boolean"), name="product_specs_bool_idx"),
        ]
