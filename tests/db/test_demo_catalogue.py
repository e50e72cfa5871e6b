"""The demo catalogue (db/demo/catalogue.json): structure, CPV tree, KDV rates and typed specs.

Areas are decided by the product's CPV code, longest matching prefix first, and must agree with
the SKU prefix (BT- IT, OF- office, TM- cleaning, TB- medical, AR- vehicle).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from domain import cpv, search
from domain.catalogue import ProductDraft, SpecKind, SpecValue, Unit, check_draft

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "db" / "demo" / "catalogue.json"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CPV_FILE = SHARED_DATA / "cpv" / "cpv2008-en.json"

EXPECTED_PRODUCTS = 177
EXPECTED_CATEGORIES = 182
EXPECTED_ATTRIBUTES = 88
EXPECTED_SUPPLIERS = 12
EXPECTED_BRANDS = 26
EXPECTED_OUT_OF_STOCK = 21
EXPECTED_AREA_COUNTS = {"it": 52, "office": 38, "cleaning": 32, "medical": 31, "vehicle": 24}

# CPV prefix -> area; the longest matching prefix wins.
AREA_BY_CPV_PREFIX = {
    # IT: computer equipment (302), toner (3012), networks (32), software (48), UPS, projectors.
    "302": "it",
    "3012": "it",
    "32": "it",
    "48": "it",
    "31154": "it",
    "38652": "it",
    # Office: furniture (39), office machinery and supplies (301, incl. 30192 office supplies),
    # binders and folders (22).
    "39": "office",
    "301": "office",
    "22": "office",
    # Cleaning and hygiene, including the paper-hygiene and soap codes that sit under CPV 33.
    "398": "cleaning",
    "39224": "cleaning",
    "39525": "cleaning",
    "3376": "cleaning",
    "337119": "cleaning",
    "19640": "cleaning",
    "24455": "cleaning",
    # Medical.
    "33": "medical",
    # Vehicle equipment: CPV 34 plus motor oil, lead-acid batteries, extinguishers, first-aid kits.
    "34": "vehicle",
    "09211": "vehicle",
    "31431": "vehicle",
    "35111": "vehicle",
    "33141623": "vehicle",
}
AREA_BY_SKU_PREFIX = {
    "BT-": "it",
    "OF-": "office",
    "TM-": "cleaning",
    "TB-": "medical",
    "AR-": "vehicle",
}

# Products under CPV 33 whose KDV is not the medical 10 %, other than cleaning/hygiene products
# (which are 20 % since 10 July 2023): vehicle first-aid kits, sold as vehicle equipment.
CPV33_KDV_EXCEPTIONS = {"AR-IY-0001": 20, "AR-IY-0002": 20}
# Cleaning and paper-hygiene subtrees under CPV 33 (always 20 %).
CPV33_HYGIENE_PREFIXES = ("3376", "337119")

PRICE = re.compile(r"^(0|[1-9]\d*)\.\d{2}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SKU = re.compile(r"^(BT|OF|TM|TB|AR)-[A-Z]{2}-\d{4}$")
CPV_CODE = re.compile(r"^\d{8}-\d$")
IMAGE = re.compile(r"^/static/products/[A-Z0-9-]+\.jpg$")
TURKISH_LETTERS = set("çğıöşüÇĞİÖŞÜ")
# A sentence ends with . ! or ? followed by a space or the end (not "9.000" or "2,5").
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
# Well-known manufacturers' names must not appear as brands or in product text.
REAL_TRADEMARKS = {
    "hp",
    "dell",
    "lenovo",
    "asus",
    "acer",
    "apple",
    "samsung",
    "canon",
    "epson",
    "brother",
    "cisco",
    "apc",
    "logitech",
    "philips",
    "intel",
    "amd",
    "nvidia",
    "microsoft",
    "windows",
    "michelin",
    "bridgestone",
    "pirelli",
    "castrol",
    "shell",
    "varta",
    "bosch",
    "3m",
    "omron",
}


@cache
def catalogue() -> dict[str, Any]:
    with CATALOGUE.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@cache
def cpv_labels() -> dict[str, str]:
    with CPV_FILE.open(encoding="utf-8") as f:
        labels: dict[str, str] = json.load(f)
    return labels


def products() -> list[dict[str, Any]]:
    return list(catalogue()["products"])


def area_of_category(code: str) -> str:
    digits = code[:8]
    matches = [prefix for prefix in AREA_BY_CPV_PREFIX if digits.startswith(prefix)]
    assert matches, f"{code} belongs to no area"
    return AREA_BY_CPV_PREFIX[max(matches, key=len)]


def area_of_sku(sku: str) -> str:
    return AREA_BY_SKU_PREFIX[sku[:3]]


def spec_values(product: dict[str, Any]) -> dict[str, Any]:
    return {s["attribute"]: s["value"] for s in product["specifications"]}


def test_file_is_canonical_utf8_json() -> None:
    raw = CATALOGUE.read_text(encoding="utf-8")
    assert raw == json.dumps(catalogue(), ensure_ascii=False, indent=2) + "\n"
    assert "\\u" not in raw
    assert not any(bad in raw for bad in ("Ã", "Ä", "Å", "\ufffd"))
    assert list(catalogue()) == ["categories", "suppliers", "attributes", "products"]


def test_counts() -> None:
    data = catalogue()
    assert len(data["products"]) == EXPECTED_PRODUCTS >= 160
    assert len(data["categories"]) == EXPECTED_CATEGORIES
    assert len(data["attributes"]) == EXPECTED_ATTRIBUTES
    assert len(data["suppliers"]) == EXPECTED_SUPPLIERS
    assert 8 <= EXPECTED_SUPPLIERS <= 20
    assert len({p["brand"] for p in data["products"]}) == EXPECTED_BRANDS


def test_product_fields() -> None:
    keys = [
        "sku",
        "name",
        "description",
        "category",
        "brand",
        "supplier",
        "unit",
        "price_net",
        "kdv_rate",
        "stock",
        "min_order_quantity",
        "lead_time_days",
        "warranty_months",
        "images",
        "price_valid_until",
        "specifications",
    ]
    for p in products():
        assert list(p) == keys, p["sku"]


def test_skus_are_unique_and_well_formed() -> None:
    skus = [p["sku"] for p in products()]
    assert len(set(skus)) == len(skus) == EXPECTED_PRODUCTS
    assert all(SKU.match(sku) for sku in skus)
    names = [p["name"] for p in products()]
    assert len(set(names)) == len(names)


def test_categories_exist_in_cpv_with_identical_english_labels() -> None:
    labels = cpv_labels()
    codes = [c["code"] for c in catalogue()["categories"]]
    assert len(set(codes)) == len(codes)
    for category in catalogue()["categories"]:
        assert list(category) == ["code", "name_tr", "name_en"]
        code = category["code"]
        assert CPV_CODE.match(code), code
        assert code in labels, code
        assert category["name_en"] == labels[code], code
        assert category["name_tr"].strip() == category["name_tr"] != ""
        assert category["name_tr"] != category["name_en"], code
    assert {p["category"] for p in products()} <= set(codes)


def test_every_existing_cpv_ancestor_is_listed() -> None:
    labels = cpv_labels()
    known = {code[:8] for code in labels}
    listed = {c["code"][:8] for c in catalogue()["categories"]}
    for digits in listed:
        nearest = cpv.parent_of(digits, known)
        if cpv.significant_length(digits) > 2:
            assert nearest is not None, digits
        if nearest is not None:
            assert nearest in listed, f"{digits}: parent {nearest} missing"
        for ancestor in cpv.ancestors(digits):
            if ancestor in known:
                assert ancestor in listed, f"{digits}: ancestor {ancestor} missing"
    # The example from the brief, and a code whose structural parent does not exist.
    assert {"30213100", "30213000", "30210000", "30200000", "30000000"} <= listed
    assert "30192120" not in known and "30192100" in listed  # ballpoint pens 30192121-5
    # No orphans: every category is used by a product or is an ancestor of one that is.
    used = {p["category"][:8] for p in products()}
    needed = used | {a for d in used for a in cpv.ancestors(d) if a in known}
    assert listed == needed


def test_areas_follow_cpv_and_sku_prefix() -> None:
    counts: Counter[str] = Counter()
    for p in products():
        area = area_of_category(p["category"])
        assert area == area_of_sku(p["sku"]), (p["sku"], p["category"])
        counts[area] += 1
    assert dict(counts) == EXPECTED_AREA_COUNTS
    assert all(n >= 15 for n in counts.values())
    assert sum(counts.values()) == EXPECTED_PRODUCTS


def expected_kdv(p: dict[str, Any]) -> int:
    code = p["category"]
    area = area_of_category(code)
    if code.startswith("33"):
        if p["sku"] in CPV33_KDV_EXCEPTIONS:
            return CPV33_KDV_EXCEPTIONS[p["sku"]]
        if code.startswith(CPV33_HYGIENE_PREFIXES):
            return 20
        return 10
    if area == "medical":
        return 10
    return 20  # IT, office, vehicle, and cleaning/hygiene (20 % since 10 July 2023)


def test_kdv_rates() -> None:
    for p in products():
        assert p["kdv_rate"] == expected_kdv(p), p["sku"]
    by_sku = {p["sku"]: p for p in products()}
    assert set(CPV33_KDV_EXCEPTIONS) <= set(by_sku)
    assert Counter(p["kdv_rate"] for p in products()) == {20: 146, 10: 31}
    medical = [p for p in products() if area_of_category(p["category"]) == "medical"]
    assert {p["kdv_rate"] for p in medical} == {10}
    cleaning = [p for p in products() if area_of_category(p["category"]) == "cleaning"]
    assert {p["kdv_rate"] for p in cleaning} == {20}
    hygiene_under_33 = [p for p in cleaning if p["category"].startswith("33")]
    assert len(hygiene_under_33) == 12
    assert by_sku["TM-KT-0001"]["kdv_rate"] == 20  # toilet paper
    assert by_sku["TM-SB-0001"]["kdv_rate"] == 20  # soap
    assert by_sku["TB-EL-0002"]["kdv_rate"] == 10  # nitrile gloves
    assert by_sku["TB-TS-0001"]["kdv_rate"] == 10  # wheelchair


def test_prices() -> None:
    prices: list[Decimal] = []
    for p in products():
        raw = p["price_net"]
        assert isinstance(raw, str) and PRICE.match(raw), (p["sku"], raw)
        value = Decimal(raw)
        assert value > 0, p["sku"]
        prices.append(value)
    raw_prices = {p["price_net"] for p in products()}
    assert {"0.85", "1.66", "12.45"} <= raw_prices
    assert min(prices) == Decimal("0.85")
    assert max(prices) == Decimal("89500.00")


def price_range(predicate: Any) -> tuple[Decimal, Decimal]:
    values = [Decimal(p["price_net"]) for p in products() if predicate(p)]
    assert values
    return min(values), max(values)


def test_prices_are_at_public_procurement_levels() -> None:
    low, high = price_range(lambda p: p["category"] == "30213100-6")
    assert Decimal(25000) <= low and high <= Decimal(60000)
    low, high = price_range(lambda p: p["category"] == "30197643-5" and "A4" in p["name"])
    assert Decimal(150) <= low and high <= Decimal(250)
    low, high = price_range(lambda p: p["category"] == "33761000-2")
    assert Decimal(200) <= low and high <= Decimal(600)
    low, high = price_range(lambda p: "Nitril" in p["name"])
    assert Decimal(150) <= low and high <= Decimal(400)
    low, high = price_range(lambda p: p["category"].startswith("3435"))
    assert Decimal(3000) <= low and high <= Decimal(9000)


def test_same_price_and_first_word_for_sort_tie_breaks() -> None:
    groups = Counter((p["price_net"], p["name"].split()[0]) for p in products())
    ties = {key: n for key, n in groups.items() if n >= 2}
    assert ties[("12.45", "Kalemdar")] == 3
    assert ties[("249.90", "Medika")] == 3
    assert ties[("2190.00", "Baskıtek")] == 3
    assert ties[("28450.00", "Kuzey")] == 2


def test_attributes_are_typed_and_well_formed() -> None:
    attributes = catalogue()["attributes"]
    slugs = [a["slug"] for a in attributes]
    assert len(set(slugs)) == len(slugs)
    for a in attributes:
        assert list(a) == ["slug", "name", "kind", "unit"]
        assert SLUG.match(a["slug"]) and len(a["slug"]) <= 64, a["slug"]
        assert 0 < len(a["name"]) <= 120
        kind = SpecKind(a["kind"])
        if kind is SpecKind.NUMBER:
            assert isinstance(a["unit"], str) and 0 < len(a["unit"]) <= 16, a["slug"]
        else:
            assert a["unit"] is None, a["slug"]
    kinds = Counter(a["kind"] for a in attributes)
    assert kinds == {"NUMBER": 43, "TEXT": 29, "BOOLEAN": 16}
    by_slug = {a["slug"]: a for a in attributes}
    assert by_slug["ram"] == {"slug": "ram", "name": "Bellek (RAM)", "kind": "NUMBER", "unit": "GB"}
    assert by_slug["ekran-boyutu"]["unit"] == "inç"
    assert by_slug["baski-hizi"]["unit"] == "sayfa/dk"
    assert by_slug["renkli-baski"]["kind"] == "BOOLEAN"
    assert by_slug["malzeme"]["kind"] == "TEXT"


def test_specifications_reference_attributes_with_matching_types() -> None:
    kinds = {a["slug"]: SpecKind(a["kind"]) for a in catalogue()["attributes"]}
    for p in products():
        specs = p["specifications"]
        assert 2 <= len(specs) <= 6, p["sku"]
        slugs = [s["attribute"] for s in specs]
        assert len(set(slugs)) == len(slugs), p["sku"]
        for s in specs:
            assert list(s) == ["attribute", "value"]
            kind = kinds[s["attribute"]]
            value = s["value"]
            if kind is SpecKind.NUMBER:
                assert isinstance(value, int | float) and not isinstance(value, bool), s
                assert value > 0, (p["sku"], s)
            elif kind is SpecKind.BOOLEAN:
                assert isinstance(value, bool), (p["sku"], s)
            else:
                assert isinstance(value, str) and value.strip() == value != "", (p["sku"], s)
                assert len(value) <= 200


def test_every_attribute_is_used_by_at_least_two_products() -> None:
    usage = Counter(s["attribute"] for p in products() for s in p["specifications"])
    assert set(usage) == {a["slug"] for a in catalogue()["attributes"]}
    assert min(usage.values()) >= 2


def test_product_families_share_their_facets() -> None:
    laptops = [p for p in products() if p["category"] == "30213100-6"]
    assert len(laptops) == 8
    for p in laptops:
        assert {"ram", "depolama", "ekran-boyutu", "islemci"} <= set(spec_values(p)), p["sku"]
    printers = [p for p in products() if p["category"].startswith("302321")]
    assert len(printers) == 6
    for p in printers:
        assert {"baski-hizi", "renkli-baski", "dubleks"} <= set(spec_values(p)), p["sku"]
    gloves = [p for p in products() if "Eldiven" in p["name"]]
    assert len(gloves) == 5
    for p in gloves:
        assert {"malzeme", "beden", "pudrasiz", "steril"} <= set(spec_values(p)), p["sku"]
    tyres = [p for p in products() if p["category"].startswith("3435")]
    assert len(tyres) == 6
    for p in tyres:
        assert {"lastik-ebadi", "mevsim", "jant-capi"} <= set(spec_values(p)), p["sku"]
    by_sku = {p["sku"]: p for p in products()}
    assert spec_values(by_sku["BT-NB-0001"])["ram"] == 16
    assert spec_values(by_sku["BT-YZ-0003"])["renkli-baski"] is True
    assert spec_values(by_sku["TB-EL-0002"])["beden"] == "M"


def test_stock_and_ordering_terms() -> None:
    out = [p["sku"] for p in products() if p["stock"] == 0]
    assert len(out) == EXPECTED_OUT_OF_STOCK
    assert 0.10 <= len(out) / EXPECTED_PRODUCTS <= 0.15
    assert {area_of_sku(sku) for sku in out} == set(EXPECTED_AREA_COUNTS)
    for p in products():
        assert isinstance(p["stock"], int) and p["stock"] >= 0, p["sku"]
        assert isinstance(p["min_order_quantity"], int) and p["min_order_quantity"] >= 1
        assert 1 <= p["lead_time_days"] <= 45, p["sku"]
        assert 0 <= p["warranty_months"] <= 60, p["sku"]
    assert sum(p["min_order_quantity"] > 1 for p in products()) >= 20
    assert min(p["lead_time_days"] for p in products()) == 1
    assert max(p["lead_time_days"] for p in products()) == 35
    typical = sum(2 <= p["lead_time_days"] <= 15 for p in products())
    assert typical / EXPECTED_PRODUCTS >= 0.75
    by_sku = {p["sku"]: p for p in products()}
    assert by_sku["OF-KG-0001"]["min_order_quantity"] == 5
    assert by_sku["TB-MK-0001"]["min_order_quantity"] == 50


# Consumables carry no warranty: toner, paper, medical consumables (gloves, masks, dressings,
# syringes) and first-aid kits; cleaning products are checked by area.
CONSUMABLE_PREFIXES = ("3012", "301976", "33140000", "331411", "331413", "331414", "331416")


def test_warranty_by_kind_of_product() -> None:
    for p in products():
        area = area_of_category(p["category"])
        if p["category"].startswith("302131"):  # personal computers
            assert p["warranty_months"] >= 24, p["sku"]
        if area == "cleaning" or p["category"].startswith(CONSUMABLE_PREFIXES):
            assert p["warranty_months"] == 0, p["sku"]
        if p["category"].startswith("391"):  # furniture
            assert 12 <= p["warranty_months"] <= 60, p["sku"]


def test_units() -> None:
    allowed = {"C62", "BX", "PA", "SET", "PR", "RO", "RM", "LTR", "KGM", "MTR"}
    assert {u.value for u in Unit} == allowed
    used = Counter(p["unit"] for p in products())
    assert set(used) <= allowed
    assert set(used) == {"C62", "BX", "PA", "SET", "PR", "RO", "RM", "LTR"}
    for p in products():
        if p["category"] == "30197643-5":
            assert p["unit"] == "RM", p["sku"]


def test_images_and_price_validity() -> None:
    for p in products():
        # The demo ships no image files, so it names none (a listed URL would answer 404).
        assert p["images"] == [], p["sku"]
        until = p["price_valid_until"]
        if until is not None:
            assert date.fromisoformat(until) >= date(2026, 12, 31), p["sku"]
    assert sum(p["price_valid_until"] is None for p in products()) == 28


def test_supplier_and_brand_references() -> None:
    suppliers = catalogue()["suppliers"]
    slugs = [s["slug"] for s in suppliers]
    assert len(set(slugs)) == len(slugs)
    for s in suppliers:
        assert list(s) == ["slug", "name"]
        assert SLUG.match(s["slug"]), s
        assert s["name"].endswith(("A.Ş.", "Ltd. Şti.")), s
    used = Counter(p["supplier"] for p in products())
    assert set(used) == set(slugs)  # every product's supplier exists and every supplier sells
    brands = {p["brand"] for p in products()}
    for brand in brands:
        assert isinstance(brand, str) and brand.strip() == brand != "", brand
        assert len(brand) <= 120
    # Brands become rows keyed by a slug: two spellings of one brand would collide.
    folded = Counter(" ".join(search.tokens(b)) for b in brands)
    assert max(folded.values()) == 1
    assert {"Kuzey", "Tekno Ofis", "Pak Hijyen", "Medika", "Yolda", "IŞIKSAN"} <= brands


def test_no_real_manufacturer_trademarks() -> None:
    for p in products():
        words = set(search.tokens(" ".join((p["name"], p["description"], p["brand"]))))
        words |= {
            w
            for s in p["specifications"]
            if isinstance(s["value"], str)
            for w in search.tokens(s["value"])
        }
        assert not words & REAL_TRADEMARKS, (p["sku"], words & REAL_TRADEMARKS)


def test_turkish_text() -> None:
    names = [p["name"] for p in products()]
    assert any("İ" in n for n in names)
    assert any("IŞIK" in n for n in names)
    assert any("Işık" in n for n in names)
    assert sum(bool(TURKISH_LETTERS & set(n)) for n in names) >= 100
    for letter in "çğışöü":
        assert any(letter in n for n in names), letter
    # Turkish-aware folding finds the products an ASCII search would type.
    folded = [search.fold(n) for n in names]
    assert any("isiksan led isik bar" in n for n in folded)
    assert any("cop torbasi" in n for n in folded)
    for p in products():
        description = p["description"]
        assert description.strip() == description != "", p["sku"]
        sentences = len(SENTENCE_END.findall(description))
        assert 1 <= sentences <= 3, (p["sku"], sentences)
        assert description.endswith("."), p["sku"]


def test_products_pass_the_domain_draft_check() -> None:
    kinds = {a["slug"]: a for a in catalogue()["attributes"]}
    for p in products():
        specs = []
        for s in p["specifications"]:
            attr = kinds[s["attribute"]]
            kind = SpecKind(attr["kind"])
            value = s["value"]
            specs.append(
                SpecValue(
                    slug=attr["slug"],
                    name=attr["name"],
                    kind=kind,
                    unit=attr["unit"],
                    text=value if kind is SpecKind.TEXT else None,
                    number=Decimal(str(value)) if kind is SpecKind.NUMBER else None,
                    boolean=value if kind is SpecKind.BOOLEAN else None,
                )
            )
        until = p["price_valid_until"]
        draft = ProductDraft(
            sku=p["sku"],
            name=p["name"],
            description=p["description"],
            category_code=p["category"],
            brand=p["brand"],
            supplier=p["supplier"],
            unit=Unit(p["unit"]),
            price_net=Decimal(p["price_net"]),
            kdv_rate=p["kdv_rate"],
            stock=p["stock"],
            min_order_quantity=p["min_order_quantity"],
            lead_time_days=p["lead_time_days"],
            warranty_months=p["warranty_months"],
            images=tuple(p["images"]),
            price_valid_until=date.fromisoformat(until) if until else None,
            specifications=tuple(specs),
        )
        assert check_draft(draft) == [], p["sku"]
