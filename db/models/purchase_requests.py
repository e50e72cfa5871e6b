"""Purchase requests (satın alma talepleri) and their lines; prices freeze at submission."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.accounts import Role
from domain.purchase_requests import RequestStatus


class PurchaseRequest(Model):
    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Institution", related_name="purchase_requests", on_delete=fields.RESTRICT
    )
    unit: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.SpendingUnit", related_name="purchase_requests", on_delete=fields.RESTRICT
    )
    budget_line: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.BudgetLine", related_name="purchase_requests", on_delete=fields.RESTRICT
    )
    address: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Address", related_name="purchase_requests", on_delete=fields.RESTRICT
    )
    requester: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="purchase_requests", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(RequestStatus, max_length=16, default=RequestStatus.DRAFT)
    justification = fields.TextField()
    requested_delivery_date = fields.DateField(null=True)
    # Frozen at submission: the approval chain as it applied to this amount.
    policy: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    round = fields.SmallIntField(default=0, description="Submissions so far")
    current_step = fields.SmallIntField(default=0)
    # The role the current step awaits, null unless IN_APPROVAL: the approval inbox filters on
    # it, as the frozen policy (JSON) cannot be searched portably.
    awaiting_role = fields.CharEnumField(Role, max_length=32, null=True)
    net = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    kdv = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    gross = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Bumped by every state change: a conditional update on it makes each change happen once.
    version = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "purchase_requests"
        indexes = [
            Index(fields=("institution_id", "status", "created_at"), name="requests_inst_idx"),
            Index(fields=("requester_id", "created_at"), name="requests_requester_idx"),
            Index(
                fields=("institution_id", "awaiting_role", "created_at"),
                name="requests_awaiting_idx",
            ),
        ]


class PurchaseRequestLine(Model):
    id = fields.UUIDField(primary_key=True)
    request: fields.ForeignKeyRelation[PurchaseRequest] = fields.ForeignKeyField(
        "models.PurchaseRequest", related_name="lines", on_delete=fields.CASCADE
    )
    position = fields.SmallIntField()
    product: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Product", related_name="request_lines", on_delete=fields.RESTRICT
    )
    quantity = fields.IntField()
    # Live catalogue prices while editable; frozen copies from submission on.
    unit_price = fields.DecimalField(max_digits=14, decimal_places=2)
    kdv_rate = fields.SmallIntField()
    net = fields.DecimalField(max_digits=14, decimal_places=2)
    kdv = fields.DecimalField(max_digits=14, decimal_places=2)
    gross = fields.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        table = "purchase_request_lines"
        unique_together = (("request", "product"),)
