"""``etail connections list|show|edit|test``: the CLI twin of the Connections pages.

Secrets are write-only here too: ``show`` prints ``******``; ``edit`` needs them re-entered
(options, environment variables, or a hidden prompt) and, like Save, tests before saving.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from etail.errors import SettingsError
from etail.integrator.cli_support import (
    cli_actor,
    database,
    out,
    print_json,
    run_sync,
    sandbox_admin_keys,
)
from etail.integrator.connection_tests import TestResult
from etail.integrator.connections import (
    ConnectionForm,
    ConnectionService,
    JetForm,
    NetSuiteForm,
    test_saved,
)
from etail.storage.connections import ConnectionRepository, public_config
from etail.storage.db import session_scope
from etail.storage.models import Connection

app = typer.Typer(no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _row(c: Connection) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "type": c.type,
        "integration_id": c.integration_id,
        "status": "Offline" if c.offline else "Online",
        "offline_reason": c.offline_reason,
        "iclient_id": c.iclient_id,
        "config": public_config(c),
        "updated_at": c.updated_at,
    }


def _find(repo: ConnectionRepository, ref: str) -> Connection:
    for conn in repo.connections():
        if ref in (conn.id, conn.name):
            return conn
    raise SettingsError(
        f"no connection {ref!r}",
        field="connection",
        hint="give its id or name; see `etail connections list`",
    )


@app.command("list")
def list_connections(json_: JsonOpt = False) -> None:
    """Connections with status, type and last update."""
    db = database()
    with session_scope(db.sessions) as s:
        rows = [_row(c) for c in ConnectionRepository(s, db.box).connections()]
    db.dispose()
    if json_:
        print_json(rows)
        return
    table = Table("Name", "Status", "Type", "Auth", "Last updated", "Id")
    for r in rows:
        auth = r["config"].get("auth_type", "") if r["type"] == "netsuite" else ""
        table.add_row(
            r["name"], r["status"], r["type"], auth, f"{r['updated_at']:%Y-%m-%d %H:%M}", r["id"]
        )
    out.print(table)


@app.command("show")
def show(connection: str, json_: JsonOpt = False) -> None:
    """One connection; secrets show as ******."""
    db = database()
    with session_scope(db.sessions) as s:
        row = _row(_find(ConnectionRepository(s, db.box), connection))
    db.dispose()
    if json_:
        print_json(row)
        return
    table = Table("Field", "Value", show_header=False)
    for key in ("name", "id", "type", "status", "offline_reason", "iclient_id"):
        table.add_row(key, str(row[key] or ""))
    for key, value in row["config"].items():
        table.add_row(key, str(value if value is not None else ""))
    out.print(table)


def _secret(value: str | None, label: str) -> str:
    return value if value is not None else str(typer.prompt(label, hide_input=True))


def _iclient(repo: ConnectionRepository, ref: str | None, current: str | None) -> str | None:
    if ref is None:
        if current:
            return current
        default = repo.iclient_by_name("eTail NetSuite")
        return default.id if default else None
    for ic in repo.iclients():
        if ref in (ic.id, ic.name):
            return ic.id
    raise SettingsError(
        f"no iClient {ref!r}", field="iclient", hint="e.g. --iclient 'eTail NetSuite'"
    )


def _netsuite_form(repo: ConnectionRepository, conn: Connection, o: dict[str, Any]) -> NetSuiteForm:
    cfg = conn.config
    auth = o["auth_type"] or cfg.get("auth_type", "basic")
    body: dict[str, Any] = {
        "name": o["name"],
        "auth_type": auth,
        "environment": o["environment"] or cfg.get("environment", "production"),
        "base_url": o["base_url"] or cfg.get("base_url"),
        "account_id": o["account_id"] or cfg.get("account_id", ""),
        "concurrency": o["concurrency"] or int(cfg.get("concurrency", 5)),
    }
    if auth == "token":
        body["token_id"] = _secret(o["token_id"], "Token ID")
        body["token_secret"] = _secret(o["token_secret"], "Token Secret")
        body["iclient_id"] = _iclient(repo, o["iclient"], conn.iclient_id)
    elif auth == "oauth2":
        key_file = o["private_key_file"]
        if key_file is None:
            raise SettingsError(
                "--private-key-file is required for OAuth 2.0",
                field="private_key",
                hint="the PEM key of the certificate uploaded to NetSuite "
                "(`etail connections keypair` makes one)",
            )
        body["private_key"] = Path(key_file).read_text()
        body["certificate_id"] = o["certificate_id"] or cfg.get("certificate_id", "")
        body["client_id"] = o["client_id"] or cfg.get("client_id", "")
        body["iclient_id"] = _iclient(repo, o["iclient"], conn.iclient_id)
    else:
        body.update(
            email=o["email"] or cfg.get("email", ""),
            role_id=o["role_id"] or cfg.get("role_id", ""),
            password=_secret(o["password"], "Password"),
        )
    return NetSuiteForm.model_validate(body)


def _jet_form(conn: Connection, o: dict[str, Any]) -> JetForm:
    cfg = conn.config
    return JetForm.model_validate(
        {
            "name": o["name"],
            "base_url": o["base_url"] or cfg.get("base_url"),
            "api_user": o["api_user"] or cfg.get("api_user", ""),
            "secret": _secret(o["secret"], "Secret key"),
            "merchant_id": o["merchant_id"] or cfg.get("merchant_id", ""),
            "fulfillment_node": o["fulfillment_node"] or cfg.get("fulfillment_node", ""),
        }
    )


def _print_result(result: TestResult) -> None:
    colour = "green" if result.ok else "red"
    out.print(f"[{colour}]{result.message}[/]")
    for label, value in (
        ("answer", result.answer),
        ("Login Audit Trail Detail", result.detail),
        ("fix", result.fix),
    ):
        if value:
            out.print(f"  {label}: {value}", highlight=False)
    for hint in result.hints:
        out.print(f"  - {hint}", highlight=False)


Opt = Annotated[str | None, typer.Option()]


@app.command("edit")
def edit(
    connection: str,
    name: Opt = None,
    auth_type: Annotated[str | None, typer.Option(help="token, oauth2 or basic.")] = None,
    environment: Annotated[
        str | None, typer.Option(help="production, sandbox, release_preview or local.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Local sandbox URL, or Jet's base URI.")
    ] = None,
    account_id: Opt = None,
    token_id: Annotated[
        str | None, typer.Option(envvar="ETAIL_NS_TOKEN_ID", show_default=False)
    ] = None,
    token_secret: Annotated[
        str | None,
        typer.Option(
            envvar="ETAIL_NS_TOKEN_SECRET",
            show_default=False,
            help="Prompted (hidden) when missing.",
        ),
    ] = None,
    iclient: Annotated[
        str | None, typer.Option(help="iClient name or id (default eTail NetSuite).")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, max=25)] = None,
    email: Opt = None,
    password: Annotated[
        str | None, typer.Option(envvar="ETAIL_NS_PASSWORD", show_default=False)
    ] = None,
    role_id: Opt = None,
    client_id: Annotated[
        str | None, typer.Option(help="OAuth 2.0 client ID (default: iClient's).")
    ] = None,
    certificate_id: Annotated[str | None, typer.Option(help="OAuth 2.0 Certificate ID.")] = None,
    private_key_file: Annotated[
        Path | None, typer.Option(help="OAuth 2.0 PEM private key file.")
    ] = None,
    api_user: Opt = None,
    secret: Annotated[
        str | None, typer.Option(envvar="ETAIL_JET_SECRET", show_default=False)
    ] = None,
    merchant_id: Opt = None,
    fulfillment_node: Opt = None,
    force: Annotated[bool, typer.Option(help="Save even when the test fails.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Edit a connection: tests first, saves when the test passes (or with --force)."""
    opts = dict(locals())
    db = database()
    with session_scope(db.sessions) as s:
        result, saved = _edit(s, db, opts)
    db.dispose()
    if json_:
        print_json({"saved": saved, "test": result.model_dump()})
    else:
        _print_result(result)
        out.print(
            "saved" if saved else "[yellow]not saved[/] (test failed; use --force to save anyway)"
        )
    if not saved:
        raise typer.Exit(1)


