"""Accounts tables: institutions, units, users and roles, invitations, sessions, sign-ins."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.accounts import InstitutionType, Role


class Institution(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    type = fields.CharEnumField(InstitutionType, max_length=16)
    vkn = fields.CharField(max_length=10, unique=True, description="Vergi Kimlik Numarası")
    province_code = fields.SmallIntField(description="Province plate code, 1 to 81")
    created_at = fields.DatetimeField()

    class Meta:
        table = "institutions"
        indexes = [Index(fields=("name", "id"), name="institutions_name_idx")]


class SpendingUnit(Model):
    """A harcama birimi: the part of an institution that holds a budget and raises requests."""

    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "models.Institution", related_name="units", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField()

    class Meta:
        table = "spending_units"
        unique_together = (("institution", "name"),)


class User(Model):
    id = fields.UUIDField(primary_key=True)
    username = fields.CharField(max_length=32, unique=True, description="lower-case, NFKC")
    display_name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254)
    active = fields.BooleanField(default=True)
    # Null for DMO staff (platform side).
    institution: fields.ForeignKeyNullableRelation[Institution] = fields.ForeignKeyField(
        "models.Institution", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    unit: fields.ForeignKeyNullableRelation[SpendingUnit] = fields.ForeignKeyField(
        "models.SpendingUnit", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    password_hash = fields.CharField(max_length=200, description="Argon2id (PHC string)")
    totp_secret = fields.CharField(max_length=300, description="Fernet-encrypted base32 secret")
    totp_enrolled_at = fields.DatetimeField(null=True)
    # The last RFC 6238 time step accepted: a code is good only once.
    totp_last_step = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "users"
        indexes = [Index(fields=("institution_id", "username"), name="users_institution_idx")]


class UserRole(Model):
    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="role_rows", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=32)

    class Meta:
        table = "user_roles"
        unique_together = (("user", "role"),)


class Invitation(Model):
    """A single-use, expiring invitation (only the token's SHA-256 is stored)."""

    id = fields.UUIDField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    institution: fields.ForeignKeyNullableRelation[Institution] = fields.ForeignKeyField(
        "models.Institution", related_name="invitations", null=True, on_delete=fields.RESTRICT
    )
    unit: fields.ForeignKeyNullableRelation[SpendingUnit] = fields.ForeignKeyField(
        "models.SpendingUnit", related_name="invitations", null=True, on_delete=fields.RESTRICT
    )
    email = fields.CharField(max_length=254)
    display_name = fields.CharField(max_length=200)
    roles: fields.Field[list[str]] = fields.JSONField(
        description="Role names granted on acceptance"
    )
    # Reserved by `esatis admin-create USERNAME`; otherwise the invitee chooses.
    username = fields.CharField(max_length=32, null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_sent", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitation", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "invitations"


class Session(Model):
    """A refresh-token family: one sign-in and every token rotated from it."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=32, null=True)
    client_address = fields.CharField(max_length=64, default="")

    class Meta:
        table = "sessions"
        indexes = [Index(fields=("user_id", "revoked_at"), name="sessions_user_idx")]


class RefreshToken(Model):
    """One refresh token of a session (only its SHA-256 is stored), `used_at` set on rotation."""

    id = fields.UUIDField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "models.Session", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    issued_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refresh_tokens"


class SignInAttempt(Model):
    id = fields.UUIDField(primary_key=True)
    # The normalised name as typed, whether or not such a user exists.
    username = fields.CharField(max_length=64)
    client_address = fields.CharField(max_length=64)
    occurred_at = fields.DatetimeField()
    succeeded = fields.BooleanField()

    class Meta:
        table = "sign_in_attempts"
        indexes = [
            Index(fields=("username", "occurred_at"), name="sign_in_attempts_user_idx"),
            Index(fields=("client_address", "occurred_at"), name="sign_in_attempts_addr_idx"),
        ]
