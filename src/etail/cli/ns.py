"""``etail ns ...``: administer the NetSuite sandbox (the guide's steps A-D) from the shell.

Each command finds the sandbox one of two ways:

* ``--data DIR`` (default ``$ETAIL_HOME/sandbox-netsuite``): the store in that folder, in-process;
* ``--url URL`` (or ``ETAIL_NS_URL``): a running sandbox's admin API, with the key from
  ``--admin-key`` / ``ETAIL_NS_ADMIN_KEY`` or, failing that, ``<--data>/admin.key``.

``--json`` prints the API's JSON answer instead of a table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from etail.errors import SettingsError
from etail.settings import get_settings

app = typer.Typer(no_args_is_help=True)
account_app = typer.Typer(no_args_is_help=True, help="Accounts (ID, service tier, licences).")
feature_app = typer.Typer(no_args_is_help=True, help="Setup > Company > Enable Features.")
bundle_app = typer.Typer(no_args_is_help=True, help="The integrator's bundle.")
role_app = typer.Typer(no_args_is_help=True, help="Setup > Users/Roles > Manage Roles.")
user_app = typer.Typer(no_args_is_help=True, help="Setup > Users/Roles > Manage Users.")
integration_app = typer.Typer(
    no_args_is_help=True, help="Setup > Integration > Manage Integrations."
)
token_app = typer.Typer(no_args_is_help=True, help="Setup > Users/Roles > Access Tokens.")
m2m_app = typer.Typer(
    no_args_is_help=True, help="OAuth 2.0 Client Credentials (M2M): feature, records, certificates."
)
app.add_typer(account_app, name="account")
app.add_typer(feature_app, name="feature")
app.add_typer(bundle_app, name="bundle")
app.add_typer(role_app, name="role")
app.add_typer(user_app, name="user")
app.add_typer(integration_app, name="integration")
app.add_typer(token_app, name="token")
app.add_typer(m2m_app, name="m2m")

DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Sandbox data folder (default $ETAIL_HOME/sandbox-netsuite)."),
]
UrlOpt = Annotated[
    str | None, typer.Option("--url", envvar="ETAIL_NS_URL", help="A running sandbox's URL.")
]
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--admin-key", envvar="ETAIL_NS_ADMIN_KEY", help="Admin key for --url.", show_default=False
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AccountOpt = Annotated[
    str, typer.Option("--account", "-a", envvar="ETAIL_NS_ACCOUNT", help="Account ID (realm).")
]

_out = Console()


def default_data_dir() -> Path:
    return get_settings().home / "sandbox-netsuite"


def client(data: Path | None, url: str | None, key: str | None) -> Any:
    """The admin client for ``--url`` or, by default, in-process over ``--data``."""
    from etail.sandbox.netsuite.adminclient import AdminClient
    from etail.sandbox.netsuite.store import read_admin_key

    if url:
        if not key:
            folder = data or default_data_dir()
            if not (folder / "admin.key").exists():
                raise SettingsError(
                    "no admin key for --url",
                    field="--admin-key",
                    hint="pass --admin-key, set ETAIL_NS_ADMIN_KEY or point --data at the folder",
                )
            key = read_admin_key(folder)
        return AdminClient(url, key)
    return AdminClient.in_process(data or default_data_dir())


def emit(obj: Any, as_json: bool, columns: list[str] | None = None, title: str = "") -> None:
    if as_json:
        typer.echo(json.dumps(obj, indent=2, default=str))
        return
    rows = obj if isinstance(obj, list) else [obj]
    cols = columns or (list(rows[0]) if rows else [])
    table = Table(title=title or None)
    for col in cols:
        # The columns a person reads first are never wrapped or cut (the audit's Detail is the
        # reason a login failed); the others fold to make room on a narrow terminal.
        table.add_column(col, no_wrap=col in _KEEP_WHOLE, overflow="fold")
    for row in rows:
        table.add_row(*[escape(_cell(row.get(c), c)) for c in cols])
    _out.print(table)


# Names and messages are user input: escape() keeps "[/x]" from being read as Rich markup.
_KEEP_WHOLE = frozenset({"at", "status", "detail"})


def _cell(value: Any, column: str = "") -> str:
    if column == "at" and isinstance(value, str):  # ISO time in UTC: to the second is enough
        return value[:19].replace("T", " ")
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    return "" if value is None else str(value)


def _ref(value: str) -> str | int:
    return int(value) if value.isdigit() else value


def _perms(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, level = pair.partition("=")
        if not sep:
            raise SettingsError(
                f"permission {pair!r} is not key=level", field="--perm", hint="e.g. customer=full"
            )
        out[key.strip()] = level.strip().lower()
    return out


ACCOUNT_COLS = ["account_id", "company_name", "service_tier", "suitecloud_plus",
                "concurrency_limit", "features"]  # fmt: skip
ROLE_COLS = ["id", "name", "locked", "bundle_id", "permissions"]
USER_COLS = ["id", "name", "email", "inactive", "roles"]
INTEGRATION_COLS = ["id", "name", "state", "tba", "application_id", "bundle_id"]
TOKEN_COLS = ["id", "name", "application", "user", "role", "status"]
AUDIT_COLS = ["at", "realm", "user", "role", "token_name", "application", "status", "detail"]


# ---- accounts -------------------------------------------------------------------------------


@account_app.command("create")
def account_create(
    account_id: Annotated[str, typer.Argument(help="Realm spelling, e.g. 1234567_SB1.")],
    company: Annotated[str | None, typer.Option(help="Company name.")] = None,
    tier: Annotated[str, typer.Option(help="standard (5), premium (15), enterprise (20).")] = (
        "standard"
    ),
    plus: Annotated[int, typer.Option(help="SuiteCloud Plus licences (+10 each).")] = 0,
    admin_email: Annotated[str | None, typer.Option(help="Administrator's e-mail.")] = None,
    admin_password: Annotated[
        str | None,
        typer.Option(envvar="ETAIL_NS_ADMIN_PASSWORD", help="Administrator's page password."),
    ] = None,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an account (TBA off) with its Administrator."""
    with client(data, url, admin_key) as c:
        new = c.create_account(
            account_id,
            company_name=company,
            service_tier=tier,
            suitecloud_plus=plus,
            admin_email=admin_email,
            admin_password=admin_password,
        )
    if as_json:
        emit(new, True)
        return
    emit(new["account"], False, ACCOUNT_COLS, "Account created")
    _out.print(f"Administrator sign-in: {escape(new['administrator']['email'])}")
    if new.get("generated_password"):
        _out.print(f"Generated password (shown once): {new['generated_password']}")


