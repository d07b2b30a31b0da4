"""``etail errors list|show|retry|resolve``: per-record errors with their kept data."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from etail.cli.flows import CLI_USER, JsonOpt, finish, open_services, out, print_json, run_jobs
from etail.engine.records import ErrorState
from etail.engine.views import error_view
from etail.errors import SettingsError

app = typer.Typer(no_args_is_help=True)

Ids = Annotated[list[str] | None, typer.Argument(help="Error id(s), see `etail errors list`.")]
FlowOpt = Annotated[str | None, typer.Option(help="Every open error of this flow.")]


@app.command("list")
def list_errors(
    flow: Annotated[str | None, typer.Option(help="Only this flow's errors.")] = None,
    resolved: Annotated[bool, typer.Option("--resolved", help="Resolved instead of open.")] = False,
    job: Annotated[str | None, typer.Option(help="Only errors of this job.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Open (or resolved) errors, newest first."""
    state = ErrorState.RESOLVED if resolved else ErrorState.OPEN
    with open_services() as services:
        entries = services.engine.stores.errors.find(
            flow_id=flow, state=state, job_id=job, limit=limit
        )
    if as_json:
        print_json([error_view(e) for e in entries])
        return
    table = Table(title=f"{state.value.capitalize()} errors")
    for col in ("Flow", "Record", "Step", "Class"):
        table.add_column(col, overflow="fold")
    table.add_column("Message", overflow="fold", ratio=4)
    table.add_column("Retries", no_wrap=True, justify="right")
    table.add_column("When", overflow="fold")
    table.add_column("Error", overflow="fold", ratio=2)
    for e in entries:
        table.add_row(
            e.flow_id,
            e.key,
            e.step,
            e.error.classification.value,
            f"{e.error.type}: {e.error.message}",
            str(e.retry_count),
            (e.updated_at or e.created_at).isoformat()[:19].replace("T", " "),
            e.id,
        )
    out.print(table)


@app.command()
def show(error_id: str, as_json: JsonOpt = False) -> None:
    """One error with the record data kept for retry."""
    with open_services() as services:
        entry = services.engine.stores.errors.get(error_id)
    view = error_view(entry, with_data=True)
    if as_json:
        print_json(view)
        return
    for key, value in view.items():
        if key != "data" and value not in (None, ""):
            out.print(f"[bold]{key}[/]: {value}", highlight=False)
    out.print("[bold]data[/]:")
    print_json(view["data"])


@app.command()
def retry(
    error_ids: Ids = None,
    flow: FlowOpt = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Retry errors now (re-run the failed step on the kept data), here, with progress bars."""
    with open_services() as services:
        ids = list(error_ids or [])
        _need_target(ids, flow)
        jobs = services.engine.request_retry(flow_id=flow, error_ids=ids, triggered_by=CLI_USER)
        done = run_jobs(services.engine, jobs, show_progress=progress and not as_json)
    finish(done, as_json)


@app.command()
def resolve(error_ids: Ids = None, flow: FlowOpt = None) -> None:
    """Mark errors resolved (they can no longer be retried)."""
    with open_services() as services:
        ids = list(error_ids or [])
        _need_target(ids, flow)
        if ids:
            n = services.engine.resolve(ids, CLI_USER)
        else:
            assert flow is not None
            n = services.engine.resolve_all(flow, CLI_USER)
    out.print(f"resolved {n} error(s)")


def _need_target(ids: list[str], flow: str | None) -> None:
    if not ids and not flow:
        raise SettingsError(
            "name the errors to act on", field="ERROR_IDS", hint="give error ids or --flow FLOW_ID"
        )
