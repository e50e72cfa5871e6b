"""Development demo purchasing data (db/demo/purchasing.json), made through the real services:
addresses, budget lines, approval chains, delegations, carts, and requests in every state."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from db.demo import loader
from db.models import (
    Address,
    ApprovalPolicy,
    BudgetLine,
    CartLine,
    Delegation,
    Institution,
    Order,
    Product,
    PurchaseRequest,
    User,
)
from domain.accounts import Actor, Role
from domain.approvals import ApprovalStep, Decision
from domain.errors import DomainError
from domain.purchase_requests import RequestStatus
from services import (
    accounts,
    addresses,
    approvals,
    budgets,
    cart,
    decisions,
    institutions,
    orders,
    purchase_requests,
)
from services.local_time import TURKIYE, today_in_turkiye

log = logging.getLogger(__name__)
PURCHASING = Path(loader.__file__).with_name("purchasing.json")
# A row in any of these means someone already works with purchasing: the demo keeps out.
TABLES: tuple[type[Model], ...] = (
    Address,
    BudgetLine,
    ApprovalPolicy,
    Delegation,
    CartLine,
    PurchaseRequest,
    Order,
)
HISTORY_SPAN = timedelta(days=30)  # the demo history reaches this far back at most
_AGO = re.compile(r"(?:([0-9]+)d)?\s*(?:([0-9]+)h)?\s*(?:([0-9]+)m)?")
_DECISIONS = {"approve": Decision.APPROVE, "reject": Decision.REJECT, "return": Decision.RETURN}


class DemoDrift(Exception):
    """The demo file no longer fits the services or the data (a step refused, a wrong end)."""


@dataclass
class _Demo:
    now: datetime
    people: dict[str, Actor]
    products: dict[str, str]  # SKU -> product id
    made: Counter[str] = field(default_factory=Counter)

    def at(self, ago: str) -> datetime:
        """`now` minus "9d 5h 30m" (days, hours, minutes)."""
        match = _AGO.fullmatch(ago.strip())
        if match is None or not any(match.groups()):
            raise DemoDrift(f"unreadable time {ago!r}")
        days, hours, minutes = (int(part or 0) for part in match.groups())
        ago_delta = timedelta(days=days, hours=hours, minutes=minutes)
        if ago_delta > HISTORY_SPAN:
            raise DemoDrift(f"{ago!r} is further back than {HISTORY_SPAN.days} days")
        # Early in January the history is squeezed into the days since New Year, in order:
        # requests are charged to this fiscal year's budget lines (domain.budgets).
        year_start = datetime(self.now.astimezone(TURKIYE).year, 1, 1, tzinfo=TURKIYE)
        squeeze = min(1.0, (self.now - year_start) / HISTORY_SPAN)
        return self.now - ago_delta * squeeze

    def day(self, offset: int) -> date:
        """Today's date in Türkiye plus `offset` days (past days kept within this year, like
        the times of `at`)."""
        today = today_in_turkiye(self.now)
        return max(today + timedelta(days=offset), date(today.year, 1, 1))


async def load_if_empty(*, now: datetime, path: Path = PURCHASING) -> str | None:
    """Load the demo purchasing data when no purchasing table holds a row and the demo
    accounts and products are there; say what was made, else None. All or nothing."""
    for model in TABLES:
        if await model.exists():
            return None
    document = await asyncio.to_thread(_read, path)
    demo = await _prepare(document, now)
    if demo is None:
        return None
    try:
        await load(document, demo)
    except DemoDrift as error:
        # Development only: a database whose catalogue or accounts were changed by hand should
        # still start; the demo tests keep the shipped file and the services in step.
        log.warning("demo purchasing data not loaded: %s", error)
        return None
    made = demo.made
    return (
        f"{made['address']} addresses, {made['budget line']} budget lines,"
        f" {made['policy']} approval policies, {made['delegation']} delegations,"
        f" {made['cart']} carts, {made['request']} purchase requests, {made['order']} orders"
    )


def _read(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


async def _prepare(document: dict[str, Any], now: datetime) -> _Demo | None:
    """The demo people and products the file names, or None (logged) when any is missing."""
    names, skus = _names(document)
    users = await User.filter(username__in=sorted(names), active=True)
    roles = await accounts.roles_by_user([user.id for user in users])
    people = {
        user.username: Actor(
            user_id=user.id,
            username=user.username,
            roles=roles.get(user.id, frozenset()),
            institution_id=user.institution_id,  # type: ignore[attr-defined]
            unit_id=user.unit_id,  # type: ignore[attr-defined]
        )
        for user in users
    }
    rows = await Product.filter(sku__in=sorted(skus), active=True).values_list("sku", "id")
    products = {str(sku): str(product_id) for sku, product_id in rows}
    missing = sorted(names - people.keys()) + sorted(skus - products.keys())
    if missing:
        log.info("demo purchasing data skipped: no %s", ", ".join(missing[:5]))
        return None
    return _Demo(now, people, products)


def _names(document: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The usernames and SKUs the file refers to."""
    names: set[str] = set()
    skus: set[str] = set()
    for item in document["institutions"]:
        names.add(item["admin"])
        names.update(d[key] for d in item["delegations"] for key in ("from", "to"))
        for thing in item["requests"] + item["carts"]:
            names.add(thing["buyer"])
            skus.update(line["sku"] for line in thing["lines"])
        for request in item["requests"]:
            for step in request["steps"]:
                names.update([step["by"]] if "by" in step else [])
                skus.update(line["sku"] for line in step.get("lines", ()))
    return names, skus


async def load(document: dict[str, Any], demo: _Demo) -> None:
    """Everything in one transaction (the services' own transactions nest in it as savepoints),
    so a refused step leaves nothing behind and the next start tries again."""
    async with in_transaction():
        for item in document["institutions"]:
            await _institution(item, demo)


