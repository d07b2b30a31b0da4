"""Composition root: builds the services of one process from settings."""
