"""Storage: migrations on SQLite and PostgreSQL, the connection repository, audit of secrets."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text

from etail.crypto import SecretBox
from etail.errors import SettingsError
from etail.integrator.install import BasicNetSuite, JetAccount, install_jet_netsuite
from etail.storage.audit import Actor, AuditLog
from etail.storage.connections import ConnectionRepository
from etail.storage.db import make_engine, session_factory, session_scope, upgrade

TABLES = {
    "users",
    "integrations",
    "integration_grants",
    "invitations",
    "web_sessions",
    "iclients",
    "connections",
    "audit_log",
}


def _exercise(url: str) -> None:
    upgrade(url)
    upgrade(url)  # idempotent
    engine = make_engine(url)
    assert TABLES <= set(inspect(engine).get_table_names())
    box = SecretBox([Fernet.generate_key()])
    sessions = session_factory(engine)
    with session_scope(sessions) as s:
        app = install_jet_netsuite(
            s,
            box,
            netsuite=BasicNetSuite("1234567", "ns@example.com", "Basic-Pass-1"),
            jet=JetAccount(api_user="u", secret="jet-secret-1"),
        )
        again = install_jet_netsuite(s, box)
        assert again == app  # idempotent
    with session_scope(sessions) as s:
        repo = ConnectionRepository(s, box)
        ns = repo.netsuite_config(app.netsuite_connection_id)
        assert ns.auth_type == "basic" and ns.account_id == "1234567"
        assert "Basic-Pass-1" not in repr(ns) and "jet-secret-1" not in repr(
            repo.jet_config(app.jet_connection_id)
        )
        with pytest.raises(SettingsError) as err:
            ns.require_token()
        assert err.value.field == "auth_type"
        assert repo.jet_config(app.jet_connection_id).secret == "jet-secret-1"
        ck = repo.iclient_credentials(app.iclient_id)
        assert len(ck.consumer_key) == 64 and int(ck.consumer_secret, 16) >= 0
        # installed on Basic: Offline, saying what to do; the Jet connection has its keys
        assert repo.offline_ids() == [app.netsuite_connection_id]
        assert "switch Authentication Type to Token" in (
            repo.get(app.netsuite_connection_id).offline_reason or ""
        )
        assert repo.set_online(app.netsuite_connection_id) is True
        assert repo.set_offline(app.netsuite_connection_id, "401") is True
        assert repo.set_offline(app.netsuite_connection_id, "401") is False
        assert repo.offline_ids() == [app.netsuite_connection_id]
        assert repo.set_online(app.netsuite_connection_id) is True
        with pytest.raises(SettingsError):
            repo.jet_config(app.netsuite_connection_id)
    with engine.connect() as conn:
        stored = conn.execute(text("select secrets from connections")).scalars().all()
    assert all("Basic-Pass-1" not in str(v) and "jet-secret-1" not in str(v) for v in stored)
    engine.dispose()


def test_sqlite_migrations_and_repository(tmp_path):
    _exercise(f"sqlite:///{tmp_path / 'i.db'}")


@pytest.fixture
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    name = f"etail_int_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_postgres_migrations_and_repository(fresh_postgres):
    _exercise(fresh_postgres)


def test_audit_records_secrets_only_as_changed(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    sessions = session_factory(make_engine(url))
    with session_scope(sessions) as s:
        n = AuditLog(s).changes(
            Actor("u1", "a@example.com", "UI"),
            "update",
            "connection",
            "c1",
            "NS",
            {"token_secret": "old-secret", "environment": "production"},
            {"token_secret": "new-secret", "environment": "sandbox"},
            secret_fields=("token_secret",),
        )
        assert n == 2
    with session_scope(sessions) as s:
        rows = {e.field: e for e in AuditLog(s).query()}
    assert (rows["token_secret"].old_value, rows["token_secret"].new_value) == (None, "changed")
    assert (rows["environment"].old_value, rows["environment"].new_value) == (
        "production",
        "sandbox",
    )


def test_only_credentials_errors_take_a_connection_offline(tmp_path):
    from etail.errors import CredentialsError, TransientError

    url = f"sqlite:///{tmp_path / 'o.db'}"
    upgrade(url)
    sessions = session_factory(make_engine(url))
    box = SecretBox([Fernet.generate_key()])
    with session_scope(sessions) as s:
        app = install_jet_netsuite(s, box)
        repo = ConnectionRepository(s, box)
        cid = app.netsuite_connection_id
        assert not repo.is_online(cid) and not repo.is_online(app.jet_connection_id)  # not set up
        repo.set_online(cid)
        assert repo.record_failure(cid, TransientError("timed out")) is False
        assert repo.is_online(cid)
        err = CredentialsError("NetSuite answered 401 INVALID_LOGIN", status=401)
        assert repo.record_failure(cid, err) is True
        assert not repo.is_online(cid) and "INVALID_LOGIN" in (repo.get(cid).offline_reason or "")
