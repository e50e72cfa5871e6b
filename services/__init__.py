"""Use cases: async, own the transaction, publish events after commit."""
