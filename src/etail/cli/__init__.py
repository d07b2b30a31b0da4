"""The ``etail`` command. Each sub-command group lives in its own module."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from etail.cli import (
    audit,
    connections,
    demo,
    errors_cmd,
    flows,
    jet,
    jobs,
    netsuite,
    ns,
    sandbox,
    serve,
    users,
)
from etail.errors import EtailError

app = typer.Typer(
    name="etail",
    help="Self-hosted eTail connector: Jet marketplace <-> NetSuite over Token-Based Auth.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(netsuite.app, name="netsuite", help="NetSuite TBA client tools: sign, doctor.")
app.add_typer(ns.app, name="ns", help="Administer the NetSuite sandbox (the guide's steps A-D).")
app.add_typer(sandbox.app, name="sandbox", help="Run the NetSuite or Jet sandbox server.")
app.add_typer(jet.app, name="jet", help="Jet sandbox data: seed orders and catalog.")
app.add_typer(users.app, name="users", help="Integrator users and roles.")
app.add_typer(connections.app, name="connections", help="Integrator connections: list, edit, test.")
app.add_typer(flows.app, name="flows", help="Integration flows: list, run, enable, disable.")
app.add_typer(jobs.app, name="jobs", help="Jobs: runs of flows.")
app.add_typer(errors_cmd.app, name="errors", help="Open and resolved errors: retry, resolve.")
app.command("serve")(serve.command)
app.command("audit")(audit.command)
app.command("demo")(demo.command)


def main() -> None:
    """Entry point: every EtailError becomes a clear message and its exit code, no traceback."""
    try:
        app()
    except EtailError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)
