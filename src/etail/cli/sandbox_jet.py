"""``etail sandbox jet``: run the Jet marketplace sandbox in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from etail.errors import SettingsError
from etail.settings import get_settings

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data", help="Data folder for jet.db and jet-admin.key [$ETAIL_HOME/sandbox-jet]"
    ),
]


def default_data_dir() -> Path:
    return get_settings().home / "sandbox-jet"


def command(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option("--port", help="Port [ETAIL_JET_SANDBOX_PORT or 8102].")
    ] = None,
    data: DataOpt = None,
    fault_rate: Annotated[
        float, typer.Option("--fault-rate", help="Share of /api calls that fail on purpose (0-1).")
    ] = 0.0,
    fault_kind: Annotated[
        list[str] | None,
        typer.Option("--fault-kind", help="5xx, 429 or timeout; repeat for several [5xx]."),
    ] = None,
    token_lifetime: Annotated[
        int, typer.Option("--token-lifetime", help="Seconds a token from /api/token lives.")
    ] = 3600,
    ready_delay: Annotated[
        float, typer.Option("--ready-delay", help="Seconds an order stays 'created'.")
    ] = 0.0,
    rate_limit: Annotated[
        float | None, typer.Option("--rate-limit", help="Requests per second before 429.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the fault dice.")] = None,
) -> None:
    """Serve Jet's merchant API, the admin API and the order page until Ctrl-C."""
    from etail.sandbox.jet.app import ADMIN_KEY_FILE, create_app

    data_dir = data or default_data_dir()
    try:
        app = create_app(
            data_dir,
            token_lifetime_s=token_lifetime,
            ready_delay_s=ready_delay,
            rate_limit_per_s=rate_limit,
            fault_rate=fault_rate,
            fault_kinds=tuple(fault_kind or ["5xx"]),
            seed=seed,
        )
    except ValueError as exc:
        raise SettingsError(
            f"bad sandbox option: {exc}", hint="see etail sandbox jet --help"
        ) from exc
    port = port or get_settings().jet_sandbox_port
    console = Console()
    console.print(
        f"Jet sandbox on [bold]http://{host}:{port}[/] (API under /api, orders page at /)"
    )
    console.print(f"data {data_dir / 'jet.db'} · admin key in {data_dir / ADMIN_KEY_FILE}")
    uvicorn.run(app, host=host, port=port, log_level="info")
