"""``etail netsuite sign|doctor``: see a TBA signature, and find out why a login fails.

Secrets come only from the environment (``ETAIL_NS_CONSUMER_KEY``, ``ETAIL_NS_CONSUMER_SECRET``,
``ETAIL_NS_TOKEN_ID``, ``ETAIL_NS_TOKEN_SECRET``), never from options, so they stay out of shell
history and process lists.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from etail.errors import EtailError, SettingsError
from etail.netsuite import (
    AccountId,
    Diagnosis,
    Environment,
    TBACredentials,
    diagnose,
    sign_request,
)

app = typer.Typer(no_args_is_help=True)

SECRET_ENV = {
    "consumer_key": "ETAIL_NS_CONSUMER_KEY",
    "consumer_secret": "ETAIL_NS_CONSUMER_SECRET",
    "token_id": "ETAIL_NS_TOKEN_ID",
    "token_secret": "ETAIL_NS_TOKEN_SECRET",
}
ACCOUNT_ENV = "ETAIL_NS_ACCOUNT"
_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}

AccountOpt = Annotated[
    str | None,
    typer.Option("--account", envvar=ACCOUNT_ENV, help="Account ID, e.g. 1234567_SB1."),
]


def _credentials_from_env() -> tuple[TBACredentials | None, list[str]]:
    values = {field: os.environ.get(env, "") for field, env in SECRET_ENV.items()}
    missing = [SECRET_ENV[f] for f, v in values.items() if not v]
    if missing:
        return None, missing
    return TBACredentials(**values), []


def _fail(exc: EtailError) -> typer.Exit:
    # escape: a message quotes user input, and "[/x]" would be read as Rich markup (a crash).
    Console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    return typer.Exit(exc.exit_code)


@app.command()
def sign(
    method: Annotated[str, typer.Option("--method", help="HTTP method, e.g. GET.")],
    url: Annotated[str, typer.Option("--url", help="The full URL, query string included.")],
    account: AccountOpt = None,
    nonce: Annotated[str | None, typer.Option(help="Fixed nonce (test vectors).")] = None,
    timestamp: Annotated[str | None, typer.Option(help="Fixed Unix time (test vectors).")] = None,
    form: Annotated[
        list[str] | None, typer.Option("--form", help="Form body field name=value (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print the signature base string, the signature and the Authorization header."""
    try:
        if not account:
            raise SettingsError(
                "account is not set", field="account", hint=f"pass --account or set {ACCOUNT_ENV}"
            )
        realm = AccountId.parse(account).realm
        credentials, missing = _credentials_from_env()
        if credentials is None:
            raise SettingsError(
                f"TBA credentials missing from the environment: {', '.join(missing)}",
                field=missing[0],
            )
        fields = [_form_field(f) for f in form or []]
        signed = sign_request(
            method, url, realm, credentials, nonce=nonce, timestamp=timestamp, form=fields or None
        )
    except EtailError as exc:
        raise _fail(exc) from None
    result = {
        "base_string": signed.base_string,
        "signature": signed.signature,
        "authorization": signed.authorization,
    }
    if as_json:
        typer.echo(json.dumps(result))
        return
    console = Console(soft_wrap=True, highlight=False)
    for label, value in result.items():
        console.print(f"[bold]{label}[/]", markup=True)
        console.print(value, markup=False)


def _form_field(raw: str) -> tuple[str, str]:
    name, sep, value = raw.partition("=")
    if not sep or not name:
        raise SettingsError(f"--form {raw!r} is not name=value", field="form")
    return name, value


@app.command()
def doctor(
    account: AccountOpt = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="A local NetSuite sandbox, e.g. http://127.0.0.1:8101."),
    ] = None,
    environment: Annotated[
        str | None, typer.Option(help="production, sandbox or release_preview.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer.")] = 10.0,
) -> None:
    """Check the account ID, hosts, credentials and clock, then make one signed call."""
    try:
        env = Environment.parse(environment) if environment else None
    except EtailError as exc:
        raise _fail(exc) from None
    credentials, missing = _credentials_from_env()
    try:
        report = asyncio.run(
            diagnose(
                account or "",
                credentials,
                environment=env,
                base_url=base_url,
                missing=missing,
                timeout=timeout,
            )
        )
    except Exception as exc:  # the doctor must explain, never print a traceback
        Console(stderr=True).print(
            f"[bold red]doctor failed:[/] {type(exc).__name__}: {escape(str(exc))}",
            highlight=False,
        )
        raise typer.Exit(1) from None
    _show(report)
    if not report.ok:
        raise typer.Exit(1)


def _show(report: Diagnosis) -> None:
    console = Console(highlight=False)
    table = Table(title="NetSuite TBA checks")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for check in report.checks:
        style = _STYLE[check.status]
        table.add_row(escape(check.name), f"[{style}]{check.status}[/]", escape(check.detail))
    console.print(table)
    for line in report.advice:
        console.print(line, markup=False, soft_wrap=True)
    console.print("[green]all checks passed[/]" if report.ok else "[bold red]login check failed[/]")
