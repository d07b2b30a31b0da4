"""Alembic environment of the Jet sandbox: runs on the connection handed over by ``db.migrate``."""

from __future__ import annotations

from alembic import context

from etail.sandbox.jet.db import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # docs/architecture.md: SQLite needs batch mode for ALTERs
    version_table="alembic_version_jet",
)
with context.begin_transaction():
    context.run_migrations()
