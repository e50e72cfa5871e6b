"""The schema: every Query, Mutation and Subscription field with its resolver, then the Schema.

This is the page a security review reads: each field names the roles allowed to call it
(`permission_classes=allow(...)`; `allow()` is any signed-in user; no permission classes means
public). The catalogue and the sign-in mutations are public; everything else needs a token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError

from domain.accounts import INSTITUTION_ROLES, Role
from graph import operations
from graph.errors import GRAPHQL_VALIDATION_FAILED
from graph.execution import PlainFieldExecutionContext, fixed_validation_rules, index_plain_fields
from graph.masking import PublicErrorMasking, add_codes
from graph.permissions import allow
from graph.resolvers import accounts, catalogue
from graph.resolvers.node import node
from graph.schema import accounts as accounts_types
from graph.schema import catalogue as catalogue_types
from graph.schema.common import DecimalScalar, Node
from settings import Settings


@strawberry.type(description="Read operations.")
class Query:
    products: catalogue_types.ProductConnection = strawberry.field(
        resolver=catalogue.products,
        description="Search and filter the catalogue (public). `first` defaults to 20, max 100.",
    )
    product: catalogue_types.Product | None = strawberry.field(
        resolver=catalogue.product, description="One product by id or SKU (public)."
    )
    node: Node | None = strawberry.field(
        resolver=node,
        description="Any object by its global id (catalogue: public; accounts: your own only).",
    )
    categories: catalogue_types.CategoryConnection = strawberry.field(
        resolver=catalogue.categories,
        description="Children of `parentId`, or the top-level CPV divisions (public).",
    )
    category: catalogue_types.Category | None = strawberry.field(
        resolver=catalogue.category, description="One category by id or CPV code (public)."
    )
    brands: catalogue_types.BrandConnection = strawberry.field(
        resolver=catalogue.brands, description="Brands in name order (public)."
    )
    compare_products: catalogue_types.ProductComparison = strawberry.field(
        resolver=catalogue.compare_products,
        description="Side-by-side comparison of 2 to 5 products (public).",
    )
    me: accounts_types.User = strawberry.field(
        resolver=accounts.me, permission_classes=allow(), description="The signed-in user."
    )
    institutions: accounts_types.InstitutionConnection = strawberry.field(
        resolver=accounts.institutions,
        permission_classes=allow(Role.PLATFORM_ADMIN, Role.ORDER_DESK, Role.DMO_ACCOUNTING),
        description="Every institution (DMO staff who serve them all).",
    )
    users: accounts_types.UserConnection = strawberry.field(
        resolver=accounts.users,
        permission_classes=allow(Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN),
        description="Users of your institution (DMO staff, for a platform administrator).",
    )
    spending_units: accounts_types.SpendingUnitConnection = strawberry.field(
        resolver=accounts.spending_units,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="Your institution's spending units (harcama birimleri).",
    )


@strawberry.type(description="Write operations; refusals come back in each payload's `errors`.")
class Mutation:
    invitation_accept: accounts_types.InvitationAcceptPayload = strawberry.field(
        resolver=accounts.invitation_accept,
        description="Accept an invitation: username and password; returns the TOTP URI (public).",
    )
    totp_enrol_confirm: accounts_types.TokenPayload = strawberry.field(
        resolver=accounts.totp_enrol_confirm,
        description="Confirm the authenticator app with its first code, and sign in (public).",
    )
    token_create: accounts_types.TokenPayload = strawberry.field(
        resolver=accounts.token_create,
        description="Sign in with username, password and TOTP code (public).",
    )
    token_refresh: accounts_types.TokenPayload = strawberry.field(
        resolver=accounts.token_refresh,
        description="Trade a refresh token for a new pair; each refresh token works once (public).",
    )
    token_revoke: accounts_types.TokenRevokePayload = strawberry.field(
        resolver=accounts.token_revoke,
        description="Sign out: ends the refresh token's session and its access tokens (public).",
    )
    institution_create: accounts_types.InstitutionCreatePayload = strawberry.field(
        resolver=accounts.institution_create,
        permission_classes=allow(Role.PLATFORM_ADMIN),
        description="Create an institution and invite its first INSTITUTION_ADMIN.",
    )
    spending_unit_create: accounts_types.SpendingUnitCreatePayload = strawberry.field(
        resolver=accounts.spending_unit_create,
        permission_classes=allow(Role.INSTITUTION_ADMIN),
        description="Add a spending unit (harcama birimi) to your institution.",
    )
    user_invite: accounts_types.UserInvitePayload = strawberry.field(
        resolver=accounts.user_invite,
        permission_classes=allow(Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN),
        description="Invite a person into your institution (DMO staff, for a platform admin).",
    )
    user_roles_set: accounts_types.UserRolesSetPayload = strawberry.field(
        resolver=accounts.user_roles_set,
        permission_classes=allow(Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN),
        description="Replace the roles of a user of your institution (or of DMO staff).",
    )


class Schema(strawberry.Schema):
    max_tokens: int = 2000

    async def stream(self, query: str | None, *args: Any, **kwargs: Any) -> Any:
        # WebSocket operations come through here; like HTTP (graph/http.py), a document with
        # several operations and no operationName is refused instead of running the first.
        name = kwargs.get("operation_name", args[3] if len(args) > 3 else None)
        if name is None and query and operations.operation_count(query, self.max_tokens) > 1:
            error = GraphQLError(
                operations.MUST_NAME, extensions={"code": GRAPHQL_VALIDATION_FAILED}
            )
            return _single(PreExecutionError(data=None, errors=[error]))
        return await super().stream(query, *args, **kwargs)

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = await super().execute(*args, **kwargs)
        if result.errors:
            add_codes(result.errors)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry logs every error with a traceback; user errors are not incidents, and
        # bugs are logged once, with the request id, by PublicErrorMasking.
        return None


async def _single(result: ExecutionResult) -> AsyncIterator[ExecutionResult]:
    yield result


def build_schema(settings: Settings | None = None) -> Schema:
    limits = settings or Settings()
    built = Schema(
        query=Query,
        mutation=Mutation,
        types=[
            accounts_types.Institution,
            accounts_types.SpendingUnit,
            accounts_types.User,
            catalogue_types.Product,
            catalogue_types.Category,
            catalogue_types.Brand,
            catalogue_types.Supplier,
        ],
        scalar_overrides={Decimal: DecimalScalar},
        extensions=[
            # Extensions are given as factories: Strawberry makes one per operation.
            partial(ParserCache, maxsize=512),
            partial(ValidationCache, maxsize=512),
            fixed_validation_rules(limits.max_query_depth, limits.max_aliases),
            partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
            PublicErrorMasking,
        ],
        execution_context_class=PlainFieldExecutionContext,
    )
    built.max_tokens = limits.max_tokens
    index_plain_fields(built._schema)
    return built


# Built once per process (Strawberry schemas are expensive to build).
schema = build_schema()
