"""Catalogue imports: parsed rows, skipped rows, the summary, progress reporting, import errors."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields, replace
from typing import Protocol

from domain import money, search
from domain.catalogue import ProductDraft, SpecKind, SpecValue
from domain.errors import DomainError

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


class ImportFailed(DomainError):
    """The whole import was refused (unreadable file, unknown format); nothing was written."""

    code = "IMPORT_FAILED"


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of an import: its row number in the file, its SKU if known, and why."""

    row: int
    sku: str | None
    reason: str


@dataclass(frozen=True)
class RowDraft:
    """A parsed product row; `unmapped_category` names a source category with no CPV mapping."""

    row: int
    draft: ProductDraft
    unmapped_category: str | None = None


RowResult = RowDraft | SkippedRow


@dataclass(frozen=True)
class CategoryRow:
    """A CPV category to store; a missing Turkish name keeps the one already stored."""

    code: str
    name_en: str
    name_tr: str | None = None


@dataclass
class UpsertResult:
    """What a store function did with the rows it was given."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)


class Progress(Protocol):
    """Reports a long import's progress (the CLI draws a bar; tests pass nothing)."""

    def start(self, total: int, label: str) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def close(self) -> None: ...


@dataclass
class ImportSummary:
    """What an import did, row by row; `render()` is the text the CLI prints."""

    label: str = "products"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    unmapped_categories: dict[str, int] = field(default_factory=dict)
    fallback_category: str | None = None

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.skipped)

    def render(self) -> str:
        lines = [
            f"{self.processed} {self.label} read: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped."
        ]
        if self.skipped:
            lines.append("Skipped rows:")
            lines.extend(f"  {_describe(row)}" for row in sorted(self.skipped, key=_row_order))
        if self.unmapped_categories:
            target = f" (filed under {self.fallback_category})" if self.fallback_category else ""
            lines.append(f"Source categories without a CPV mapping{target}:")
            lines.extend(
                f"  {name}: {count} {'row' if count == 1 else 'rows'}"
                for name, count in sorted(self.unmapped_categories.items())
            )
        return "\n".join(lines)


def _row_order(row: SkippedRow) -> int:
    return row.row


def _describe(row: SkippedRow) -> str:
    sku = f" (SKU {row.sku})" if row.sku else ""
    return f"row {row.row}{sku}: {row.reason}"


def count_unmapped(rows: list[RowResult]) -> dict[str, int]:
    """Source category name -> how many parsed rows fell back to the 'other' category."""
    counts: dict[str, int] = {}
    for result in rows:
        if isinstance(result, RowDraft) and result.unmapped_category is not None:
            name = result.unmapped_category
            counts[name] = counts.get(name, 0) + 1
    return counts


def slugify(text: str) -> str:
    """ASCII slug of a name ('Çınar Ofis A.Ş.' -> 'cinar-ofis-a-s'): Turkish folding first."""
    return _NON_ALNUM.sub("-", search.fold(text)).strip("-")


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DRAFT_FIELDS = tuple(f.name for f in fields(ProductDraft) if f.name != "specifications")
_SPEC_FIELDS = tuple(f.name for f in fields(SpecValue))


def normalise(draft: ProductDraft) -> ProductDraft:
    """The price rounded half-up to the kuruş here: Tortoise would round half-even."""
    if not draft.price_net.is_finite():
        return draft
    rounded = money.round_kurus(draft.price_net)
    return draft if rounded == draft.price_net else replace(draft, price_net=rounded)


def spec_problems(draft: ProductDraft) -> list[str]:
    """Reasons the draft's specifications cannot be stored, whatever is in the database."""
    problems: list[str] = []
    seen: set[str] = set()
    for spec in draft.specifications:
        label = f'specification "{spec.slug}"'
        if not _SLUG.match(spec.slug) or len(spec.slug) > 64:
            problems.append(f"{label}: a slug is 1 to 64 lower-case letters, digits and hyphens")
        if spec.slug in seen:
            problems.append(f"{label} is given twice")
        seen.add(spec.slug)
        if not spec.name.strip() or len(spec.name) > 120:
            problems.append(f"{label}: the name must be 1 to 120 characters")
        if spec.unit is not None and len(spec.unit) > 16:
            problems.append(f"{label}: the unit is longer than 16 characters")
        problem = _value_problem(spec)
        if problem:
            problems.append(f"{label} {problem}")
    return problems


def _value_problem(spec: SpecValue) -> str | None:
    if spec.kind is SpecKind.TEXT:
        ok = spec.text is not None and 0 < len(spec.text.strip()) <= 200
        return None if ok else "needs a text of 1 to 200 characters"
    if spec.kind is SpecKind.NUMBER:
        ok = spec.number is not None and spec.number.is_finite()
        return None if ok else "needs a number"
    return None if spec.boolean is not None else "needs true or false"


def content_hash(draft: ProductDraft, source: str) -> str:
    """sha256 over a canonical JSON of every draft field: equal hashes mean nothing changed."""
    # Field by field rather than dataclasses.asdict, which deep-copies and is ten times slower.
    specs = [[getattr(spec, name) for name in _SPEC_FIELDS] for spec in draft.specifications]
    payload = [source, *(getattr(draft, name) for name in _DRAFT_FIELDS), specs]
    canonical = json.dumps(payload, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def spec_text(spec: SpecValue) -> str:
    """A specification as words for the search column: name, value and unit."""
    if spec.kind is SpecKind.NUMBER and spec.number is not None:
        value = format(spec.number.normalize(), "f")
    elif spec.kind is SpecKind.BOOLEAN:
        value = "evet" if spec.boolean else "hayır"
    else:
        value = spec.text or ""
    return " ".join(part for part in (spec.name, value, spec.unit) if part)
