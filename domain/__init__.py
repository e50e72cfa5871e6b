"""Business rules: pure, synchronous, standard library only."""
