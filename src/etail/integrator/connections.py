"""Connection forms: validate, Test (unsaved, stores nothing) and Save (tests first).

The NetSuite form follows the guide and celigo-jet.md §1.4: Authentication Type (Token, Basic),
Environment (Production, Sandbox, Release Preview on NetSuite's real hosts, or a local sandbox by
its URL), Account ID (normalised to the realm spelling), Token ID and Token Secret (write-only,
re-entered on every edit), iClient (required on an integration-app connection), concurrency 1-25.
Switching Basic -> Token edits the same row, so every flow keeps its reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session

from etail.crypto import SecretBox
from etail.errors import SettingsError
from etail.integrator.connection_tests import TestResult, test_jet, test_netsuite
from etail.netsuite import AccountId, Environment
from etail.netsuite.accounts import suggest_spelling
from etail.storage.audit import Actor, AuditLog
from etail.storage.connections import (
    JET_SECRETS,
    NETSUITE_SECRETS,
    ConnectionRepository,
    IClientCredentials,
    JetConfig,
    NetSuiteConfig,
)
from etail.storage.models import Connection, utcnow

ENVIRONMENTS = {
    "production": "Production",
    "sandbox": "Sandbox",
    "release_preview": "Release Preview",
    "local": "Local sandbox (by URL)",
}
AUTH_TYPES = {
    "token": "Token",
    "oauth2": "OAuth 2.0 (client credentials)",
    "basic": "Basic (to be deprecated)",
}
MAX_CONCURRENCY = 25  # celigo-jet §1.4: 1..25 without the Environments licence

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Short = Annotated[str, StringConstraints(max_length=200)]
Secret = Annotated[str, StringConstraints(max_length=500)]
PemKey = Annotated[str, StringConstraints(max_length=20_000)]
_STRICT = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)


class NetSuiteForm(BaseModel):
    """A NetSuite connection as sent by the form, the API or the CLI (secrets re-entered)."""

    model_config = _STRICT
    type: Literal["netsuite"] = "netsuite"
    name: Name | None = None
    auth_type: Literal["token", "oauth2", "basic"]
    environment: Literal["production", "sandbox", "release_preview", "local"]
    base_url: Short | None = Field(None, description="Only for environment=local.")
    account_id: Short
    token_id: Secret = Field("", json_schema_extra={"writeOnly": True, "format": "password"})
    token_secret: Secret = Field("", json_schema_extra={"writeOnly": True, "format": "password"})
    iclient_id: Short | None = None
    concurrency: int = Field(5, ge=1, le=MAX_CONCURRENCY)
    email: Short = ""
    password: Secret = Field("", json_schema_extra={"writeOnly": True, "format": "password"})
    role_id: Short = ""
    client_id: Short = Field("", description="OAuth 2.0; blank: the iClient's consumer key.")
    certificate_id: Short = ""
    private_key: PemKey = Field("", json_schema_extra={"writeOnly": True, "format": "password"})

    def __repr__(self) -> str:
        return f"NetSuiteForm(auth_type={self.auth_type!r}, account_id={self.account_id!r}, ...)"


class JetForm(BaseModel):
    model_config = _STRICT
    type: Literal["jet"] = "jet"
    name: Name | None = None
    base_url: Short = "https://merchant-api.jet.com/api"
    api_user: Short
    secret: Secret = Field(json_schema_extra={"writeOnly": True, "format": "password"})
    merchant_id: Short = ""
    fulfillment_node: Short = ""

    def __repr__(self) -> str:
        return f"JetForm(api_user={self.api_user!r}, secret=******)"


ConnectionForm = NetSuiteForm | JetForm


@dataclass(frozen=True)
class Prepared:
    """A validated form: what will be stored, and the config a Test uses."""

    config: dict[str, Any]
    secrets: dict[str, str]
    iclient_id: str | None
    test_config: NetSuiteConfig | JetConfig


def _check_url(url: str | None, field: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            f"{field} {url!r} is not an http(s) URL",
            field=field,
            hint="for example http://127.0.0.1:8101",
        )
    return (url or "").rstrip("/")


def normalise_account(raw: str, environment: str) -> str:
    """The realm spelling (``1234567_SB1``), checked against the Environment."""
    spelled = suggest_spelling(raw) or raw.strip()
    env = None if environment == "local" else Environment(environment)
    return AccountId.parse(spelled, env).realm


def _require(value: str, field: str, hint: str) -> None:
    if not value.strip():
        raise SettingsError(f"{field} is required", field=field, hint=hint)


def _iclient(
    form: NetSuiteForm, conn: Connection, repo: ConnectionRepository
) -> IClientCredentials:
    if not form.iclient_id and conn.integration_id:
        raise SettingsError(
            "iclient_id is required on an integration app's connection",
            field="iclient_id",
            hint="select eTail NetSuite",
        )
    return (
        repo.iclient_credentials(form.iclient_id)
        if form.iclient_id
        else IClientCredentials("", "", "")
    )


def _token_secrets(form: NetSuiteForm) -> dict[str, str]:
    _require(form.token_id, "token_id", "paste the Token ID NetSuite showed when it was saved")
    _require(
        form.token_secret,
        "token_secret",
        "paste the Token Secret NetSuite showed when it was saved (re-enter it on every edit)",
    )
    return {"token_id": form.token_id, "token_secret": form.token_secret}


def _oauth2_secrets(form: NetSuiteForm) -> dict[str, str]:
    _require(
        form.certificate_id,
        "certificate_id",
        "copy the Certificate ID from Setup > Integration > Manage Authentication > "
        "OAuth 2.0 Client Credentials (M2M) Setup",
    )
    _require(
        form.private_key,
        "private_key",
        "paste the PEM private key of the uploaded certificate (re-enter it on every edit); "
        "`etail connections keypair` makes a pair",
    )
    return {"private_key": form.private_key}


def prepare_netsuite(form: NetSuiteForm, conn: Connection, repo: ConnectionRepository) -> Prepared:
    account = normalise_account(form.account_id, form.environment)
    base_url = _check_url(form.base_url, "base_url") if form.environment == "local" else None
    config: dict[str, Any] = {
        "auth_type": form.auth_type,
        "environment": form.environment,
        "base_url": base_url,
        "account_id": account,
        "concurrency": form.concurrency,
        # Celigo's preSave for token connections clears the Basic e-mail and password.
        "email": "",
        "role_id": "",
    }
    creds = IClientCredentials("", "", "")
    # Every secret of the other auth types is removed: an empty value deletes it.
    secrets = dict.fromkeys(NETSUITE_SECRETS, "")
    if form.auth_type == "token":
        creds = _iclient(form, conn, repo)
        secrets.update(_token_secrets(form))
    elif form.auth_type == "oauth2":
        creds = _iclient(form, conn, repo)
        secrets.update(_oauth2_secrets(form))
        # A record that had TBA uses its consumer key as client ID (NS:section_157771863841).
        config.update(client_id=form.client_id.strip(), certificate_id=form.certificate_id.strip())
    else:
        _require(form.email, "email", "enter the NetSuite user's e-mail")
        _require(form.password, "password", "re-enter the NetSuite password")
        secrets["password"] = form.password
        config.update(email=form.email.strip(), role_id=form.role_id.strip())
    test = NetSuiteConfig(
        connection_id=conn.id,
        auth_type=form.auth_type,
        environment=form.environment,
        account_id=account,
        base_url=base_url,
        consumer_key=creds.consumer_key,
        consumer_secret=creds.consumer_secret,
        token_id=secrets["token_id"],
        token_secret=secrets["token_secret"],
        concurrency=form.concurrency,
        email=config["email"],
        role_id=config["role_id"],
        client_id=form.client_id.strip() or creds.consumer_key,
        certificate_id=form.certificate_id.strip(),
        private_key=secrets["private_key"],
    )
    iclient = form.iclient_id if form.auth_type != "basic" else None
    return Prepared(config, secrets, iclient, test)


def prepare_jet(form: JetForm, conn: Connection) -> Prepared:
    base_url = _check_url(form.base_url, "base_url")
    _require(form.api_user, "api_user", "copy the API user from Jet: API section > Get API Keys")
    _require(form.secret, "secret", "re-enter the secret key (it is never shown again)")
    config = {
        "base_url": base_url,
        "api_user": form.api_user.strip(),
        "merchant_id": form.merchant_id.strip(),
        "fulfillment_node": form.fulfillment_node.strip(),
    }
    test = JetConfig(
        conn.id,
        base_url,
        config["api_user"],
        form.secret,
        config["merchant_id"],
        config["fulfillment_node"],
    )
    return Prepared(config, {"secret": form.secret}, None, test)


def prepare(form: ConnectionForm, conn: Connection, repo: ConnectionRepository) -> Prepared:
    if form.type != conn.type:
        raise SettingsError(
            f"connection {conn.name!r} is a {conn.type} connection, not {form.type}", field="type"
        )
    if isinstance(form, NetSuiteForm):
        return prepare_netsuite(form, conn, repo)
    return prepare_jet(form, conn)


async def run_test(prepared: Prepared, admin_keys: dict[str, str]) -> TestResult:
    cfg = prepared.test_config
    if isinstance(cfg, NetSuiteConfig):
        return await test_netsuite(cfg, admin_keys)
    return await test_jet(cfg)


async def test_saved(
    repo: ConnectionRepository, conn: Connection, admin_keys: dict[str, str]
) -> TestResult:
    """Ping a stored connection with its stored secrets."""
    if conn.type == "netsuite":
        return await test_netsuite(repo.netsuite_config(conn.id), admin_keys)
    return await test_jet(repo.jet_config(conn.id))


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool
    test: TestResult
    changed_fields: int = 0


class ConnectionService:
    """Edit connections with an audit trail; the only writer of connection rows."""

    def __init__(
        self, session: Session, box: SecretBox, admin_keys: dict[str, str] | None = None
    ) -> None:
        self.session = session
        self.repo = ConnectionRepository(session, box)
        self.admin_keys = admin_keys or {}

    async def test(self, conn: Connection, form: ConnectionForm, actor: Actor) -> TestResult:
        result = await run_test(prepare(form, conn, self.repo), self.admin_keys)
        AuditLog(self.session).event(actor, "test", "connection", conn.id, conn.name)
        return result

    async def save(
        self, conn: Connection, form: ConnectionForm, actor: Actor, *, force: bool = False
    ) -> SaveOutcome:
        """Test first; save when the test passed or ``force`` (the person confirmed)."""
        prepared = prepare(form, conn, self.repo)
        result = await run_test(prepared, self.admin_keys)
        if not result.ok and not force:
            return SaveOutcome(False, result)
        changed = self._apply(conn, form.name, prepared, actor)
        if result.ok:
            self.repo.set_online(conn.id)
        else:
            self.repo.set_offline(conn.id, result.reason())
        return SaveOutcome(True, result, changed)

    def _apply(self, conn: Connection, name: str | None, prepared: Prepared, actor: Actor) -> int:
        secret_names = NETSUITE_SECRETS if conn.type == "netsuite" else JET_SECRETS
        before = self.snapshot(conn)
        before.update({n: conn.secrets.get(n, "") for n in secret_names})
        conn.config = dict(prepared.config)
        conn.iclient_id = prepared.iclient_id
        if name:
            conn.name = name
        self.repo.set_secrets(conn, prepared.secrets)
        after = self.snapshot(conn)
        # A re-entered secret counts as changed; the audit shows only the word "changed".
        after.update({n: ("new" if prepared.secrets.get(n) else "") for n in secret_names})
        conn.updated_at = utcnow()
        self.session.flush()
        return AuditLog(self.session).changes(
            actor,
            "update",
            "connection",
            conn.id,
            conn.name,
            before,
            after,
            secret_fields=secret_names,
        )

    @staticmethod
    def snapshot(conn: Connection) -> dict[str, Any]:
        return {"name": conn.name, "iclient_id": conn.iclient_id, **conn.config}
