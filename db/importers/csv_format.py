"""The portal's own product CSV (documented in docs/importing.md) parsed into product drafts."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from db.importers import fields
from db.importers.fields import RowError
from domain import cpv, money
from domain.catalogue import ProductDraft, SpecKind, SpecValue
from domain.imports import ImportFailed, RowResult, SkippedRow

COLUMNS = (
    "sku",
    "name",
    "description",
    "category_code",
    "brand",
    "supplier",
    "unit",
    "price_net",
    "kdv_rate",
    "stock",
    "min_order_quantity",
    "lead_time_days",
    "warranty_months",
    "specifications",
)
OPTIONAL_COLUMNS = ("images", "active", "price_valid_from", "price_valid_until")
REQUIRED = frozenset(COLUMNS)


def parse(text: str, *, rate: Decimal | None = None) -> Iterator[RowResult]:
    """One result per data row (row = line in the file); prices are TRY, `rate` must be unset."""
    if rate is not None:
        raise ImportFailed("the portal CSV format has prices in TRY: --rate does not apply")
    what = "a product CSV in the portal's format"
    rows = fields.csv_rows(text, REQUIRED, what, frozenset(OPTIONAL_COLUMNS), sku_column="sku")
    for row in rows:
        if isinstance(row, SkippedRow):
            yield row
            continue
        line, record = row
        sku = record["sku"].strip()
        try:
            yield fields.checked(line, _draft(record))
        except RowError as exc:
            yield SkippedRow(line, sku or None, str(exc))


def _draft(record: Mapping[str, str]) -> ProductDraft:
    supplier = record["supplier"].strip()
    if not supplier:
        raise RowError("supplier is missing")
    try:
        price = money.parse_amount(record["price_net"])
    except ValueError as exc:
        raise RowError(f'price_net "{record["price_net"]}": {exc} (write 1234.56)') from None
    return ProductDraft(
        sku=record["sku"].strip(),
        name=record["name"].strip(),
        description=record["description"].strip(),
        category_code=_category(record["category_code"]),
        brand=record["brand"].strip() or None,
        supplier=supplier,
        unit=fields.unit(record["unit"]),
        price_net=price,
        kdv_rate=fields.whole(record["kdv_rate"], "kdv_rate"),
        stock=fields.whole(record["stock"], "stock"),
        min_order_quantity=fields.whole(record["min_order_quantity"], "min_order_quantity", 1),
        lead_time_days=fields.whole(record["lead_time_days"], "lead_time_days", 5),
        warranty_months=fields.whole(record["warranty_months"], "warranty_months", 0),
        images=tuple(url.strip() for url in record.get("images", "").split("|") if url.strip()),
        active=fields.boolean(record.get("active", ""), "active") is not False,
        price_valid_from=_date(record.get("price_valid_from", ""), "price_valid_from"),
        price_valid_until=_date(record.get("price_valid_until", ""), "price_valid_until"),
        specifications=specifications(record["specifications"]),
    )


def _category(raw: str) -> str:
    try:
        digits, check = cpv.parse(raw)
    except ValueError:
        raise RowError(f'category_code "{raw}" is not a CPV code such as 30213100-6') from None
    return f"{digits}-{check}" if check else digits


def _date(raw: str, column: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise RowError(f'{column} "{raw}" is not a date such as 2026-12-31') from None


def specifications(raw: str) -> tuple[SpecValue, ...]:
    """The specifications cell: a JSON list of {"slug", "name", "value", "unit"?} objects."""
    if not raw.strip():
        return ()
    try:
        items = json.loads(raw, parse_float=Decimal)
    except json.JSONDecodeError:
        raise RowError("specifications is not valid JSON") from None
    if not isinstance(items, list):
        raise RowError("specifications must be a JSON list of objects")
    return tuple(_spec(index, item) for index, item in enumerate(items, start=1))


def _spec(index: int, item: Any) -> SpecValue:
    if not isinstance(item, Mapping) or not isinstance(item.get("slug"), str):
        raise RowError(f"specification {index} needs a slug, a name and a value")
    slug, value = item["slug"].strip(), item.get("value")
    raw_name, raw_unit = item.get("name"), item.get("unit")
    name = raw_name if isinstance(raw_name, str) else slug
    unit = raw_unit if isinstance(raw_unit, str) else None
    # The JSON type decides the kind: true/false, a number, or text.
    if isinstance(value, bool):
        return SpecValue(slug, name, SpecKind.BOOLEAN, boolean=value, unit=unit)
    if isinstance(value, int | Decimal):
        return SpecValue(slug, name, SpecKind.NUMBER, number=Decimal(value), unit=unit)
    if isinstance(value, str) and value.strip():
        return SpecValue(slug, name, SpecKind.TEXT, text=value.strip(), unit=unit)
    raise RowError(f'specification "{slug}" has no value')
