"""The Jet sandbox's state: one SQLite file per data folder, migrated on open.

SQLite allows one writer at a time; read-modify-write operations (acknowledge, shipped, complete
return) take ``write_lock`` so two requests on one order cannot lose each other's update.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from etail.sandbox.jet import db

DB_FILE = "jet.db"
TOKEN_CACHE_SIZE = 10_000


class JetStore:
    """The sandbox database plus the clock every state rule reads (settable in tests)."""

    def __init__(self, data_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.data_dir = data_dir
        self.engine: Engine = db.make_engine(data_dir / DB_FILE)
        db.migrate(self.engine)
        self.write_lock = threading.Lock()
        self.clock = clock
        # Tokens never change once issued: cache digest -> (caller, expiry) to spare a query on
        # every request. Bounded; cleared whole when full (the next request refills it).
        self.token_cache: dict[str, tuple[Any, float]] = {}

    def __repr__(self) -> str:
        return f"JetStore(data_dir={str(self.data_dir)!r})"

    def remember_token(self, key: str, entry: tuple[Any, float]) -> None:
        if len(self.token_cache) >= TOKEN_CACHE_SIZE:
            self.token_cache.clear()
        self.token_cache[key] = entry

    def now(self) -> float:
        return self.clock()

    def close(self) -> None:
        self.engine.dispose()
