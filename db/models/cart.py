"""Cart tables: one open cart per buyer, and its lines with the price seen when added."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Cart(Model):
    id = fields.UUIDField(primary_key=True)
    user: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "models.User", related_name="cart", on_delete=fields.CASCADE
    )
    institution: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Institution", related_name="carts", on_delete=fields.RESTRICT
    )
    updated_at = fields.DatetimeField()

    class Meta:
        table = "carts"


class CartLine(Model):
    id = fields.UUIDField(primary_key=True)
    cart: fields.ForeignKeyRelation[Cart] = fields.ForeignKeyField(
        "models.Cart", related_name="lines", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Product", related_name="cart_lines", on_delete=fields.RESTRICT
    )
    quantity = fields.IntField()
    # The net unit price when the line was added: a later change is shown, never hidden.
    added_unit_price = fields.DecimalField(max_digits=14, decimal_places=2)
    added_at = fields.DatetimeField()

    class Meta:
        table = "cart_lines"
        unique_together = (("cart", "product"),)
