"""Alembic environment of the integrator database (run by ``storage.db.upgrade``)."""

from __future__ import annotations

from alembic import context

from etail.storage import models  # noqa: F401  (registers the integrator tables)
from etail.storage.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""


def run_migrations() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
