"""``serve --all`` preparation: both sandboxes in-process, bundle installed, connections pointed."""

from __future__ import annotations

import asyncio

from etail.httpserver import free_port
from etail.integrator.connections import test_saved as ping_saved
from etail.integrator.database import open_db
from etail.integrator.install import bundle_credentials, find_installed
from etail.integrator.local_sandboxes import start_sandboxes, try_prepare
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.settings import Settings
from etail.storage.connections import ConnectionRepository
from etail.storage.db import session_scope


def test_prepare_points_both_connections_at_the_local_sandboxes(tmp_path):
    settings = Settings(
        home=tmp_path / "home", netsuite_sandbox_port=free_port(), jet_sandbox_port=free_port()
    )
    sandboxes = start_sandboxes(settings)
    db = open_db(settings)
    try:
        assert try_prepare(db, sandboxes) is None
        assert try_prepare(db, sandboxes) is None  # idempotent on a restart
        with session_scope(db.sessions) as s:
            inst = find_installed(s)
            repo = ConnectionRepository(s, db.box)
            ns = repo.netsuite_config(inst.netsuite_connection_id)
            assert (ns.environment, ns.base_url, ns.account_id) == (
                "local",
                sandboxes.netsuite.url,
                sandboxes.account_id,
            )
            assert ns.auth_type == "basic"  # the guide's integrator steps still to do
            jet = repo.jet_config(inst.jet_connection_id)
            result = asyncio.run(ping_saved(repo, repo.get(inst.jet_connection_id), {}))
            assert result.ok, result
            creds = bundle_credentials(s, db.box)
        with AdminClient(sandboxes.netsuite.url, sandboxes.netsuite_admin_key) as admin:
            apps = admin.integrations(sandboxes.account_id)
        bundle = [a for a in apps if a["name"] == "eTail Connectors (Token-Based Auth)"]
        assert bundle and creds.consumer_secret not in str(apps)
        assert jet.base_url.startswith(sandboxes.jet.url)
    finally:
        db.dispose()
        sandboxes.stop()
