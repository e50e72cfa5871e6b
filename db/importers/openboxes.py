"""OpenBoxes product master CSV (products.csv template) parsed into product drafts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from db.importers import category_map, fields
from db.importers.fields import UNKNOWN_SUPPLIER, RowError
from domain import money
from domain.catalogue import ProductDraft, SpecKind, SpecValue
from domain.imports import RowResult, SkippedRow

REQUIRED = frozenset({"ProductCode", "Name", "Category", "UnitOfMeasure", "UnitCost", "Active"})
# OpenBoxes flags worth showing to a buyer: (column, slug, Turkish name).
_FLAGS = (
    ("ColdChain", "soguk-zincir", "Soğuk zincir"),
    ("HazardousMaterial", "tehlikeli-madde", "Tehlikeli madde"),
)
_NO_CATEGORY = "(no category)"


def parse(text: str, *, rate: Decimal = Decimal(1)) -> Iterator[RowResult]:
    """One result per data row (row = line in the file); UnitCost USD -> TRY at `rate`."""
    what = "an OpenBoxes product file"
    for row in fields.csv_rows(text, REQUIRED, what, sku_column="ProductCode"):
        if isinstance(row, SkippedRow):
            yield row
            continue
        line, record = row
        sku = record["ProductCode"].strip()
        try:
            yield _row(line, record, rate)
        except RowError as exc:
            yield SkippedRow(line, sku or None, str(exc))


def _row(line: int, record: Mapping[str, str], rate: Decimal) -> RowResult:
    source_category = record["Category"].strip() or _NO_CATEGORY
    mapping = category_map.lookup(source_category)
    target = mapping or category_map.OTHER
    cost = record["UnitCost"]
    if not cost.strip():
        raise RowError("UnitCost is missing")
    brand = _first(record, "BrandName", "Manufacturer", "ManufacturerName")
    draft = ProductDraft(
        sku=record["ProductCode"].strip(),
        name=record["Name"].strip(),
        description=record.get("Description", "").strip(),
        category_code=target.code,
        brand=brand or None,
        supplier=_first(record, "VendorName", "Vendor") or UNKNOWN_SUPPLIER,
        # An empty unit of measure is OpenBoxes' default, "each".
        unit=fields.unit(record["UnitOfMeasure"] or "each"),
        price_net=money.convert(fields.decimal(cost, "UnitCost"), rate),
        kdv_rate=target.kdv_rate,
        # The product master carries no stock: stock comes from the supplier later.
        stock=0,
        active=fields.boolean(record["Active"], "Active") is not False,
        specifications=_specifications(record),
    )
    return fields.checked(line, draft, None if mapping else source_category)


def _specifications(record: Mapping[str, str]) -> tuple[SpecValue, ...]:
    specs: list[SpecValue] = []
    for column, slug, name in _FLAGS:
        flag = fields.boolean(record.get(column, ""), column)
        if flag is not None:
            specs.append(SpecValue(slug, name, SpecKind.BOOLEAN, boolean=flag))
    tags = record.get("Tags", "").strip()
    if tags:
        specs.append(SpecValue("etiketler", "Etiketler", SpecKind.TEXT, text=tags[:200]))
    return tuple(specs)


def _first(record: Mapping[str, str], *columns: str) -> str:
    for column in columns:
        value = record.get(column, "").strip()
        if value:
            return value
    return ""
