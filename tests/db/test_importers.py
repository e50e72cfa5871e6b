"""Catalogue imports end to end: real source files into a real database, with exact counts."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from db.demo import loader
from db.importers import category_map, detect, dummyjson
from db.models import Attribute, Category, Product, ProductSpecification, Supplier
from domain import cpv
from domain.imports import ImportFailed, SkippedRow
from services import imports

# One TRY per USD: the files' own numbers, so expected prices read like the source.
AT_PAR = Decimal(1)

ROOT = Path(__file__).resolve().parents[2]
CSV_HEADER = (
    "sku,name,description,category_code,brand,supplier,unit,price_net,kdv_rate,stock,"
    "min_order_quantity,lead_time_days,warranty_months,specifications"
)


def _dummyjson(shared_data: Path) -> Path:
    return shared_data / "products" / "dummyjson-products.json"


def _openboxes(shared_data: Path) -> Path:
    return shared_data / "products" / "openboxes-products.csv"


def _products(shared_data: Path) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(_dummyjson(shared_data).read_text(encoding="utf-8"))
    return loaded


def _write_json(tmp_path: Path, document: object, name: str = "products.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


async def test_dummyjson_import_creates_every_product(db: str, shared_data: Path) -> None:
    summary = await imports.import_catalogue(_dummyjson(shared_data), rate=AT_PAR)

    assert (summary.created, summary.updated, summary.unchanged) == (194, 0, 0)
    assert summary.skipped == []
    assert summary.unmapped_categories == {}
    assert await Product.all().count() == 194
    assert await Product.filter(brand_id=None).count() == 92
    assert await Product.filter(kdv_rate=1).count() == 27  # groceries: basic food
    assert await Product.filter(kdv_rate=20).count() == 167
    assert await Supplier.all().values_list("name", flat=True) == ["Bilinmeyen tedarikçi"]
    assert await ProductSpecification.all().count() == 194 * 5
    laptop = await Product.get(sku="LAP-APP-APP-078").prefetch_related("category", "brand")
    assert laptop.category.code == "30213100-6"
    assert laptop.brand is not None and laptop.brand.slug == "apple"
    assert (laptop.price_net, laptop.price_kurus, laptop.kdv_rate) == (
        Decimal("1999.99"),
        199999,
        20,
    )
    assert (laptop.stock, laptop.min_order_quantity) == (24, 1)
    assert (laptop.warranty_months, laptop.lead_time_days) == (36, 14)
    assert len(laptop.images) == 3
    assert laptop.source == "dummyjson"
    assert len(laptop.content_hash) == 64


async def test_dummyjson_specifications(db: str, shared_data: Path) -> None:
    await imports.import_catalogue(_dummyjson(shared_data), rate=AT_PAR)

    laptop = await Product.get(sku="LAP-APP-APP-078")
    specs = (
        await ProductSpecification.filter(product=laptop)
        .order_by("position")
        .values_list("attribute__slug", "value_number", "value_text")
    )
    assert specs == [
        ("agirlik", 9.0, None),
        ("genislik", 200.3, None),
        ("yukseklik", 95.4, None),
        ("derinlik", 148.2, None),
        ("etiketler", None, "laptops, apple"),
    ]
    assert await Attribute.filter(slug="agirlik").values_list("kind", "unit") == [("NUMBER", "kg")]
    assert laptop.search_specs.startswith(" agirlik 9 kg genislik 200 . 3 mm ")


async def test_second_dummyjson_import_writes_nothing(db: str, shared_data: Path) -> None:
    await imports.import_catalogue(_dummyjson(shared_data), rate=AT_PAR)
    before = dict(await Product.all().values_list("sku", "updated_at"))

    summary = await imports.import_catalogue(_dummyjson(shared_data), rate=AT_PAR)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 194)
    assert summary.skipped == []
    assert dict(await Product.all().values_list("sku", "updated_at")) == before
    assert await ProductSpecification.all().count() == 194 * 5


async def test_changed_rows_are_updated_and_their_specifications_replaced(
    db: str, shared_data: Path, tmp_path: Path
) -> None:
    await imports.import_catalogue(_dummyjson(shared_data), rate=AT_PAR)
    before = await Product.get(sku="BEA-ESS-ESS-001")
    products = _products(shared_data)
    products[0]["price"] = 10.49
    products[0]["tags"] = ["makyaj"]

    summary = await imports.import_catalogue(_write_json(tmp_path, products), rate=AT_PAR)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 193)
    after = await Product.get(sku="BEA-ESS-ESS-001")
    assert (after.price_net, after.price_kurus) == (Decimal("10.49"), 1049)
    assert after.updated_at > before.updated_at
    assert after.created_at == before.created_at
    assert await ProductSpecification.filter(
        product=after, attribute__slug="etiketler"
    ).values_list("value_text", flat=True) == ["makyaj"]
    assert await ProductSpecification.all().count() == 194 * 5


async def test_rate_converts_usd_to_try_half_up(db: str, shared_data: Path) -> None:
    summary = await imports.import_catalogue(_dummyjson(shared_data), rate=Decimal("41.25"))

    assert summary.created == 194
    prices = dict(
        await Product.filter(sku__in=["BEA-ESS-ESS-001", "LAP-APP-APP-078"]).values_list(
            "sku", "price_net"
        )
    )
    # 9.99 x 41.25 = 412.0875; 1999.99 x 41.25 = 82499.5875
    assert prices == {"BEA-ESS-ESS-001": Decimal("412.09"), "LAP-APP-APP-078": Decimal("82499.59")}

    await imports.import_catalogue(_dummyjson(shared_data), rate=Decimal("41.5"))
    # 9.99 x 41.5 = 414.585: half-up gives 414.59 where half-even would give 414.58.
    mascara = await Product.get(sku="BEA-ESS-ESS-001")
    assert (mascara.price_net, mascara.price_kurus) == (Decimal("414.59"), 41459)


async def test_openboxes_import(db: str, shared_data: Path) -> None:
    summary = await imports.import_catalogue(_openboxes(shared_data), rate=AT_PAR)

    assert (summary.created, summary.updated, summary.unchanged) == (57, 0, 0)
    assert summary.skipped == []
    assert summary.unmapped_categories == {}
    medicines = Product.filter(category__code="33600000-6")
    assert await medicines.count() == 12
    assert set(await medicines.values_list("kdv_rate", flat=True)) == {10}
    assert await Product.filter(category__code="30200000-1").count() == 19
    assert await Product.filter(category__code="39130000-2").count() == 6
    assert await Product.filter(kdv_rate=20).count() == 45
    assert set(await Product.all().values_list("unit", "stock", "active")) == {("C62", 0, True)}
    # 0.068 USD rounds half-up to the kuruş.
    tube = await Product.get(sku="HG966")
    assert tube.price_net == Decimal("0.07")
    assert await Supplier.all().values_list("name", flat=True) == ["Bilinmeyen tedarikçi"]
    assert await ProductSpecification.filter(attribute__slug="soguk-zincir").count() == 2
    assert await ProductSpecification.filter(attribute__slug="tehlikeli-madde").count() == 9
    assert await ProductSpecification.filter(attribute__slug="etiketler").count() == 31


async def test_openboxes_rate_and_sub_kurus_costs(db: str, shared_data: Path) -> None:
    await imports.import_catalogue(_openboxes(shared_data), fmt="openboxes", rate=Decimal("41.25"))

    prices = dict(await Product.filter(sku__in=["HG966", "JG794"]).values_list("sku", "price_net"))
    # 0.068 x 41.25 = 2.805 -> 2.81 (half-up); 475 x 41.25 = 19593.75
    assert prices == {"HG966": Decimal("2.81"), "JG794": Decimal("19593.75")}


async def test_corrupted_rows_are_skipped_with_reasons(
    db: str, shared_data: Path, tmp_path: Path
) -> None:
    products = _products(shared_data)
    products[2]["title"] = "  "
    products[4]["price"] = -5
    products[6]["stock"] = "abc"

    summary = await imports.import_catalogue(_write_json(tmp_path, products), rate=AT_PAR)

    assert summary.skipped == [
        SkippedRow(3, "BEA-VEL-POW-003", "name is missing"),
        SkippedRow(5, "BEA-NAI-NAI-005", "price is negative"),
        SkippedRow(7, "FRA-CHA-CHA-007", 'stock "abc" is not a whole number'),
    ]
    assert (summary.created, summary.updated, summary.unchanged) == (191, 0, 0)
    assert await Product.all().count() == 191
    assert not await Product.exists(
        sku__in=["BEA-VEL-POW-003", "BEA-NAI-NAI-005", "FRA-CHA-CHA-007"]
    )
    assert 'row 7 (SKU FRA-CHA-CHA-007): stock "abc" is not a whole number' in summary.render()


async def test_unmapped_categories_are_counted_and_filed_under_other(
    db: str, shared_data: Path, tmp_path: Path
) -> None:
    products = _products(shared_data)
    for index in (0, 1):
        products[index]["category"] = "pet-supplies"
    products[2]["category"] = "toys"

    summary = await imports.import_catalogue(_write_json(tmp_path, products), rate=AT_PAR)

    assert summary.created == 194
    assert summary.unmapped_categories == {"pet-supplies": 2, "toys": 1}
    assert summary.fallback_category == "39300000-5"
    other = await Product.filter(category__code="39300000-5").values_list("sku", "kdv_rate")
    assert sorted(other) == [
        ("BEA-ESS-ESS-001", 20),
        ("BEA-GLA-EYE-002", 20),
        ("BEA-VEL-POW-003", 20),
    ]
    assert summary.render().endswith(
        "Source categories without a CPV mapping (filed under 39300000-5):\n"
        "  pet-supplies: 2 rows\n"
        "  toys: 1 row"
    )


async def test_categories_are_created_with_ancestors_from_the_reference_table(
    db: str, shared_data: Path
) -> None:
    await imports.import_catalogue(_dummyjson(shared_data), rate=AT_PAR)

    laptops = await Category.get(code="30213100-6").prefetch_related("parent")
    assert laptops.parent is not None and laptops.parent.code == "30213000-5"
    assert (laptops.path, laptops.depth) == ("30000000/30200000/30210000/30213000/30213100/", 4)
    assert (laptops.name_en, laptops.name_tr) == ("Portable computers", "Taşınabilir bilgisayarlar")
    division = await Category.get(code="30000000-9")
    assert (division.parent_id, division.depth, division.path) == (None, 0, "30000000/")
    assert await Category.all().count() == 51


def _write_csv(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "katalog.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER.split(","))
        writer.writerows(rows)
    return path


def _row(sku: str, **changes: str) -> list[str]:
    values = {
        "sku": sku, "name": "Tükenmez kalem", "description": "", "category_code": "30192000-1",
        "brand": "", "supplier": "Kırtasiye Ltd.", "unit": "PA", "price_net": "1.00",
        "kdv_rate": "20", "stock": "1", "min_order_quantity": "1", "lead_time_days": "3",
        "warranty_months": "0", "specifications": "",
    } | changes  # fmt: skip
    return [values[column] for column in CSV_HEADER.split(",")]


async def test_plain_csv_with_good_and_bad_rows(db: str, tmp_path: Path) -> None:
    specs = [
        {"slug": "ram", "name": "RAM", "value": 16, "unit": "GB"},
        {"slug": "renk", "name": "Renk", "value": "gri"},
    ]
    path = _write_csv(
        tmp_path,
        [
            _row(
                "NB-1",
                name="Dizüstü bilgisayar 14",
                category_code="30213100-6",
                brand="Acme",
                supplier="Çınar Bilişim A.Ş.",
                unit="C62",
                price_net="25999.90",
                stock="12",
                warranty_months="24",
                specifications=json.dumps(specs),
            ),
            _row("NB-2", name=" "),
            _row("NB-3", price_net="12,50"),
            _row("NB-4", price_net="-1.00", unit="kutu"),
            _row("NB-5", unit="kasa"),
            _row("NB-6", stock="çok"),
            _row("NB-7", price_net="1.005"),
            _row("NB-8", kdv_rate="18"),
            _row("NB-9", category_code="3019200"),
            _row("NB-10", specifications='[{"slug": "renk", "value": 3}]'),
            _row(
                "NB-11",
                name="Fotokopi kağıdı A4",
                unit="RM",
                price_net="149.90",
                stock="500",
                min_order_quantity="5",
                lead_time_days="",
                warranty_months="",
            ),
        ],
    )

    summary = await imports.import_catalogue(path)

    assert summary.skipped == [
        SkippedRow(3, "NB-2", "name is missing"),
        SkippedRow(4, "NB-3", 'price_net "12,50": not a decimal number (write 1234.56)'),
        SkippedRow(5, "NB-4", "price is negative"),
        SkippedRow(6, "NB-5", 'unknown unit "kasa"'),
        SkippedRow(7, "NB-6", 'stock "çok" is not a whole number'),
        SkippedRow(8, "NB-7", 'price_net "1.005": at most two decimal places (write 1234.56)'),
        SkippedRow(9, "NB-8", "KDV rate must be 0, 1, 10 or 20"),
        SkippedRow(10, "NB-9", 'category_code "3019200" is not a CPV code such as 30213100-6'),
        SkippedRow(11, "NB-10", 'specification "renk" is NUMBER, stored as TEXT'),
    ]
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    laptop = await Product.get(sku="NB-1").prefetch_related("supplier", "brand")
    assert (laptop.price_net, laptop.kdv_rate, laptop.stock) == (Decimal("25999.90"), 20, 12)
    assert (laptop.lead_time_days, laptop.warranty_months, laptop.source) == (3, 24, "csv")
    assert laptop.supplier.slug == "cinar-bilisim-a-s"
    assert laptop.search_name == " dizustu bilgisayar 14 "
    stored = (
        await ProductSpecification.filter(product=laptop)
        .order_by("position")
        .values_list("attribute__slug", "attribute__kind", "value_number", "value_text")
    )
    assert stored == [("ram", "NUMBER", 16.0, None), ("renk", "TEXT", None, "gri")]
    paper = await Product.get(sku="NB-11")
    assert (paper.unit, paper.min_order_quantity, paper.lead_time_days, paper.warranty_months) == (
        "RM", 5, 5, 0
    )  # fmt: skip


async def test_csv_row_with_a_category_outside_the_known_tree_is_skipped(
    db: str, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path, [_row("T-1", name="Toner", category_code="30125100-2")])

    summary = await imports.import_catalogue(path)

    assert summary.skipped == [
        SkippedRow(
            2, "T-1", "unknown category 30125100-2: import the CPV tree first (esatis import-cpv)"
        )
    ]
    assert await Product.all().count() == 0


def _csv_line(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue()


def _write_csv_text(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "katalog.csv"
    path.write_text(CSV_HEADER + "\n" + "".join(lines), encoding="utf-8")
    return path


UNCLOSED = 'unclosed quote in column "{}": its value runs into the lines after it'


async def test_csv_unclosed_quote_skips_its_row_and_the_following_rows_import(
    db: str, tmp_path: Path
) -> None:
    specs = json.dumps([{"slug": "renk", "name": "Renk", "value": "mavi"}])
    broken = _csv_line(_row("B-2")).replace("Tükenmez kalem", '"Tükenmez kalem')
    path = _write_csv_text(
        tmp_path,
        [
            _csv_line(_row("B-1")),
            broken,  # line 3: the quote opened in "name" is never closed
            _csv_line(_row("B-3")),
            _csv_line(_row("B-4", specifications=specs)),  # a quoted cell after the broken one
            _csv_line(_row("B-5")),
        ],
    )

    summary = await imports.import_catalogue(path)

    assert summary.skipped == [SkippedRow(3, "B-2", UNCLOSED.format("name"))]
    assert (summary.created, summary.updated, summary.unchanged) == (4, 0, 0)
    assert await Product.all().order_by("sku").values_list("sku", "name") == [
        ("B-1", "Tükenmez kalem"),
        ("B-3", "Tükenmez kalem"),
        ("B-4", "Tükenmez kalem"),
        ("B-5", "Tükenmez kalem"),
    ]
    assert await ProductSpecification.filter(product__sku="B-4").values_list(
        "attribute__slug", "value_text"
    ) == [("renk", "mavi")]
    assert (
        'row 3 (SKU B-2): unclosed quote in column "name": its value runs into the lines after it'
        in summary.render()
    )


async def test_csv_unclosed_quotes_in_the_last_column_and_the_last_row(
    db: str, tmp_path: Path
) -> None:
    # An open quote in the last cell takes whole rows as its value: the cell count still fits.
    open_specs = _csv_line(_row("C-2"))[:-1] + '"[{""slug"": ""renk"", ""value"": ""gri""}]\n'
    open_at_the_end = _csv_line(_row("C-6")).replace(",,30192000-1", ',"Açıklama,30192000-1')
    path = _write_csv_text(
        tmp_path,
        [
            _csv_line(_row("C-1")),
            open_specs,  # line 3
            _csv_line(_row("C-3")),
            '"C-4,Silgi,,30192000-1,,Kırtasiye Ltd.,PA,1.00,20,1,1,3,0,\n',  # line 5
            'C-5,"Silgi" beyaz,,30192000-1,,Kırtasiye Ltd.,PA,1.00,20,1,1,3,0,\n',  # line 6
            _csv_line(_row("C-7")),
            open_at_the_end,  # line 8, the last one
        ],
    )

    summary = await imports.import_catalogue(path)

    assert summary.skipped == [
        SkippedRow(3, "C-2", UNCLOSED.format("specifications")),
        SkippedRow(5, None, UNCLOSED.format("sku")),
        SkippedRow(6, "C-5", "not valid CSV: ',' expected after '\"'"),
        SkippedRow(8, "C-6", UNCLOSED.format("description")),
    ]
    assert await Product.all().order_by("sku").values_list("sku", flat=True) == [
        "C-1",
        "C-3",
        "C-7",
    ]


async def test_csv_quoted_values_may_span_lines_and_rows_are_numbered_by_their_first_line(
    db: str, tmp_path: Path
) -> None:
    two_lines = "Birinci satır\nİkinci satır"
    path = _write_csv_text(
        tmp_path,
        [
            _csv_line(_row("D-1", description=two_lines, price_net="-1.00")),  # lines 2-3
            _csv_line(_row("D-2", description=two_lines)),  # lines 4-5
            _csv_line(_row("D-3", stock="çok")),  # line 6
        ],
    )

    summary = await imports.import_catalogue(path)

    assert summary.skipped == [
        SkippedRow(2, "D-1", "price is negative"),
        SkippedRow(6, "D-3", 'stock "çok" is not a whole number'),
    ]
    assert await Product.all().values_list("sku", "description") == [("D-2", two_lines)]


async def test_openboxes_unclosed_quote_skips_only_its_row(
    db: str, shared_data: Path, tmp_path: Path
) -> None:
    text = _openboxes(shared_data).read_text(encoding="utf-8")
    broken = text.replace('1mL ampoule",', "1mL ampoule,", 1)
    assert broken != text
    path = tmp_path / "products.csv"
    path.write_text(broken, encoding="utf-8")

    summary = await imports.import_catalogue(path, rate=AT_PAR)

    assert summary.skipped == [SkippedRow(3, "TS894", UNCLOSED.format("Name"))]
    assert (summary.created, summary.updated, summary.unchanged) == (56, 0, 0)
    assert not await Product.exists(sku="TS894")


async def test_cpv_import_builds_the_whole_tree(db: str, shared_data: Path) -> None:
    cpv_file = shared_data / "cpv" / "cpv2008-en.json"

    summary = await imports.import_cpv(cpv_file)

    assert (summary.created, summary.updated, summary.unchanged, summary.skipped) == (
        9454,
        0,
        0,
        [],
    )
    assert await Category.all().count() == 9454
    assert await Category.filter(parent_id=None).count() == 45
    parents = dict(
        await Category.filter(
            code__in=["30213100-6", "30213000-5", "39130000-2", "33711140-0", "03000000-1"]
        ).values_list("code", "parent__code")
    )
    assert parents == {
        "30213100-6": "30213000-5",
        "30213000-5": "30210000-4",
        "39130000-2": "39100000-3",
        "33711140-0": "33711100-8",
        "03000000-1": None,
    }
    laptops = await Category.get(code="30213100-6")
    assert (laptops.depth, laptops.name_tr) == (4, "Taşınabilir bilgisayarlar")
    assert (await Category.get(code="30237461-8")).name_tr is None

    again = await imports.import_cpv(cpv_file)
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 9454, [])


async def test_cpv_import_keeps_turkish_names_and_products(db: str, shared_data: Path) -> None:
    await imports.import_catalogue(_openboxes(shared_data), rate=AT_PAR)
    await Category.filter(code="30192000-1").update(name_tr="Kırtasiye")

    summary = await imports.import_cpv(shared_data / "cpv" / "cpv2008-en.json")

    assert (summary.created, summary.updated, summary.unchanged) == (9454 - 11, 0, 11)
    assert (await Category.get(code="30192000-1")).name_tr == "Kırtasiye"
    assert await Product.filter(category__code="30192000-1").count() == 9


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("{not json", "products.json", "products.json: not valid JSON (line 1: "),
        ('{"items": [1, 2]}', "products.json", "products.json: JSON but not a DummyJSON product"),
        ("a,b,c\n1,2,3\n", "products.csv", "products.csv: cannot tell the format"),
        ("\x89PNG\r\n\x1a\n\x00\xff", "products.json", "products.json is not UTF-8 text"),
    ],
)
async def test_fatal_errors_leave_the_catalogue_unchanged(
    db: str, shared_data: Path, tmp_path: Path, content: str, name: str, message: str
) -> None:
    await imports.import_catalogue(_openboxes(shared_data), rate=AT_PAR)
    path = tmp_path / name
    if content.startswith("\x89"):
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    else:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(ImportFailed) as caught:
        await imports.import_catalogue(path)

    assert caught.value.message.startswith(message)
    assert await Product.all().count() == 57


async def test_wrong_file_for_the_chosen_format(db: str, shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        await imports.import_catalogue(_openboxes(shared_data), fmt="csv")
    assert caught.value.message == (
        "openboxes-products.csv: this is not a product CSV in the portal's format: missing "
        "column(s) brand, category_code, description, kdv_rate, lead_time_days, "
        "min_order_quantity, name, price_net, sku, specifications, stock, supplier, unit, "
        "warranty_months"
    )
    wrong_shape = _write_json(tmp_path, {"products": {"title": "x"}})
    with pytest.raises(ImportFailed, match="not a DummyJSON product file"):
        await imports.import_catalogue(wrong_shape, fmt="dummyjson")
    with pytest.raises(ImportFailed, match="does not exist"):
        await imports.import_catalogue(tmp_path / "missing.json")
    with pytest.raises(ImportFailed, match="not a CPV file"):
        await imports.import_cpv(_dummyjson(shared_data))
    supplementary = shared_data / "cpv" / "cpv2008-supplementary-en.json"
    with pytest.raises(ImportFailed) as caught:
        await imports.import_cpv(supplementary)
    assert caught.value.message == (
        "cpv2008-supplementary-en.json: no entry is a CPV code such as 30213100-6"
    )
    assert await Product.all().count() == 0
    assert await Category.all().count() == 0


def test_format_detection(shared_data: Path, tmp_path: Path) -> None:
    assert detect.detect(Path("x.json"), _dummyjson(shared_data).read_text()) == "dummyjson"
    assert detect.detect(Path("x"), '{"products": [{"title": "a"}]}') == "dummyjson"
    assert detect.detect(Path("x.csv"), _openboxes(shared_data).read_text()) == "openboxes"
    assert detect.detect(Path("x.csv"), CSV_HEADER + "\n") == "csv"
    with pytest.raises(ImportFailed, match="cannot tell the format"):
        detect.detect(Path("x.txt"), "hello\n")


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("1 year warranty", 12),
        ("5 year warranty", 60),
        ("6 months warranty", 6),
        ("1 month warranty", 1),
        ("1 week warranty", 0),
        ("No warranty", 0),
        ("Lifetime warranty", 120),
        ("", 0),
    ],
)
def test_warranty_months(text: str, months: int) -> None:
    assert dummyjson.warranty_months(text) == months


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Ships overnight", 1),
        ("Ships in 1-2 business days", 2),
        ("Ships in 3-5 business days", 5),
        ("Ships in 1 week", 7),
        ("Ships in 2 weeks", 14),
        ("Ships in 1 month", 30),
        ("Ask the seller", 5),
    ],
)
def test_lead_time_days(text: str, days: int) -> None:
    assert dummyjson.lead_time_days(text) == days


def test_every_mapped_code_is_a_real_cpv_code_with_reference_ancestors(shared_data: Path) -> None:
    labels = json.loads((shared_data / "cpv" / "cpv2008-en.json").read_text(encoding="utf-8"))
    for code, (name_en, name_tr) in category_map.REFERENCE.items():
        assert labels[code] == name_en, code
        assert name_tr
    codes = {m.code for m in category_map.SOURCE_CATEGORIES.values()} | {category_map.OTHER.code}
    for code in codes:
        rows = category_map.reference_rows([code])
        assert rows[0].code == code
        # Every ancestor the full CPV tree has is in the table, so parents never differ later.
        real = {c[:8] for c in labels}
        wanted = {a for a in cpv.ancestors(code[:8]) if a in real}
        assert {row.code[:8] for row in rows[1:]} == wanted, code


def test_cli_import_catalogue(shared_data: Path, tmp_path: Path) -> None:
    env = {**os.environ, "ESATIS_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}"}
    command = [
        sys.executable,
        "-m",
        "cli",
        "import-catalogue",
        "--rate",
        "1",
        str(_dummyjson(shared_data)),
    ]

    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout == "194 products read: 194 created, 0 updated, 0 unchanged, 0 skipped.\n"

    bad = tmp_path / "bad.json"
    bad.write_text("[", encoding="utf-8")
    failed = subprocess.run(
        [*command[:-1], str(bad)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "esatis: import failed: bad.json: not valid JSON (line 1: " in failed.stderr

    no_rate = subprocess.run(
        [*command[:4], command[-1]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert no_rate.returncode == 1
    assert no_rate.stderr == (
        "esatis: import failed: prices in a dummyjson file are in US dollars: give --rate, "
        "the TRY per USD rate (for example --rate 41.25)\n"
    )


async def test_the_shipped_demo_catalogue_and_the_importers_fit_together(
    db: str, shared_data: Path
) -> None:
    document = json.loads(loader.CATALOGUE.read_text(encoding="utf-8"))
    products = document["products"]
    used = {product["category"] for product in products}

    loaded = await loader.load_if_empty()

    assert loaded == f"{len(products)} products in {len(used)} categories"
    assert await Product.all().count() == len(products)
    # Shared attributes (agirlik, genislik, ...) keep one kind and unit across sources.
    dummy = await imports.import_catalogue(_dummyjson(shared_data), rate=AT_PAR)
    boxes = await imports.import_catalogue(_openboxes(shared_data), rate=AT_PAR)
    assert (dummy.created, dummy.skipped, boxes.created, boxes.skipped) == (194, [], 57, [])
