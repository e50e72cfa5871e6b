"""Audit trail: who did what to which object, when and from where (append-only)."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.accounts import AuditAction


class AuditEvent(Model):
    id = fields.UUIDField(primary_key=True)
    occurred_at = fields.DatetimeField()
    action = fields.CharEnumField(AuditAction, max_length=32)
    # Plain ids, not foreign keys: the trail outlives what it describes.
    actor_id = fields.UUIDField(null=True)
    institution_id = fields.UUIDField(null=True)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.CharField(max_length=64)
    details: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    client_address = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_events"
        indexes = [
            Index(fields=("institution_id", "occurred_at"), name="audit_events_inst_idx"),
            Index(fields=("subject_type", "subject_id"), name="audit_events_subject_idx"),
        ]
