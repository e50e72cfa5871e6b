"""The catalogue write side: idempotent upserts, search columns, conflicts, all-or-nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from db import catalogue_store
from db.demo import loader
from db.models import Attribute, Brand, Category, Product, ProductSpecification, Supplier
from domain import search
from domain.catalogue import ProductDraft, SpecKind, SpecValue, Unit
from domain.imports import CategoryRow, ImportFailed, SkippedRow

RAM = SpecValue("ram", "RAM", SpecKind.NUMBER, number=Decimal(16), unit="GB")
LAPTOPS = CategoryRow("30213100-6", "Portable computers", "Taşınabilir bilgisayarlar")
OFFICE = CategoryRow("30192000-1", "Office supplies", "Büro malzemeleri")


def _draft(sku: str, **changes: Any) -> ProductDraft:
    draft = ProductDraft(
        sku=sku,
        name="Dizüstü Bilgisayar",
        description="İnce ve hafif",
        category_code="30213100-6",
        brand="Acme",
        supplier="Çınar Ofis",
        unit=Unit.PIECE,
        price_net=Decimal("25999.90"),
        kdv_rate=20,
        stock=5,
        specifications=(RAM,),
    )
    return replace(draft, **changes)


@pytest.fixture
async def categories(db: str) -> None:
    await catalogue_store.upsert_categories([LAPTOPS, OFFICE])


async def test_create_then_unchanged_then_update(categories: None) -> None:
    first = await catalogue_store.upsert_products([_draft("A"), _draft("B")], source="test")
    assert (first.created, first.updated, first.unchanged, first.skipped) == (2, 0, 0, [])
    stamps = dict(await Product.all().values_list("sku", "updated_at"))

    again = await catalogue_store.upsert_products([_draft("A"), _draft("B")], source="test")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert dict(await Product.all().values_list("sku", "updated_at")) == stamps

    changed = _draft("B", stock=7, specifications=(replace(RAM, number=Decimal(32)),))
    third = await catalogue_store.upsert_products([_draft("A"), changed], source="test")
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    b = await Product.get(sku="B")
    assert b.stock == 7 and b.updated_at > stamps["B"]
    assert await ProductSpecification.filter(product=b).values_list("value_number", flat=True) == [
        32.0
    ]
    assert await ProductSpecification.all().count() == 2


async def test_search_columns_are_written(categories: None) -> None:
    await catalogue_store.upsert_products([_draft("A")], source="test")

    product = await Product.get(sku="A")
    assert product.search_name == " dizustu bilgisayar "
    assert product.search_context == " acme tasinabilir bilgisayarlar portable computers "
    assert product.search_specs == " ram 16 gb "
    assert product.search_description == " ince ve hafif "
    assert product.name_sort == search.sort_key("Dizüstü Bilgisayar")


async def test_text_specifications_are_stored_case_folded(categories: None) -> None:
    def colour(text: str) -> SpecValue:
        return SpecValue("renk", "Renk", SpecKind.TEXT, text=text)

    await catalogue_store.upsert_products(
        [
            _draft("A", specifications=(RAM, colour("SİYAH"))),
            _draft("B", specifications=(colour("Işık Gri"),)),
        ],
        source="test",
    )
    stored = ProductSpecification.all().order_by("product__sku", "position")
    assert await stored.values_list("product__sku", "value_text", "value_text_folded") == [
        ("A", None, None),
        ("A", "SİYAH", "siyah"),
        ("B", "Işık Gri", "ışık gri"),
    ]

    # An update rewrites the specifications, the folded text with them.
    await catalogue_store.upsert_products(
        [_draft("B", specifications=(colour("KIRMIZI"),))], source="test"
    )
    assert await ProductSpecification.filter(product__sku="B").values_list(
        "value_text", "value_text_folded"
    ) == [("KIRMIZI", "kırmızı")]


async def test_prices_are_rounded_half_up(categories: None) -> None:
    drafts = [_draft("A", price_net=Decimal("10.005")), _draft("B", price_net=Decimal("0.125"))]

    await catalogue_store.upsert_products(drafts, source="test")

    prices = await Product.all().order_by("sku").values_list("price_net", "price_kurus")
    assert prices == [(Decimal("10.01"), 1001), (Decimal("0.13"), 13)]


async def test_brands_and_suppliers_are_found_by_name_or_slug(categories: None) -> None:
    await catalogue_store.ensure_suppliers({"cinar": "Çınar Ofis"})
    drafts = [_draft("A", brand="ACME"), _draft("B", brand="Acme"), _draft("C", brand=None)]

    await catalogue_store.upsert_products(drafts, source="test")

    assert await Brand.all().values_list("slug", "name") == [("acme", "ACME")]
    assert await Supplier.all().values_list("slug", flat=True) == ["cinar"]
    assert await Product.filter(brand_id=None).values_list("sku", flat=True) == ["C"]


async def test_rows_that_cannot_be_stored_are_skipped(categories: None) -> None:
    await catalogue_store.upsert_products([_draft("A")], source="test")
    drafts = [
        _draft("B", specifications=(replace(RAM, kind=SpecKind.TEXT, text="16", number=None),)),
        _draft("C", specifications=(replace(RAM, unit="MB"),)),
        _draft("D", category_code="99999999-9"),
        _draft("E"),
        _draft("E", name="İkinci"),
        _draft("F", specifications=(replace(RAM, slug="RAM X"), RAM, RAM)),
        _draft("G", price_net=Decimal("-1"), brand="!!"),
    ]

    result = await catalogue_store.upsert_products(drafts, source="test", rows=range(10, 17))

    assert result.skipped == [
        SkippedRow(10, "B", 'specification "ram" is TEXT, stored as NUMBER'),
        SkippedRow(11, "C", 'specification "ram" is in MB, stored in GB'),
        SkippedRow(
            12, "D", "unknown category 99999999-9: import the CPV tree first (esatis import-cpv)"
        ),
        SkippedRow(14, "E", "SKU E already appears on row 13"),
        SkippedRow(
            15,
            "F",
            'specification "RAM X": a slug is 1 to 64 lower-case letters, digits and hyphens; '
            'specification "ram" is given twice',
        ),
        SkippedRow(
            16,
            "G",
            "price is negative; brand name must be 1 to 120 characters with a letter or digit",
        ),
    ]
    assert (result.created, result.unchanged) == (1, 0)
    assert await Product.all().order_by("sku").values_list("sku", flat=True) == ["A", "E"]


async def test_a_new_attribute_takes_the_kind_of_its_first_use(categories: None) -> None:
    colour = SpecValue("renk", "Renk", SpecKind.TEXT, text="gri")
    drafts = [
        _draft("A", specifications=(colour,)),
        _draft("B", specifications=(replace(colour, kind=SpecKind.BOOLEAN, boolean=True),)),
    ]

    result = await catalogue_store.upsert_products(drafts, source="test")

    assert result.skipped == [SkippedRow(2, "B", 'specification "renk" is BOOLEAN, stored as TEXT')]
    assert await Attribute.filter(slug="renk").values_list("kind", flat=True) == ["TEXT"]


async def test_many_products_in_several_chunks(categories: None) -> None:
    drafts = [_draft(f"SKU-{n:05d}", name=f"Ürün {n}") for n in range(1234)]

    created = await catalogue_store.upsert_products(drafts, source="test")
    unchanged = await catalogue_store.upsert_products(drafts, source="test")
    repriced = [replace(d, price_net=Decimal("1.50")) for d in drafts]
    updated = await catalogue_store.upsert_products(repriced, source="test")

    assert (created.created, unchanged.unchanged, updated.updated) == (1234, 1234, 1234)
    assert set(await Product.all().values_list("price_kurus", flat=True)) == {150}
    assert await ProductSpecification.all().count() == 1234


class _FailingProgress:
    def __init__(self) -> None:
        self.calls = 0

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        self.calls += 1
        if self.calls == 3:  # two chunks of 500 are written by then
            raise RuntimeError("disk full")

    def close(self) -> None:
        pass


async def test_a_fatal_error_rolls_everything_back(categories: None) -> None:
    drafts = [_draft(f"SKU-{n:04d}", brand=f"Marka {n % 3}") for n in range(1200)]

    with pytest.raises(RuntimeError, match="disk full"):
        await catalogue_store.upsert_products(drafts, source="test", progress=_FailingProgress())

    assert await Product.all().count() == 0
    assert await Brand.all().count() == 0
    assert await Supplier.all().count() == 0
    assert await Attribute.all().count() == 0


async def test_categories_are_idempotent_and_reparented(db: str) -> None:
    first = await catalogue_store.upsert_categories([LAPTOPS, CategoryRow("bad", "x")])
    reason = "a CPV code is eight digits and an optional check digit: 30213100-6"
    assert (first.created, first.skipped) == (1, [SkippedRow(2, "bad", reason)])
    laptops = await Category.get(code="30213100-6")
    assert (laptops.parent_id, laptops.path, laptops.depth) == (None, "30213100/", 0)

    rows = [
        CategoryRow("30000000-9", "Office and computing machinery"),
        CategoryRow("30213100-6", "Portable computers"),  # no Turkish name: keep the stored one
    ]
    second = await catalogue_store.upsert_categories(rows)
    assert (second.created, second.updated, second.unchanged) == (1, 1, 0)
    laptops = await Category.get(code="30213100-6").prefetch_related("parent")
    assert laptops.parent is not None and laptops.parent.code == "30000000-9"
    assert (laptops.path, laptops.depth) == ("30000000/30213100/", 1)
    assert laptops.name_tr == "Taşınabilir bilgisayarlar"

    third = await catalogue_store.upsert_categories(rows)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 2)


def _demo_file(tmp_path: Path) -> Path:
    document = {
        "categories": [
            {"code": "30213100-6", "name_tr": "Taşınabilir bilgisayarlar", "name_en": "Laptops"},
            {"code": "30192000-1", "name_tr": "Büro malzemeleri", "name_en": "Office supplies"},
            {"code": "39100000-3", "name_tr": "Mobilya", "name_en": "Furniture"},
        ],
        "suppliers": [{"slug": "anadolu-bilisim", "name": "Anadolu Bilişim Ltd. Şti."}],
        "attributes": [
            {"slug": "ram", "name": "RAM", "kind": "NUMBER", "unit": "GB"},
            {"slug": "dokunmatik", "name": "Dokunmatik ekran", "kind": "BOOLEAN", "unit": None},
            {"slug": "renk", "name": "Renk", "kind": "TEXT", "unit": None},
        ],
        "products": [
            {
                "sku": "DEMO-NB-1", "name": "Dizüstü bilgisayar 14", "description": "Demo",
                "category": "30213100-6", "brand": "Anka", "supplier": "anadolu-bilisim",
                "unit": "C62", "price_net": "28999.90", "kdv_rate": 20, "stock": 12,
                "min_order_quantity": 1, "lead_time_days": 3, "warranty_months": 24,
                "images": [], "price_valid_until": "2026-12-31",
                "specifications": [
                    {"attribute": "ram", "value": 16},
                    {"attribute": "dokunmatik", "value": False},
                    {"attribute": "renk", "value": "Gri"},
                ],
            },
            {
                "sku": "DEMO-KG-1", "name": "Fotokopi kağıdı A4", "description": "",
                "category": "30192000-1", "brand": None, "supplier": "anadolu-bilisim",
                "unit": "RM", "price_net": "149.90", "kdv_rate": 20, "stock": 500,
                "min_order_quantity": 5, "lead_time_days": 2, "warranty_months": 0,
                "images": [], "specifications": [],
            },
        ],
    }  # fmt: skip
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


async def test_demo_loader_fills_an_empty_catalogue_once(db: str, tmp_path: Path) -> None:
    path = _demo_file(tmp_path)

    assert await loader.load_if_empty(path) == "2 products in 2 categories"
    assert await loader.load_if_empty(path) is None

    assert await Category.all().count() == 3
    assert await Supplier.all().values_list("slug", flat=True) == ["anadolu-bilisim"]
    laptop = await Product.get(sku="DEMO-NB-1")
    assert (laptop.price_net, laptop.source, str(laptop.price_valid_until)) == (
        Decimal("28999.90"), "demo", "2026-12-31"
    )  # fmt: skip
    specs = (
        await ProductSpecification.filter(product=laptop)
        .order_by("position")
        .values_list("attribute__slug", "value_number", "value_boolean", "value_text")
    )
    assert specs == [
        ("ram", 16.0, None, None),
        ("dokunmatik", None, False, None),
        ("renk", None, None, "Gri"),
    ]


async def test_demo_loader_refuses_a_malformed_file(db: str, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text('{"categories": [], "products": [{"sku": "X"}]}', encoding="utf-8")

    with pytest.raises(ImportFailed, match="the demo catalogue is malformed"):
        await loader.load_if_empty(path)
    assert await Product.all().count() == 0
