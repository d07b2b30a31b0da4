"""``etail serve``: the integrator's pages and JSON API; ``--all`` starts both sandboxes too."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from etail.errors import SettingsError
from etail.settings import get_settings

_out = Console()


def command(
    host: Annotated[
        str | None, typer.Option(help="Interface (default ETAIL_HOST, 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default ETAIL_PORT, 8000).")] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Also run the NetSuite and Jet sandboxes in this process."),
    ] = False,
    recheck_minutes: Annotated[
        float, typer.Option(help="Minutes between re-checks of Offline connections.")
    ] = 5.0,
) -> None:
    """Serve the integrator (state in SQLite under ETAIL_HOME, or ETAIL_DATABASE_URL)."""
    from etail.integrator.app import create_app
    from etail.integrator.database import open_db

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    from etail.integrator.cli_support import sandbox_admin_keys

    admin_keys = sandbox_admin_keys()
    sandboxes = None
    if all_:
        from etail.integrator.local_sandboxes import start_sandboxes, try_prepare

        try:
            sandboxes = start_sandboxes(settings)
        except RuntimeError as exc:  # BackgroundServer could not bind its port
            raise SettingsError(
                str(exc),
                field="ETAIL_NETSUITE_SANDBOX_PORT",
                hint="another program holds the port: stop it, or set ETAIL_NETSUITE_SANDBOX_PORT "
                "and ETAIL_JET_SANDBOX_PORT",
            ) from None
        admin_keys[sandboxes.netsuite.url] = sandboxes.netsuite_admin_key
        db = open_db(settings)
        problem = try_prepare(db, sandboxes)
        db.dispose()
        _out.print(
            f"NetSuite sandbox  {sandboxes.netsuite.url}/app/login"
            f"  (account {sandboxes.account_id})"
        )
        _out.print(f"Jet sandbox       {sandboxes.jet.url}")
        if problem:
            _out.print(f"[yellow]could not prepare the NetSuite sandbox:[/] {problem}")
    app = create_app(
        settings, sandbox_admin_keys=admin_keys, recheck_interval_s=max(recheck_minutes, 0.1) * 60
    )
    _out.print(f"Integrator        http://{host}:{port}/   (API docs /api/docs)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if sandboxes is not None:
            sandboxes.stop()
