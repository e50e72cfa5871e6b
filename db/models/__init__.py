"""Tortoise models, one module per area (this package is Tortoise's `models` app)."""

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
from db.models.addresses import Address
from db.models.approvals import ApprovalAction, ApprovalPolicy, Delegation
from db.models.audit import AuditEvent
from db.models.budgets import BudgetLine
from db.models.cart import Cart, CartLine
from db.models.catalogue import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductSpecification,
    Supplier,
)
from db.models.orders import Order, OrderEvent, OrderLine
from db.models.purchase_requests import PurchaseRequest, PurchaseRequestLine

__all__ = [
    "Address",
    "ApprovalAction",
    "ApprovalPolicy",
    "Attribute",
    "AttributeValue",
    "AuditEvent",
    "Brand",
    "BudgetLine",
    "Cart",
    "CartLine",
    "Category",
    "Delegation",
    "Institution",
    "Invitation",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Product",
    "ProductSpecification",
    "PurchaseRequest",
    "PurchaseRequestLine",
    "RefreshToken",
    "Session",
    "SignInAttempt",
    "SpendingUnit",
    "Supplier",
    "User",
    "UserRole",
]
