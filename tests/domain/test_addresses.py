"""Delivery addresses: province, district in its official spelling, address line, postal code."""

from __future__ import annotations

import pytest

from domain import addresses, geo, search
from domain.addresses import AddressDraft
from domain.errors import InvalidInput


def _check(**changes: object) -> AddressDraft:
    arguments: dict[str, object] = {
        "province_code": 6,
        "district": "Çankaya",
        "line": "Atatürk Bulvarı No: 1",
        "postal_code": "06690",
    }
    arguments.update(changes)
    return addresses.check_address(**arguments)  # type: ignore[arg-type]


def test_a_good_address() -> None:
    assert _check() == AddressDraft(6, "Çankaya", "Atatürk Bulvarı No: 1", "06690")
    assert _check().province == "Ankara"


@pytest.mark.parametrize(
    ("province_code", "district", "official"),
    [
        (6, "çankaya", "Çankaya"),
        (6, "ÇANKAYA", "Çankaya"),
        (6, "  Çankaya ", "Çankaya"),
        (6, "Cankaya", "Çankaya"),  # ASCII twins, when nothing matches with diacritics
        (34, "KADIKÖY", "Kadıköy"),  # Turkish I is ı
        (34, "kadikoy", "Kadıköy"),
        (34, "ŞİŞLİ", "Şişli"),  # Turkish İ is i
        (3, "İSCEHİSAR", "İscehisar"),
        (3, "iscehisar", "İscehisar"),
        (55, "19 mayıs", "19 Mayıs"),
        (55, "19   MAYIS", "19 Mayıs"),
        (76, "ARALIK", "Aralık"),
        (2, "MERKEZ", "Merkez"),
    ],
)
def test_districts_come_back_in_their_official_spelling(
    province_code: int, district: str, official: str
) -> None:
    checked = _check(province_code=province_code, district=district, postal_code=None)
    assert checked.district == official


@pytest.mark.parametrize(
    ("line", "checked"),
    [
        (
            "  Kızılay Mah. Gazi Mustafa Kemal Blv.  No: 5/3 ",
            "Kızılay Mah. Gazi Mustafa Kemal Blv. No: 5/3",
        ),
        ("Hastane binası\nB blok, 2. kat", "Hastane binası B blok, 2. kat"),
        ("x" * 300, "x" * 300),
        ("x", "x"),
    ],
)
def test_address_lines_are_one_line(line: str, checked: str) -> None:
    assert _check(line=line).line == checked


@pytest.mark.parametrize(
    ("postal_code", "checked"),
    [(None, None), ("", None), ("  ", None), (" 06690 ", "06690"), ("06000", "06000")],
)
def test_postal_codes_are_optional(postal_code: str | None, checked: str | None) -> None:
    assert _check(postal_code=postal_code).postal_code == checked


def test_postal_codes_of_one_digit_plate_codes_start_with_zero() -> None:
    assert _check(province_code=1, district="Seyhan", postal_code="01120").postal_code == "01120"
    assert _check(province_code=81, district="Merkez", postal_code="81010").postal_code == "81010"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"province_code": 0}, "provinceCode", "Unknown province: use the plate code, 1 to 81."),
        ({"province_code": 82}, "provinceCode", "Unknown province: use the plate code, 1 to 81."),
        ({"province_code": -6}, "provinceCode", "Unknown province: use the plate code, 1 to 81."),
        ({"province_code": True}, "provinceCode", "Unknown province: use the plate code, 1 to 81."),
        ({"district": ""}, "district", "A district is required."),
        ({"district": " \t"}, "district", "A district is required."),
        ({"district": "Kadıköy"}, "district", '"Kadıköy" is not a district of Ankara.'),
        ({"district": "Çankay"}, "district", '"Çankay" is not a district of Ankara.'),
        (
            {"province_code": 34, "district": "Çankaya", "postal_code": None},
            "district",
            '"Çankaya" is not a district of İstanbul.',
        ),
        ({"line": ""}, "line", "An address line is required."),
        ({"line": " \n "}, "line", "An address line is required."),
        ({"line": "x" * 301}, "line", "An address line has at most 300 characters."),
        ({"postal_code": "0669"}, "postalCode", "A postal code is 5 digits."),
        ({"postal_code": "066900"}, "postalCode", "A postal code is 5 digits."),
        ({"postal_code": "06 690"}, "postalCode", "A postal code is 5 digits."),
        ({"postal_code": "O6690"}, "postalCode", "A postal code is 5 digits."),
        ({"postal_code": "٠٦٦٩٠"}, "postalCode", "A postal code is 5 digits."),
        ({"postal_code": "34000"}, "postalCode", "A postal code in Ankara starts with 06."),
        (
            {"province_code": 1, "district": "Seyhan", "postal_code": "10100"},
            "postalCode",
            "A postal code in Adana starts with 01.",
        ),
    ],
)
def test_bad_addresses_are_refused(changes: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        _check(**changes)
    assert (error.value.code, error.value.field, error.value.message) == (
        "BAD_USER_INPUT",
        field,
        message,
    )


def test_the_province_is_checked_before_the_district() -> None:
    with pytest.raises(InvalidInput) as error:
        _check(province_code=99, district="nowhere", line="", postal_code="x")
    assert error.value.field == "provinceCode"


def test_every_official_district_is_accepted_as_written_and_in_capitals() -> None:
    assert len(geo.PROVINCES) == 81
    assert sum(len(names) for names in geo.DISTRICTS.values()) == 973
    for code, names in geo.DISTRICTS.items():
        for name in names:
            assert addresses.check_district(code, name) == name
            shouted = name.replace("i", "İ").replace("ı", "I").upper()
            assert addresses.check_district(code, shouted) == name


def test_no_two_districts_of_a_province_fold_to_the_same_name() -> None:
    # What makes the ASCII-twin match in check_district unambiguous.
    for names in geo.DISTRICTS.values():
        folded = [search.fold(name) for name in names]
        assert len(set(folded)) == len(folded)
