from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.accounts import AuditAction, InstitutionType, Role
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_search_trigram')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('action', fields.CharEnumField(description='INSTITUTION_CREATED: INSTITUTION_CREATED\nUSER_INVITED: USER_INVITED\nINVITATION_ACCEPTED: INVITATION_ACCEPTED\nTOTP_ENROLLED: TOTP_ENROLLED\nROLES_SET: ROLES_SET\nSPENDING_UNIT_CREATED: SPENDING_UNIT_CREATED\nSIGNED_IN: SIGNED_IN\nSIGN_IN_FAILED: SIGN_IN_FAILED\nACCOUNT_LOCKED: ACCOUNT_LOCKED\nSIGNED_OUT: SIGNED_OUT\nREFRESH_TOKEN_REUSED: REFRESH_TOKEN_REUSED', enum_type=AuditAction, max_length=32)),
                ('actor_id', fields.UUIDField(null=True)),
                ('institution_id', fields.UUIDField(null=True)),
                ('subject_type', fields.CharField(max_length=32)),
                ('subject_id', fields.CharField(max_length=64)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('client_address', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'audit_events', 'app': 'models', 'indexes': [Index(fields=['institution_id', 'occurred_at'], name='audit_events_inst_idx'), Index(fields=['subject_type', 'subject_id'], name='audit_events_subject_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Institution',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('type', fields.CharEnumField(description='MINISTRY: MINISTRY\nHOSPITAL: HOSPITAL\nSCHOOL: SCHOOL\nUNIVERSITY: UNIVERSITY\nMUNICIPALITY: MUNICIPALITY\nOTHER: OTHER', enum_type=InstitutionType, max_length=16)),
                ('vkn', fields.CharField(unique=True, description='Vergi Kimlik Numarası', max_length=10)),
                ('province_code', fields.SmallIntField(description='Province plate code, 1 to 81')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'institutions', 'app': 'models', 'indexes': [Index(fields=['name', 'id'], name='institutions_name_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignInAttempt',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('username', fields.CharField(max_length=64)),
                ('client_address', fields.CharField(max_length=64)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('succeeded', fields.BooleanField()),
            ],
            options={'table': 'sign_in_attempts', 'app': 'models', 'indexes': [Index(fields=['username', 'occurred_at'], name='sign_in_attempts_user_idx'), Index(fields=['client_address', 'occurred_at'], name='sign_in_attempts_addr_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SpendingUnit',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='units', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'spending_units', 'app': 'models', 'unique_together': (('institution', 'name'),), 'pk_attr': 'id', 'table_description': 'A harcama birimi: the part of an institution that holds a budget and raises requests.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, description='lower-case, NFKC', max_length=32)),
                ('display_name', fields.CharField(max_length=200)),
                ('email', fields.CharField(max_length=254)),
                ('active', fields.BooleanField(default=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', null=True, db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.ForeignKeyField('models.SpendingUnit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.RESTRICT)),
                ('password_hash', fields.CharField(description='Argon2id (PHC string)', max_length=200)),
                ('totp_secret', fields.CharField(description='Fernet-encrypted base32 secret', max_length=300)),
                ('totp_enrolled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('totp_last_step', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'users', 'app': 'models', 'indexes': [Index(fields=['institution_id', 'username'], name='users_institution_idx')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.ForeignKeyField('models.SpendingUnit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.RESTRICT)),
                ('email', fields.CharField(max_length=254)),
                ('display_name', fields.CharField(max_length=200)),
                ('roles', fields.JSONField(description='Role names granted on acceptance', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('username', fields.CharField(null=True, max_length=32)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='invitations_sent', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='invitation', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'invitations', 'app': 'models', 'pk_attr': 'id', 'table_description': "A single-use, expiring invitation (only the token's SHA-256 is stored)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_reason', fields.CharField(null=True, max_length=32)),
                ('client_address', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'sessions', 'app': 'models', 'indexes': [Index(fields=['user_id', 'revoked_at'], name='sessions_user_idx')], 'pk_attr': 'id', 'table_description': 'A refresh-token family: one sign-in and every token rotated from it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refresh_tokens', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One refresh token of a session (only its SHA-256 is stored), `used_at` set on rotation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserRole',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='role_rows', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='PLATFORM_ADMIN: PLATFORM_ADMIN\nCATALOGUE_MANAGER: CATALOGUE_MANAGER\nORDER_DESK: ORDER_DESK\nCARRIER: CARRIER\nDMO_ACCOUNTING: DMO_ACCOUNTING\nINSTITUTION_ADMIN: INSTITUTION_ADMIN\nBUYER: BUYER\nREALISATION_OFFICER: REALISATION_OFFICER\nSPENDING_AUTHORITY: SPENDING_AUTHORITY\nINSPECTOR: INSPECTOR\nINSTITUTION_ACCOUNTANT: INSTITUTION_ACCOUNTANT', enum_type=Role, max_length=32)),
            ],
            options={'table': 'user_roles', 'app': 'models', 'unique_together': (('user', 'role'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
