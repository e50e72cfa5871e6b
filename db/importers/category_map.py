"""Source categories mapped onto CPV codes, and the CPV reference rows importers may create.

Source category names are matched by slug ("IT Equipment" -> "it-equipment"), so one table
serves every source. Labels in REFERENCE are the CPV 2008 English labels (Regulation (EC)
213/2008) with our own Turkish translations; every ancestor of a mapped code is listed, so an
import into a database without the CPV tree still builds a connected tree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain import cpv
from domain.imports import CategoryRow, slugify

# KDV: the general rate is 20 %; basic foodstuffs are 1 % (list (I) of KDV Law 3065) and
# medicines 10 % (list (II)). Rates per product would be finer; per category is what sources give.
GENERAL_KDV = 20


@dataclass(frozen=True)
class SourceCategory:
    code: str
    kdv_rate: int = GENERAL_KDV


# Products whose source category is not mapped go here and are listed in the import summary.
# No CPV code means "anything"; "Miscellaneous equipment" is the least wrong holding place
# for goods, and a buyer-side editor can move the products later.
OTHER = SourceCategory("39300000-5")

SOURCE_CATEGORIES: dict[str, SourceCategory] = {
    # DummyJSON
    "beauty": SourceCategory("33711200-9"),
    "fragrances": SourceCategory("33711140-0"),
    "skin-care": SourceCategory("33711500-2"),
    "furniture": SourceCategory("39100000-3"),
    "home-decoration": SourceCategory("39298900-6"),
    "kitchen-accessories": SourceCategory("39221000-7"),
    "groceries": SourceCategory("15000000-8", kdv_rate=1),
    "laptops": SourceCategory("30213100-6"),
    "tablets": SourceCategory("30213200-7"),
    "smartphones": SourceCategory("32250000-0"),
    "mobile-accessories": SourceCategory("32500000-8"),
    "mens-shirts": SourceCategory("18332000-5"),
    "tops": SourceCategory("18330000-1"),
    "womens-dresses": SourceCategory("18231000-7"),
    "mens-shoes": SourceCategory("18800000-7"),
    "womens-shoes": SourceCategory("18800000-7"),
    "mens-watches": SourceCategory("18522000-4"),
    "womens-watches": SourceCategory("18522000-4"),
    "womens-jewellery": SourceCategory("18510000-7"),
    "womens-bags": SourceCategory("18939000-0"),
    "sunglasses": SourceCategory("33733000-7"),
    "sports-accessories": SourceCategory("37400000-2"),
    "motorcycle": SourceCategory("34410000-4"),
    "vehicle": SourceCategory("34110000-1"),
    # OpenBoxes
    "it-equipment": SourceCategory("30200000-1"),
    "office-supplies": SourceCategory("30192000-1"),
    "furniture-and-equipment": SourceCategory("39130000-2"),
    "lab": SourceCategory("38000000-5"),
    "medicines": SourceCategory("33600000-6", kdv_rate=10),
    "pain": SourceCategory("33600000-6", kdv_rate=10),
    "arvs": SourceCategory("33600000-6", kdv_rate=10),
    "cancer": SourceCategory("33600000-6", kdv_rate=10),
    "tb": SourceCategory("33600000-6", kdv_rate=10),
}

# code -> (English CPV label, Turkish name)
REFERENCE: dict[str, tuple[str, str]] = {
    "15000000-8": (
        "Food, beverages, tobacco and related products",
        "Gıda, içecek, tütün ve ilgili ürünler",
    ),
    "18000000-9": (
        "Clothing, footwear, luggage articles and accessories",
        "Giyim, ayakkabı, bavul ve aksesuarlar",
    ),
    "18200000-1": ("Outerwear", "Dış giyim"),
    "18230000-0": ("Miscellaneous outerwear", "Çeşitli dış giyim"),
    "18231000-7": ("Dresses", "Elbiseler"),
    "18300000-2": ("Garments", "Giysiler"),
    "18330000-1": ("T-shirts and shirts", "Tişörtler ve gömlekler"),
    "18332000-5": ("Shirts", "Gömlekler"),
    "18500000-4": ("Jewellery, watches and related articles", "Mücevher, saat ve ilgili ürünler"),
    "18510000-7": ("Jewellery and related articles", "Mücevher ve ilgili ürünler"),
    "18520000-0": ("Personal horology", "Kişisel saatler"),
    "18522000-4": ("Wristwatches", "Kol saatleri"),
    "18800000-7": ("Footwear", "Ayakkabılar"),
    "18900000-8": ("Luggage, saddlery, sacks and bags", "Bavul, saraciye, çuval ve çantalar"),
    "18930000-7": ("Sacks and bags", "Çuvallar ve çantalar"),
    "18939000-0": ("Handbags", "El çantaları"),
    "30000000-9": (
        "Office and computing machinery, equipment and supplies except furniture and software "
        "packages",
        "Büro ve bilgisayar makineleri, ekipmanı ve malzemeleri (mobilya ve yazılım hariç)",
    ),
    "30100000-0": (
        "Office machinery, equipment and supplies except computers, printers and furniture",
        "Büro makineleri, ekipmanı ve malzemeleri (bilgisayar, yazıcı ve mobilya hariç)",
    ),
    "30190000-7": ("Various office equipment and supplies", "Çeşitli büro ekipmanı ve malzemeleri"),
    "30192000-1": ("Office supplies", "Büro malzemeleri"),
    "30200000-1": ("Computer equipment and supplies", "Bilgisayar donanımı ve malzemeleri"),
    "30210000-4": ("Data-processing machines (hardware)", "Veri işleme makineleri (donanım)"),
    "30213000-5": ("Personal computers", "Kişisel bilgisayarlar"),
    "30213100-6": ("Portable computers", "Taşınabilir bilgisayarlar"),
    "30213200-7": ("Tablet computer", "Tablet bilgisayarlar"),
    "32000000-3": (
        "Radio, television, communication, telecommunication and related equipment",
        "Radyo, televizyon, iletişim, telekomünikasyon ve ilgili ekipman",
    ),
    "32200000-5": (
        "Transmission apparatus for radiotelephony, radiotelegraphy, radio broadcasting and "
        "television",
        "Radyotelefon, radyotelgraf, radyo ve televizyon yayını verici cihazları",
    ),
    "32250000-0": ("Mobile telephones", "Cep telefonları"),
    "32500000-8": (
        "Telecommunications equipment and supplies",
        "Telekomünikasyon ekipmanı ve malzemeleri",
    ),
    "33000000-0": (
        "Medical equipments, pharmaceuticals and personal care products",
        "Tıbbi ekipman, ilaçlar ve kişisel bakım ürünleri",
    ),
    "33600000-6": ("Pharmaceutical products", "İlaçlar"),
    "33700000-7": ("Personal care products", "Kişisel bakım ürünleri"),
    "33710000-0": (
        "Perfumes, toiletries and condoms",
        "Parfümler, tuvalet malzemeleri ve prezervatifler",
    ),
    "33711000-7": ("Perfumes and toiletries", "Parfümler ve tuvalet malzemeleri"),
    "33711100-8": ("Toilet waters", "Tuvalet suları"),
    "33711140-0": ("Fragrances", "Kokular"),
    "33711200-9": ("Make-up preparations", "Makyaj malzemeleri"),
    "33711500-2": ("Skin-care products", "Cilt bakım ürünleri"),
    "33730000-6": (
        "Eye care products and corrective lenses",
        "Göz bakım ürünleri ve düzeltici lensler",
    ),
    "33733000-7": ("Sunglasses", "Güneş gözlükleri"),
    "34000000-7": (
        "Transport equipment and auxiliary products to transportation",
        "Taşıma ekipmanı ve taşımacılığa yardımcı ürünler",
    ),
    "34100000-8": ("Motor vehicles", "Motorlu taşıtlar"),
    "34110000-1": ("Passenger cars", "Binek otomobiller"),
    "34400000-1": (
        "Motorcycles, bicycles and sidecars",
        "Motosikletler, bisikletler ve yan sepetler",
    ),
    "34410000-4": ("Motorcycles", "Motosikletler"),
    "37000000-8": (
        "Musical instruments, sport goods, games, toys, handicraft, art materials and accessories",
        "Müzik aletleri, spor malzemeleri, oyun, oyuncak, el sanatı ve sanat malzemeleri",
    ),
    "37400000-2": ("Sports goods and equipment", "Spor malzemeleri ve ekipmanı"),
    "38000000-5": (
        "Laboratory, optical and precision equipments (excl. glasses)",
        "Laboratuvar, optik ve hassas ekipman (gözlük hariç)",
    ),
    "39000000-2": (
        "Furniture (incl. office furniture), furnishings, domestic appliances (excl. lighting) and "
        "cleaning products",
        "Mobilya (büro mobilyası dahil), ev eşyası, ev aletleri (aydınlatma hariç) ve temizlik "
        "ürünleri",
    ),
    "39100000-3": ("Furniture", "Mobilya"),
    "39130000-2": ("Office furniture", "Büro mobilyası"),
    "39200000-4": ("Furnishing", "Ev eşyası ve döşeme"),
    "39220000-0": (
        "Kitchen equipment, household and domestic items and catering supplies",
        "Mutfak ekipmanı, ev eşyaları ve toplu yemek malzemeleri",
    ),
    "39221000-7": ("Kitchen equipment", "Mutfak ekipmanı"),
    "39290000-1": ("Miscellaneous furnishing", "Çeşitli ev eşyaları"),
    "39298000-7": (
        "Statuettes, ornaments; photograph or picture frames, and mirrors",
        "Biblolar, süs eşyaları, fotoğraf ve resim çerçeveleri, aynalar",
    ),
    "39298900-6": ("Miscellaneous decoration items", "Çeşitli dekorasyon ürünleri"),
    "39300000-5": ("Miscellaneous equipment", "Çeşitli ekipman"),
}

_REFERENCE_BY_DIGITS = {code[:8]: code for code in REFERENCE}


def lookup(source_name: str) -> SourceCategory | None:
    """The mapping of a source category name, or None when it is not mapped."""
    return SOURCE_CATEGORIES.get(slugify(source_name))


def turkish_name(code: str) -> str | None:
    found = _REFERENCE_BY_DIGITS.get(code.strip()[:8])
    return REFERENCE[found][1] if found else None


def reference_rows(codes: Iterable[str]) -> list[CategoryRow]:
    """Reference rows for `codes` and all their ancestors; codes not in the table are left out."""
    wanted: dict[str, None] = {}
    for code in codes:
        digits = code.strip()[:8]
        for candidate in [digits, *cpv.ancestors(digits)]:
            if candidate in _REFERENCE_BY_DIGITS:
                wanted.setdefault(_REFERENCE_BY_DIGITS[candidate], None)
    return [CategoryRow(code, *REFERENCE[code]) for code in wanted]
