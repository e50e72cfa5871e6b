"""Field parsing shared by the importers: each parser returns a value or raises RowError."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from domain.catalogue import UNIT_NAMES_TR, ProductDraft, Unit, check_draft
from domain.imports import ImportFailed, RowDraft, RowResult, SkippedRow

UNKNOWN_SUPPLIER = "Bilinmeyen tedarikçi"
_WHOLE = re.compile(r"^-?[0-9]+$")

# Unit words seen in source files (English and Turkish), mapped to UN/ECE Rec. 20 codes.
_UNIT_WORDS: dict[str, Unit] = {
    "each": Unit.PIECE,
    "ea": Unit.PIECE,
    "piece": Unit.PIECE,
    "pcs": Unit.PIECE,
    "unit": Unit.PIECE,
    "box": Unit.BOX,
    "pack": Unit.PACK,
    "package": Unit.PACK,
    "pk": Unit.PACK,
    "set": Unit.SET,
    "kit": Unit.SET,
    "pair": Unit.PAIR,
    "roll": Unit.ROLL,
    "ream": Unit.REAM,
    "litre": Unit.LITRE,
    "liter": Unit.LITRE,
    "l": Unit.LITRE,
    "kg": Unit.KILOGRAM,
    "kilogram": Unit.KILOGRAM,
    "metre": Unit.METRE,
    "meter": Unit.METRE,
    "m": Unit.METRE,
}
_UNIT_WORDS.update({name: unit for unit, name in UNIT_NAMES_TR.items()})
_UNIT_WORDS.update({unit.value.lower(): unit for unit in Unit})


class RowError(ValueError):
    """A problem with one row: the row is skipped with this message as the reason."""


def unit(raw: str) -> Unit:
    found = _UNIT_WORDS.get(raw.strip().lower())
    if found is None:
        raise RowError(f'unknown unit "{raw}"')
    return found


def decimal(raw: str, column: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise RowError(f'{column} "{raw}" is not a decimal number (write 1234.56)') from None
    if not value.is_finite():
        raise RowError(f'{column} "{raw}" is not a decimal number (write 1234.56)')
    return value


def whole(raw: str, column: str, default: int | None = None) -> int:
    text = raw.strip()
    if not text and default is not None:
        return default
    if not _WHOLE.match(text):
        raise RowError(f'{column} "{raw}" is not a whole number')
    return int(text)


def boolean(raw: str, column: str) -> bool | None:
    text = raw.strip().lower()
    if not text:
        return None
    if text in ("true", "1", "yes", "evet"):
        return True
    if text in ("false", "0", "no", "hayır", "hayir"):
        return False
    raise RowError(f'{column} "{raw}" is not true or false')


def checked(row: int, draft: ProductDraft, unmapped: str | None = None) -> RowResult:
    """The draft, or a skipped row listing every rule it breaks (domain.catalogue.check_draft)."""
    problems = check_draft(draft)
    if problems:
        return SkippedRow(row, draft.sku or None, "; ".join(problems))
    return RowDraft(row, draft, unmapped)


def csv_rows(
    text: str, required: frozenset[str], what: str, allowed: frozenset[str] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a CSV text whose header has every `required` column
    and, when `allowed` is given, no other column."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = {name.strip() for name in reader.fieldnames or ()}
        missing = sorted(required - header)
        if missing:
            raise ImportFailed(f"this is not {what}: missing column(s) {', '.join(missing)}")
        unknown = sorted(header - required - allowed) if allowed is not None else []
        if unknown:
            raise ImportFailed(f"{what} cannot have the column(s) {', '.join(unknown)}")
        for record in reader:
            # line_num is the line the record ends on (the header is line 1); surplus cells
            # land under the key None and are ignored.
            yield (
                reader.line_num,
                {key.strip(): value or "" for key, value in record.items() if key is not None},
            )
    except csv.Error as exc:
        raise ImportFailed(f"line {reader.line_num} is not valid CSV: {exc}") from None
