"""The refusal of a lost race: the object changed between the read and the conditional write."""

from __future__ import annotations

from domain.errors import DomainError


class ChangedMeanwhile(DomainError):
    """Someone else changed the object first; nothing was written. Reload and decide again."""

    code = "CONFLICT"


class AlreadyExists(DomainError):
    """A unique name, code or number is taken: nothing was written."""

    code = "ALREADY_EXISTS"
