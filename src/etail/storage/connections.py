"""Read and write connections and iClients; the only place where their secrets are decrypted.

The flow runner and the demo call :class:`ConnectionRepository` for usable credentials::

    repo = ConnectionRepository(session, box)
    ns = repo.netsuite_config(connection_id)     # NetSuiteConfig, secrets decrypted
    jet = repo.jet_config(connection_id)         # JetConfig
    repo.set_offline(connection_id, "401 INVALID_LOGIN")   # flows using it should pause
    repo.set_online(connection_id)

Values returned here must never be logged or rendered; their reprs mask the secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.crypto import MASK, SecretBox
from etail.errors import CredentialsError, SettingsError
from etail.storage.models import Connection, IClient, utcnow

# Where a connection keeps each secret (write-only fields, celigo-jet §1.4).
NETSUITE_SECRETS = ("password", "token_id", "token_secret", "private_key")
JET_SECRETS = ("secret",)
JET_DEFAULT_BASE_URL = "https://merchant-api.jet.com/api"


@dataclass(frozen=True)
class NetSuiteConfig:
    """A NetSuite connection ready to use. ``base_url`` is None for NetSuite's real hosts."""

    connection_id: str
    auth_type: str  # "token" | "oauth2" | "basic"
    environment: str  # production | sandbox | release_preview | local
    account_id: str
    base_url: str | None
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    token_id: str = field(repr=False)
    token_secret: str = field(repr=False)
    concurrency: int = 5
    email: str = ""
    role_id: str = ""
    # OAuth 2.0 client credentials (M2M): the JWT is signed with the private key (PS256/ES256).
    client_id: str = ""
    certificate_id: str = ""
    private_key: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return (
            f"NetSuiteConfig(connection_id={self.connection_id!r}, auth_type={self.auth_type!r}, "
            f"environment={self.environment!r}, account_id={self.account_id!r}, "
            f"base_url={self.base_url!r}, concurrency={self.concurrency}, secrets={MASK})"
        )

    def require_token(self) -> NetSuiteConfig:
        """Self, or a clear error when the connection cannot sign TBA requests yet."""
        if self.auth_type == "oauth2":
            raise SettingsError(
                "the NetSuite connection uses OAuth 2.0 client credentials; this needs Token "
                "(TBA) credentials",
                field="auth_type",
                hint="use require_oauth2() with an OAuth 2.0 capable client, or switch the "
                "connection to Token",
            )
        if self.auth_type != "token":
            raise SettingsError(
                "the NetSuite connection uses Basic authentication, which NetSuite no longer "
                "accepts for web services",
                field="auth_type",
                hint="edit the connection: Authentication Type = Token, enter Token ID and Token "
                "Secret, pick the eTail NetSuite iClient, Test, Save",
            )
        missing = [
            n
            for n in ("consumer_key", "consumer_secret", "token_id", "token_secret", "account_id")
            if not getattr(self, n)
        ]
        if missing:
            raise SettingsError(
                f"the NetSuite connection lacks {', '.join(missing)}",
                field=missing[0],
                hint="edit the connection and enter the missing values",
            )
        return self

    def require_oauth2(self) -> NetSuiteConfig:
        """Self, or a clear error when the connection has no OAuth 2.0 M2M credentials."""
        if self.auth_type != "oauth2":
            raise SettingsError(
                f"the NetSuite connection uses {self.auth_type}, not OAuth 2.0", field="auth_type"
            )
        missing = [
            n
            for n in ("client_id", "certificate_id", "private_key", "account_id")
            if not getattr(self, n)
        ]
        if missing:
            raise SettingsError(
                f"the NetSuite connection lacks {', '.join(missing)}",
                field=missing[0],
                hint="edit the connection and enter the missing values",
            )
        return self


@dataclass(frozen=True)
class JetConfig:
    connection_id: str
    base_url: str
    api_user: str
    secret: str = field(repr=False)
    merchant_id: str = ""
    fulfillment_node: str = ""

    def __repr__(self) -> str:
        return (
            f"JetConfig(connection_id={self.connection_id!r}, base_url={self.base_url!r}, "
            f"api_user={self.api_user!r}, secret={MASK}, merchant_id={self.merchant_id!r}, "
            f"fulfillment_node={self.fulfillment_node!r})"
        )


@dataclass(frozen=True)
class IClientCredentials:
    iclient_id: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"IClientCredentials(iclient_id={self.iclient_id!r}, secrets={MASK})"


