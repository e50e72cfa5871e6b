"""GraphQL types, inputs and payloads per area; root.py builds the Schema."""
