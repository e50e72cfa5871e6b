"""The schema: every Query, Mutation and Subscription field with its resolver, then the Schema.

This is the page a security review reads. The catalogue is public (no sign-in needed).
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.types import ExecutionContext, ExecutionResult

from graph.execution import PlainFieldExecutionContext, fixed_validation_rules, index_plain_fields
from graph.masking import PublicErrorMasking, add_codes
from graph.resolvers import catalogue
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
        resolver=catalogue.node, description="Any object by its global id."
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


class Schema(strawberry.Schema):
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


def build_schema(settings: Settings | None = None) -> Schema:
    limits = settings or Settings()
    built = Schema(
        query=Query,
        types=[
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
    index_plain_fields(built._schema)
    return built


# Built once per process (Strawberry schemas are expensive to build).
schema = build_schema()
