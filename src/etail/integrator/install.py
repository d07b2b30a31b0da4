"""Install the "Jet - NetSuite" integration app and the global "eTail NetSuite" iClient.

An older install of the app left its NetSuite connection on Basic authentication (email,
password, account, role); the guide's integrator steps switch it to Token. The iClient holds the
consumer key and secret of the bundle's "eTail Connectors (Token-Based Auth)" integration record:
generated once (64 lower-case hex, like NetSuite's), stored encrypted, shown to nobody.
:func:`bundle_credentials` hands them to the code that installs the bundle in a NetSuite sandbox
(``etail serve --all``, ``etail demo``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.crypto import SecretBox
from etail.integrator import app_settings
from etail.storage.audit import Actor, AuditLog
from etail.storage.connections import (
    JET_DEFAULT_BASE_URL,
    ConnectionRepository,
    IClientCredentials,
)
from etail.storage.models import Connection, IClient, Integration, utcnow

CONNECTOR = "jet-netsuite"
INTEGRATION_NAME = "Jet - NetSuite"
ICLIENT_NAME = "eTail NetSuite"
NETSUITE_CONNECTION_NAME = "NetSuite Connection"
JET_CONNECTION_NAME = "Jet Connection"
BUNDLE_APPLICATION = "eTail Connectors (Token-Based Auth)"
# A connection that cannot work is shown Offline with what to do, not Online: NetSuite web
# services no longer take Basic (e-mail and password) logins, the guide's very reason.
BASIC_OFFLINE = (
    "Basic authentication (e-mail and password) is no longer accepted by NetSuite web "
    "services: switch Authentication Type to Token, then Test and Save"
)
JET_NOT_SET_UP = (
    "not set up: enter the API user and secret key from Jet (API section > Get API Keys), "
    "then Test and Save"
)


@dataclass(frozen=True)
class BasicNetSuite:
    """What an old install stored for NetSuite: Basic credentials (NLAuth email/password)."""

    account_id: str = ""
    email: str = ""
    password: str = ""
    role_id: str = "3"
    environment: str = "production"
    base_url: str | None = None

    def __repr__(self) -> str:
        return (
            f"BasicNetSuite(account_id={self.account_id!r}, email={self.email!r}, password=******)"
        )


@dataclass(frozen=True)
class JetAccount:
    base_url: str = JET_DEFAULT_BASE_URL
    api_user: str = ""
    secret: str = ""
    merchant_id: str = ""
    fulfillment_node: str = ""

    def __repr__(self) -> str:
        return f"JetAccount(base_url={self.base_url!r}, api_user={self.api_user!r}, secret=******)"


@dataclass(frozen=True)
class InstalledApp:
    integration_id: str
    netsuite_connection_id: str
    jet_connection_id: str
    iclient_id: str


def ensure_iclient(session: Session, box: SecretBox) -> IClient:
    """The global eTail NetSuite iClient, created with fresh keys on first run."""
    found = session.scalars(select(IClient).where(IClient.name == ICLIENT_NAME)).first()
    if found is not None:
        return found
    ic = IClient(
        name=ICLIENT_NAME,
        provider="netsuite",
        auth_kind="tba",
        is_global=True,
        # NetSuite integration records show 64 lower-case hex characters (netsuite-tba §1.7).
        consumer_key_enc=box.encrypt(secrets.token_hex(32)),
        consumer_secret_enc=box.encrypt(secrets.token_hex(32)),
    )
    session.add(ic)
    session.flush()
    AuditLog(session).event(Actor.system(), "create", "iclient", ic.id, ic.name)
    return ic


def bundle_credentials(session: Session, box: SecretBox) -> IClientCredentials:
    """Consumer key and secret for installing the bundle in a NetSuite (sandbox) account.

    Internal: for ``serve --all`` and the demo only; never rendered in a page or an API.
    """
    ic = ensure_iclient(session, box)
    return ConnectionRepository(session, box).iclient_credentials(ic.id)


def find_installed(session: Session) -> InstalledApp | None:
    integ = session.scalars(select(Integration).where(Integration.connector == CONNECTOR)).first()
    if integ is None:
        return None
    conns = {
        c.type: c.id
        for c in session.scalars(select(Connection).where(Connection.integration_id == integ.id))
    }
    ic = session.scalars(select(IClient).where(IClient.name == ICLIENT_NAME)).first()
    return InstalledApp(
        integ.id, conns.get("netsuite", ""), conns.get("jet", ""), ic.id if ic else ""
    )


def _offline_unless(conn: Connection, reason: str, *, working: bool) -> None:
    if not working:
        conn.offline, conn.offline_reason, conn.offline_since = True, reason, utcnow()


def install_jet_netsuite(
    session: Session,
    box: SecretBox,
    *,
    netsuite: BasicNetSuite | None = None,
    jet: JetAccount | None = None,
    actor: Actor | None = None,
) -> InstalledApp:
    """Install the app (idempotent: an existing install is returned untouched)."""
    ic = ensure_iclient(session, box)
    existing = find_installed(session)
    if existing is not None:
        return existing
    actor = actor or Actor.system()
    ns, jt = netsuite or BasicNetSuite(), jet or JetAccount()
    integ = Integration(
        name=INTEGRATION_NAME,
        connector=CONNECTOR,
        settings=app_settings.IntegrationSettings().model_dump(),
    )
    session.add(integ)
    session.flush()
    repo = ConnectionRepository(session, box)
    ns_conn = Connection(
        integration_id=integ.id,
        name=NETSUITE_CONNECTION_NAME,
        type="netsuite",
        config={
            "auth_type": "basic",
            "environment": ns.environment,
            "base_url": ns.base_url,
            "account_id": ns.account_id,
            "email": ns.email,
            "role_id": ns.role_id,
            "concurrency": 5,
        },
        secrets={},
    )
    _offline_unless(ns_conn, BASIC_OFFLINE, working=False)
    repo.set_secrets(ns_conn, {"password": ns.password})
    jet_conn = Connection(
        integration_id=integ.id,
        name=JET_CONNECTION_NAME,
        type="jet",
        config={
            "base_url": jt.base_url,
            "api_user": jt.api_user,
            "merchant_id": jt.merchant_id,
            "fulfillment_node": jt.fulfillment_node,
        },
        secrets={},
    )
    _offline_unless(jet_conn, JET_NOT_SET_UP, working=bool(jt.api_user and jt.secret))
    repo.set_secrets(jet_conn, {"secret": jt.secret})
    session.add_all([ns_conn, jet_conn])
    session.flush()
    log = AuditLog(session)
    log.event(actor, "install", "integration", integ.id, integ.name)
    log.event(actor, "create", "connection", ns_conn.id, ns_conn.name)
    log.event(actor, "create", "connection", jet_conn.id, jet_conn.name)
    return InstalledApp(integ.id, ns_conn.id, jet_conn.id, ic.id)
