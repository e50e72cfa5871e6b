"""SQL for catalogue listings: search, filters, keyset order and facets, for SQLite and PostgreSQL.

Listings are the hottest path of the portal, so they are plain parameterised SQL returning plain
rows (no model instances). Every user value is a bind parameter; numbered placeholders (`?N` on
SQLite, `$N` on PostgreSQL) let one value serve several places in a statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain import search
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
        if index == last:
            pattern = f"% {like_escape(search.prefix_stem(word))}%"
        else:
            pattern = f"% {like_escape(word)} %"
        terms.patterns.append(params.add(pattern))
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


def where_clause(
    listing: ProductListing, params: Params, terms: SearchTerms, *, faceted: bool = True
) -> str:
    """The listing's WHERE clause; `faceted=False` leaves out the filters facets ignore."""
    flt = listing.filter
    conditions = ["p.active = " + params.add(True)]
    conditions += search_condition(terms)
    if flt.supplier_ids:
        conditions.append(f"p.supplier_id IN ({params.many(flt.supplier_ids)})")
    if flt.in_stock is not None:
        conditions.append("p.stock > 0" if flt.in_stock else "p.stock = 0")
    if flt.max_lead_time_days is not None:
        conditions.append(f"p.lead_time_days <= {params.add(flt.max_lead_time_days)}")
    if flt.kdv_rates:
        conditions.append(f"p.kdv_rate IN ({params.many(flt.kdv_rates)})")
    if faceted:
        flags = facet_flags(listing, params)
        conditions += [
            c for c in (flags.category, flags.brand, flags.price, *flags.attributes) if c != TRUE
        ]
    return " AND ".join(conditions)


TRUE = "1 = 1"


@dataclass(frozen=True)
class FacetFlags:
    """The conditions of the filters that facets ignore one at a time (disjunctive faceting)."""

    category: str
    brand: str
    price: str
    attributes: tuple[str, ...]

    def named(self) -> list[tuple[str, str]]:
        """(column name, condition) of each filter given, as all_but() names them."""
        pairs = [
            (f"f_{key}", condition)
            for key, condition in (
                ("category", self.category),
                ("brand", self.brand),
                ("price", self.price),
            )
            if condition != TRUE
        ]
        return pairs + [(f"f_a{i}", condition) for i, condition in enumerate(self.attributes)]

    def all_but(self, name: str, index: int | None = None) -> str:
        kept = [
            f"f_{key}"
            for key, condition in (
                ("category", self.category),
                ("brand", self.brand),
                ("price", self.price),
            )
            if key != name and condition != TRUE
        ]
        kept += [f"f_a{i}" for i in range(len(self.attributes)) if i != index]
        return " AND ".join(kept) or TRUE


def facet_flags(listing: ProductListing, params: Params) -> FacetFlags:
    flt = listing.filter
    category = _category_condition(listing.category_scope, params) if flt.category_ids else TRUE
    brand = f"p.brand_id IN ({params.many(flt.brand_ids)})" if flt.brand_ids else TRUE
    bounds = []
    if flt.price_gte is not None:
        bounds.append(f"p.price_kurus >= {params.add(int(flt.price_gte * 100))}")
    if flt.price_lte is not None:
        bounds.append(f"p.price_kurus <= {params.add(int(flt.price_lte * 100))}")
    price = " AND ".join(bounds) or TRUE
    attributes = tuple(_attribute_condition(attr, params) for attr in flt.attributes)
    return FacetFlags(category, brand, price, attributes)


