"""The store: files, permissions, migrations, pragmas, admin key."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import inspect, text

from etail.sandbox.netsuite.store import Store, read_admin_key


def test_open_creates_private_files_and_migrates_to_head(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "ns")
    try:
        for name in ("secret.key", "admin.key"):
            mode = stat.S_IMODE((tmp_path / "ns" / name).stat().st_mode)
            assert mode == 0o600, name
        tables = set(inspect(store.engine).get_table_names())
        assert {
            "ns_account",
            "ns_role",
            "ns_employee",
            "ns_access_token",
            "ns_login_audit",
        } <= tables
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert head is not None and head.startswith("ns")
    finally:
        store.close()
    again = Store.open(tmp_path / "ns")  # re-open: no migration error, same keys
    assert again.check_admin_key(read_admin_key(tmp_path / "ns"))
    again.close()


def test_admin_key_check(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    key = read_admin_key(tmp_path)
    assert store.check_admin_key(key)
    assert not store.check_admin_key(key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert not store.check_admin_key("")
    assert not store.check_admin_key(None)
    assert key not in repr(store)
    store.close()
