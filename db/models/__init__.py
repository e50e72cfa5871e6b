"""Tortoise models, one module per area; this package is Tortoise's `models` app."""

from db.models.catalogue import Attribute, Brand, Category, Product, ProductSpecification, Supplier

__all__ = ["Attribute", "Brand", "Category", "Product", "ProductSpecification", "Supplier"]