def summary_statement(listing: ProductListing, params: Params) -> str:
    """Count and every facet in one statement: the search runs once, into a materialised set.

    Rows: (facet, key, text, flag, n, lo, hi) with facet one of count, category, brand, price,
    attribute (category, brand: key the id, text the name; attribute: key the attribute id,
    text/flag the value, lo/hi the numeric range).

    The set keeps the columns facets need and one flag per filter that some facet ignores
    (disjunctive faceting). Count, categories, brands and price come from its rows grouped by
    category, brand and flags (a few dozen groups); attribute facets count the value numbers
    of its products (products.attribute_value_ids), then name the few values counted.
    """
    terms = search_terms(listing, params)
    fixed = where_clause(listing, params, terms, faceted=False)
    flags = facet_flags(listing, params)
    named = flags.named()
    columns = ["p.category_id", "p.brand_id", "p.price_kurus", "p.attribute_value_ids"]
    columns += [f"({condition}) AS {name}" for name, condition in named]
    keys = ", ".join(["category_id", "brand_id", *(name for name, _ in named)])
    every = flags.all_but("")
    filtered_slugs = [a.slug for a in listing.filter.attributes]
    branches = [
        # The first branch types the columns (PostgreSQL would take an untyped NULL as text).
        "SELECT 'count' AS facet, CAST(NULL AS UUID) AS key, CAST(NULL AS TEXT) AS text, "
        "CAST(NULL AS BOOLEAN) AS flag, CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n, "
        "CAST(NULL AS DOUBLE PRECISION) AS lo, CAST(NULL AS DOUBLE PRECISION) AS hi "
        f"FROM grouped WHERE {every}",
        # Category and brand values carry their name (text), which orders equal counts.
        "SELECT 'category', g.category_id, COALESCE(c.name_tr, c.name_en), NULL, g.n, NULL, "
        "NULL FROM (SELECT category_id, CAST(SUM(n) AS BIGINT) AS n FROM grouped "
        f"WHERE {flags.all_but('category')} GROUP BY category_id) g "
        "JOIN categories c ON c.id = g.category_id",
        "SELECT 'brand', g.brand_id, b.name, NULL, g.n, NULL, NULL FROM (SELECT brand_id, "
        f"CAST(SUM(n) AS BIGINT) AS n FROM grouped WHERE {flags.all_but('brand')} "
        "AND brand_id IS NOT NULL GROUP BY brand_id) g JOIN brands b ON b.id = g.brand_id",
        "SELECT 'price', NULL, NULL, NULL, CAST(COALESCE(SUM(n), 0) AS BIGINT), MIN(lo), "
        f"MAX(hi) FROM grouped WHERE {flags.all_but('price')}",
    ]
    unfiltered = (
        f"v.attribute_id NOT IN (SELECT id FROM attributes "
        f"WHERE slug IN ({params.many(filtered_slugs)}))"
        if filtered_slugs
        else TRUE
    )
    branches.append(_attribute_branch(every, unfiltered, params.dialect))
    for index, slug in enumerate(filtered_slugs):
        own = f"v.attribute_id = (SELECT id FROM attributes WHERE slug = {params.add(slug)})"
        branches.append(_attribute_branch(flags.all_but("", index), own, params.dialect))
    return (
        f"WITH base AS MATERIALIZED (SELECT {', '.join(columns)} FROM products p WHERE {fixed}), "
        f"grouped AS (SELECT {keys}, COUNT(*) AS n, MIN(price_kurus) AS lo, "
        f"MAX(price_kurus) AS hi FROM base GROUP BY {keys}) " + " UNION ALL ".join(branches)
    )


def _attribute_branch(products: str, values: str, dialect: str) -> str:
    # Value numbers are counted first; only the values counted are then looked up and grouped
    # by their columns (a value stored twice still counts once per product).
    if dialect == "postgres":
        numbers = f"SELECT unnest(attribute_value_ids) AS value_id FROM base WHERE {products}"
    else:
        numbers = (
            "SELECT j.value AS value_id FROM base, json_each(base.attribute_value_ids) AS j "
            f"WHERE {products}"
        )
    return (
        "SELECT 'attribute', v.attribute_id, v.value_text, v.value_boolean, "
        "CAST(SUM(g.n) AS BIGINT), MIN(v.value_number), MAX(v.value_number) "
        f"FROM (SELECT value_id, COUNT(*) AS n FROM ({numbers}) u GROUP BY value_id) g "
        f"JOIN attribute_values v ON v.id = g.value_id WHERE {values} "
        "GROUP BY v.attribute_id, v.value_text, v.value_boolean"
    )


def _category_condition(scope: tuple[str, ...], params: Params) -> str:
    # Descendants are resolved beforehand: a literal id list gives the planner true row counts.
    if not scope:
        return "1 = 0"  # only unknown categories were asked for
    if params.dialect == "postgres":
        return f"p.category_id = ANY({params.add(list(scope))}::uuid[])"
    return f"p.category_id IN ({params.many(scope)})"


def _attribute_condition(attr: AttributeFilter, params: Params) -> str:
    """The product has a value of the attribute that passes the filter: its value numbers
    (products.attribute_value_ids) meet the numbers of the attribute's passing values."""
    if attr.values:
        # Case-insensitive the Turkish way ("SİYAH" finds "siyah"): SQL's LOWER/UPPER is not.
        folded = list(dict.fromkeys(search.fold_case(v) for v in attr.values))
        test = f"v.value_text_folded IN ({params.many(folded)})"
    elif attr.boolean is not None:
        test = f"v.value_boolean = {params.add(attr.boolean)}"
    else:
        bounds = []
        if attr.gte is not None:
            bounds.append(f"v.value_number >= {params.add(float(attr.gte))}")
        if attr.lte is not None:
            bounds.append(f"v.value_number <= {params.add(float(attr.lte))}")
        test = " AND ".join(bounds)
    passing = (
        "SELECT v.id FROM attribute_values v WHERE v.attribute_id = "
        f"(SELECT id FROM attributes WHERE slug = {params.add(attr.slug)}) AND {test}"
    )
    if params.dialect == "postgres":
        # An uncorrelated ARRAY(...) runs once; `&&` then tests each row's array.
        return f"p.attribute_value_ids && ARRAY({passing})"
    return (
        f"EXISTS (SELECT 1 FROM json_each(p.attribute_value_ids) AS j WHERE j.value IN ({passing}))"
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
