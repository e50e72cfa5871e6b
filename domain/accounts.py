"""Accounts: roles, institutions, the VKN check digit, username, password and sign-in rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain import geo, text
from domain.errors import DomainError, InvalidInput


class Role(StrEnum):
    # DMO side (platform staff).
    PLATFORM_ADMIN = "PLATFORM_ADMIN"
    CATALOGUE_MANAGER = "CATALOGUE_MANAGER"
    ORDER_DESK = "ORDER_DESK"
    CARRIER = "CARRIER"
    DMO_ACCOUNTING = "DMO_ACCOUNTING"
    # Institution side (scoped to one institution).
    INSTITUTION_ADMIN = "INSTITUTION_ADMIN"
    BUYER = "BUYER"
    REALISATION_OFFICER = "REALISATION_OFFICER"  # gerçekleştirme görevlisi (5018 art. 33)
    SPENDING_AUTHORITY = "SPENDING_AUTHORITY"  # harcama yetkilisi (5018 art. 31)
    INSPECTOR = "INSPECTOR"  # muayene ve kabul komisyonu üyesi
    INSTITUTION_ACCOUNTANT = "INSTITUTION_ACCOUNTANT"


DMO_ROLES = frozenset(
    {
        Role.PLATFORM_ADMIN,
        Role.CATALOGUE_MANAGER,
        Role.ORDER_DESK,
        Role.CARRIER,
        Role.DMO_ACCOUNTING,
    }
)
INSTITUTION_ROLES = frozenset(set(Role) - DMO_ROLES)


class InstitutionType(StrEnum):
    MINISTRY = "MINISTRY"
    HOSPITAL = "HOSPITAL"
    SCHOOL = "SCHOOL"
    UNIVERSITY = "UNIVERSITY"
    MUNICIPALITY = "MUNICIPALITY"
    OTHER = "OTHER"


class AuditAction(StrEnum):
    INSTITUTION_CREATED = "INSTITUTION_CREATED"
    USER_INVITED = "USER_INVITED"
    INVITATION_ACCEPTED = "INVITATION_ACCEPTED"
    TOTP_ENROLLED = "TOTP_ENROLLED"
    ROLES_SET = "ROLES_SET"
    SPENDING_UNIT_CREATED = "SPENDING_UNIT_CREATED"
    SIGNED_IN = "SIGNED_IN"
    SIGN_IN_FAILED = "SIGN_IN_FAILED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    SIGNED_OUT = "SIGNED_OUT"
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"
    # Purchase requests, approvals and orders: one per state change or decision.
    PURCHASE_REQUEST_CREATED = "PURCHASE_REQUEST_CREATED"
    PURCHASE_REQUEST_UPDATED = "PURCHASE_REQUEST_UPDATED"
    PURCHASE_REQUEST_SUBMITTED = "PURCHASE_REQUEST_SUBMITTED"
    PURCHASE_REQUEST_IN_APPROVAL = "PURCHASE_REQUEST_IN_APPROVAL"
    APPROVAL_STEP_APPROVED = "APPROVAL_STEP_APPROVED"
    PURCHASE_REQUEST_APPROVED = "PURCHASE_REQUEST_APPROVED"
    PURCHASE_REQUEST_REJECTED = "PURCHASE_REQUEST_REJECTED"
    PURCHASE_REQUEST_RETURNED = "PURCHASE_REQUEST_RETURNED"
    PURCHASE_REQUEST_CANCELLED = "PURCHASE_REQUEST_CANCELLED"
    PURCHASE_REQUEST_ORDERED = "PURCHASE_REQUEST_ORDERED"
    APPROVAL_POLICY_SET = "APPROVAL_POLICY_SET"
    DELEGATION_CREATED = "DELEGATION_CREATED"
    ORDER_PLACED = "ORDER_PLACED"
    ORDER_CONFIRMED = "ORDER_CONFIRMED"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    # Delivery addresses and budget lines (ödenek), set by INSTITUTION_ADMIN.
    ADDRESS_CREATED = "ADDRESS_CREATED"
    BUDGET_LINE_CREATED = "BUDGET_LINE_CREATED"


class Unauthenticated(DomainError):
    """Sign-in failed; one code and message whatever the reason, so nothing is revealed."""

    code = "INVALID_CREDENTIALS"


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Forbidden(DomainError):
    code = "FORBIDDEN"


SIGN_IN_FAILED_MESSAGE = "The username, password or code is wrong."


@dataclass(frozen=True)
class Actor:
    """The signed-in user a request acts for, as loaded for this request."""

    user_id: UUID
    username: str
    roles: frozenset[Role]
    institution_id: UUID | None
    unit_id: UUID | None = None

    @property
    def is_dmo_staff(self) -> bool:
        return self.institution_id is None

    def has_any(self, roles: frozenset[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


# --- Institutions -------------------------------------------------------------------------

NAME_MAX = 200


def check_vkn(vkn: str, *, field: str = "vkn") -> str:
    """A Vergi Kimlik Numarası: 10 digits, the last a check digit over the first nine (GİB)."""
    value = vkn.strip()
    if not re.fullmatch(r"[0-9]{10}", value):
        raise InvalidInput("A VKN is exactly 10 digits.", field=field)
    if vkn_check_digit(value[:9]) != int(value[9]):
        raise InvalidInput("This VKN's check digit is wrong; check the number.", field=field)
    return value


def vkn_check_digit(first_nine: str) -> int:
    total = 0
    for i, char in enumerate(first_nine, start=1):
        shifted = (int(char) + 10 - i) % 10
        # 9 stays 9: (9 * 2^k) mod 9 would make it 0, which the algorithm does not allow.
        total += 9 if shifted == 9 else (shifted * 2 ** (10 - i)) % 9
    return (10 - total % 10) % 10


def check_name(name: str, *, field: str, limit: int = NAME_MAX) -> str:
    value = " ".join(name.split())
    if not value:
        raise InvalidInput("A name is required.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=field)
    text.check_printable(value, field=field)
    return value


def check_province(code: int, *, field: str = "provinceCode") -> int:
    if code not in geo.PROVINCES:
        raise InvalidInput("Unknown province: use the plate code, 1 to 81.", field=field)
    return code


# --- Users ------------------------------------------------------------------------------------

USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,31}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
PASSWORD_MIN = 12
PASSWORD_MAX = 256  # Argon2 hashes anything, but an unbounded input is a denial of service.


def normalise_username(username: str) -> str:
    # Sign-in and uniqueness compare lower-cased, NFKC-normalised names ("Ayse" == "ayse").
    return unicodedata.normalize("NFKC", username).strip().lower()[:64]


def check_username(username: str, *, field: str = "username") -> str:
    value = normalise_username(username)
    if not USERNAME.fullmatch(value):
        raise InvalidInput(
            "3 to 32 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter.",
            field=field,
        )
    return value


def check_email(email: str, *, field: str = "email") -> str:
    value = email.strip()
    if len(value) > 254 or not EMAIL.fullmatch(value):
        raise InvalidInput("Not an e-mail address.", field=field)
    return value


def check_password(password: str, username: str, *, field: str = "password") -> str:
    """Length and username rules (NIST SP 800-63B); guessability is checked by the service."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(f"A password has at least {PASSWORD_MIN} characters.", field=field)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(f"A password has at most {PASSWORD_MAX} characters.", field=field)
    # The whole password is searched: normalise_username() cuts at 64 characters.
    name = normalise_username(username)
    if name and name in unicodedata.normalize("NFKC", password).lower():
        raise InvalidInput("A password must not contain the username.", field=field)
    return password


