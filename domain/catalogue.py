"""Catalogue rules: product units, specification kinds, listing queries and product validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain import money, search
from domain.errors import InvalidInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 50
MAX_ATTRIBUTE_FILTERS = 10
MAX_COMPARE = 5
MIN_COMPARE = 2
MAX_TEXT_FACET_VALUES = 20
MAX_QUANTITY = 1_000_000_000
MAX_PRICE = Decimal("999999999999.99")  # fits NUMERIC(14, 2)


class Unit(StrEnum):
    """Units of measure as UN/ECE Recommendation 20 codes (UBL-TR's unitCode list)."""

    PIECE = "C62"  # adet
    BOX = "BX"  # kutu
    PACK = "PA"  # paket
    SET = "SET"  # takım
    PAIR = "PR"  # çift
    ROLL = "RO"  # rulo
    REAM = "RM"  # top (kağıt)
    LITRE = "LTR"
    KILOGRAM = "KGM"
    METRE = "MTR"


UNIT_NAMES_TR: dict[Unit, str] = {
    Unit.PIECE: "adet",
    Unit.BOX: "kutu",
    Unit.PACK: "paket",
    Unit.SET: "takım",
    Unit.PAIR: "çift",
    Unit.ROLL: "rulo",
    Unit.REAM: "top",
    Unit.LITRE: "litre",
    Unit.KILOGRAM: "kilogram",
    Unit.METRE: "metre",
}


class SpecKind(StrEnum):
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"


class SortField(StrEnum):
    RELEVANCE = "RELEVANCE"
    PRICE = "PRICE"
    NAME = "NAME"
    LEAD_TIME = "LEAD_TIME"
    RATING = "RATING"
    NEWEST = "NEWEST"


class SortDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True)
class AttributeFilter:
    slug: str
    values: tuple[str, ...] = ()
    gte: Decimal | None = None
    lte: Decimal | None = None
    boolean: bool | None = None


@dataclass(frozen=True)
class ProductFilter:
    category_ids: tuple[str, ...] = ()
    brand_ids: tuple[str, ...] = ()
    supplier_ids: tuple[str, ...] = ()
    price_gte: Decimal | None = None
    price_lte: Decimal | None = None
    in_stock: bool | None = None
    max_lead_time_days: int | None = None
    kdv_rates: tuple[int, ...] = ()
    attributes: tuple[AttributeFilter, ...] = ()


@dataclass(frozen=True)
class ProductSort:
    field: SortField = SortField.RELEVANCE
    direction: SortDirection = SortDirection.DESC


@dataclass(frozen=True)
class ProductListing:
    """A validated catalogue listing request: search words, filters and sort."""

    words: tuple[str, ...] = ()
    filter: ProductFilter = field(default_factory=ProductFilter)
    sort: ProductSort = field(default_factory=ProductSort)
    # Also accept words similar to the search words (typos); used when nothing matches exactly.
    fuzzy: bool = False
    # The filtered categories and all their descendants, resolved before the query runs.
    category_scope: tuple[str, ...] = ()

    @property
    def effective_sort(self) -> ProductSort:
        # Relevance means nothing without search words: fall back to newest first.
        if self.sort.field is SortField.RELEVANCE and not self.words:
            return ProductSort(SortField.NEWEST, self.sort.direction)
        return self.sort


def listing(search_text: str | None, flt: ProductFilter, sort: ProductSort) -> ProductListing:
    """Validate a listing request; raise InvalidInput naming the offending argument."""
    words: tuple[str, ...] = ()
    if search_text is not None:
        if len(search_text) > search.MAX_SEARCH_LENGTH:
            raise InvalidInput(
                f"search is limited to {search.MAX_SEARCH_LENGTH} characters", field="search"
            )
        words = tuple(search.query_words(search_text))
    _check_filter(flt)
    return ProductListing(words=words, filter=flt, sort=sort)


def _check_filter(flt: ProductFilter) -> None:
    for name, values in (
        ("filter.categoryIds", flt.category_ids),
        ("filter.brandIds", flt.brand_ids),
        ("filter.supplierIds", flt.supplier_ids),
        ("filter.kdvRates", flt.kdv_rates),
    ):
        if len(values) > MAX_FILTER_VALUES:
            raise InvalidInput(f"at most {MAX_FILTER_VALUES} values", field=name)
    for bound_name, bound in (("gte", flt.price_gte), ("lte", flt.price_lte)):
        if bound is None:
            continue
        if bound < 0 or bound > MAX_PRICE:
            raise InvalidInput(
                f"price bounds must be between 0 and {MAX_PRICE}",
                field=f"filter.price.{bound_name}",
            )
        # Prices are whole kuruş: a third decimal would silently move an inclusive bound.
        if bound != bound.quantize(money.KURUS):
            raise InvalidInput(
                "price bounds have at most two decimal places", field=f"filter.price.{bound_name}"
            )
    if flt.price_gte is not None and flt.price_lte is not None and flt.price_gte > flt.price_lte:
        raise InvalidInput("the minimum price is above the maximum price", field="filter.price")
    if flt.max_lead_time_days is not None and flt.max_lead_time_days < 0:
        raise InvalidInput("must not be negative", field="filter.maxLeadTimeDays")
    for rate in flt.kdv_rates:
        if rate not in money.KDV_RATES:
            raise InvalidInput("KDV rates are 0, 1, 10 or 20", field="filter.kdvRates")
    if len(flt.attributes) > MAX_ATTRIBUTE_FILTERS:
        raise InvalidInput(
            f"at most {MAX_ATTRIBUTE_FILTERS} attribute filters", field="filter.attributes"
        )
    for index, attr in enumerate(flt.attributes):
        _check_attribute_filter(attr, f"filter.attributes.{index}")


