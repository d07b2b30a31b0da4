"""Store fixtures: the same tests run over the in-memory stores, SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from etail.engine import Stores
from etail.storage.db import make_engine, upgrade
from etail.storage.flow_store import sql_stores

from .helpers import memory_stores


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database file; each test gets a copy (Alembic runs once per session)."""
    path = tmp_path_factory.mktemp("template") / "integrator.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_engine(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Engine]:
    path = tmp_path / "integrator.db"
    shutil.copy(migrated_sqlite, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _admin(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


_pg_templates: dict[str, str] = {}  # server URL -> migrated template database


def _pg_template(postgres_url: str) -> str:
    """A migrated template database per session; tests clone it (CREATE ... TEMPLATE is quick)."""
    import psycopg

    if postgres_url not in _pg_templates:
        name = f"etail_engine_tmpl_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_admin(postgres_url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        _pg_templates[postgres_url] = name
        upgrade(postgres_url.rsplit("/", 1)[0] + f"/{name}")
    return _pg_templates[postgres_url]


@pytest.fixture(autouse=True, scope="session")
def _drop_pg_templates() -> Iterator[None]:
    yield
    import psycopg

    for url, name in _pg_templates.items():
        with psycopg.connect(_admin(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """A throw-away database, so parallel suites sharing the server never meet."""
    import psycopg

    template = _pg_template(postgres_url)
    name = f"etail_engine_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin(postgres_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    engine = make_engine(postgres_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(_admin(postgres_url), autocommit=True) as conn:
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
