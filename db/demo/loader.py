"""Loads the demo catalogue (db/demo/catalogue.json) into an empty database through the store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from db import catalogue_store
from db.models import Product
from domain.catalogue import ProductDraft, SpecKind, SpecValue, Unit
from domain.imports import CategoryRow, ImportFailed

CATALOGUE = Path(__file__).with_name("catalogue.json")
SOURCE = "demo"


async def load_if_empty(path: Path | None = None) -> str | None:
    """Load the demo catalogue when there is no product yet; say what was loaded, else None."""
    if await Product.exists():
        return None
    document = await asyncio.to_thread(_read, path or CATALOGUE)
    try:
        categories = [
            CategoryRow(c["code"], c["name_en"], c.get("name_tr")) for c in document["categories"]
        ]
        suppliers = {s["slug"]: s["name"] for s in document.get("suppliers", ())}
        drafts = _drafts(document, suppliers)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ImportFailed(f"the demo catalogue is malformed: {exc!r}") from None
    async with in_transaction():
        tree = await catalogue_store.upsert_categories(categories)
        await catalogue_store.ensure_suppliers(suppliers)
        result = await catalogue_store.upsert_products(drafts, source=SOURCE)
        refused = tree.skipped + result.skipped
        if refused:
            # The demo file is ours: a row it cannot store is a bug in the file, not user input.
            reasons = "; ".join(f"{row.sku}: {row.reason}" for row in refused)
            raise ImportFailed(f"demo catalogue rows were refused: {reasons}")
    used = {draft.category_code for draft in drafts}
    return f"{result.created} products in {len(used)} categories"


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise ImportFailed(f"the demo catalogue {path.name} cannot be read: {exc}") from None
    if not isinstance(document, dict) or not {"categories", "products"} <= document.keys():
        raise ImportFailed(f"the demo catalogue {path.name} has no categories or products")
    return document


def _drafts(document: Mapping[str, Any], suppliers: Mapping[str, str]) -> list[ProductDraft]:
    attributes = {a["slug"]: a for a in document.get("attributes", ())}
    drafts: list[ProductDraft] = []
    for item in document["products"]:
        until = item.get("price_valid_until")
        drafts.append(
            ProductDraft(
                sku=item["sku"],
                name=item["name"],
                description=item.get("description", ""),
                category_code=item["category"],
                brand=item.get("brand") or None,
                supplier=suppliers.get(item["supplier"], item["supplier"]),
                unit=Unit(item.get("unit", Unit.PIECE)),
                price_net=Decimal(item["price_net"]),
                kdv_rate=int(item["kdv_rate"]),
                stock=int(item.get("stock", 0)),
                min_order_quantity=int(item.get("min_order_quantity", 1)),
                lead_time_days=int(item.get("lead_time_days", 5)),
                warranty_months=int(item.get("warranty_months", 0)),
                images=tuple(item.get("images", ())),
                price_valid_until=date.fromisoformat(until) if until else None,
                specifications=tuple(
                    _spec(attributes[spec["attribute"]], spec["value"])
                    for spec in item.get("specifications", ())
                ),
            )
        )
    return drafts


def _spec(attribute: Mapping[str, Any], value: Any) -> SpecValue:
    kind = SpecKind(attribute["kind"])
    spec = SpecValue(attribute["slug"], attribute["name"], kind, unit=attribute.get("unit") or None)
    if kind is SpecKind.NUMBER:
        return replace(spec, number=Decimal(str(value)))
    if kind is SpecKind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError(f"{attribute['slug']} needs true or false, not {value!r}")
        return replace(spec, boolean=value)
    return replace(spec, text=str(value))
