"""Approval tables: policies (ordered steps), decisions taken on requests, and delegations."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.accounts import Role
from domain.approvals import Decision


class ApprovalPolicy(Model):
    """An institution's chain (unit null) or one spending unit's own chain."""

    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Institution", related_name="approval_policies", on_delete=fields.RESTRICT
    )
    unit: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.SpendingUnit",
        related_name="approval_policies",
        null=True,
        on_delete=fields.RESTRICT,
    )
    # [{"role": "REALISATION_OFFICER", "min_gross": null | "50000.00"}, ...] in order.
    steps: fields.Field[list[dict[str, Any]]] = fields.JSONField()
    updated_at = fields.DatetimeField()
    updated_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="approval_policies_set", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "approval_policies"
        unique_together = (("institution", "unit"),)


class ApprovalAction(Model):
    """One approver's decision on one step of a request (append-only)."""

    id = fields.UUIDField(primary_key=True)
    request: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.PurchaseRequest", related_name="actions", on_delete=fields.CASCADE
    )
    # Each submission is a new round (a returned request starts its chain again).
    round = fields.SmallIntField(default=1)
    step = fields.SmallIntField(description="Index into the request's frozen policy")
    role = fields.CharEnumField(Role, max_length=32)
    decision = fields.CharEnumField(Decision, max_length=8)
    note = fields.CharField(max_length=1000, default="")
    actor: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="approval_actions", on_delete=fields.RESTRICT
    )
    # Set when the actor acted as a stand-in (vekalet) for this user.
    on_behalf_of: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User",
        related_name="approval_actions_by_delegates",
        null=True,
        on_delete=fields.RESTRICT,
    )
    occurred_at = fields.DatetimeField()

    class Meta:
        table = "approval_actions"
        # One decision per step and round: two approvers racing on a step cannot both win.
        unique_together = (("request", "round", "step"),)
        indexes = [Index(fields=("actor_id", "occurred_at"), name="approval_actions_actor_idx")]


class Delegation(Model):
    """Vekalet: `delegate` may act in `role` for `delegator` from starts_on to ends_on."""

    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Institution", related_name="delegations", on_delete=fields.RESTRICT
    )
    delegator: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="delegations_given", on_delete=fields.RESTRICT
    )
    delegate: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="delegations_received", on_delete=fields.RESTRICT
    )
    role = fields.CharEnumField(Role, max_length=32)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "delegations"
        indexes = [Index(fields=("delegate_id", "ends_on"), name="delegations_delegate_idx")]
