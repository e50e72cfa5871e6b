"""Thin async resolvers, one module per area."""