async def _institution(item: dict[str, Any], demo: _Demo) -> None:
    admin = demo.people[item["admin"]]
    institution = await Institution.get_or_none(vkn=item["vkn"])
    if institution is None or institution.id != admin.institution_id:
        raise DemoDrift(f"{item['admin']} is not of the institution with VKN {item['vkn']}")
    try:
        refs = await _setup(item, admin, demo)
        for d in item["delegations"]:
            await _delegation(d, demo)
        for request in item["requests"]:
            await _request(request, refs, demo)
        for basket in item["carts"]:
            buyer = demo.people[basket["buyer"]]
            await cart.add_lines(_adds(basket["lines"], demo), actor=buyer, now=demo.now)
            demo.made["cart"] += 1
    except DomainError as error:
        raise DemoDrift(f"{item['admin']}: {error.code} {error.field}: {error.message}") from error


async def _setup(item: dict[str, Any], admin: Actor, demo: _Demo) -> dict[str, dict[str, str]]:
    """The administrator's part: addresses, budget lines of this fiscal year, the chain.
    Returns the ids of units, addresses and budget lines by the file's names for them."""
    setup = demo.at(item["setup"])
    page = await institutions.list_spending_units(actor=admin, after=None, size=100)
    units = {unit.name: str(unit.id) for unit in page.rows}
    refs: dict[str, dict[str, str]] = {"unit": units, "address": {}, "budget_line": {}}
    for a in item["addresses"]:
        address = await addresses.create(
            a["label"],
            a["province_code"],
            a["district"],
            a["line"],
            a["postal_code"],
            actor=admin,
            now=setup,
        )
        refs["address"][a["key"]] = str(address.id)
        demo.made["address"] += 1
    year = today_in_turkiye(demo.now).year
    for b in item["budget_lines"]:
        appropriation = Decimal(b["appropriation"])
        line = await budgets.create(
            units[b["unit"]],
            year,
            b["economic_code"],
            b["name"],
            appropriation,
            actor=admin,
            now=setup,
        )
        refs["budget_line"][b["key"]] = str(line.id)
        demo.made["budget line"] += 1
    await _policy(item["policy"], units, admin, setup)
    demo.made["policy"] += 1
    return refs


async def _policy(
    policy: dict[str, Any], units: dict[str, str], admin: Actor, now: datetime
) -> None:
    steps = [
        ApprovalStep(Role(s["role"]), None if s["min_gross"] is None else Decimal(s["min_gross"]))
        for s in policy["steps"]
    ]
    unit_id = units[policy["unit"]] if policy["unit"] else None
    await approvals.set_policy(unit_id, steps, actor=admin, now=now)


async def _delegation(item: dict[str, Any], demo: _Demo) -> None:
    await approvals.create_delegation(
        str(demo.people[item["to"]].user_id),
        Role(item["role"]),
        demo.day(item["starts"]),
        demo.day(item["ends"]),
        actor=demo.people[item["from"]],
        now=demo.at(item["created"]),
    )
    demo.made["delegation"] += 1


def _adds(lines: list[dict[str, Any]], demo: _Demo) -> list[cart.LineAdd]:
    return [cart.LineAdd(demo.products[line["sku"]], line["quantity"]) for line in lines]


async def _request(item: dict[str, Any], refs: dict[str, dict[str, str]], demo: _Demo) -> None:
    """Fill the buyer's cart, make the request from it, then take its steps in order."""
    buyer = demo.people[item["buyer"]]
    made_at = demo.at(item["created"])
    await cart.add_lines(_adds(item["lines"], demo), actor=buyer, now=made_at)
    days = item.get("requested_in_days")
    draft = purchase_requests.RequestDraft(
        unit_id=refs["unit"][item["unit"]],
        budget_line_id=refs["budget_line"][item["budget_line"]],
        address_id=refs["address"][item["address"]],
        justification=item["justification"],
        requested_delivery_date=None if days is None else demo.day(days),
    )
    request = await purchase_requests.create(draft, actor=buyer, now=made_at)
    demo.made["request"] += 1
    request_id = str(request.id)
    for step in item["steps"]:
        await _step(step, request_id, buyer, demo)
    found = await purchase_requests.get(request_id, actor=buyer)
    if found.status != RequestStatus(item["status"]):
        raise DemoDrift(f"request {item['key']} ended {found.status}, not {item['status']}")


async def _step(step: dict[str, Any], request_id: str, buyer: Actor, demo: _Demo) -> None:
    action, at = step["do"], demo.at(step["ago"])
    if action == "submit":
        await purchase_requests.submit(request_id, actor=buyer, now=at)
    elif action == "cancel":
        await purchase_requests.cancel(request_id, actor=buyer, now=at)
    elif action == "update":
        lines = (await purchase_requests.lines_by_requests([request_id]))[request_id]
        by_product = {str(line.product_id): str(line.id) for line in lines}  # type: ignore[attr-defined]
        changes = tuple(
            purchase_requests.LineChange(by_product[demo.products[c["sku"]]], c["quantity"])
            for c in step["lines"]
        )
        changed = purchase_requests.RequestChanges(lines=changes)
        await purchase_requests.update(request_id, changed, actor=buyer, now=at)
    elif action == "confirm":
        order = (await orders.orders_by_requests([request_id]))[request_id]
        await orders.confirm(str(order.id), actor=demo.people[step["by"]], now=at)
    elif action in _DECISIONS:
        decided = await decisions.decide(
            request_id, _DECISIONS[action], step.get("note"), actor=demo.people[step["by"]], now=at
        )
        demo.made["order"] += decided.order is not None
    else:
        raise DemoDrift(f"unknown step {action!r}")
