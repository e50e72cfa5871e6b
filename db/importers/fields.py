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
    text: str,
    required: frozenset[str],
    what: str,
    allowed: frozenset[str] | None = None,
    *,
    sku_column: str,
) -> Iterator[tuple[int, dict[str, str]] | SkippedRow]:
    """(line number, row) pairs of a CSV text whose header has every `required` column
    and, when `allowed` is given, no other column; a row whose cells cannot be told apart (an
    unclosed quote) comes as a SkippedRow and the lines after it are read as rows of their own."""
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise ImportFailed(f"line 1 is not valid CSV: {exc}") from None
    missing = sorted(required - set(header))
    if missing:
        raise ImportFailed(f"this is not {what}: missing column(s) {', '.join(missing)}")
    unknown = sorted(set(header) - required - allowed) if allowed is not None else []
    if unknown:
        raise ImportFailed(f"{what} cannot have the column(s) {', '.join(unknown)}")
    while True:
        start = lines.position
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _broken(lines, start, header, sku_column, f"not valid CSV: {exc}")
            reader = csv.reader(lines, strict=True)
            continue
        if not cells:
            continue  # a blank line
        if lines.position - start > 1 and _swallowed(lines, start, cells, len(header)):
            yield _broken(lines, start, header, sku_column, "not valid CSV")
            continue
        # Missing cells are empty; surplus cells are ignored.
        yield (
            start + 1,
            {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header)},
        )


class _Lines:
    """A text's physical lines, handed to csv.reader one at a time; `position` lines are read.

    Reading line by line lets a broken row be skipped alone: the reader goes back to the line
    after the one the row started on."""

    def __init__(self, text: str) -> None:
        # StringIO splits on "\n" only, as csv.reader over a file opened with newline="" does.
        self.lines = io.StringIO(text).readlines()
        self.position = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def _swallowed(lines: _Lines, start: int, cells: list[str], width: int) -> bool:
    """Whether a record read over several lines is an unclosed quote rather than a quoted value
    with line breaks: then it has the wrong number of cells, or a line it took is a row itself."""
    if len(cells) != width:
        return True
    return any(_is_row(line, width) for line in lines.lines[start + 1 : lines.position])


def _is_row(line: str, width: int) -> bool:
    try:
        return len(next(csv.reader([line], strict=True), [])) == width
    except csv.Error:
        return False


def _broken(
    lines: _Lines, start: int, header: list[str], sku_column: str, error: str
) -> SkippedRow:
    """The row starting at line `start + 1`, skipped; reading goes on from the next line."""
    lines.position = start + 1
    line = lines.lines[start]
    # The line alone, non-strict: when it ends inside a quote, its last cell (which took the
    # line break) is the one left open.
    cells = next(csv.reader([line if line.endswith("\n") else line + "\n"]), [])
    reason = error
    if cells and "\n" in cells[-1]:
        position = len(cells) - 1
        column = header[position] if position < len(header) else str(position + 1)
        reason = f'unclosed quote in column "{column}": its value runs into the lines after it'
        cells = cells[:position]
    sku = dict(zip(header, cells, strict=False)).get(sku_column, "").strip() or None
    return SkippedRow(start + 1, sku, reason)
