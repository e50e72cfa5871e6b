"""Import results and rules that need no database: summary text, slugs, hashes, specifications."""

from dataclasses import replace
from decimal import Decimal

from domain.catalogue import ProductDraft, SpecKind, SpecValue, Unit
from domain.imports import (
    ImportSummary,
    RowDraft,
    SkippedRow,
    content_hash,
    count_unmapped,
    normalise,
    slugify,
    spec_problems,
    spec_text,
)

DRAFT = ProductDraft(
    sku="NB-1",
    name="Dizüstü bilgisayar",
    description="",
    category_code="30213100-6",
    brand="Anka",
    supplier="Çınar Bilişim A.Ş.",
    unit=Unit.PIECE,
    price_net=Decimal("100.00"),
    kdv_rate=20,
    stock=1,
    specifications=(SpecValue("ram", "RAM", SpecKind.NUMBER, number=Decimal(16), unit="GB"),),
)


def test_render_lists_counts_skipped_rows_in_order_and_unmapped_categories() -> None:
    summary = ImportSummary(
        created=2,
        updated=1,
        unchanged=3,
        skipped=[SkippedRow(9, None, "name is missing"), SkippedRow(4, "X-1", "price is negative")],
        unmapped_categories={"toys": 1, "pet-supplies": 2},
        fallback_category="39300000-5",
    )

    assert summary.processed == 8
    assert summary.render() == (
        "8 products read: 2 created, 1 updated, 3 unchanged, 2 skipped.\n"
        "Skipped rows:\n"
        "  row 4 (SKU X-1): price is negative\n"
        "  row 9: name is missing\n"
        "Source categories without a CPV mapping (filed under 39300000-5):\n"
        "  pet-supplies: 2 rows\n"
        "  toys: 1 row"
    )
    assert ImportSummary(label="categories", unchanged=9454).render() == (
        "9454 categories read: 0 created, 0 updated, 9454 unchanged, 0 skipped."
    )


def test_count_unmapped() -> None:
    rows = [
        RowDraft(1, DRAFT, "toys"),
        RowDraft(2, DRAFT),
        SkippedRow(3, None, "x"),
        RowDraft(4, DRAFT, "toys"),
    ]
    assert count_unmapped(rows) == {"toys": 2}


def test_slugify_folds_turkish_letters() -> None:
    assert slugify("Çınar Bilişim A.Ş.") == "cinar-bilisim-a-s"
    assert slugify("  IŞIK  & Gölge ") == "isik-golge"
    assert slugify("!!") == ""


def test_content_hash_changes_with_any_field_or_the_source() -> None:
    digest = content_hash(DRAFT, "csv")
    assert len(digest) == 64
    assert content_hash(replace(DRAFT), "csv") == digest
    assert content_hash(DRAFT, "demo") != digest
    assert content_hash(replace(DRAFT, stock=2), "csv") != digest
    other_spec = (replace(DRAFT.specifications[0], number=Decimal(32)),)
    assert content_hash(replace(DRAFT, specifications=other_spec), "csv") != digest


def test_normalise_rounds_the_price_half_up() -> None:
    assert normalise(replace(DRAFT, price_net=Decimal("0.125"))).price_net == Decimal("0.13")
    assert normalise(replace(DRAFT, price_net=Decimal("10.005"))).price_net == Decimal("10.01")
    assert normalise(DRAFT) is DRAFT


def test_spec_problems() -> None:
    specs = (
        SpecValue("Renk", "Renk", SpecKind.TEXT, text="gri"),
        SpecValue("ram", "", SpecKind.NUMBER, number=None),
        SpecValue("ram", "RAM", SpecKind.NUMBER, number=Decimal(8), unit="gigabytes-of-memory"),
        SpecValue("wifi", "Wi-Fi", SpecKind.BOOLEAN),
        SpecValue("not", "Not", SpecKind.TEXT, text="x" * 201),
    )

    assert spec_problems(replace(DRAFT, specifications=specs)) == [
        'specification "Renk": a slug is 1 to 64 lower-case letters, digits and hyphens',
        'specification "ram": the name must be 1 to 120 characters',
        'specification "ram" needs a number',
        'specification "ram" is given twice',
        'specification "ram": the unit is longer than 16 characters',
        'specification "wifi" needs true or false',
        'specification "not" needs a text of 1 to 200 characters',
    ]
    assert spec_problems(DRAFT) == []


def test_spec_text_for_search() -> None:
    assert spec_text(
        SpecValue("ram", "RAM", SpecKind.NUMBER, number=Decimal("16.00"), unit="GB")
    ) == ("RAM 16 GB")
    assert spec_text(SpecValue("w", "Wi-Fi", SpecKind.BOOLEAN, boolean=False)) == "Wi-Fi hayır"
    assert spec_text(SpecValue("r", "Renk", SpecKind.TEXT, text="gri")) == "Renk gri"
