"""SQL for catalogue listings: search, filters, keyset order and facets, for SQLite and PostgreSQL.

Listings are the hottest path of the portal, so they are plain parameterised SQL returning plain
rows (no model instances). Every user value is a bind parameter; numbered placeholders (`?N` on
SQLite, `$N` on PostgreSQL) let one value serve several places in a statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.catalogue import AttributeFilter, ProductListing, SortDirection, SortField

# Must match the expression of the trigram index in db/migrations/0002_search_trigram.py.
SEARCH_ALL = "(p.search_name || p.search_context || p.search_specs || p.search_description)"
# Words shorter than this are never matched by similarity: too many false friends.
TYPO_MIN_LENGTH = 5
# Ranking weights: a word in the name outranks brand/category, then specifications, then text.
_RANK_WEIGHTS = (
    ("p.search_name", 8),
    ("p.search_context", 4),
    ("p.search_specs", 2),
    ("p.search_description", 1),
)
SORT_COLUMNS: dict[SortField, str] = {
    SortField.PRICE: "p.price_kurus",
    SortField.NAME: "p.name_sort",
    SortField.LEAD_TIME: "p.lead_time_days",
    SortField.RATING: "p.rating_average",
    SortField.NEWEST: "p.created_at",
}
PRODUCT_COLUMNS = (
    "p.id, p.sku, p.name, p.description, p.unit, p.price_net, p.kdv_rate, p.stock, "
    "p.min_order_quantity, p.lead_time_days, p.warranty_months, p.images, p.active, "
    "p.price_valid_from, p.price_valid_until, p.rating_average, p.rating_count, "
    "p.category_id, p.brand_id, p.supplier_id, p.created_at"
)


class Params:
    """Collects bind values and hands out the dialect's numbered placeholder for each."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        prefix = "$" if self.dialect == "postgres" else "?"
        return f"{prefix}{len(self.values)}"

    def many(self, values: tuple[Any, ...] | list[Any]) -> str:
        return ", ".join(self.add(v) for v in values)


def like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class SearchTerms:
    """Placeholders of each search word: a whole-word and (for the last) a prefix pattern."""

    patterns: list[str] = field(default_factory=list)
    typo_words: list[str | None] = field(default_factory=list)


def search_terms(listing: ProductListing, params: Params) -> SearchTerms:
    terms = SearchTerms()
    last = len(listing.words) - 1
    for index, word in enumerate(listing.words):
        suffix = "%" if index == last else " %"
        terms.patterns.append(params.add(f"% {like_escape(word)}{suffix}"))
        typo = listing.fuzzy and len(word) >= TYPO_MIN_LENGTH and word.isalnum()
        terms.typo_words.append(params.add(word) if typo else None)
    return terms


def search_condition(terms: SearchTerms) -> list[str]:
    conditions = []
    for pattern, typo in zip(terms.patterns, terms.typo_words, strict=True):
        exact = f"{SEARCH_ALL} LIKE {pattern} ESCAPE '\\'"
        # pg_trgm's `<%`: the word is similar to some extent of the text (word_similarity).
        conditions.append(f"({exact} OR {typo} <% {SEARCH_ALL})" if typo else exact)
    return conditions


def rank_expression(terms: SearchTerms) -> str:
    parts = []
    for pattern, typo in zip(terms.patterns, terms.typo_words, strict=True):
        for column, weight in _RANK_WEIGHTS:
            parts.append(f"CASE WHEN {column} LIKE {pattern} ESCAPE '\\' THEN {weight} ELSE 0 END")
        if typo:
            # Closer spellings rank first: strict similarity to a whole word of the name, 0-100.
            parts.append(f"CAST(strict_word_similarity({typo}, p.search_name) * 100 AS INTEGER)")
    return " + ".join(parts) if parts else "0"


@dataclass(frozen=True)
class Facet:
    """Which filter a facet query leaves out (disjunctive faceting)."""

    name: str
    attribute_slug: str | None = None


ALL_FILTERS = Facet("none")


def where_clause(
    listing: ProductListing, params: Params, terms: SearchTerms, *, skip: Facet = ALL_FILTERS
) -> str:
    flt = listing.filter
    conditions = ["p.active = " + params.add(True)]
    conditions += search_condition(terms)
    if flt.category_ids and skip.name != "categories":
        conditions.append(
            "p.category_id IN (SELECT c.id FROM categories c JOIN categories f "
            f"ON c.path LIKE f.path || '%' WHERE f.id IN ({params.many(flt.category_ids)}))"
        )
    if flt.brand_ids and skip.name != "brands":
        conditions.append(f"p.brand_id IN ({params.many(flt.brand_ids)})")
    if flt.supplier_ids:
        conditions.append(f"p.supplier_id IN ({params.many(flt.supplier_ids)})")
    if skip.name != "price":
        if flt.price_gte is not None:
            conditions.append(f"p.price_kurus >= {params.add(int(flt.price_gte * 100))}")
        if flt.price_lte is not None:
            conditions.append(f"p.price_kurus <= {params.add(int(flt.price_lte * 100))}")
    if flt.in_stock is not None:
        conditions.append("p.stock > 0" if flt.in_stock else "p.stock = 0")
    if flt.max_lead_time_days is not None:
        conditions.append(f"p.lead_time_days <= {params.add(flt.max_lead_time_days)}")
    if flt.kdv_rates:
        conditions.append(f"p.kdv_rate IN ({params.many(flt.kdv_rates)})")
    for attr in flt.attributes:
        if skip.name == "attributes" and skip.attribute_slug in (None, attr.slug):
            continue
        conditions.append(_attribute_condition(attr, params))
    return " AND ".join(conditions)


def _attribute_condition(attr: AttributeFilter, params: Params) -> str:
    if attr.values:
        test = f"s.value_text IN ({params.many(attr.values)})"
    elif attr.boolean is not None:
        test = f"s.value_boolean = {params.add(attr.boolean)}"
    else:
        bounds = []
        if attr.gte is not None:
            bounds.append(f"s.value_number >= {params.add(float(attr.gte))}")
        if attr.lte is not None:
            bounds.append(f"s.value_number <= {params.add(float(attr.lte))}")
        test = " AND ".join(bounds)
    return (
        "EXISTS (SELECT 1 FROM product_specifications s JOIN attributes a ON a.id = s.attribute_id "
        f"WHERE s.product_id = p.id AND a.slug = {params.add(attr.slug)} AND {test})"
    )


def order_expression(listing: ProductListing, terms: SearchTerms) -> str:
    sort = listing.effective_sort
    if sort.field is SortField.RELEVANCE:
        return f"({rank_expression(terms)})"
    return SORT_COLUMNS[sort.field]


def keyset_condition(
    order_expr: str, direction: SortDirection, value: Any, last_id: str, params: Params
) -> str:
    """Rows strictly after (value, id) in the listing's order: stable under equal values."""
    op = ">" if direction is SortDirection.ASC else "<"
    value_ph = params.add(value)
    id_ph = params.add(last_id)
    return f"({order_expr} {op} {value_ph} OR ({order_expr} = {value_ph} AND p.id {op} {id_ph}))"
