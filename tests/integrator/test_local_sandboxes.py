"""``serve --all`` preparation: both sandboxes in-process, bundle installed, connections pointed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

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
            assert repo.offline_ids() == [inst.netsuite_connection_id]  # Basic: Offline, Jet set
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


def test_serve_all_command_starts_three_servers_and_stops_them(tmp_path):
    """``etail serve --all`` as a person runs it: a real process, three ports, Ctrl-C stops it."""
    ports = {"ETAIL_PORT": free_port(), "ETAIL_NETSUITE_SANDBOX_PORT": free_port(),
             "ETAIL_JET_SANDBOX_PORT": free_port()}  # fmt: skip
    env = {**os.environ, "ETAIL_HOME": str(tmp_path / "home")}
    env.update({k: str(v) for k, v in ports.items()})
    env.pop("ETAIL_DATABASE_URL", None)
    etail = Path(sys.executable).with_name("etail")
    proc = subprocess.Popen(  # noqa: S603 - our own console script
        [str(etail), "serve", "--all"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{ports['ETAIL_PORT']}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{url}/signin").status_code < 500:  # 200, or 303 to /setup
                    break
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("etail serve --all did not answer within 30 s")
        jet = httpx2.get(f"http://127.0.0.1:{ports['ETAIL_JET_SANDBOX_PORT']}/api/authcheck")
        assert jet.status_code == 401 and "errors" in jet.json()
        ns = httpx2.get(f"http://127.0.0.1:{ports['ETAIL_NETSUITE_SANDBOX_PORT']}/app/login")
        assert ns.status_code == 200
        assert httpx2.get(f"{url}/api/v1/me").status_code == 401  # the API needs a token
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out.decode()
    text = out.decode()
    assert "NetSuite sandbox" in text and "Jet sandbox" in text and "could not prepare" not in text
    with pytest.raises(httpx2.TransportError):  # the sandboxes stopped with it
        httpx2.get(f"http://127.0.0.1:{ports['ETAIL_JET_SANDBOX_PORT']}/api/authcheck")
