"""CPV 2008 vocabulary file ({"NNNNNNNN-C": "English label"}) parsed into category rows."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from db.importers import category_map
from domain import cpv
from domain.imports import CategoryRow, ImportFailed, SkippedRow

MAX_LABEL = 300  # categories.name_en


def parse(text: str) -> Iterator[CategoryRow | SkippedRow]:
    """One result per entry (row = position in the file, from 1).

    The file has English labels only; Turkish names come from the reference table where we have
    them, and stay None (keeping any stored name) elsewhere.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(document, Mapping) or not document:
        raise ImportFailed(
            'not a CPV file: expected a JSON object such as {"30213100-6": "Portable computers"}'
        )
    for row, (code, label) in enumerate(document.items(), start=1):
        yield _row(row, code, label)


def _row(row: int, code: str, label: object) -> CategoryRow | SkippedRow:
    try:
        digits, check = cpv.parse(code)
    except ValueError as exc:
        return SkippedRow(row, code, str(exc))
    if check is None:
        return SkippedRow(row, code, "the code has no check digit")
    if not isinstance(label, str) or not label.strip():
        return SkippedRow(row, code, "the label is missing")
    if len(label.strip()) > MAX_LABEL:
        return SkippedRow(row, code, f"the label is longer than {MAX_LABEL} characters")
    full = f"{digits}-{check}"
    return CategoryRow(full, label.strip(), category_map.turkish_name(full))
