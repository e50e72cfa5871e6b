"""Permission classes for graph/schema/root.py: who may call each operation, by role."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from domain.accounts import Actor, Role
from graph.auth import require_actor
from graph.context import Info
from graph.errors import FORBIDDEN, PublicError

FORBIDDEN_MESSAGE = "Your roles do not allow this operation."


class RoleRequired(BasePermission):
    """Signed in and holding one of `roles` (empty: any signed-in user)."""

    roles: frozenset[Role] = frozenset()

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        actor = await require_actor(info.context)
        if self.roles and not actor.has_any(self.roles):
            raise PublicError(FORBIDDEN_MESSAGE, code=FORBIDDEN)
        return True


def allow(*roles: Role) -> list[type[BasePermission]]:
    """`permission_classes=allow(Role.X, Role.Y)`; `allow()` admits any signed-in user."""
    name = "Allow_" + "_".join(sorted(roles)) if roles else "SignedIn"
    permission = type(name, (RoleRequired,), {"roles": frozenset(roles)})
    return [permission]


async def recheck(info: Info) -> Actor:
    """The actor, with the field's roles checked again now: for subscriptions, which outlive
    the check made when they started (a sign-out or a lost role ends them at the next update)."""
    roles = declared_roles(info._field.permission_classes) or frozenset()
    actor = await require_actor(info.context)
    if roles and not actor.has_any(roles):
        raise PublicError(FORBIDDEN_MESSAGE, code=FORBIDDEN)
    return actor


def declared_roles(permission_classes: list[type[BasePermission]]) -> frozenset[Role] | None:
    """The roles a field admits (empty: any signed-in user); None for a public field."""
    for permission in permission_classes:
        if issubclass(permission, RoleRequired):
            return permission.roles
    return None
