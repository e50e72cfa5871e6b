"""Tortoise models, one module per area; this package is Tortoise's `models` app."""

from db.models.accounts import (
    Institution,
    Invitation,
    RefreshToken,
    Session,
    SignInAttempt,
    SpendingUnit,
    User,
    UserRole,
)
from db.models.audit import AuditEvent
from db.models.catalogue import Attribute, Brand, Category, Product, ProductSpecification, Supplier

__all__ = [
    "Attribute",
    "AuditEvent",
    "Brand",
    "Category",
    "Institution",
    "Invitation",
    "Product",
    "ProductSpecification",
    "RefreshToken",
    "Session",
    "SignInAttempt",
    "SpendingUnit",
    "Supplier",
    "User",
    "UserRole",
]
