"""Orders (siparişler) placed from approved requests, their lines and status history."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.orders import OrderStatus


class Order(Model):
    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Institution", related_name="orders", on_delete=fields.RESTRICT
    )
    # Unique: however often the final approval is retried or raced, one request, one order.
    request: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "models.PurchaseRequest", related_name="order", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(OrderStatus, max_length=24, default=OrderStatus.PLACED)
    net = fields.DecimalField(max_digits=14, decimal_places=2)
    kdv = fields.DecimalField(max_digits=14, decimal_places=2)
    gross = fields.DecimalField(max_digits=14, decimal_places=2)
    placed_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "orders"
        indexes = [
            Index(fields=("institution_id", "placed_at"), name="orders_inst_idx"),
            Index(fields=("status", "placed_at"), name="orders_status_idx"),
        ]


class OrderLine(Model):
    id = fields.UUIDField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="lines", on_delete=fields.CASCADE
    )
    position = fields.SmallIntField()
    product: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Product", related_name="order_lines", on_delete=fields.RESTRICT
    )
    quantity = fields.IntField()
    from_stock = fields.IntField(description="Units reserved from stock when placed")
    backordered = fields.IntField(description="Units the stock could not cover")
    backorder_eta = fields.DateField(null=True)
    unit_price = fields.DecimalField(max_digits=14, decimal_places=2)
    kdv_rate = fields.SmallIntField()
    net = fields.DecimalField(max_digits=14, decimal_places=2)
    kdv = fields.DecimalField(max_digits=14, decimal_places=2)
    gross = fields.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        table = "order_lines"


class OrderEvent(Model):
    """Status history: every change of an order, who made it and why."""

    id = fields.UUIDField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="events", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(OrderStatus, max_length=24)
    occurred_at = fields.DatetimeField()
    actor: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="order_events", null=True, on_delete=fields.RESTRICT
    )
    note = fields.CharField(max_length=1000, default="")

    class Meta:
        table = "order_events"
        indexes = [Index(fields=("order_id", "occurred_at"), name="order_events_order_idx")]
