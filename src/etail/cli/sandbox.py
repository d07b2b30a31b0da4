"""``etail sandbox netsuite|jet``: run a sandbox server in the foreground."""

import typer

from etail.cli import sandbox_jet, sandbox_netsuite

app = typer.Typer(no_args_is_help=True)
app.command("netsuite")(sandbox_netsuite.command)
app.command("jet")(sandbox_jet.command)
