"""Benchmarks (not tests): scripts that print figures; results go to docs/performance.md."""
