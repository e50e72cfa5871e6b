"""Addresses table: an institution's delivery addresses (il and ilçe from the official list)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Address(Model):
    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Institution", related_name="addresses", on_delete=fields.RESTRICT
    )
    label = fields.CharField(max_length=120, description="e.g. Ana depo, Acil servis")
    province_code = fields.SmallIntField(description="Province (il) plate code, 1 to 81")
    district = fields.CharField(max_length=64, description="District (ilçe), official spelling")
    line = fields.CharField(max_length=300)
    postal_code = fields.CharField(max_length=5, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "addresses"
        indexes = [Index(fields=("institution_id", "label", "id"), name="addresses_inst_idx")]
