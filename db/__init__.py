"""Persistence: Tortoise models, configuration, migrations, queries and catalogue importers."""
