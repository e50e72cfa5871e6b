from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.accounts import Role
from domain.approvals import Decision
from domain.orders import OrderStatus
from domain.purchase_requests import RequestStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_spec_text_folded')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Address',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='addresses', on_delete=OnDelete.RESTRICT)),
                ('label', fields.CharField(description='e.g. Ana depo, Acil servis', max_length=120)),
                ('province_code', fields.SmallIntField(description='Province (il) plate code, 1 to 81')),
                ('district', fields.CharField(description='District (ilçe), official spelling', max_length=64)),
                ('line', fields.CharField(max_length=300)),
                ('postal_code', fields.CharField(null=True, max_length=5)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'addresses', 'app': 'models', 'indexes': [Index(fields=['institution_id', 'label', 'id'], name='addresses_inst_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApprovalPolicy',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='approval_policies', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.ForeignKeyField('models.SpendingUnit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='approval_policies', on_delete=OnDelete.RESTRICT)),
                ('steps', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='approval_policies_set', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'approval_policies', 'app': 'models', 'unique_together': (('institution', 'unit'),), 'pk_attr': 'id', 'table_description': "An institution's chain (unit null) or one spending unit's own chain."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BudgetLine',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='budget_lines', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.ForeignKeyField('models.SpendingUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='budget_lines', on_delete=OnDelete.RESTRICT)),
                ('fiscal_year', fields.SmallIntField()),
                ('economic_code', fields.CharField(description='e.g. 03.2.1.01', max_length=10)),
                ('name', fields.CharField(max_length=200)),
                ('appropriation_kurus', fields.BigIntField()),
                ('reserved_kurus', fields.BigIntField(default=0)),
                ('spent_kurus', fields.BigIntField(default=0)),
                ('available_kurus', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'budget_lines', 'app': 'models', 'unique_together': (('unit', 'fiscal_year', 'economic_code'),), 'indexes': [Index(fields=['institution_id', 'fiscal_year', 'economic_code'], name='budget_inst_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Cart',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='cart', on_delete=OnDelete.CASCADE)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='carts', on_delete=OnDelete.RESTRICT)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'carts', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CartLine',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('cart', fields.ForeignKeyField('models.Cart', source_field='cart_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='cart_lines', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('added_unit_price', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'cart_lines', 'app': 'models', 'unique_together': (('cart', 'product'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delegation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='delegations', on_delete=OnDelete.RESTRICT)),
                ('delegator', fields.ForeignKeyField('models.User', source_field='delegator_id', db_constraint=True, to_field='id', related_name='delegations_given', on_delete=OnDelete.RESTRICT)),
                ('delegate', fields.ForeignKeyField('models.User', source_field='delegate_id', db_constraint=True, to_field='id', related_name='delegations_received', on_delete=OnDelete.RESTRICT)),
                ('role', fields.CharEnumField(description='PLATFORM_ADMIN: PLATFORM_ADMIN\nCATALOGUE_MANAGER: CATALOGUE_MANAGER\nORDER_DESK: ORDER_DESK\nCARRIER: CARRIER\nDMO_ACCOUNTING: DMO_ACCOUNTING\nINSTITUTION_ADMIN: INSTITUTION_ADMIN\nBUYER: BUYER\nREALISATION_OFFICER: REALISATION_OFFICER\nSPENDING_AUTHORITY: SPENDING_AUTHORITY\nINSPECTOR: INSPECTOR\nINSTITUTION_ACCOUNTANT: INSTITUTION_ACCOUNTANT', enum_type=Role, max_length=32)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'delegations', 'app': 'models', 'indexes': [Index(fields=['delegate_id', 'ends_on'], name='delegations_delegate_idx')], 'pk_attr': 'id', 'table_description': 'Vekalet: `delegate` may act in `role` for `delegator` from starts_on to ends_on.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PurchaseRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='purchase_requests', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.ForeignKeyField('models.SpendingUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='purchase_requests', on_delete=OnDelete.RESTRICT)),
                ('budget_line', fields.ForeignKeyField('models.BudgetLine', source_field='budget_line_id', db_constraint=True, to_field='id', related_name='purchase_requests', on_delete=OnDelete.RESTRICT)),
                ('address', fields.ForeignKeyField('models.Address', source_field='address_id', db_constraint=True, to_field='id', related_name='purchase_requests', on_delete=OnDelete.RESTRICT)),
                ('requester', fields.ForeignKeyField('models.User', source_field='requester_id', db_constraint=True, to_field='id', related_name='purchase_requests', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=RequestStatus.DRAFT, description='DRAFT: DRAFT\nSUBMITTED: SUBMITTED\nIN_APPROVAL: IN_APPROVAL\nAPPROVED: APPROVED\nORDERED: ORDERED\nREJECTED: REJECTED\nRETURNED: RETURNED\nCANCELLED: CANCELLED', enum_type=RequestStatus, max_length=16)),
                ('justification', fields.TextField(unique=False)),
                ('requested_delivery_date', fields.DateField(null=True)),
                ('policy', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('round', fields.SmallIntField(default=0, description='Submissions so far')),
                ('current_step', fields.SmallIntField(default=0)),
                ('net', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('kdv', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('gross', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('version', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'purchase_requests', 'app': 'models', 'indexes': [Index(fields=['institution_id', 'status', 'created_at'], name='requests_inst_idx'), Index(fields=['requester_id', 'created_at'], name='requests_requester_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApprovalAction',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.PurchaseRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.CASCADE)),
                ('round', fields.SmallIntField(default=1)),
                ('step', fields.SmallIntField(description="Index into the request's frozen policy")),
                ('role', fields.CharEnumField(description='PLATFORM_ADMIN: PLATFORM_ADMIN\nCATALOGUE_MANAGER: CATALOGUE_MANAGER\nORDER_DESK: ORDER_DESK\nCARRIER: CARRIER\nDMO_ACCOUNTING: DMO_ACCOUNTING\nINSTITUTION_ADMIN: INSTITUTION_ADMIN\nBUYER: BUYER\nREALISATION_OFFICER: REALISATION_OFFICER\nSPENDING_AUTHORITY: SPENDING_AUTHORITY\nINSPECTOR: INSPECTOR\nINSTITUTION_ACCOUNTANT: INSTITUTION_ACCOUNTANT', enum_type=Role, max_length=32)),
                ('decision', fields.CharEnumField(description='APPROVE: APPROVE\nREJECT: REJECT\nRETURN: RETURN', enum_type=Decision, max_length=8)),
                ('note', fields.CharField(default='', max_length=1000)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', db_constraint=True, to_field='id', related_name='approval_actions', on_delete=OnDelete.RESTRICT)),
                ('on_behalf_of', fields.ForeignKeyField('models.User', source_field='on_behalf_of_id', null=True, db_constraint=True, to_field='id', related_name='approval_actions_by_delegates', on_delete=OnDelete.RESTRICT)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'approval_actions', 'app': 'models', 'unique_together': (('request', 'round', 'step'),), 'indexes': [Index(fields=['actor_id', 'occurred_at'], name='approval_actions_actor_idx')], 'pk_attr': 'id', 'table_description': "One approver's decision on one step of a request (append-only)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.RESTRICT)),
                ('request', fields.OneToOneField('models.PurchaseRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='order', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=OrderStatus.PLACED, description='PLACED: PLACED\nCONFIRMED: CONFIRMED\nIN_FULFILMENT: IN_FULFILMENT\nPARTIALLY_DELIVERED: PARTIALLY_DELIVERED\nDELIVERED: DELIVERED\nACCEPTED: ACCEPTED\nINVOICED: INVOICED\nPAID: PAID\nCLOSED: CLOSED\nCANCELLED: CANCELLED', enum_type=OrderStatus, max_length=24)),
                ('net', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('kdv', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('gross', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('placed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'orders', 'app': 'models', 'indexes': [Index(fields=['institution_id', 'placed_at'], name='orders_inst_idx'), Index(fields=['status', 'placed_at'], name='orders_status_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='PLACED: PLACED\nCONFIRMED: CONFIRMED\nIN_FULFILMENT: IN_FULFILMENT\nPARTIALLY_DELIVERED: PARTIALLY_DELIVERED\nDELIVERED: DELIVERED\nACCEPTED: ACCEPTED\nINVOICED: INVOICED\nPAID: PAID\nCLOSED: CLOSED\nCANCELLED: CANCELLED', enum_type=OrderStatus, max_length=24)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='order_events', on_delete=OnDelete.RESTRICT)),
                ('note', fields.CharField(default='', max_length=1000)),
            ],
            options={'table': 'order_events', 'app': 'models', 'indexes': [Index(fields=['order_id', 'occurred_at'], name='order_events_order_idx')], 'pk_attr': 'id', 'table_description': 'Status history: every change of an order, who made it and why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderLine',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='order_lines', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('from_stock', fields.IntField(description='Units reserved from stock when placed')),
                ('backordered', fields.IntField(description='Units the stock could not cover')),
                ('backorder_eta', fields.DateField(null=True)),
                ('unit_price', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('kdv_rate', fields.SmallIntField()),
                ('net', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('kdv', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('gross', fields.DecimalField(max_digits=14, decimal_places=2)),
            ],
            options={'table': 'order_lines', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PurchaseRequestLine',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.PurchaseRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='request_lines', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('unit_price', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('kdv_rate', fields.SmallIntField()),
                ('net', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('kdv', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('gross', fields.DecimalField(max_digits=14, decimal_places=2)),
            ],
            options={'table': 'purchase_request_lines', 'app': 'models', 'unique_together': (('request', 'product'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
