"""CLI command (placeholder until its issue lands)."""

import typer


def command() -> None:
    """Not built yet."""
    typer.echo("not built yet")
    raise typer.Exit(1)
