"""Store fixtures: the same tests run over the in-memory stores, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from etail.engine import Stores
from etail.storage.db import make_engine, upgrade
from etail.storage.flow_store import sql_stores

from .helpers import memory_stores


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'integrator.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """A throw-away database, so parallel suites sharing the server never meet."""
    import psycopg

    admin = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"etail_engine_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(request: pytest.FixtureRequest) -> Stores:
    if request.param == "memory":
        return memory_stores()
    engine = request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")
    return sql_stores(engine)


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> Iterator[None]:
    """Real argon2id with small parameters for the page tests' users: checked, just faster."""
    from argon2 import PasswordHasher

    from etail.integrator.users import use_hasher

    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    use_hasher(previous)
