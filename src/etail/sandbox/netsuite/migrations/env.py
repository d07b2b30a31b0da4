"""Alembic environment of the NetSuite sandbox.

Run programmatically by ``Store.open`` with a live connection in ``config.attributes``;
``render_as_batch`` lets ALTERs work on SQLite (docs/architecture.md).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

# Imported for their tables (admin objects; OAuth 2.0 M2M of ns0003) on Base.metadata.
import etail.sandbox.netsuite.models
import etail.sandbox.netsuite.oauth2_models  # noqa: F401
from etail.sandbox.netsuite.db import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line, pointed at a URL in the ini
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        _run(conn)