def _edit(s: Session, db: Any, opts: dict[str, Any]) -> tuple[TestResult, bool]:
    svc = ConnectionService(s, db.box, sandbox_admin_keys())
    conn = _find(svc.repo, opts["connection"])
    form: ConnectionForm = (
        _netsuite_form(svc.repo, conn, opts) if conn.type == "netsuite" else _jet_form(conn, opts)
    )
    outcome = run_sync(lambda: svc.save(conn, form, cli_actor(), force=opts["force"]))
    return outcome.test, outcome.saved


@app.command("test")
def test(connection: str, json_: JsonOpt = False) -> None:
    """Test the saved connection and update its Online/Offline status."""
    db = database()
    with session_scope(db.sessions) as s:
        repo = ConnectionRepository(s, db.box)
        conn = _find(repo, connection)
        result = run_sync(lambda: test_saved(repo, conn, sandbox_admin_keys()))
        if result.ok:
            repo.set_online(conn.id)
        else:
            repo.set_offline(conn.id, result.reason())
    db.dispose()
    print_json(result.model_dump()) if json_ else _print_result(result)
    if not result.ok:
        raise typer.Exit(1)


@app.command("keypair")
def keypair(
    folder: Annotated[
        Path, typer.Option("--out", help="Folder for etail-m2m.key (0600) and etail-m2m.crt.")
    ],
    algorithm: Annotated[str, typer.Option(help="PS256 (RSA 3072) or ES256.")] = "PS256",
    json_: JsonOpt = False,
) -> None:
    """Make an OAuth 2.0 (M2M) key pair: upload the .crt to NetSuite, give the .key to `edit`."""
    import os

    from etail.netsuite.oauth2 import generate_key_pair

    if algorithm not in ("PS256", "ES256"):
        raise SettingsError(f"algorithm {algorithm!r} is not PS256 or ES256", field="algorithm")
    pair = generate_key_pair("PS256" if algorithm == "PS256" else "ES256")
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / "etail-m2m.key", folder / "etail-m2m.crt"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(pair.private_key_pem)
    cert_path.write_text(pair.certificate_pem)
    data = {
        "certificate_id": pair.certificate_id,
        "certificate": str(cert_path),
        "private_key": str(key_path),
        "algorithm": pair.algorithm,
    }
    if json_:
        print_json(data)
        return
    out_lines = (
        f"certificate {cert_path} (upload it at Setup > Integration > Manage Authentication > "
        "OAuth 2.0 Client Credentials (M2M) Setup)",
        f"private key {key_path} (mode 0600; pass it to `etail connections edit "
        "--private-key-file`)",
        f"Certificate ID {pair.certificate_id}",
    )
    for line in out_lines:
        out.print(line, highlight=False)
