"""Catalogue listing rules: argument validation with the exact field named."""

from decimal import Decimal

import pytest

from domain import catalogue
from domain.catalogue import AttributeFilter, ProductFilter, ProductSort, SortField
from domain.errors import InvalidInput


def _field_of(call: object) -> str | None:
    with pytest.raises(InvalidInput) as caught:
        call()  # type: ignore[operator]
    return caught.value.field


def test_page_size_defaults_and_bounds() -> None:
    assert catalogue.page_size(None, None, None, None) == 20
    assert catalogue.page_size(100, None, None, None) == 100
    assert catalogue.page_size(0, None, None, None) == 0
    assert _field_of(lambda: catalogue.page_size(-1, None, None, None)) == "first"
    assert _field_of(lambda: catalogue.page_size(101, None, None, None)) == "first"
    assert _field_of(lambda: catalogue.page_size(None, 5, None, None)) == "last"
    assert catalogue.page_size(None, 5, None, "c") == 5
    assert _field_of(lambda: catalogue.page_size(1, 5, None, "c")) == "first"


def test_search_length_is_bounded() -> None:
    flt, sort = ProductFilter(), ProductSort()
    assert _field_of(lambda: catalogue.listing("x" * 10_000, flt, sort)) == "search"
    assert catalogue.listing("Çay bardağı", flt, sort).words == ("cay", "bardagi")


def test_price_bounds() -> None:
    sort = ProductSort()
    bad = ProductFilter(price_gte=Decimal("10"), price_lte=Decimal("9.99"))
    assert _field_of(lambda: catalogue.listing(None, bad, sort)) == "filter.price"
    negative = ProductFilter(price_gte=Decimal("-1"))
    assert _field_of(lambda: catalogue.listing(None, negative, sort)) == "filter.price.gte"
    equal = ProductFilter(price_gte=Decimal("10"), price_lte=Decimal("10"))
    assert catalogue.listing(None, equal, sort).filter == equal


def test_kdv_and_attribute_filters() -> None:
    sort = ProductSort()
    assert (
        _field_of(lambda: catalogue.listing(None, ProductFilter(kdv_rates=(18,)), sort))
        == "filter.kdvRates"
    )
    two_kinds = AttributeFilter(slug="ram", values=("16",), boolean=True)
    assert (
        _field_of(lambda: catalogue.listing(None, ProductFilter(attributes=(two_kinds,)), sort))
        == "filter.attributes.0"
    )
    reversed_range = AttributeFilter(slug="ram", gte=Decimal("32"), lte=Decimal("8"))
    assert (
        _field_of(
            lambda: catalogue.listing(None, ProductFilter(attributes=(reversed_range,)), sort)
        )
        == "filter.attributes.0.range"
    )


def test_relevance_without_search_sorts_newest() -> None:
    listing = catalogue.listing(None, ProductFilter(), ProductSort())
    assert listing.effective_sort.field is SortField.NEWEST
    assert catalogue.listing("masa", ProductFilter(), ProductSort()).effective_sort.field is (
        SortField.RELEVANCE
    )


def test_compare_ids() -> None:
    assert catalogue.compare_ids(["a", "b", "a"]) == ("a", "b")
    assert _field_of(lambda: catalogue.compare_ids(["a"])) == "ids"
    assert _field_of(lambda: catalogue.compare_ids(list("abcdef"))) == "ids"