def _check_attribute_filter(attr: AttributeFilter, path: str) -> None:
    given = sum(
        (bool(attr.values), attr.gte is not None or attr.lte is not None, attr.boolean is not None)
    )
    if given != 1:
        raise InvalidInput("give exactly one of values, range or boolean", field=path)
    if len(attr.values) > MAX_FILTER_VALUES:
        raise InvalidInput(f"at most {MAX_FILTER_VALUES} values", field=f"{path}.values")
    if any(len(v) > 200 for v in attr.values):
        raise InvalidInput("values are limited to 200 characters", field=f"{path}.values")
    if attr.gte is not None and attr.lte is not None and attr.gte > attr.lte:
        raise InvalidInput("the range's minimum is above its maximum", field=f"{path}.range")


def page_size(first: int | None, last: int | None, after: str | None, before: str | None) -> int:
    """Validate Relay pagination arguments and return the page size."""
    if first is not None and last is not None:
        raise InvalidInput("give first or last, not both", field="first")
    if last is not None and last >= 0 and before is None:
        raise InvalidInput("last needs before: page backwards from a cursor", field="last")
    if after is not None and before is not None:
        raise InvalidInput("give after or before, not both", field="after")
    size, name = (last, "last") if last is not None else (first, "first")
    if size is None:
        return DEFAULT_PAGE_SIZE
    if size < 0:
        raise InvalidInput("must not be negative", field=name)
    if size > MAX_PAGE_SIZE:
        raise InvalidInput(f"at most {MAX_PAGE_SIZE}", field=name)
    return size


def compare_ids(ids: Sequence[str]) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(ids))
    if not MIN_COMPARE <= len(unique) <= MAX_COMPARE:
        raise InvalidInput(
            f"compare {MIN_COMPARE} to {MAX_COMPARE} different products", field="ids"
        )
    return unique


@dataclass(frozen=True)
class ProductDraft:
    """A product as an importer or the demo loader offers it, before it is stored."""

    sku: str
    name: str
    description: str
    category_code: str
    brand: str | None
    supplier: str
    unit: Unit
    price_net: Decimal
    kdv_rate: int
    stock: int
    min_order_quantity: int = 1
    lead_time_days: int = 5
    warranty_months: int = 0
    images: tuple[str, ...] = ()
    active: bool = True
    price_valid_from: date | None = None
    price_valid_until: date | None = None
    specifications: tuple[SpecValue, ...] = ()


@dataclass(frozen=True)
class SpecValue:
    slug: str
    name: str
    kind: SpecKind
    text: str | None = None
    number: Decimal | None = None
    boolean: bool | None = None
    unit: str | None = None


def check_draft(draft: ProductDraft) -> list[str]:
    """Reasons a draft cannot be stored (empty when it is fine)."""
    problems: list[str] = []
    if not draft.sku.strip() or len(draft.sku) > 64:
        problems.append("sku must be 1 to 64 characters")
    if not draft.name.strip():
        problems.append("name is missing")
    elif len(draft.name) > 255:
        problems.append("name is longer than 255 characters")
    if draft.price_net < 0:
        problems.append("price is negative")
    elif draft.price_net > MAX_PRICE:
        problems.append("price is too large")
    if draft.kdv_rate not in money.KDV_RATES:
        problems.append("KDV rate must be 0, 1, 10 or 20")
    if not 0 <= draft.stock <= MAX_QUANTITY:
        problems.append("stock must be a whole number from 0")
    if not 1 <= draft.min_order_quantity <= MAX_QUANTITY:
        problems.append("minimum order quantity must be at least 1")
    if not 0 <= draft.lead_time_days <= 365:
        problems.append("lead time must be 0 to 365 days")
    if not 0 <= draft.warranty_months <= 240:
        problems.append("warranty must be 0 to 240 months")
    if (
        draft.price_valid_from is not None
        and draft.price_valid_until is not None
        and draft.price_valid_from > draft.price_valid_until
    ):
        problems.append("price validity ends before it starts")
    return problems


_FILTER_FOR_KIND = {SpecKind.TEXT: "values", SpecKind.NUMBER: "range", SpecKind.BOOLEAN: "boolean"}


def check_attribute_kinds(
    attributes: Sequence[AttributeFilter], kinds: dict[str, SpecKind]
) -> None:
    """Each attribute filter names a known specification and uses the filter of its kind."""
    for index, attr in enumerate(attributes):
        path = f"filter.attributes.{index}"
        kind = kinds.get(attr.slug)
        if kind is None:
            raise InvalidInput("unknown specification", field=f"{path}.slug")
        given = "values" if attr.values else "boolean" if attr.boolean is not None else "range"
        expected = _FILTER_FOR_KIND[kind]
        if given != expected:
            raise InvalidInput(
                f"{attr.slug} is a {kind.value} specification: filter it with {expected}",
                field=f"{path}.{given}",
            )
