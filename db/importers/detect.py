"""Catalogue file format detection from the file name's extension and the start of its content."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from db.importers import csv_format
from domain.imports import ImportFailed

FORMATS = ("dummyjson", "openboxes", "csv")
# Detection reads only this much: a DummyJSON file names "title" in its first product.
_HEAD = 65536


def detect(path: Path, text: str) -> str:
    """'dummyjson', 'openboxes' or 'csv'; ImportFailed saying what was expected otherwise."""
    head = text[:_HEAD].lstrip()
    if path.suffix.lower() == ".json" or head[:1] in ("[", "{"):
        if '"title"' in head and (head[:1] == "[" or '"products"' in head):
            return "dummyjson"
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailed(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
        raise ImportFailed(
            'JSON but not a DummyJSON product list (a list of products with a "title", '
            'or {"products": [...]})'
        )
    header = _header(head)
    if header >= {"ProductCode", "UnitCost"}:
        return "openboxes"
    if header >= csv_format.REQUIRED:
        return "csv"
    raise ImportFailed(
        "cannot tell the format: expected DummyJSON (.json), an OpenBoxes product CSV "
        "(ProductCode, UnitCost, ...) or the portal CSV (sku, name, ... see docs/importing.md); "
        "or pass --format"
    )


def _header(head: str) -> set[str]:
    first_line = head.splitlines()[0] if head else ""
    try:
        cells = next(csv.reader(io.StringIO(first_line)), [])
    except csv.Error:
        return set()
    return {cell.strip() for cell in cells}
