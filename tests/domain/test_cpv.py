"""CPV code structure: parsing, significant length, ancestors and the nearest known parent."""

import pytest

from domain import cpv


def test_parse_splits_digits_and_check_digit() -> None:
    assert cpv.parse("30213100-6") == ("30213100", "6")
    assert cpv.parse(" 30213100-6 ") == ("30213100", "6")
    assert cpv.parse("30213100") == ("30213100", None)


@pytest.mark.parametrize("code", ["3021310-6", "30213100-66", "3021310A-6", "30213100 6", ""])
def test_parse_refuses_malformed_codes(code: str) -> None:
    with pytest.raises(ValueError, match="a CPV code is eight digits"):
        cpv.parse(code)


@pytest.mark.parametrize(
    ("digits", "length"),
    [
        ("30000000", 2),  # division
        ("30200000", 3),  # group
        ("30210000", 4),  # class
        ("30213000", 5),  # category
        ("30213100", 6),
        ("33711140", 7),
        ("30237461", 8),
        ("03000000", 2),  # a division starting with 0 keeps two digits
    ],
)
def test_significant_length(digits: str, length: int) -> None:
    assert cpv.significant_length(digits) == length


def test_ancestors_nearest_first() -> None:
    assert cpv.ancestors("30213100") == ["30213000", "30210000", "30200000", "30000000"]
    assert cpv.ancestors("39130000") == ["39100000", "39000000"]
    assert cpv.ancestors("33711140") == [
        "33711100", "33711000", "33710000", "33700000", "33000000"
    ]  # fmt: skip
    assert cpv.ancestors("30000000") == []


def test_parent_of_is_the_nearest_known_ancestor() -> None:
    known = {"30000000", "30200000", "30213000", "30213100"}
    assert cpv.parent_of("30213100", known) == "30213000"
    # CPV skips levels: 30210000 is not known here, so 30213000 hangs under the group.
    assert cpv.parent_of("30213000", known) == "30200000"
    assert cpv.parent_of("30200000", known) == "30000000"
    assert cpv.parent_of("30000000", known) is None
    assert cpv.parent_of("30213100", frozenset()) is None
    assert cpv.parent_of("39130000", {"39000000"}) == "39000000"
