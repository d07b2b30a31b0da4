"""``etail serve --all``: both sandboxes in this process, with the bundle installed.

The NetSuite sandbox gets an account (``ETAIL_NS_ACCOUNT``, default ``1234567``) with the
integrator's bundle installed using the eTail NetSuite iClient's keys, and the app's NetSuite
connection - still on Basic, as an old install left it - is pointed at that local sandbox so a
person can walk the guide: steps A-D on the sandbox's pages, then the integrator's steps 1-10.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from etail.errors import EtailError
from etail.httpserver import BackgroundServer
from etail.integrator.database import IntegratorDb
from etail.integrator.install import bundle_credentials, find_installed
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.settings import Settings
from etail.storage.audit import Actor, AuditLog
from etail.storage.connections import ConnectionRepository
from etail.storage.db import session_scope

DEFAULT_ACCOUNT = "1234567"


@dataclass
class LocalSandboxes:
    netsuite: BackgroundServer
    jet: BackgroundServer
    netsuite_admin_key: str = field(repr=False)
    jet_admin_key: str = field(repr=False)
    account_id: str = DEFAULT_ACCOUNT

    def stop(self) -> None:
        self.netsuite.stop()
        self.jet.stop()


def start_sandboxes(settings: Settings, *, host: str = "127.0.0.1") -> LocalSandboxes:
    from etail.sandbox.jet.app import admin_key as jet_admin_key
    from etail.sandbox.jet.app import create_app as jet_app
    from etail.sandbox.netsuite.app import create_app as netsuite_app
    from etail.sandbox.netsuite.store import read_admin_key

    ns_dir, jet_dir = settings.home / "sandbox-netsuite", settings.home / "sandbox-jet"
    ns_dir.mkdir(parents=True, exist_ok=True)
    jet_dir.mkdir(parents=True, exist_ok=True)
    ns = BackgroundServer(netsuite_app(ns_dir), host, settings.netsuite_sandbox_port).start()
    jet = BackgroundServer(jet_app(jet_dir), host, settings.jet_sandbox_port).start()
    return LocalSandboxes(
        netsuite=ns,
        jet=jet,
        netsuite_admin_key=read_admin_key(ns_dir),
        jet_admin_key=jet_admin_key(jet_dir),
        account_id=os.environ.get("ETAIL_NS_ACCOUNT", DEFAULT_ACCOUNT),
    )


def prepare_netsuite(db: IntegratorDb, url: str, admin_key: str, account_id: str) -> None:
    """Create the account if missing, install the bundle, point the Basic connection at it."""
    with session_scope(db.sessions) as session:
        creds = bundle_credentials(session, db.box)
        with AdminClient(url, admin_key) as admin:
            known = {a.get("account_id") for a in admin.accounts()}
            if account_id not in known:
                admin.create_account(account_id)
            admin.install_bundle(account_id, creds.consumer_key, creds.consumer_secret)
        installed = find_installed(session)
        if installed is None:
            return
        repo = ConnectionRepository(session, db.box)
        conn = repo.get(installed.netsuite_connection_id)
        if conn.config.get("auth_type") == "basic" and not conn.config.get("account_id"):
            before = dict(conn.config)
            conn.config = {
                **conn.config,
                "environment": "local",
                "base_url": url,
                "account_id": account_id,
            }
            AuditLog(session).changes(
                Actor.system(), "update", "connection", conn.id, conn.name, before, conn.config
            )


def prepare_jet(db: IntegratorDb, url: str, admin_key: str) -> None:
    """Give a never-configured Jet connection a merchant on the local Jet sandbox."""
    from etail.sandbox.jet.adminclient import JetAdminClient

    with session_scope(db.sessions) as session:
        installed = find_installed(session)
        if installed is None:
            return
        repo = ConnectionRepository(session, db.box)
        conn = repo.get(installed.jet_connection_id)
        if conn.config.get("api_user"):
            return  # configured already: leave it alone
        merchant = f"etail-local-{secrets.token_hex(3)}"
        api_user, secret = f"etail-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
        with JetAdminClient(url, admin_key) as admin:
            admin.create_merchant(
                "etail local merchant",
                merchant_id=merchant,
                api_user=api_user,
                secret=secret,
                fulfillment_nodes=[{"fulfillment_node_id": f"{merchant}-node", "name": "Main"}],
            )
        before = {**conn.config, "secret": ""}
        conn.config = {
            "base_url": url + "/api",
            "api_user": api_user,
            "merchant_id": merchant,
            "fulfillment_node": f"{merchant}-node",
        }
        repo.set_secrets(conn, {"secret": secret})
        repo.set_online(conn.id)  # its merchant was just made with these keys
        AuditLog(session).changes(
            Actor.system(),
            "update",
            "connection",
            conn.id,
            conn.name,
            before,
            {**conn.config, "secret": "new"},
            secret_fields=("secret",),
        )


def try_prepare(db: IntegratorDb, sandboxes: LocalSandboxes) -> str | None:
    """Prepare both sandboxes; returns an error message instead of raising."""
    try:
        prepare_netsuite(
            db, sandboxes.netsuite.url, sandboxes.netsuite_admin_key, sandboxes.account_id
        )
        prepare_jet(db, sandboxes.jet.url, sandboxes.jet_admin_key)
    except EtailError as exc:
        return str(exc)
    return None
