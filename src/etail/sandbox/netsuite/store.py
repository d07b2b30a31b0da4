"""The sandbox store: `<data>/netsuite.db` (SQLite, migrated on open), its Fernet and admin keys.

Files in the data folder:

* ``netsuite.db``  -- every account of this server (Alembic tree ``ns0001``, ``ns0002``...);
* ``secret.key``   -- Fernet key for consumer and token secrets (0600, created on first open);
* ``admin.key``    -- the admin API key (``X-Sandbox-Admin-Key``; 0600, created on first open).
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from etail.crypto import SecretBox

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # docs/architecture.md: every SQLite connection sets these three.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # WAL makes NORMAL safe against corruption; it only skips an fsync per commit, and every
    # signed request commits twice (nonce and audit row).
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def private_file(path: Path, make: Any) -> str:
    """Read a 0600 file, creating it with ``make()`` on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: read theirs
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


def read_admin_key(data_dir: Path) -> str:
    """The admin API key of the sandbox whose data folder is ``data_dir`` (created if missing)."""
    return private_file(data_dir / "admin.key", lambda: secrets.token_urlsafe(32))


class Store:
    """Open sandbox state: engine, session factory, secret box and admin key."""

    def __init__(self, data_dir: Path, engine: Engine, box: SecretBox, admin_key: str) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self.box = box
        self._admin_key = admin_key
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Store({str(self.data_dir)!r})"

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Create the folder if needed, migrate ``netsuite.db`` to head and load the keys."""
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            f"sqlite:///{data_dir / 'netsuite.db'}",
            connect_args={"check_same_thread": False, "timeout": 5},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        upgrade(engine)
        box = SecretBox.from_key_file(data_dir / "secret.key")
        return cls(data_dir, engine, box, read_admin_key(data_dir))

    def close(self) -> None:
        self.engine.dispose()

    def check_admin_key(self, offered: str | None) -> bool:
        """Constant-time comparison of an offered admin key (hmac.compare_digest)."""
        return bool(offered) and hmac.compare_digest(
            (offered or "").encode(), self._admin_key.encode()
        )

    def new_session(self) -> Session:
        return self._sessions()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


def upgrade(engine: Engine) -> None:
    """``alembic upgrade head`` on ``engine`` (programmatic; no ini file)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