class ConnectionRepository:
    """Connections and iClients of the integrator database, with secrets through ``box``."""

    def __init__(self, session: Session, box: SecretBox) -> None:
        self.session = session
        self.box = box

    # -- reading -------------------------------------------------------------------------
    def get(self, connection_id: str) -> Connection:
        conn = self.session.get(Connection, connection_id)
        if conn is None:
            raise SettingsError(
                f"no connection with id {connection_id!r}",
                field="connection_id",
                hint="list them with `etail connections list`",
            )
        return conn

    def connections(self, integration_id: str | None = None) -> list[Connection]:
        stmt = select(Connection).order_by(Connection.name)
        if integration_id is not None:
            stmt = stmt.where(Connection.integration_id == integration_id)
        return list(self.session.scalars(stmt))

    def secret(self, conn: Connection, name: str) -> str:
        token = conn.secrets.get(name)
        return self.box.decrypt(token) if token else ""

    def netsuite_config(self, connection_id: str) -> NetSuiteConfig:
        conn = self._typed(connection_id, "netsuite")
        cfg = conn.config
        ck = cs = ""
        if conn.iclient_id:
            creds = self.iclient_credentials(conn.iclient_id)
            ck, cs = creds.consumer_key, creds.consumer_secret
        return NetSuiteConfig(
            connection_id=conn.id,
            auth_type=str(cfg.get("auth_type", "basic")),
            environment=str(cfg.get("environment", "production")),
            account_id=str(cfg.get("account_id", "")),
            base_url=cfg.get("base_url") or None,
            consumer_key=ck,
            consumer_secret=cs,
            token_id=self.secret(conn, "token_id"),
            token_secret=self.secret(conn, "token_secret"),
            concurrency=int(cfg.get("concurrency", 5)),
            email=str(cfg.get("email", "")),
            role_id=str(cfg.get("role_id", "")),
            client_id=str(cfg.get("client_id") or ck),
            certificate_id=str(cfg.get("certificate_id", "")),
            private_key=self.secret(conn, "private_key"),
        )

    def jet_config(self, connection_id: str) -> JetConfig:
        conn = self._typed(connection_id, "jet")
        cfg = conn.config
        return JetConfig(
            connection_id=conn.id,
            base_url=str(cfg.get("base_url") or JET_DEFAULT_BASE_URL),
            api_user=str(cfg.get("api_user", "")),
            secret=self.secret(conn, "secret"),
            merchant_id=str(cfg.get("merchant_id", "")),
            fulfillment_node=str(cfg.get("fulfillment_node", "")),
        )

    def _typed(self, connection_id: str, kind: str) -> Connection:
        conn = self.get(connection_id)
        if conn.type != kind:
            raise SettingsError(
                f"connection {conn.name!r} is a {conn.type} connection, not {kind}",
                field="connection_id",
            )
        return conn

    # -- iClients ------------------------------------------------------------------------
    def iclient(self, iclient_id: str) -> IClient:
        ic = self.session.get(IClient, iclient_id)
        if ic is None:
            raise SettingsError(f"no iClient with id {iclient_id!r}", field="iclient_id")
        return ic

    def iclient_by_name(self, name: str) -> IClient | None:
        return self.session.scalars(select(IClient).where(IClient.name == name)).first()

    def iclients(self, provider: str | None = None) -> list[IClient]:
        stmt = select(IClient).order_by(IClient.name)
        if provider:
            stmt = stmt.where(IClient.provider == provider)
        return list(self.session.scalars(stmt))

    def iclient_credentials(self, iclient_id: str) -> IClientCredentials:
        ic = self.iclient(iclient_id)
        return IClientCredentials(
            iclient_id=ic.id,
            consumer_key=self.box.decrypt(ic.consumer_key_enc),
            consumer_secret=self.box.decrypt(ic.consumer_secret_enc),
        )

    # -- writing -------------------------------------------------------------------------
    def set_secrets(self, conn: Connection, values: dict[str, str]) -> None:
        """Encrypt and store ``values``; an empty value removes the secret."""
        stored = dict(conn.secrets)
        for name, value in values.items():
            if value:
                stored[name] = self.box.encrypt(value)
            else:
                stored.pop(name, None)
        conn.secrets = stored

    def set_offline(self, connection_id: str, reason: str) -> bool:
        """Mark Offline (flows using it pause). True when the status changed."""
        conn = self.get(connection_id)
        changed = not conn.offline
        conn.offline = True
        conn.offline_reason = reason[:2000]
        conn.last_checked_at = utcnow()
        if changed:
            conn.offline_since = conn.last_checked_at
        self.session.flush()
        return changed

    def set_online(self, connection_id: str) -> bool:
        """Mark Online (paused flows may resume). True when the status changed."""
        conn = self.get(connection_id)
        changed = conn.offline
        conn.offline = False
        conn.offline_reason = None
        conn.offline_since = None
        conn.last_checked_at = utcnow()
        self.session.flush()
        return changed

    def record_failure(self, connection_id: str, error: Exception) -> bool:
        """For the flow runner: a credentials error takes the connection Offline (True then).

        Only ``CredentialsError`` counts (NetSuite 401 INVALID_LOGIN, a revoked token, Jet 401):
        a timeout or a 5xx says nothing about the credentials. The reason stored is the error's
        message, which never carries a secret.
        """
        if not isinstance(error, CredentialsError):
            return False
        self.set_offline(connection_id, str(error))
        return True

    def is_online(self, connection_id: str) -> bool:
        """Whether flows using this connection may run (paused while it is Offline)."""
        return not self.get(connection_id).offline

    def offline_ids(self) -> list[str]:
        return list(self.session.scalars(select(Connection.id).where(Connection.offline)))


def public_config(conn: Connection) -> dict[str, Any]:
    """The connection's settings with every secret shown as the mask (for pages and APIs)."""
    shown: dict[str, Any] = dict(conn.config)
    for name in conn.secrets:
        shown[name] = MASK
    return shown
