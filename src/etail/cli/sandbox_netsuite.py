"""``etail sandbox netsuite``: run the NetSuite sandbox in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer

from etail.settings import get_settings


def command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option(help="Port (default ETAIL_NETSUITE_SANDBOX_PORT, 8101).")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Data folder (default $ETAIL_HOME/sandbox-netsuite)."),
    ] = None,
    latency_ms: Annotated[int, typer.Option(help="Added to every web-services request.")] = 0,
    fault_rate: Annotated[float, typer.Option(help="Share of requests that fail, 0-1.")] = 0.0,
    fault_kind: Annotated[
        list[str] | None, typer.Option(help="5xx, 429 or timeout (repeatable).")
    ] = None,
    stall_ms: Annotated[int, typer.Option(help="How long a 'timeout' fault stalls.")] = 5_000,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the fault sequence (reproducible runs).")
    ] = None,
) -> None:
    """Serve NetSuite's REST, SuiteQL, RESTlet and token paths, the admin API and pages."""
    import uvicorn

    from etail.sandbox.netsuite.app import create_app
    from etail.sandbox.netsuite.options import FaultKind, SandboxOptions
    from etail.sandbox.netsuite.store import read_admin_key

    kinds = fault_kind or ["5xx"]
    folder = data or get_settings().home / "sandbox-netsuite"
    options = SandboxOptions(
        latency_ms=latency_ms,
        fault_rate=fault_rate,
        fault_kinds=tuple(cast(FaultKind, k) for k in kinds),
        stall_ms=stall_ms,
        seed=seed,
    )
    port = port or get_settings().netsuite_sandbox_port
    app = create_app(folder, options)
    typer.echo(f"NetSuite sandbox on http://{host}:{port}  (data: {folder})")
    typer.echo(f"Pages: http://{host}:{port}/app   Admin API key file: {folder / 'admin.key'}")
    read_admin_key(folder)
    uvicorn.run(app, host=host, port=port, log_level="info")