def check_roles(roles: list[Role], *, institution: bool, field: str = "roles") -> frozenset[Role]:
    """Institution users hold institution roles only; DMO staff hold DMO roles only."""
    if not roles:
        raise InvalidInput("At least one role is required.", field=field)
    allowed = INSTITUTION_ROLES if institution else DMO_ROLES
    for index, role in enumerate(roles):
        if role not in allowed:
            side = "an institution" if institution else "DMO staff"
            raise InvalidInput(f"{role} is not a role for {side}.", field=f"{field}.{index}")
    return frozenset(roles)


# --- Sign-in policy ---------------------------------------------------------------------------

LOCK_AFTER_FAILURES = 10
LOCK_DURATION = timedelta(minutes=15)
FREE_FAILURES = 3  # the first failures cost nothing: people mistype
MAX_DELAY = timedelta(minutes=5)
MAX_DELAY_EXPONENT = 9  # 2**9 s is past MAX_DELAY already
ADDRESS_FREE_FAILURES = 20  # one office behind one NAT address: be more patient per address
ADDRESS_WINDOW = timedelta(minutes=15)


def failure_delay(consecutive_failures: int, *, free: int = FREE_FAILURES) -> timedelta:
    """How long after the last failure the next attempt must wait: 1 s, 2 s, 4 s, ... 5 min."""
    if consecutive_failures < free:
        return timedelta(0)
    # Capped before the power: a burst of failures from one address must not overflow timedelta.
    exponent = min(consecutive_failures - free, MAX_DELAY_EXPONENT)
    return min(timedelta(seconds=2**exponent), MAX_DELAY)


def sign_in_wait(
    *,
    username_failures: int,
    last_username_failure: datetime | None,
    address_failures: int,
    last_address_failure: datetime | None,
    now: datetime,
) -> timedelta:
    """Time left before a sign-in may be tried (zero: go ahead). Locks after 10 failures."""
    waits = [timedelta(0)]
    if last_username_failure is not None:
        delay = (
            LOCK_DURATION
            if username_failures >= LOCK_AFTER_FAILURES
            else failure_delay(username_failures)
        )
        waits.append(last_username_failure + delay - now)
    if last_address_failure is not None:
        delay = failure_delay(address_failures, free=ADDRESS_FREE_FAILURES)
        waits.append(last_address_failure + delay - now)
    return max(waits)


# --- Tokens ------------------------------------------------------------------------------------

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=14)
INVITATION_LIFETIME = timedelta(days=7)
TOTP_STEP_SECONDS = 30


def totp_step_accepted(step: int, last_used_step: int | None) -> bool:
    """A code is good once: a step at or before the last one used is a replay (RFC 6238 5.2)."""
    return last_used_step is None or step > last_used_step
