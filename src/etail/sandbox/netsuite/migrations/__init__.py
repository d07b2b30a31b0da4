"""Alembic tree of the NetSuite sandbox (revisions ns0001 admin objects, ns0002 records)."""
