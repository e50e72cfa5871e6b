"""Audit trail writes: one row per security-relevant action, inside the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from db.models import AuditEvent
from domain.accounts import AuditAction


async def record(
    action: AuditAction,
    *,
    subject_type: str,
    subject_id: uuid.UUID | str,
    now: datetime,
    actor_id: uuid.UUID | None = None,
    institution_id: uuid.UUID | None = None,
    client_address: str = "",
    details: dict[str, Any] | None = None,
    using: BaseDBAsyncClient | None = None,
) -> None:
    await AuditEvent.create(
        occurred_at=now,
        action=action,
        actor_id=actor_id,
        institution_id=institution_id,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=details or {},
        client_address=client_address[:64],
        using_db=using,
    )
