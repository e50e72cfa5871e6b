"""Accounts GraphQL types: institutions, spending units, users, invitations, tokens, errors."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import strawberry

from db.models import Institution as InstitutionRow
from db.models import Invitation as InvitationRow
from db.models import SpendingUnit as SpendingUnitRow
from db.models import User as UserRow
from domain import geo
from domain.accounts import InstitutionType, Role
from graph import ids
from graph.context import Info
from graph.schema.common import Node, PageInfo

strawberry.enum(
    Role,
    name="Role",
    description=(
        "What a user may do. DMO side: PLATFORM_ADMIN, CATALOGUE_MANAGER, ORDER_DESK, CARRIER, "
        "DMO_ACCOUNTING. Institution side: INSTITUTION_ADMIN, BUYER (talep eden), "
        "REALISATION_OFFICER (gerçekleştirme görevlisi), SPENDING_AUTHORITY (harcama "
        "yetkilisi), INSPECTOR (muayene ve kabul komisyonu üyesi), INSTITUTION_ACCOUNTANT."
    ),
)
strawberry.enum(InstitutionType, name="InstitutionType", description="Kind of public body.")


@strawberry.enum(description="Why an accounts mutation was refused.")
class AccountsErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVITATION_INVALID = "INVITATION_INVALID"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    RATE_LIMITED = "RATE_LIMITED"


@strawberry.type(description="A refused input: `field` is the camelCase input path, if any.")
class AccountsError:
    code: AccountsErrorCode
    field: str | None
    message: str


@strawberry.type(description="A public institution (kamu kurumu) that buys from the catalogue.")
class Institution(Node):
    name: str
    type: InstitutionType
    vkn: str = strawberry.field(description="Vergi Kimlik Numarası, 10 digits.")
    province_code: int = strawberry.field(description="Province (il) plate code, 1 to 81.")
    province_name: str = strawberry.field(description="Province (il) name.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: InstitutionRow) -> Institution:
        return cls(
            id=strawberry.ID(ids.encode("Institution", str(row.id))),
            name=row.name,
            type=row.type,
            vkn=row.vkn,
            province_code=row.province_code,
            province_name=geo.PROVINCES.get(row.province_code, ""),
            created_at=row.created_at,
        )


@strawberry.type(description="A spending unit (harcama birimi): holds budgets, raises requests.")
class SpendingUnit(Node):
    name: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: SpendingUnitRow) -> SpendingUnit:
        return cls(
            id=strawberry.ID(ids.encode("SpendingUnit", str(row.id))),
            name=row.name,
            created_at=row.created_at,
        )


@strawberry.type(description="A user account: DMO staff, or an official of one institution.")
class User(Node):
    username: str
    display_name: str
    email: str
    active: bool
    roles: list[Role] = strawberry.field(description="Roles in name order.")
    totp_enrolled: bool = strawberry.field(description="Whether the second factor is set up.")
    institution_id: strawberry.Private[str | None]
    unit_id: strawberry.Private[str | None]

    @strawberry.field(description="The user's institution; null for DMO staff.")
    async def institution(self, info: Info) -> Institution | None:
        if self.institution_id is None:
            return None
        row = await info.context.loaders.institution_by_id.load(self.institution_id)
        return Institution.from_row(row) if row else None

    @strawberry.field(description="The user's spending unit, if the user belongs to one.")
    async def unit(self, info: Info) -> SpendingUnit | None:
        if self.unit_id is None:
            return None
        row = await info.context.loaders.spending_unit_by_id.load(self.unit_id)
        return SpendingUnit.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: UserRow, roles: frozenset[Role]) -> User:
        institution_id = row.institution_id  # type: ignore[attr-defined]
        unit_id = row.unit_id  # type: ignore[attr-defined]
        return cls(
            id=strawberry.ID(ids.encode("User", str(row.id))),
            username=row.username,
            display_name=row.display_name,
            email=row.email,
            active=row.active,
            roles=sorted(roles),
            totp_enrolled=row.totp_enrolled_at is not None,
            institution_id=str(institution_id) if institution_id else None,
            unit_id=str(unit_id) if unit_id else None,
        )


@strawberry.type(description="A single-use invitation to create an account, valid for 7 days.")
class Invitation:
    id: strawberry.ID
    email: str
    display_name: str
    roles: list[Role]
    expires_at: datetime

    @classmethod
    def from_row(cls, row: InvitationRow) -> Invitation:
        return cls(
            id=strawberry.ID(ids.encode("Invitation", str(row.id))),
            email=row.email,
            display_name=row.display_name,
            roles=sorted(Role(r) for r in row.roles),
            expires_at=row.expires_at,
        )


# --- Connections -----------------------------------------------------------------------------


@strawberry.type
class InstitutionEdge:
    cursor: str
    node: Institution


@strawberry.type(description="Institutions in name order.")
class InstitutionConnection:
    edges: list[InstitutionEdge]
    page_info: PageInfo


@strawberry.type
class SpendingUnitEdge:
    cursor: str
    node: SpendingUnit


@strawberry.type(description="Spending units in name order.")
class SpendingUnitConnection:
    edges: list[SpendingUnitEdge]
    page_info: PageInfo


@strawberry.type
class UserEdge:
    cursor: str
    node: User


@strawberry.type(description="Users in username order.")
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo


# --- Inputs and payloads ---------------------------------------------------------------------


@strawberry.input(description="A new institution and the person who will administer it.")
class InstitutionCreateInput:
    name: str
    type: InstitutionType
    vkn: str = strawberry.field(description="10 digits; the check digit is verified.")
    province_code: int = strawberry.field(description="Province (il) plate code, 1 to 81.")
    admin_email: str
    admin_name: str


@strawberry.type
class InstitutionCreatePayload:
    institution: Institution | None
    invitation: Invitation | None
    invitation_token: str | None = strawberry.field(
        description="Shown once: pass it to the invitee, who accepts with invitationAccept."
    )
    errors: list[AccountsError]


@strawberry.input
class SpendingUnitCreateInput:
    name: str


@strawberry.type
class SpendingUnitCreatePayload:
    spending_unit: SpendingUnit | None
    errors: list[AccountsError]


@strawberry.input(description="Invite a person into your institution (or DMO staff).")
class UserInviteInput:
    email: str
    display_name: str
    roles: list[Role]
    unit_id: strawberry.ID | None = None
    institution_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="PLATFORM_ADMIN only: invite a new INSTITUTION_ADMIN into this institution "
        "(when its first invitation was lost or expired); roles must be [INSTITUTION_ADMIN].",
    )


@strawberry.type
class UserInvitePayload:
    invitation: Invitation | None
    invitation_token: str | None = strawberry.field(
        description="Shown once: pass it to the invitee, who accepts with invitationAccept."
    )
    errors: list[AccountsError]


@strawberry.input(description="Replace a user's roles.")
class UserRolesSetInput:
    user_id: strawberry.ID
    roles: list[Role]


@strawberry.type
class UserRolesSetPayload:
    user: User | None
    errors: list[AccountsError]


@strawberry.input(description="Accept an invitation: choose a username and a password.")
class InvitationAcceptInput:
    token: str
    username: str = strawberry.field(
        description="3 to 32 characters: ASCII letters, digits, '.', '_', '-'; a letter first."
    )
    password: str = strawberry.field(
        description="At least 12 characters, not a common password, not containing the username."
    )


@strawberry.type
class InvitationAcceptPayload:
    user: User | None
    provisioning_uri: str | None = strawberry.field(
        description="otpauth:// URI (RFC 6238) for an authenticator app; confirm with "
        "totpEnrolConfirm."
    )
    errors: list[AccountsError]


@strawberry.input(description="Username, password and the current 6-digit TOTP code.")
class TokenCreateInput:
    username: str
    password: str
    otp: str


@strawberry.input
class TokenRefreshInput:
    refresh_token: str


@strawberry.type(description="A signed-in session's tokens.")
class TokenPayload:
    access_token: str | None = strawberry.field(
        description="JWT for `Authorization: Bearer ...`, valid for 15 minutes."
    )
    refresh_token: str | None = strawberry.field(
        description="Single use: tokenRefresh returns a new one. Reuse ends the session."
    )
    access_token_expires_at: datetime | None
    user: User | None
    errors: list[AccountsError]


@strawberry.type
class TokenRevokePayload:
    revoked: bool
    errors: list[AccountsError]
