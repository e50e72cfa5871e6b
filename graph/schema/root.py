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
from graph.resolvers import addresses as addresses_resolvers
from graph.resolvers import approvals as approvals_resolvers
from graph.resolvers import budgets as budgets_resolvers
from graph.resolvers import cart as cart_resolvers
from graph.resolvers import orders as orders_resolvers
from graph.resolvers import purchase_requests as requests_resolvers
from graph.resolvers.node import node
from graph.schema import accounts as accounts_types
from graph.schema import addresses as addresses_types
from graph.schema import approvals as approvals_types
from graph.schema import budgets as budgets_types
from graph.schema import cart as cart_types
from graph.schema import catalogue as catalogue_types
from graph.schema import orders as orders_types
from graph.schema import purchase_requests as requests_types
from graph.schema.common import DecimalScalar, Node
from settings import Settings

# Who reads orders: every institution role (their own institution's), and the DMO staff who
# handle all institutions' orders (services/orders.py scopes the rows).
ORDER_READERS = (
    *sorted(INSTITUTION_ROLES),
    Role.ORDER_DESK,
    Role.DMO_ACCOUNTING,
    Role.PLATFORM_ADMIN,
)


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
        description="Any object by its global id (catalogue: public; the rest: your own only).",
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
    cart: cart_types.Cart = strawberry.field(
        resolver=cart_resolvers.cart_query,
        permission_classes=allow(Role.BUYER),
        description="Your open cart, priced at live prices (created empty on first use).",
    )
    addresses: addresses_types.AddressConnection = strawberry.field(
        resolver=addresses_resolvers.addresses_query,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="Your institution's delivery addresses, in label order.",
    )
    budget_lines: budgets_types.BudgetLineConnection = strawberry.field(
        resolver=budgets_resolvers.budget_lines,
        permission_classes=allow(
            Role.INSTITUTION_ADMIN,
            Role.BUYER,
            Role.REALISATION_OFFICER,
            Role.SPENDING_AUTHORITY,
            Role.INSTITUTION_ACCOUNTANT,
        ),
        description="Your institution's budget lines (ödenek), optionally of one fiscal year "
        "and one spending unit (an unknown unit finds none).",
    )
    purchase_requests: requests_types.PurchaseRequestConnection = strawberry.field(
        resolver=requests_resolvers.purchase_requests_query,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="Your institution's purchase requests, newest first, optionally of a status.",
    )
    purchase_request: requests_types.PurchaseRequest | None = strawberry.field(
        resolver=requests_resolvers.purchase_request,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="One purchase request of your institution; null when unknown.",
    )
    approval_inbox: requests_types.PurchaseRequestConnection = strawberry.field(
        resolver=approvals_resolvers.approval_inbox,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="Requests awaiting your decision at their current step, in your own name or "
        "as a stand-in (vekalet); never your own requests. Newest first.",
    )
    approval_policy: approvals_types.ApprovalPolicy = strawberry.field(
        resolver=approvals_resolvers.approval_policy,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="The approval chain requests of a spending unit (or, without unitId, of "
        "the institution) go through.",
    )
    orders: orders_types.OrderConnection = strawberry.field(
        resolver=orders_resolvers.orders_query,
        permission_classes=allow(*ORDER_READERS),
        description="Orders, newest first: your institution's, or every institution's for DMO "
        "staff who handle orders.",
    )
    order: orders_types.Order | None = strawberry.field(
        resolver=orders_resolvers.order,
        permission_classes=allow(*ORDER_READERS),
        description="One order you may see; null when unknown.",
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
    cart_lines_add: cart_types.CartLinesAddPayload = strawberry.field(
        resolver=cart_resolvers.cart_lines_add,
        permission_classes=allow(Role.BUYER),
        description="Add products to your cart: every line, or none with every line's error.",
    )
    cart_lines_update: cart_types.CartLinesUpdatePayload = strawberry.field(
        resolver=cart_resolvers.cart_lines_update,
        permission_classes=allow(Role.BUYER),
        description="Change quantities in your cart: every line, or none with every error.",
    )
    cart_lines_remove: cart_types.CartLinesRemovePayload = strawberry.field(
        resolver=cart_resolvers.cart_lines_remove,
        permission_classes=allow(Role.BUYER),
        description="Remove lines from your cart: every line, or none with every error.",
    )
    address_create: addresses_types.AddressCreatePayload = strawberry.field(
        resolver=addresses_resolvers.address_create,
        permission_classes=allow(Role.INSTITUTION_ADMIN),
        description="Add a delivery address to your institution.",
    )
    budget_line_create: budgets_types.BudgetLineCreatePayload = strawberry.field(
        resolver=budgets_resolvers.budget_line_create,
        permission_classes=allow(Role.INSTITUTION_ADMIN),
        description="Add a budget line (ödenek) to one of your spending units.",
    )
    purchase_request_create: requests_types.PurchaseRequestCreatePayload = strawberry.field(
        resolver=requests_resolvers.purchase_request_create,
        permission_classes=allow(Role.BUYER),
        description="Make a DRAFT request from your cart; the cart is emptied.",
    )
    purchase_request_update: requests_types.PurchaseRequestUpdatePayload = strawberry.field(
        resolver=requests_resolvers.purchase_request_update,
        permission_classes=allow(Role.BUYER),
        description="Change your DRAFT or RETURNED request.",
    )
    purchase_request_submit: requests_types.PurchaseRequestSubmitPayload = strawberry.field(
        resolver=requests_resolvers.purchase_request_submit,
        permission_classes=allow(Role.BUYER),
        description="Submit your request for approval: prices and the approval chain freeze.",
    )
    purchase_request_cancel: requests_types.PurchaseRequestCancelPayload = strawberry.field(
        resolver=requests_resolvers.purchase_request_cancel,
        permission_classes=allow(Role.BUYER),
        description="Withdraw your request before its final approval.",
    )
    # Any institution user: a stand-in (vekalet) need not hold the approval role itself; the
    # service checks the step's role, delegations and separation of duties.
    purchase_request_approve: requests_types.PurchaseRequestApprovePayload = strawberry.field(
        resolver=requests_resolvers.purchase_request_approve,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="Approve the current step; the final approval reserves the budget and "
        "places the order.",
    )
    purchase_request_reject: requests_types.PurchaseRequestRejectPayload = strawberry.field(
        resolver=requests_resolvers.purchase_request_reject,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="Reject the request at the current step (final), with a note.",
    )
    purchase_request_return: requests_types.PurchaseRequestReturnPayload = strawberry.field(
        resolver=requests_resolvers.purchase_request_return,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="Send the request back to the buyer for changes, with a note.",
    )
    approval_policy_set: approvals_types.ApprovalPolicySetPayload = strawberry.field(
        resolver=approvals_resolvers.approval_policy_set,
        permission_classes=allow(Role.INSTITUTION_ADMIN),
        description="Set the approval chain of your institution or of one spending unit.",
    )
    delegation_create: approvals_types.DelegationCreatePayload = strawberry.field(
        resolver=approvals_resolvers.delegation_create,
        permission_classes=allow(Role.REALISATION_OFFICER, Role.SPENDING_AUTHORITY),
        description="Let a colleague stand in for you (vekalet) in an approval role you hold.",
    )
    order_confirm: orders_types.OrderConfirmPayload = strawberry.field(
        resolver=orders_resolvers.order_confirm,
        permission_classes=allow(Role.ORDER_DESK),
        description="Accept a PLACED order for fulfilment (DMO's order desk).",
    )
    order_cancel: orders_types.OrderCancelPayload = strawberry.field(
        resolver=orders_resolvers.order_cancel,
        permission_classes=allow(Role.BUYER, Role.INSTITUTION_ADMIN, Role.ORDER_DESK),
        description="Cancel an order: the institution (its requester or an admin) while PLACED, "
        "DMO's order desk while PLACED or CONFIRMED. Stock and the budget are released.",
    )


@strawberry.type(description="Live updates over WebSocket; each sends the current state first.")
class Subscription:
    # Typed by their resolvers: AsyncGenerator[PurchaseRequest | None] and [...Connection].
    purchase_request_updated = strawberry.subscription(
        resolver=requests_resolvers.purchase_request_updated,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="One request of your institution, now and after every change; a single "
        "null for an unknown id.",
    )
    approval_inbox_updated = strawberry.subscription(
        resolver=approvals_resolvers.approval_inbox_updated,
        permission_classes=allow(*INSTITUTION_ROLES),
        description="Your approval inbox (first page), now and whenever it may have changed.",
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
        subscription=Subscription,
        types=[
            accounts_types.Institution,
            accounts_types.SpendingUnit,
            accounts_types.User,
            addresses_types.Address,
            budgets_types.BudgetLine,
            requests_types.PurchaseRequest,
            orders_types.Order,
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
