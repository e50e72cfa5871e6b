"""Delivery addresses: province (il) and district (ilçe) from the official list, address line and
postal code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain import accounts, geo, search, text
from domain.errors import InvalidInput

LINE_MAX = 300
POSTAL_CODE = re.compile(r"[0-9]{5}")


@dataclass(frozen=True)
class AddressDraft:
    """An address's checked fields, ready to store: district in its official spelling."""

    province_code: int
    district: str
    line: str
    postal_code: str | None

    @property
    def province(self) -> str:
        return geo.PROVINCES[self.province_code]


def check_address(
    *, province_code: int, district: str, line: str, postal_code: str | None
) -> AddressDraft:
    province = _check_province(province_code)
    return AddressDraft(
        province_code=province,
        district=check_district(province, district),
        line=check_line(line),
        postal_code=check_postal_code(postal_code, province_code=province),
    )


def _check_province(code: int) -> int:
    if isinstance(code, bool):  # True == 1 would pass as Adana
        code = 0
    return accounts.check_province(code, field="provinceCode")


def check_district(province_code: int, district: str, *, field: str = "district") -> str:
    """The official name, matched ignoring Turkish case ("ÇANKAYA", "çankaya") and, failing
    that, ç ğ ı ö ş ü against their ASCII twins ("Cankaya"). No two districts of a province fold
    to the same name, so the second match is never ambiguous."""
    value = " ".join(district.split())
    if not value:
        raise InvalidInput("A district is required.", field=field)
    names = geo.DISTRICTS[province_code]
    for key in (search.fold_case, search.fold):
        wanted = key(value)
        for name in names:
            if key(name) == wanted:
                return name
    province = geo.PROVINCES[province_code]
    raise InvalidInput(f'"{value}" is not a district of {province}.', field=field)


def check_line(line: str, *, field: str = "line") -> str:
    """One line, whitespace runs (newlines included) collapsed to single spaces."""
    value = " ".join(line.split())
    if not value:
        raise InvalidInput("An address line is required.", field=field)
    if len(value) > LINE_MAX:
        raise InvalidInput(f"An address line has at most {LINE_MAX} characters.", field=field)
    return text.check_printable(value, field=field)


def check_postal_code(
    postal_code: str | None, *, province_code: int, field: str = "postalCode"
) -> str | None:
    """Optional; five digits starting with the province's plate code, as PTT assigns them."""
    value = (postal_code or "").strip()
    if not value:
        return None
    if not POSTAL_CODE.fullmatch(value):
        raise InvalidInput("A postal code is 5 digits.", field=field)
    if int(value[:2]) != province_code:
        province = geo.PROVINCES[province_code]
        raise InvalidInput(
            f"A postal code in {province} starts with {province_code:02d}.", field=field
        )
    return value
