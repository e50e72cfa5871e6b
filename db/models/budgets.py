"""Budget lines: a spending unit's appropriation for one fiscal year and economic code.

Amounts are whole kuruş (integers): the reservation is a conditional UPDATE comparing and
subtracting amounts in SQL, which SQLite cannot do on its text-stored decimals.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class BudgetLine(Model):
    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Institution", related_name="budget_lines", on_delete=fields.RESTRICT
    )
    unit: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.SpendingUnit", related_name="budget_lines", on_delete=fields.RESTRICT
    )
    fiscal_year = fields.SmallIntField()
    economic_code = fields.CharField(max_length=10, description="e.g. 03.2.1.01")
    name = fields.CharField(max_length=200)
    appropriation_kurus = fields.BigIntField()
    reserved_kurus = fields.BigIntField(default=0)
    spent_kurus = fields.BigIntField(default=0)
    # appropriation - reserved - spent, kept in step by every update: the guard of reserve().
    available_kurus = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "budget_lines"
        unique_together = (("unit", "fiscal_year", "economic_code"),)
        indexes = [
            Index(fields=("institution_id", "fiscal_year", "economic_code"), name="budget_inst_idx")
        ]
