"""DummyJSON product catalogue (a JSON list, or {"products": [...]}) parsed into product drafts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeGuard

from db.importers import category_map
from db.importers.fields import UNKNOWN_SUPPLIER, RowError, checked
from domain import money
from domain.catalogue import ProductDraft, SpecKind, SpecValue, Unit
from domain.imports import ImportFailed, RowResult, SkippedRow

LIFETIME_WARRANTY_MONTHS = 120
DEFAULT_LEAD_TIME_DAYS = 5
_WARRANTY = re.compile(r"(\d+)\s*(year|month|week|day)s?", re.IGNORECASE)
_SHIPPING = re.compile(r"(\d+)(?:\s*-\s*(\d+))?\s*(business day|day|week|month)s?", re.IGNORECASE)
_DAYS_PER = {"business day": 1, "day": 1, "week": 7, "month": 30}
# (source key, slug, Turkish name, unit, factor): DummyJSON gives weight and dimensions without
# units; kg and cm are what its values look like. The catalogue keeps dimensions in mm (as the
# demo catalogue does: an attribute has one unit), so centimetres are multiplied by 10.
_MEASURES = (
    ("weight", "agirlik", "Ağırlık", "kg", 1),
    ("width", "genislik", "Genişlik", "mm", 10),
    ("height", "yukseklik", "Yükseklik", "mm", 10),
    ("depth", "derinlik", "Derinlik", "mm", 10),
)
_NO_CATEGORY = "(no category)"


def load(text: str) -> list[Any]:
    """The product list of a DummyJSON document; ImportFailed when the text is not one."""
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if isinstance(document, Mapping):
        document = document.get("products")
    if not isinstance(document, list) or not all(isinstance(p, Mapping) for p in document):
        raise ImportFailed(
            'not a DummyJSON product file: expected a list of products or {"products": [...]}'
        )
    if document and not any("title" in product for product in document):
        raise ImportFailed("not a DummyJSON product file: no product has a title")
    return document


def parse(text: str, *, rate: Decimal = Decimal(1)) -> Iterator[RowResult]:
    """One result per product (row = position in the list, from 1); prices USD -> TRY at rate."""
    for row, product in enumerate(load(text), start=1):
        sku = _text(product.get("sku")).strip()
        try:
            yield _row(row, product, rate)
        except RowError as exc:
            yield SkippedRow(row, sku or None, str(exc))


def _row(row: int, product: Mapping[str, Any], rate: Decimal) -> RowResult:
    source_category = _text(product.get("category")).strip() or _NO_CATEGORY
    mapping = category_map.lookup(source_category)
    target = mapping or category_map.OTHER
    brand = _text(product.get("brand")).strip()
    draft = ProductDraft(
        sku=_text(product.get("sku")).strip(),
        name=_text(product.get("title")).strip(),
        description=_text(product.get("description")).strip(),
        category_code=target.code,
        brand=brand or None,
        supplier=UNKNOWN_SUPPLIER,
        unit=Unit.PIECE,
        price_net=money.convert(_number(product.get("price"), "price"), rate),
        kdv_rate=target.kdv_rate,
        stock=_whole(product.get("stock"), "stock", 0),
        min_order_quantity=_whole(product.get("minimumOrderQuantity"), "minimumOrderQuantity", 1),
        lead_time_days=lead_time_days(_text(product.get("shippingInformation"))),
        warranty_months=warranty_months(_text(product.get("warrantyInformation"))),
        images=tuple(str(url) for url in product.get("images") or () if isinstance(url, str)),
        specifications=_specifications(product),
    )
    return checked(row, draft, None if mapping else source_category)


def warranty_months(text: str) -> int:
    """'2 year warranty' -> 24, 'Lifetime warranty' -> 120, 'No warranty' or '1 week' -> 0."""
    if "lifetime" in text.lower():
        return LIFETIME_WARRANTY_MONTHS
    match = _WARRANTY.search(text)
    if not match:
        return 0
    count, unit = int(match.group(1)), match.group(2).lower()
    # Warranties shorter than a month count as none: warranty_months is whole months.
    return count * 12 if unit == "year" else count if unit == "month" else 0


def lead_time_days(text: str) -> int:
    """'Ships in 3-5 business days' -> 5 (the upper bound), 'Ships overnight' -> 1; else 5."""
    if "overnight" in text.lower():
        return 1
    match = _SHIPPING.search(text)
    if not match:
        return DEFAULT_LEAD_TIME_DAYS
    count = int(match.group(2) or match.group(1))
    return count * _DAYS_PER[match.group(3).lower()]


def _specifications(product: Mapping[str, Any]) -> tuple[SpecValue, ...]:
    specs: list[SpecValue] = []
    dimensions = product.get("dimensions")
    holders = {"weight": product, **dict.fromkeys(("width", "height", "depth"), dimensions)}
    for key, slug, name, unit, factor in _MEASURES:
        holder = holders[key]
        value = holder.get(key) if isinstance(holder, Mapping) else None
        if _is_number(value):
            number = Decimal(value) * factor
            specs.append(SpecValue(slug, name, SpecKind.NUMBER, number=number, unit=unit))
    tags = [str(tag).strip() for tag in product.get("tags") or () if str(tag).strip()]
    if tags:
        specs.append(SpecValue("etiketler", "Etiketler", SpecKind.TEXT, text=", ".join(tags)[:200]))
    return tuple(specs)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _is_number(value: object) -> TypeGuard[int | Decimal]:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _number(value: Any, field: str) -> Decimal:
    if value is None:
        raise RowError(f"{field} is missing")
    if not _is_number(value):
        raise RowError(f'{field} "{_text(value)}" is not a number')
    return Decimal(value)


def _whole(value: Any, field: str, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool):
        raise RowError(f'{field} "{_text(value)}" is not a whole number')
    return value
