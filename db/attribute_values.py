"""Numbered specification values (AttributeValue): the stored value columns of a specification,
and the numbers of the values a batch of drafts uses, adding the values not yet stored."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from db.catalogue_refs import Refs
from db.models import AttributeValue
from domain import search
from domain.catalogue import ProductDraft, SpecKind, SpecValue

CHUNK = 500
# (attribute id, text, number, yes/no) as stored: the kind's own column set, the others None.
ValueKey = tuple[uuid.UUID, str | None, float | None, bool | None]


def columns(spec: SpecValue) -> dict[str, Any]:
    """The value columns a specification is stored with (in specifications and values alike)."""
    text = spec.text if spec.kind is SpecKind.TEXT else None
    return {
        "value_text": text,
        "value_text_folded": None if text is None else search.fold_case(text),
        "value_number": float(spec.number)
        if spec.kind is SpecKind.NUMBER and spec.number is not None
        else None,
        "value_boolean": spec.boolean if spec.kind is SpecKind.BOOLEAN else None,
    }


def key(attribute_id: uuid.UUID, spec: SpecValue) -> ValueKey:
    value = columns(spec)
    return (attribute_id, value["value_text"], value["value_number"], value["value_boolean"])


async def numbers(drafts: Sequence[ProductDraft], refs: Refs) -> dict[ValueKey, int]:
    """The number of every value the drafts' specifications hold; missing values are added.

    Two imports adding the same value at once may both add it: facets group values by their
    columns and filters accept every number of a value, so a duplicate changes no result.
    """
    wanted = {
        key(refs.attributes[spec.slug].id, spec): spec for d in drafts for spec in d.specifications
    }
    attribute_ids = sorted({k[0] for k in wanted})
    known = await _stored(attribute_ids)
    missing = [(k, spec) for k, spec in wanted.items() if k not in known]
    if missing:
        await AttributeValue.bulk_create(
            [AttributeValue(attribute_id=k[0], **columns(spec)) for k, spec in missing],
            batch_size=CHUNK,
        )
        known = await _stored(attribute_ids)
    return known


async def _stored(attribute_ids: list[uuid.UUID]) -> dict[ValueKey, int]:
    found: dict[ValueKey, int] = {}
    for start in range(0, len(attribute_ids), CHUNK):
        rows = (
            await AttributeValue.filter(attribute_id__in=attribute_ids[start : start + CHUNK])
            .order_by("id")
            .values_list("id", "attribute_id", "value_text", "value_number", "value_boolean")
        )
        for number, attribute_id, text, value, boolean in rows:
            flag = None if boolean is None else bool(boolean)
            found.setdefault((uuid.UUID(str(attribute_id)), text, value, flag), number)
    return found
