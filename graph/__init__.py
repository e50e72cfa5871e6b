"""GraphQL transport: schema, resolvers, context, loaders and auth."""
