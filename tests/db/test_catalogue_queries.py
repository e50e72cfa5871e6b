"""Counts, facets and filters of catalogue listings, against the same figures counted in Python
over the stored rows, for many listings of a varied catalogue; and the value lists behind them."""

from __future__ import annotations

import importlib
import random
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from tortoise import connections

from db import catalogue_queries as queries
from db import catalogue_sql as sql
from db import catalogue_store
from db.models import Attribute, AttributeValue, Brand, Category, Product, ProductSpecification
from domain import catalogue as rules
from domain import search
from domain.catalogue import (
    AttributeFilter,
    ProductDraft,
    ProductListing,
    SpecKind,
    SpecValue,
    Unit,
)
from domain.imports import CategoryRow

CATEGORIES = [
    CategoryRow("30000000-9", "Office machinery", "Büro makineleri"),
    CategoryRow("30200000-1", "Computer equipment", "Bilgisayar donanımı"),
    CategoryRow("30213100-6", "Portable computers", "Taşınabilir bilgisayarlar"),
    CategoryRow("30232110-8", "Laser printers", "Lazer yazıcılar"),
    CategoryRow("39000000-2", "Furniture", "Mobilya"),
]
NAMES = ["Dizüstü Bilgisayar", "Lazer Yazıcı", "Çalışma Masası", "Işıklı Klavye", "Ofis Koltuğu"]
COLOURS = ["Siyah", "SİYAH", "siyah", "Beyaz", "Çam", "cam", "Işık"]
WORDS = ["bilgisayar", "yazici", "masa", "isikli", "koltuk", "siyah", "acme", "pro", "x", "ç"]
Value = tuple[str | None, float | None, bool | None]


def _draft(rng: random.Random, n: int) -> ProductDraft:
    specs = []
    if rng.random() < 0.8:
        specs.append(SpecValue("renk", "Renk", SpecKind.TEXT, text=rng.choice(COLOURS)))
    if rng.random() < 0.7:
        ram = Decimal(rng.choice(["8", "16", "32", "16.5"]))
        specs.append(SpecValue("ram", "RAM", SpecKind.NUMBER, number=ram, unit="GB"))
    if rng.random() < 0.6:
        specs.append(SpecValue("wifi", "Wi-Fi", SpecKind.BOOLEAN, boolean=rng.random() < 0.5))
    if rng.random() < 0.5:
        weight = Decimal(rng.randint(50, 900)) / 100
        specs.append(SpecValue("agirlik", "Ağırlık", SpecKind.NUMBER, number=weight, unit="kg"))
    rng.shuffle(specs)
    return ProductDraft(
        sku=f"Q-{n:03d}",
        name=f"{rng.choice(NAMES)} {rng.choice(['Pro', 'Mini', 'X'])} {n}",
        description=rng.choice(["", "Siyah ve sağlam", "Acme garantili"]),
        category_code=rng.choice(CATEGORIES).code,
        brand=rng.choice(["Acme", "Kuzey", "Çınar", None]),
        supplier=rng.choice(["Ofis A.Ş.", "Tekno Ltd."]),
        unit=Unit.PIECE,
        price_net=Decimal(rng.randint(100, 90000)) / 10,
        kdv_rate=rng.choice([10, 20]),
        stock=rng.choice([0, 3, 10]),
        lead_time_days=rng.randint(1, 9),
        active=rng.random() < 0.9,
        specifications=tuple(specs),
    )


@dataclass
class Stored:
    """A stored product, as listings and facets see it."""

    id: str
    active: bool
    document: str
    category_id: str
    brand_id: str | None
    supplier_id: str
    price_kurus: int
    stock: int
    lead_time_days: int
    kdv_rate: int
    specs: dict[str, Value]  # slug -> (text, number, yes/no)


async def _store_catalogue() -> None:
    rng = random.Random(8)
    await catalogue_store.upsert_categories(CATEGORIES)
    drafts = [_draft(rng, n) for n in range(90)]
    await catalogue_store.upsert_products(drafts, source="test")
    # New specifications for a third of them: the update path keeps the value lists in step.
    changed = [replace(_draft(rng, n), sku=drafts[n].sku) for n in range(0, 90, 3)]
    await catalogue_store.upsert_products(changed, source="test")


async def _stored() -> list[Stored]:
    slugs = {a.id: a.slug for a in await Attribute.all()}
    specs: dict[Any, dict[str, Value]] = {}
    for s in await ProductSpecification.all():
        specs.setdefault(s.product_id, {})[slugs[s.attribute_id]] = (
            s.value_text,
            s.value_number,
            s.value_boolean,
        )
    return [
        Stored(
            id=str(p.id),
            active=p.active,
            document=p.search_name + p.search_context + p.search_specs + p.search_description,
            category_id=str(p.category_id),
            brand_id=None if p.brand_id is None else str(p.brand_id),
            supplier_id=str(p.supplier_id),
            price_kurus=p.price_kurus,
            stock=p.stock,
            lead_time_days=p.lead_time_days,
            kdv_rate=p.kdv_rate,
            specs=specs.get(p.id, {}),
        )
        for p in await Product.all()
    ]


