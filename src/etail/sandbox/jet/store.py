"""The Jet sandbox's state: one SQLite file per data folder, migrated on open.

SQLite allows one writer at a time; read-modify-write operations (acknowledge, shipped, complete
return) take ``write_lock`` so two requests on one order cannot lose each other's update.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from etail.sandbox.jet import db

DB_FILE = "jet.db"


class JetStore:
    """The sandbox database plus the clock every state rule reads (settable in tests)."""

    def __init__(self, data_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.data_dir = data_dir
        self.engine: Engine = db.make_engine(data_dir / DB_FILE)
        db.migrate(self.engine)
        self.write_lock = threading.Lock()
        self.clock = clock

    def __repr__(self) -> str:
        return f"JetStore(data_dir={str(self.data_dir)!r})"

    def now(self) -> float:
        return self.clock()

    def close(self) -> None:
        self.engine.dispose()
