"""A small procurement world for service tests: two institutions, their officials, a budget
line, an address, products and carts, built directly from the models."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from db import catalogue_store, category_store
from db.models import (
    Address,
    ApprovalAction,
    AuditEvent,
    BudgetLine,
    Cart,
    CartLine,
    Institution,
    Order,
    Product,
    PurchaseRequest,
    PurchaseRequestLine,
    SpendingUnit,
    User,
    UserRole,
)
from domain.accounts import Actor, InstitutionType, Role
from domain.catalogue import ProductDraft, Unit
from domain.errors import DomainError
from domain.imports import CategoryRow
from services import budgets
from services.purchase_requests import RequestDraft

# A Monday morning in Ankara (06:00 UTC is 09:00 in Türkiye).
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def draft(
    sku: str, name: str, price: str, *, stock: int, lead: int = 2, kdv: int = 20
) -> ProductDraft:
    return ProductDraft(
        sku=sku,
        name=name,
        description=f"{name} açıklaması.",
        category_code="39831200-8",
        brand=None,
        supplier="Test Tedarik A.Ş.",
        unit=Unit.PIECE,
        price_net=Decimal(price),
        kdv_rate=kdv,
        stock=stock,
        lead_time_days=lead,
    )


PRODUCTS = {
    "cleaner": draft("S-C1", "Çay Bardağı Temizleyici", "1.66", stock=500),
    "paper": draft("S-P1", "Fotokopi Kağıdı A4", "120.00", stock=10, lead=3),
    "toner": draft("S-T1", "Yazıcı Toneri", "950.50", stock=2, lead=5, kdv=20),
    "bread": draft("S-B1", "Ekmek", "10.00", stock=50, lead=1, kdv=1),
}


@dataclass
class Side:
    """One institution's people (as Actors), unit, budget line and address."""

    institution: Institution
    unit: SpendingUnit
    other_unit: SpendingUnit
    line: BudgetLine
    address: Address
    people: dict[str, Actor] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Actor:
        return self.people[name]


@dataclass
class World:
    hastane: Side
    belediye: Side
    desk: Actor
    catalogue_manager: Actor
    products: dict[str, Product]


ROLES = {
    "alici": [Role.BUYER],
    "alici2": [Role.BUYER],
    "gerceklestirme": [Role.REALISATION_OFFICER],
    "gerceklestirme2": [Role.REALISATION_OFFICER],
    "harcama": [Role.SPENDING_AUTHORITY],
    "harcama2": [Role.SPENDING_AUTHORITY],
    "ikisi": [Role.REALISATION_OFFICER, Role.SPENDING_AUTHORITY],
    "admin": [Role.INSTITUTION_ADMIN],
    "muayene": [Role.INSPECTOR],
    "muhasebe": [Role.INSTITUTION_ACCOUNTANT],
}


async def person(
    username: str, roles: list[Role], institution: Institution | None, unit: SpendingUnit | None
) -> Actor:
    user = await User.create(
        username=username,
        display_name=username.title(),
        email=f"{username}@example.org",
        institution=institution,
        unit=unit,
        password_hash="x",
        totp_secret="x",
        created_at=NOW,
    )
    for role in roles:
        await UserRole.create(user=user, role=role)
    return Actor(
        user_id=user.id,
        username=username,
        roles=frozenset(roles),
        institution_id=institution.id if institution else None,
        unit_id=unit.id if unit else None,
    )


async def side(prefix: str, vkn: str, appropriation: str) -> Side:
    institution = await Institution.create(
        name=f"{prefix.title()} Kurumu",
        type=InstitutionType.HOSPITAL,
        vkn=vkn,
        province_code=6,
        created_at=NOW,
    )
    unit = await SpendingUnit.create(institution=institution, name="Satın Alma", created_at=NOW)
    other = await SpendingUnit.create(institution=institution, name="Bilgi İşlem", created_at=NOW)
    line = await budget_line(institution, unit, appropriation)
    address = await Address.create(
        institution=institution,
        label="Ana depo",
        province_code=6,
        district="Çankaya",
        line="Üniversiteler Mah. 1604. Cad. No: 9",
        created_at=NOW,
    )
    found = Side(institution, unit, other, line, address)
    for name, roles in ROLES.items():
        found.people[name] = await person(f"{prefix}.{name}", roles, institution, unit)
    return found


async def budget_line(
    institution: Institution, unit: SpendingUnit, appropriation: str, code: str = "03.2.1.01"
) -> BudgetLine:
    kurus = budgets.to_kurus(Decimal(appropriation))
    return await BudgetLine.create(
        institution=institution,
        unit=unit,
        fiscal_year=2026,
        economic_code=code,
        name="Temizlik malzemesi alımları",
        appropriation_kurus=kurus,
        available_kurus=kurus,
        created_at=NOW,
    )


async def build(appropriation: str = "100000.00") -> World:
    await category_store.upsert_categories([CategoryRow("39831200-8", "Detergents")])
    await catalogue_store.upsert_products(list(PRODUCTS.values()), source="test")
    by_sku = {p.sku: p for p in await Product.all()}
    products = {key: by_sku[d.sku] for key, d in PRODUCTS.items()}
    return World(
        hastane=await side("hastane", "4740132157", appropriation),
        belediye=await side("belediye", "7350286495", appropriation),
        desk=await person("dmo.siparis", [Role.ORDER_DESK], None, None),
        catalogue_manager=await person("dmo.katalog", [Role.CATALOGUE_MANAGER], None, None),
        products=products,
    )


async def fill_cart(actor: Actor, items: dict[Product, int]) -> None:
    cart, _ = await Cart.get_or_create(
        user_id=actor.user_id,
        defaults={"institution_id": actor.institution_id, "updated_at": NOW},
    )
    for index, (product, quantity) in enumerate(items.items()):
        await CartLine.create(
            cart=cart,
            product=product,
            quantity=quantity,
            added_unit_price=product.price_net,
            added_at=NOW + timedelta(seconds=index),  # the cart keeps the order of adding
        )


def unknown() -> str:
    return str(uuid.uuid4())


def draft_for(side: Side, **overrides: Any) -> RequestDraft:
    values: dict[str, Any] = {
        "unit_id": str(side.unit.id),
        "budget_line_id": str(side.line.id),
        "address_id": str(side.address.id),
        "justification": "  Servis mutfakları için temizlik malzemesi.  ",
        "requested_delivery_date": date(2026, 3, 20),
    }
    values.update(overrides)
    return RequestDraft(**values)


async def refused(call: Awaitable[Any]) -> tuple[str, str | None, str]:
    with pytest.raises(DomainError) as caught:
        await call
    return caught.value.code, caught.value.field, caught.value.message


async def snapshot() -> dict[str, Any]:
    """Everything a refused action must leave as it was."""
    return {
        "requests": sorted(
            await PurchaseRequest.all().values_list(
                "id", "status", "version", "round", "current_step", "awaiting_role", "gross"
            )
        ),
        "lines": sorted(
            await PurchaseRequestLine.all().values_list("id", "quantity", "unit_price", "gross")
        ),
        "actions": await ApprovalAction.all().count(),
        "orders": await Order.all().count(),
        "audit": await AuditEvent.all().count(),
        "cart": sorted(await CartLine.all().values_list("id", "quantity")),
        "stock": sorted(await Product.all().values_list("sku", "stock")),
        "budget": sorted(
            await BudgetLine.all().values_list("id", "reserved_kurus", "available_kurus")
        ),
    }