def _attribute_filter(rng: random.Random, slug: str) -> AttributeFilter:
    if slug == "renk":
        return AttributeFilter(slug, values=tuple(rng.sample([*COLOURS, "Mor"], rng.randint(1, 2))))
    if slug == "wifi":
        return AttributeFilter(slug, boolean=rng.random() < 0.5)
    low, high = (8, 32) if slug == "ram" else (1, 8)
    bounds = sorted(Decimal(rng.randint(low, high)) for _ in range(2))
    gte, lte = rng.choice([(bounds[0], None), (None, bounds[1]), tuple(bounds)])
    return AttributeFilter(slug, gte=gte, lte=lte)


async def _listing(rng: random.Random, category_ids: list[str], brand_ids: list[str]) -> Any:
    words = rng.sample(WORDS, rng.choice([1, 1, 2])) if rng.random() < 0.5 else []
    prices = sorted(Decimal(rng.randint(10, 9000)) for _ in range(2))
    slugs = rng.sample(["renk", "ram", "wifi", "agirlik"], rng.choice([0, 0, 1, 1, 2]))
    flt = rules.ProductFilter(
        category_ids=tuple(rng.sample(category_ids, rng.randint(1, 2)))
        if rng.random() < 0.4
        else (),
        brand_ids=tuple(rng.sample(brand_ids, rng.randint(1, 2))) if rng.random() < 0.3 else (),
        price_gte=prices[0] if rng.random() < 0.3 else None,
        price_lte=prices[1] if rng.random() < 0.3 else None,
        in_stock=rng.choice([None, None, True, False]),
        max_lead_time_days=rng.choice([None, None, 5]),
        kdv_rates=rng.choice([(), (), (20,)]),
        attributes=tuple(_attribute_filter(rng, slug) for slug in slugs),
    )
    listing = rules.listing(" ".join(words) or None, flt, rules.ProductSort())
    if flt.category_ids:
        listing = replace(
            listing, category_scope=await queries.category_descendants(flt.category_ids)
        )
    return listing


def _matches(words: tuple[str, ...], document: str) -> bool:
    # The documented search: every word a whole token, the last one a token prefix.
    last = len(words) - 1
    return all(
        (f" {search.prefix_stem(w)}" if i == last else f" {w} ") in document
        for i, w in enumerate(words)
    )


def _passes(attr: AttributeFilter, value: Value | None) -> bool:
    if value is None:
        return False
    text, number, boolean = value
    if attr.values:
        return text is not None and search.fold_case(text) in {
            search.fold_case(v) for v in attr.values
        }
    if attr.boolean is not None:
        return boolean is attr.boolean
    assert number is not None
    return (attr.gte is None or number >= float(attr.gte)) and (
        attr.lte is None or number <= float(attr.lte)
    )


def _expected(listing: ProductListing, products: list[Stored]) -> dict[str, Any]:
    flt = listing.filter
    base = [
        p
        for p in products
        if p.active
        and _matches(listing.words, p.document)
        and (flt.in_stock is None or (p.stock > 0) is flt.in_stock)
        and (flt.max_lead_time_days is None or p.lead_time_days <= flt.max_lead_time_days)
        and (not flt.kdv_rates or p.kdv_rate in flt.kdv_rates)
    ]
    tests: dict[str, Any] = {}
    if flt.category_ids:
        tests["category"] = lambda p: p.category_id in listing.category_scope
    if flt.brand_ids:
        tests["brand"] = lambda p: p.brand_id in flt.brand_ids
    if flt.price_gte is not None or flt.price_lte is not None:
        low = -1 if flt.price_gte is None else int(flt.price_gte * 100)
        high = 10**15 if flt.price_lte is None else int(flt.price_lte * 100)
        tests["price"] = lambda p: low <= p.price_kurus <= high
    for i, attr in enumerate(flt.attributes):
        tests[f"a{i}"] = lambda p, attr=attr: _passes(attr, p.specs.get(attr.slug))

    def kept(but: str | None) -> list[Stored]:
        return [p for p in base if all(t(p) for name, t in tests.items() if name != but)]

    values: dict[tuple[str, str | None, bool | None], list[Any]] = {}

    def count_value(slug: str, value: Value) -> None:
        text, number, boolean = value
        found = values.setdefault((slug, text, boolean), [0, None, None])
        found[0] += 1
        if number is not None:
            found[1] = number if found[1] is None else min(found[1], number)
            found[2] = number if found[2] is None else max(found[2], number)

    filtered = {a.slug for a in flt.attributes}
    for p in kept(None):
        for slug, value in p.specs.items():
            if slug not in filtered:
                count_value(slug, value)
    for i, attr in enumerate(flt.attributes):
        for p in kept(f"a{i}"):
            if attr.slug in p.specs:
                count_value(attr.slug, p.specs[attr.slug])
    prices = [p.price_kurus for p in kept("price")]
    return {
        "count": len(kept(None)),
        "ids": sorted(p.id for p in kept(None)),
        "category": dict(Counter(p.category_id for p in kept("category"))),
        "brand": dict(Counter(p.brand_id for p in kept("brand") if p.brand_id)),
        "price": (min(prices), max(prices)) if prices else (None, None),
        "attribute": {k: tuple(v) for k, v in values.items()},
    }


