"""The demo accounts: loaded once, as the README lists them, and able to sign in."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from db.models import Institution, SpendingUnit, User, UserRole
from domain import accounts as rules
from domain.accounts import Role
from services import credentials, demo, sessions
from services.keyring import Keyring

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_the_readme_lists_every_demo_account() -> None:
    text = README.read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `([a-z.]+)` \| ([A-Z_, ]+) \| ([^|]+) \| `([A-Z2-7]{32})` \|$", text, re.M
    )
    listed = [
        {
            "username": u["username"],
            "roles": ", ".join(u["roles"]),
            "institution": u["institution"] or "(DMO staff)",
            "totp_secret": u["totp_secret"],
        }
        for u in demo.demo_users_listing()
    ]
    assert [
        {"username": a, "roles": b, "institution": c.strip(), "totp_secret": d}
        for a, b, c, d in rows
    ] == listed
    password = demo.demo_accounts()["password"]
    assert f"**`{password}`**" in text


def test_demo_accounts_cover_every_role_and_obey_the_rules() -> None:
    users = demo.demo_users_listing()
    assert {role for u in users for role in u["roles"]} == {r.value for r in Role}
    for user in users:
        rules.check_username(user["username"])
        rules.check_password(user["password"], user["username"])
        assert not credentials.is_guessable(user["password"], user["username"])
    for institution in demo.demo_accounts()["institutions"]:
        rules.check_vkn(institution["vkn"])
        rules.check_province(institution["province_code"])


async def test_loaded_once_and_each_account_signs_in(db: str) -> None:
    keys = Keyring.generate()
    assert await demo.load_accounts(keys=keys, now=NOW) == (
        "2 demo institutions, 4 spending units, 17 demo users"
    )
    assert (await Institution.all().count(), await SpendingUnit.all().count()) == (2, 4)
    assert await UserRole.all().count() == 17
    listing = {u["username"]: u for u in demo.demo_users_listing()}
    for username, user in listing.items():
        code = credentials.totp_code(user["totp_secret"], NOW)
        pair = await sessions.sign_in(
            username, user["password"], code, client_address="192.0.2.1", keys=keys, now=NOW
        )
        assert pair.user.username == username
        assert await sessions.roles_of(pair.user.id) == frozenset(Role(r) for r in user["roles"])
    # A second start finds the accounts there, loads the catalogue and the purchasing demo
    # (tests/services/test_demo_purchasing.py), and a third adds nothing.
    loaded = await demo.load_if_empty(keys=keys, now=NOW)
    assert [text.split(" ", 1)[1].split(",")[0] for text in loaded] == [
        "products in 74 categories",
        "addresses",
    ]
    assert await demo.load_if_empty(keys=keys, now=NOW) == []
    assert await User.all().count() == 17
