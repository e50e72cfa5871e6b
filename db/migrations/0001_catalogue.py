from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.catalogue import SpecKind, Unit
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Attribute',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=120)),
                ('kind', fields.CharEnumField(description='TEXT: TEXT\nNUMBER: NUMBER\nBOOLEAN: BOOLEAN', enum_type=SpecKind, max_length=8)),
                ('unit', fields.CharField(null=True, max_length=16)),
            ],
            options={'table': 'attributes', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A specification name shared across products ("RAM", unit GB, kind NUMBER).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Brand',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('slug', fields.CharField(unique=True, max_length=140)),
            ],
            options={'table': 'brands', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, description='CPV code with check digit', max_length=10)),
                ('digits', fields.CharField(unique=True, description="CPV code's eight digits", max_length=8)),
                ('parent', fields.ForeignKeyField('models.Category', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('path', fields.CharField(max_length=100)),
                ('depth', fields.SmallIntField()),
                ('name_tr', fields.CharField(null=True, max_length=300)),
                ('name_en', fields.CharField(max_length=300)),
            ],
            options={'table': 'categories', 'app': 'models', 'indexes': [Index(fields=['path'], name='categories_path_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Supplier',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('slug', fields.CharField(unique=True, max_length=220)),
            ],
            options={'table': 'suppliers', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Product',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('sku', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=255)),
                ('description', fields.TextField(default='', unique=False)),
                ('category', fields.ForeignKeyField('models.Category', source_field='category_id', db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.RESTRICT)),
                ('brand', fields.ForeignKeyField('models.Brand', source_field='brand_id', null=True, db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.RESTRICT)),
                ('supplier', fields.ForeignKeyField('models.Supplier', source_field='supplier_id', db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.CharEnumField(default=Unit.PIECE, description='PIECE: C62\nBOX: BX\nPACK: PA\nSET: SET\nPAIR: PR\nROLL: RO\nREAM: RM\nLITRE: LTR\nKILOGRAM: KGM\nMETRE: MTR', enum_type=Unit, max_length=8)),
                ('price_net', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('price_kurus', fields.BigIntField(default=0)),
                ('kdv_rate', fields.SmallIntField()),
                ('stock', fields.IntField(default=0)),
                ('min_order_quantity', fields.IntField(default=1)),
                ('lead_time_days', fields.SmallIntField(default=5)),
                ('warranty_months', fields.SmallIntField(default=0)),
                ('images', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('active', fields.BooleanField(default=True)),
                ('price_valid_from', fields.DateField(null=True)),
                ('price_valid_until', fields.DateField(null=True)),
                ('rating_average', fields.FloatField(default=0)),
                ('rating_count', fields.IntField(default=0)),
                ('search_name', fields.TextField(default=' ', unique=False)),
                ('search_context', fields.TextField(default=' ', unique=False)),
                ('search_specs', fields.TextField(default=' ', unique=False)),
                ('search_description', fields.TextField(default=' ', unique=False)),
                ('name_sort', fields.CharField(default='', max_length=120)),
                ('content_hash', fields.CharField(default='', max_length=64)),
                ('source', fields.CharField(default='manual', max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'products', 'app': 'models', 'indexes': [Index(fields=['active', 'price_kurus', 'id'], name='products_price_idx'), Index(fields=['active', 'name_sort', 'id'], name='products_name_idx'), Index(fields=['active', 'lead_time_days', 'id'], name='products_lead_idx'), Index(fields=['active', 'rating_average', 'id'], name='products_rating_idx'), Index(fields=['active', 'created_at', 'id'], name='products_newest_idx'), Index(fields=['category_id'], name='products_category_idx'), Index(fields=['brand_id'], name='products_brand_idx'), Index(fields=['supplier_id'], name='products_supplier_idx'), Index(fields=['kdv_rate'], name='products_kdv_idx'), Index(fields=['stock'], name='products_stock_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProductSpecification',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='specifications', on_delete=OnDelete.CASCADE)),
                ('attribute', fields.ForeignKeyField('models.Attribute', source_field='attribute_id', db_constraint=True, to_field='id', related_name='values', on_delete=OnDelete.RESTRICT)),
                ('position', fields.SmallIntField(default=0)),
                ('value_text', fields.CharField(null=True, max_length=200)),
                ('value_number', fields.FloatField(null=True)),
                ('value_boolean', fields.BooleanField(null=True)),
            ],
            options={'table': 'product_specifications', 'app': 'models', 'unique_together': (('product', 'attribute'),), 'indexes': [Index(fields=['attribute_id', 'value_text'], name='product_specs_text_idx'), Index(fields=['attribute_id', 'value_number'], name='product_specs_number_idx'), Index(fields=['attribute_id', 'value_boolean'], name='product_specs_bool_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