async def _summary_rows(listing: ProductListing) -> dict[str, Any]:
    """The summary statement's rows, as _expected() shapes its figures."""
    params = sql.Params(queries.dialect())
    rows = await connections.get("default").execute_query_dict(
        sql.summary_statement(listing, params), params.values
    )
    slugs = {str(a.id): a.slug for a in await Attribute.all()}
    found: dict[str, Any] = {"category": {}, "brand": {}, "attribute": {}}
    for row in rows:
        facet, key = row["facet"], None if row["key"] is None else str(row["key"])
        if facet == "count":
            found["count"] = row["n"]
        elif facet in ("category", "brand"):
            found[facet][key] = row["n"]
        elif facet == "price":
            found["price"] = tuple(None if v is None else int(v) for v in (row["lo"], row["hi"]))
        else:
            flag = None if row["flag"] is None else bool(row["flag"])
            lo, hi = (None if v is None else float(v) for v in (row["lo"], row["hi"]))
            found["attribute"][(slugs[str(key)], row["text"], flag)] = (row["n"], lo, hi)
    return found


async def test_counts_facets_and_filters_match_a_count_in_python(db: str) -> None:
    await _store_catalogue()
    products = await _stored()
    category_ids = [str(c.id) for c in await Category.all().order_by("code")]
    brand_ids = [str(b.id) for b in await Brand.all().order_by("name")]
    rng = random.Random(20240601)
    for _ in range(80):
        listing = await _listing(rng, category_ids, brand_ids)
        expected = _expected(listing, products)
        ids = expected.pop("ids")
        assert await _summary_rows(listing) == expected, listing
        assert await queries.product_count(listing) == expected["count"], listing
        page = await queries.product_page(listing, limit=100, after=None, backwards=False)
        assert sorted(row.id for row in page) == ids, listing


async def _values_of_products() -> dict[str, set[tuple[Any, ...]]]:
    """Each product's value list, as (attribute id, text, number, yes/no) of each number."""
    values = {
        v.id: (v.attribute_id, v.value_text, v.value_number, v.value_boolean)
        for v in await AttributeValue.all()
    }
    return {
        str(p.id): {values[n] for n in p.attribute_value_ids or []} for p in await Product.all()
    }


async def _specs_of_products() -> dict[str, set[tuple[Any, ...]]]:
    found: dict[str, set[tuple[Any, ...]]] = {str(p.id): set() for p in await Product.all()}
    for s in await ProductSpecification.all():
        found[str(s.product_id)].add(
            (s.attribute_id, s.value_text, s.value_number, s.value_boolean)
        )
    return found


async def test_value_lists_follow_the_specifications_and_values_are_stored_once(
    db: str,
) -> None:
    await _store_catalogue()
    assert await _values_of_products() == await _specs_of_products()
    values = await AttributeValue.all().values_list(
        "attribute_id", "value_text", "value_number", "value_boolean"
    )
    assert len(values) == len(set(values))
    # A re-import of the same drafts adds no value and changes no list.
    lists = dict(await Product.all().values_list("sku", "attribute_value_ids"))
    await _store_catalogue()
    assert await AttributeValue.all().count() == len(values)
    assert dict(await Product.all().values_list("sku", "attribute_value_ids")) == lists


async def test_the_attribute_values_migration_fills_stored_rows(db: str) -> None:
    migration = importlib.import_module("db.migrations.0008_attribute_values")
    await _store_catalogue()
    products = await _stored()
    listing = rules.listing(None, rules.ProductFilter(), rules.ProductSort())
    before = await _summary_rows(listing)
    # Rows as they were before the migration: no values, no lists.
    await Product.all().update(attribute_value_ids=None)
    await AttributeValue.all().delete()

    await migration._fill(None, SimpleNamespace(client=connections.get("default")))

    assert await _values_of_products() == await _specs_of_products()
    assert await Product.filter(attribute_value_ids__isnull=True).count() == 0
    expected = _expected(listing, products)
    del expected["ids"]
    assert await _summary_rows(listing) == before == expected
