"""Per-request DataLoaders (<thing>_by_<key>): nested fields of a page cost one query each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from db.catalogue_queries import SpecRow
from db.models import Brand, Category, Institution, SpendingUnit, Supplier
from services import accounts, catalogue

T = TypeVar("T")


def _by_key(
    fetch: Callable[[Sequence[str]], Awaitable[dict[str, T]]], default: Any = None
) -> DataLoader[str, T | None]:
    async def load(keys: list[str]) -> list[T | None]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key, default) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    category_by_id: DataLoader[str, Category | None] = field(
        default_factory=lambda: _by_key(catalogue.categories_by_ids)
    )
    brand_by_id: DataLoader[str, Brand | None] = field(
        default_factory=lambda: _by_key(catalogue.brands_by_ids)
    )
    supplier_by_id: DataLoader[str, Supplier | None] = field(
        default_factory=lambda: _by_key(catalogue.suppliers_by_ids)
    )
    specifications_by_product: DataLoader[str, list[SpecRow] | None] = field(
        default_factory=lambda: _by_key(catalogue.specifications, default=[])
    )
    # Accounts: only ids the actor may already see reach these (users of their institution).
    institution_by_id: DataLoader[str, Institution | None] = field(
        default_factory=lambda: _by_key(accounts.institutions_by_ids)
    )
    spending_unit_by_id: DataLoader[str, SpendingUnit | None] = field(
        default_factory=lambda: _by_key(accounts.spending_units_by_ids)
    )
