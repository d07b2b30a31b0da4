"""Concurrency governance of the sandbox (placeholder until the records work lands)."""
