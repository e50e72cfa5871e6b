"""Development demo data: the catalogue (db/demo), the demo institutions and accounts, and
their purchasing (services/demo_purchasing.py)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from db.demo import loader
from db.models import Institution, SpendingUnit, User, UserRole
from domain.accounts import InstitutionType, Role
from services import credentials, demo_purchasing
from services.keyring import Keyring

ACCOUNTS = Path(loader.__file__).with_name("accounts.json")


def demo_accounts(path: Path = ACCOUNTS) -> dict[str, Any]:
    """The demo accounts document: one password, and each user's roles and TOTP secret."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def demo_users_listing(path: Path = ACCOUNTS) -> list[dict[str, Any]]:
    """`esatis demo-users --json`: {username, password, totp_secret, roles, institution}."""
    document = demo_accounts(path)
    names = {i["vkn"]: i["name"] for i in document["institutions"]}
    return [
        {
            "username": user["username"],
            "password": document["password"],
            "totp_secret": user["totp_secret"],
            "roles": user["roles"],
            "institution": names.get(user["institution"]),
        }
        for user in document["users"]
    ]


async def load_if_empty(*, keys: Keyring, now: datetime) -> list[str]:
    """Load what is missing: the catalogue into an empty catalogue, accounts into no users, and
    purchasing (made by the demo accounts from the demo catalogue) into empty purchasing tables."""
    loaded = []
    catalogue = await loader.load_if_empty()
    if catalogue:
        loaded.append(catalogue)
    if not await User.exists():
        loaded.append(await load_accounts(keys=keys, now=now))
    purchasing = await demo_purchasing.load_if_empty(now=now)
    if purchasing:
        loaded.append(purchasing)
    return loaded


async def load_accounts(*, keys: Keyring, now: datetime) -> str:
    document = await asyncio.to_thread(demo_accounts)
    # One hash for the one demo password: Argon2 is slow on purpose.
    password_hash = await credentials.hash_password(document["password"])
    async with in_transaction() as conn:
        institutions: dict[str, Institution] = {}
        units: dict[tuple[str, str], SpendingUnit] = {}
        for item in document["institutions"]:
            institution = await Institution.create(
                name=item["name"],
                type=InstitutionType(item["type"]),
                vkn=item["vkn"],
                province_code=item["province_code"],
                created_at=now,
                using_db=conn,
            )
            institutions[item["vkn"]] = institution
            for name in item["units"]:
                units[(item["vkn"], name)] = await SpendingUnit.create(
                    institution=institution, name=name, created_at=now, using_db=conn
                )
        for item in document["users"]:
            vkn = item["institution"]
            user = await User.create(
                username=item["username"],
                display_name=item["display_name"],
                email=item["email"],
                institution=institutions[vkn] if vkn else None,
                unit=units[(vkn, item["unit"])] if item["unit"] else None,
                password_hash=password_hash,
                totp_secret=keys.encrypt(item["totp_secret"]),
                totp_enrolled_at=now,
                created_at=now,
                using_db=conn,
            )
            for role in item["roles"]:
                await UserRole.create(user=user, role=Role(role), using_db=conn)
    return (
        f"{len(document['institutions'])} demo institutions, {len(units)} spending units, "
        f"{len(document['users'])} demo users"
    )