@account_app.command("list")
def account_list(
    data: DataOpt = None, url: UrlOpt = None, admin_key: KeyOpt = None, as_json: JsonOpt = False
) -> None:
    """Every account on the sandbox."""
    with client(data, url, admin_key) as c:
        emit(c.accounts(), as_json, ACCOUNT_COLS)


@account_app.command("show")
def account_show(
    account_id: str,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One account, its features and concurrency limit."""
    with client(data, url, admin_key) as c:
        emit(c.account(account_id), as_json, ACCOUNT_COLS)


# ---- features and bundle --------------------------------------------------------------------


def _feature(feature: str, enabled: bool, account: str, data: Path | None, url: str | None,
             key: str | None, as_json: bool) -> None:  # fmt: skip
    with client(data, url, key) as c:
        emit(c.set_feature(account, feature, enabled), as_json, ACCOUNT_COLS)


FeatureArg = Annotated[str, typer.Argument(help="tba, rest or soap.")]


@feature_app.command("enable")
def feature_enable(
    feature: FeatureArg,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a feature (tba = Token-Based Authentication; rest, soap = web services)."""
    _feature(feature, True, account, data, url, admin_key, as_json)


@feature_app.command("disable")
def feature_disable(
    feature: FeatureArg,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Uncheck a feature."""
    _feature(feature, False, account, data, url, admin_key, as_json)


@bundle_app.command("install")
def bundle_install(
    account: AccountOpt,
    consumer_key: Annotated[
        str,
        typer.Option(
            envvar="ETAIL_NS_CONSUMER_KEY",
            prompt=True,
            hide_input=True,
            help="The iClient's consumer key (64 hex).",
        ),
    ],
    consumer_secret: Annotated[
        str,
        typer.Option(
            envvar="ETAIL_NS_CONSUMER_SECRET",
            prompt=True,
            hide_input=True,
            help="The iClient's consumer secret (64 hex).",
        ),
    ],
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Install the locked role and the "eTail Connectors (Token-Based Auth)" record."""
    with client(data, url, admin_key) as c:
        out = c.install_bundle(account, consumer_key, consumer_secret)
    if as_json:
        emit(out, True)
        return
    emit(out["role"], False, ROLE_COLS, "Role installed")
    emit(out["integration"], False, INTEGRATION_COLS, "Integration record installed")


# ---- roles ----------------------------------------------------------------------------------


@role_app.command("list")
def role_list(
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Manage Roles."""
    with client(data, url, admin_key) as c:
        emit(c.roles(account), as_json, ["id", "name", "locked", "bundle_id"])


@role_app.command("show")
def role_show(
    role: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One role and its permission levels."""
    with client(data, url, admin_key) as c:
        emit(c.role(account, _ref(role)), as_json, ROLE_COLS)


PermOpt = Annotated[
    list[str] | None, typer.Option("--perm", help="key=level (none|view|create|edit|full).")
]


@role_app.command("clone")
def role_clone(
    role: Annotated[str, typer.Argument(help="Role to customize (ID or name).")],
    name: Annotated[str, typer.Option(help="Name of the new role.")],
    account: AccountOpt,
    perm: PermOpt = None,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Customize: clone a role under a new name (with extra --perm levels)."""
    with client(data, url, admin_key) as c:
        emit(c.clone_role(account, _ref(role), name, _perms(perm or [])), as_json, ROLE_COLS)


@role_app.command("set")
def role_set(
    role: str,
    account: AccountOpt,
    perm: PermOpt = None,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit an unlocked role's permission levels."""
    with client(data, url, admin_key) as c:
        emit(c.set_permissions(account, _ref(role), _perms(perm or [])), as_json, ROLE_COLS)


# ---- users ----------------------------------------------------------------------------------


@user_app.command("list")
def user_list(
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Manage Users."""
    with client(data, url, admin_key) as c:
        emit(c.employees(account), as_json, USER_COLS)


@user_app.command("create")
def user_create(
    account: AccountOpt,
    name: Annotated[str, typer.Option(help="Full name.")],
    email: Annotated[str, typer.Option(help="E-mail (the user's login).")],
    role: Annotated[list[str] | None, typer.Option("--role", help="Role ID or name.")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="ETAIL_NS_USER_PASSWORD", help="Page password.")
    ] = None,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an employee."""
    roles = [_ref(r) for r in role or []]
    with client(data, url, admin_key) as c:
        emit(c.create_employee(account, name, email, roles, password), as_json, USER_COLS)


@user_app.command("add-role")
def user_add_role(
    user: Annotated[str, typer.Argument(help="Employee ID or e-mail.")],
    role: Annotated[str, typer.Argument(help="Role ID or name.")],
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Employee > Edit > Access > Roles: add a role."""
    with client(data, url, admin_key) as c:
        emit(c.add_role(account, _ref(user), _ref(role)), as_json, USER_COLS)


@user_app.command("remove-role")
def user_remove_role(
    user: str,
    role: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove a role (its tokens stop working until it returns)."""
    with client(data, url, admin_key) as c:
        emit(c.remove_role(account, _ref(user), _ref(role)), as_json, USER_COLS)


@user_app.command("deactivate")
def user_deactivate(
    user: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark the employee inactive (no token logins)."""
    with client(data, url, admin_key) as c:
        emit(c.set_employee_inactive(account, _ref(user), True), as_json, USER_COLS)


@user_app.command("activate")
def user_activate(
    user: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark the employee active again."""
    with client(data, url, admin_key) as c:
        emit(c.set_employee_inactive(account, _ref(user), False), as_json, USER_COLS)


# ---- integration records --------------------------------------------------------------------


@integration_app.command("list")
def integration_list(
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Manage Integrations (credentials are never shown again)."""
    with client(data, url, admin_key) as c:
        emit(c.integrations(account), as_json, INTEGRATION_COLS)


@integration_app.command("create")
def integration_create(
    name: str,
    account: AccountOpt,
    description: str = "",
    tba: Annotated[bool, typer.Option("--tba/--no-tba", help="Token-Based Authentication.")] = True,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """New integration record; its consumer key and secret are printed once."""
    with client(data, url, admin_key) as c:
        new = c.create_integration(account, name, description=description, tba=tba)
    if as_json:
        emit(new, True)
        return
    emit(new["integration"], False, INTEGRATION_COLS, "Integration record saved")
    _out.print(f"Consumer Key:    {new['consumer_key']}")
    _out.print(f"Consumer Secret: {new['consumer_secret']}")
    _out.print(f"[yellow]{new['note']}[/]")


def _integration_state(name: str, account: str, state: str, data: Path | None, url: str | None,
                       key: str | None, as_json: bool) -> None:  # fmt: skip
    with client(data, url, key) as c:
        emit(c.update_integration(account, _ref(name), state=state), as_json, INTEGRATION_COLS)


@integration_app.command("block")
def integration_block(
    name: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """State = Blocked: its tokens are refused (consumer_key_refused)."""
    _integration_state(name, account, "blocked", data, url, admin_key, as_json)


@integration_app.command("enable")
def integration_enable(
    name: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """State = Enabled."""
    _integration_state(name, account, "enabled", data, url, admin_key, as_json)


# ---- access tokens --------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    account: AccountOpt,
    application: Annotated[str, typer.Option(help="Integration record (ID or name).")],
    user: Annotated[str, typer.Option(help="Employee (ID or e-mail).")],
    role: Annotated[str, typer.Option(help="One of the user's roles (ID or name).")],
    name: Annotated[str | None, typer.Option(help="Token name (default app - user - role).")] = (
        None
    ),
    inactive: bool = False,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Access Tokens > New; the Token ID and Token Secret are printed once."""
    with client(data, url, admin_key) as c:
        new = c.create_token(
            account, _ref(application), _ref(user), _ref(role), name=name, inactive=inactive
        )
    if as_json:
        emit(new, True)
        return
    emit(new["token"], False, TOKEN_COLS, "Access token saved")
    _out.print(f"Token ID:     {new['token_id']}")
    _out.print(f"Token Secret: {new['token_secret']}")
    _out.print(f"[yellow]Note: {new['note']}[/]")


@token_app.command("list")
def token_list(
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Manage Access Tokens."""
    with client(data, url, admin_key) as c:
        emit(c.tokens(account), as_json, TOKEN_COLS)


def _token_action(token: str, account: str, action: str, data: Path | None, url: str | None,
                  key: str | None, as_json: bool) -> None:  # fmt: skip
    with client(data, url, key) as c:
        emit(c.token_action(account, _ref(token), action), as_json, TOKEN_COLS)


@token_app.command("inactivate")
def token_inactivate(
    token: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check Inactive (reversible)."""
    _token_action(token, account, "inactivate", data, url, admin_key, as_json)


@token_app.command("activate")
def token_activate(
    token: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Uncheck Inactive."""
    _token_action(token, account, "activate", data, url, admin_key, as_json)


@token_app.command("revoke")
def token_revoke(
    token: str,
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke permanently."""
    _token_action(token, account, "revoke", data, url, admin_key, as_json)


# ---- OAuth 2.0 client credentials (M2M) ----------------------------------------------------

CERT_COLS = ["certificate_id", "application", "entity", "role", "valid_until", "revoked"]


@m2m_app.command("feature")
def m2m_feature(
    state: Annotated[str, typer.Argument(help="on or off.")],
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Enable Features > SuiteCloud > Manage Authentication > OAuth 2.0."""
    if state not in ("on", "off"):
        raise SettingsError(f"state {state!r} is not on or off", field="state")
    with client(data, url, admin_key) as c:
        emit(c.set_oauth2_feature(account, state == "on"), as_json)


@m2m_app.command("grant")
def m2m_grant(
    integration: Annotated[str, typer.Argument(help="Integration record (ID or name).")],
    account: AccountOpt,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="restlets, rest_webservices, suite_analytics (repeatable)."),
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="Untick the M2M grant.")] = False,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tick the record's Client Credentials (M2M) grant and its scopes."""
    scopes = scope or ([] if off else ["rest_webservices"])
    with client(data, url, admin_key) as c:
        out = c.configure_oauth2_client(
            account, _ref(integration), client_credentials=not off, scopes=scopes
        )
        emit(out, as_json)


@m2m_app.command("list")
def m2m_list(
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """OAuth 2.0 Client Credentials (M2M) Setup: the mapped certificates."""
    with client(data, url, admin_key) as c:
        emit(c.m2m_certificates(account), as_json, CERT_COLS)


@m2m_app.command("create")
def m2m_create(
    account: AccountOpt,
    application: Annotated[str, typer.Option(help="Integration record (ID or name).")],
    user: Annotated[str, typer.Option(help="Entity (ID or e-mail).")],
    role: Annotated[str, typer.Option(help="One of the entity's roles (ID or name).")],
    certificate: Annotated[Path, typer.Option(help="PEM file of the public certificate.")],
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create New: map a certificate to (application, entity, role)."""
    if not certificate.is_file():
        raise SettingsError(f"no certificate file at {certificate}", field="--certificate")
    pem = certificate.read_text()
    with client(data, url, admin_key) as c:
        out = c.register_m2m_certificate(account, _ref(application), _ref(user), _ref(role), pem)
        emit(out, as_json, CERT_COLS)


@m2m_app.command("revoke")
def m2m_revoke(
    certificate_id: Annotated[
        str, typer.Argument(help="The ID from `m2m list`; put -- before an ID starting with -.")
    ],
    account: AccountOpt,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
) -> None:
    """Revoke a certificate mapping (permanent)."""
    with client(data, url, admin_key) as c:
        typer.echo(c.revoke_m2m_certificate(account, certificate_id))


# ---- audit ----------------------------------------------------------------------------------


@app.command("audit")
def audit(
    account: Annotated[
        str | None,
        typer.Option("--account", "-a", envvar="ETAIL_NS_ACCOUNT", help="Only this account."),
    ] = None,
    limit: int = 50,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """View Login Audit Trail (newest first), with the real Detail of every failure."""
    with client(data, url, admin_key) as c:
        rows = c.audit(account, limit)
    # One account's rows all carry its realm: leave the column out to give Detail room.
    emit(rows, as_json, [col for col in AUDIT_COLS if not (account and col == "realm")])
