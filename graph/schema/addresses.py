"""Addresses GraphQL types: an institution's delivery addresses, their input, payload and errors."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import strawberry

from db.models import Address as AddressRow
from domain import geo
from graph import ids
from graph.schema.common import Node, PageInfo


@strawberry.enum(description="Why an addresses mutation was refused.")
class AddressesErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"


@strawberry.type(description="A refused input: `field` is the camelCase input path, if any.")
class AddressesError:
    code: AddressesErrorCode
    field: str | None
    message: str


@strawberry.type(description="A delivery address (teslimat adresi) of your institution.")
class Address(Node):
    label: str = strawberry.field(description="The institution's name for it, e.g. Ana depo.")
    province_code: int = strawberry.field(description="Province (il) plate code, 1 to 81.")
    province_name: str = strawberry.field(description="Province (il) name.")
    district: str = strawberry.field(description="District (ilçe), in its official spelling.")
    line: str = strawberry.field(description="Street, building, floor: one line.")
    postal_code: str | None = strawberry.field(description="5 digits, if given.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: AddressRow) -> Address:
        return cls(
            id=strawberry.ID(ids.encode("Address", str(row.id))),
            label=row.label,
            province_code=row.province_code,
            province_name=geo.PROVINCES.get(row.province_code, ""),
            district=row.district,
            line=row.line,
            postal_code=row.postal_code,
            created_at=row.created_at,
        )


@strawberry.type
class AddressEdge:
    cursor: str
    node: Address


@strawberry.type(description="Addresses in label order.")
class AddressConnection:
    edges: list[AddressEdge]
    page_info: PageInfo


@strawberry.input(description="A new delivery address; il and ilçe from the official list.")
class AddressCreateInput:
    label: str = strawberry.field(description="At most 120 characters, e.g. Acil servis.")
    province_code: int = strawberry.field(description="Province (il) plate code, 1 to 81.")
    district: str = strawberry.field(
        description="District (ilçe) of that province; case and ç ğ ı ö ş ü vs c g i o s u are "
        "forgiven (Cankaya finds Çankaya)."
    )
    line: str = strawberry.field(description="At most 300 characters; newlines become spaces.")
    postal_code: str | None = strawberry.field(
        default=None, description="Optional; 5 digits starting with the province's plate code."
    )


@strawberry.type
class AddressCreatePayload:
    address: Address | None
    errors: list[AddressesError]
