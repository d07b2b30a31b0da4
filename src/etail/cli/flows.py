"""``etail flows list|show|run|enable|disable|schedule``, and the helpers ``jobs``/``errors`` share.

Runs happen in this process with Rich progress bars; the state goes to the integrator database,
so the pages show the same jobs and errors. A run requested while another process runs the same
flow waits (one run of a flow at a time) and starts here as soon as the flow is free. With
``ETAIL_QUEUE=celery`` the run is sent to the ``etail jobs worker`` processes instead and this
command follows it in the database. A flow whose connection is Offline is paused: its run waits,
queued, and the command says why (it starts when the connection is back Online).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etail.engine.jobs import Job, JobStatus
from etail.engine.ports import Progress as RunProgress
from etail.engine.service import PAUSED, FlowService
from etail.engine.views import flow_view, job_view
from etail.queue.inline import InlineQueue
from etail.settings import get_settings

app = typer.Typer(no_args_is_help=True)
out = Console()
notes = Console(stderr=True)  # remarks while running: stdout stays clean for --json
CLI_USER = "cli"

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


# -- shared helpers (also used by ``etail jobs`` and ``etail errors``) --------------------------


@contextmanager
def open_services() -> Iterator[Any]:
    """The composition root's services for this process (``etail.bootstrap.build_services``)."""
    from etail import bootstrap

    settings = get_settings()
    remote = bootstrap.celery_queue(settings)
    if remote is not None:
        services = bootstrap.build_services(settings, queue=remote)
    else:
        queue = InlineQueue()
        services = bootstrap.build_services(settings, queue=queue)
        queue.bind(services.engine.execute, services.engine.tick)
    try:
        yield services
    finally:
        services.close()


def print_json(value: Any) -> None:
    out.print_json(json.dumps(value, default=str))


def run_jobs(
    engine: FlowService, jobs: list[Job], *, show_progress: bool = True, wait: float = 600.0
) -> list[Job]:
    """Execute ``jobs`` here, one after the other, with a progress bar each."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[tally]}"),
        TimeElapsedColumn(),
    )
    done: list[Job] = []
    with Progress(*columns, console=out, disable=not show_progress, transient=False) as bars:
        for job in jobs:
            name = engine.flows.get(job.flow_id).name
            label = f"{name} (retry)" if job.kind.value == "retry" else name
            task = bars.add_task(label, total=None, tally="")

            def report(p: RunProgress, task: Any = task) -> None:
                tally = f"ok {p.success}  ignored {p.ignored}  errors {p.errors}"
                bars.update(task, total=max(p.exported, p.done), completed=p.done, tally=tally)

            done.append(_execute_when_free(engine, job, report, wait))
    return done


def is_remote(engine: FlowService) -> bool:
    """Whether jobs go to Celery workers (ETAIL_QUEUE=celery) rather than run here."""
    return type(engine.queue).__name__ == "CeleryQueue"


def _execute_when_free(engine: FlowService, job: Job, report: Any, wait: float) -> Job:
    if is_remote(engine):
        return _follow(engine, job, report, wait)
    deadline = time.monotonic() + wait
    told = False
    while True:
        result = asyncio.run(engine.execute(job.id, progress=report))
        if result.status is not JobStatus.QUEUED or time.monotonic() >= deadline:
            return result
        if (result.message or "").startswith(PAUSED):
            notes.print(f"[yellow]{job.flow_id}: {_escape(result.message or '')}[/]")
            notes.print(
                f"it runs when the connection is back Online (or: etail jobs cancel {job.id})"
            )
            return result
        if not told:
            notes.print(
                f"[yellow]{job.flow_id}: another run of this flow is in progress; waiting[/]"
            )
            told = True
        time.sleep(0.5)


def _follow(engine: FlowService, job: Job, report: Any, wait: float) -> Job:
    """Watch a job a Celery worker runs, in the database, until it ends or ``wait`` passes."""
    deadline = time.monotonic() + wait
    told = False
    while True:
        current = engine.stores.jobs.get(job.id)
        c = current.counters
        done = c.success + c.ignored + c.errors
        report(
            RunProgress(
                current.id, current.flow_id, c.exported, done, c.success, c.ignored, c.errors,
                c.pages, finished=current.is_final,
            )
        )  # fmt: skip
        if current.is_final or time.monotonic() >= deadline:
            return current
        if (current.message or "").startswith(PAUSED) and not told:
            notes.print(f"[yellow]{job.flow_id}: {_escape(current.message or '')}[/]")
            told = True
        time.sleep(0.25)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def jobs_table(jobs: list[Job], title: str = "Jobs") -> Table:
    table = Table(title=title)
    table.add_column("Flow", overflow="fold", ratio=3)
    table.add_column("Status", no_wrap=True, min_width=9)
    table.add_column("Started", overflow="fold", ratio=2)
    for col in ("Took", "OK", "Ign", "Err"):
        table.add_column(col, no_wrap=True, justify="right")
    table.add_column("Message", overflow="fold", ratio=3)
    table.add_column("Job", overflow="fold", ratio=3)
    for j in jobs:
        v = job_view(j)
        c = v["counters"]
        table.add_row(
            j.flow_id if j.kind.value == "run" else f"{j.flow_id} (retry)",
            _status(j.status),
            (v["started_at"] or "")[:19].replace("T", " "),
            f"{v['duration_s']:.1f}s" if v["duration_s"] is not None else "",
            str(c["success"]),
            str(c["ignored"]),
            str(c["errors"]),
            j.message or "",
            j.id,
        )
    return table


def _status(status: JobStatus) -> str:
    colour = {
        JobStatus.COMPLETED: "green",
        JobStatus.FAILED: "red",
        JobStatus.CANCELED: "yellow",
        JobStatus.RUNNING: "cyan",
    }.get(status, "white")
    return f"[{colour}]{status.value}[/]"


def finish(jobs: list[Job], as_json: bool) -> None:
    """Print the jobs; exit 1 when one failed or was canceled."""
    if as_json:
        print_json([job_view(j) for j in jobs])
    else:
        out.print(jobs_table(jobs, title="Runs"))
    if any(j.status in (JobStatus.FAILED, JobStatus.CANCELED, JobStatus.QUEUED) for j in jobs):
        raise typer.Exit(1)


# -- commands ----------------------------------------------------------------------------------


@app.command("list")
def list_flows(as_json: JsonOpt = False) -> None:
    """The integration's flows: On/Off, schedule, open errors, last run."""
    with open_services() as services:
        rows = [flow_view(r) for r in services.engine.overview()]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print(
            "No flows yet: the Jet - NetSuite integration is not installed or has no connections."
            " Start `etail serve` once (it installs it) or run `etail demo`."
        )
        return
    table = Table(title="Flows")
    table.add_column("Flow", overflow="fold", min_width=12)  # ids are what commands take
    for col in ("Name", "Group", "On/Off", "Schedule", "Errors", "Last run"):
        table.add_column(col)
    for r in rows:
        last = r["last_job"]
        last_run = (
            f"{last['status']} {(last['ended_at'] or last['started_at'] or '')[:19]}".replace(
                "T", " "
            )
            if last
            else "never"
        )
        on_off = "[green]On[/]" if r["enabled"] else "Off"
        table.add_row(
            r["id"],
            r["name"],
            r["group"],
            f"{on_off} [yellow](paused)[/]" if r.get("paused") else on_off,
            r["schedule_label"],
            str(r["open_errors"]),
            last_run,
        )
    out.print(table)
    paused = next((r["paused"] for r in rows if r.get("paused")), None)
    if paused:
        out.print(f"[yellow]Flows paused: {_escape(paused)}[/]")


@app.command()
def show(flow_id: str, as_json: JsonOpt = False) -> None:
    """One flow: steps, mapping, settings, schedule."""
    with open_services() as services:
        services.engine.flows.get(flow_id)  # an unknown id gets the clear "no flow" error
        row = next(r for r in services.engine.overview() if r.flow.id == flow_id)
        view = flow_view(row)
    if as_json:
        print_json(view)
        return
    out.print(f"[bold]{view['name']}[/]  ({view['id']}, group {view['group']})")
    if view["description"]:
        out.print(view["description"])
    out.print(f"Steps: {' → '.join(['export', *view['steps']])}")
    out.print(f"Schedule: {view['schedule_label']}  On: {view['enabled']}")
    if view.get("paused"):
        out.print(f"[yellow]Paused: {_escape(view['paused'])}[/]")
    mapping = Table(title="Mapping")
    for col in ("Source", "Target", "Rule"):
        mapping.add_column(col)
    for m in view["mapping"]:
        mapping.add_row(m["source"], m["target"], m["note"])
    out.print(mapping)
    settings = Table(title="Settings")
    settings.add_column("Setting")
    settings.add_column("Value")
    for key, value in view["settings"].items():
        settings.add_row(key, json.dumps(value, default=str))
    out.print(settings)


@app.command()
def run(
    flow_ids: Annotated[list[str], typer.Argument(help="Flow id(s), see `etail flows list`.")],
    keys: Annotated[
        str | None,
        typer.Option(help="On-demand run of just these record ids, comma-separated."),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait when another run of the flow is in progress.")
    ] = 600.0,
    as_json: JsonOpt = False,
) -> None:
    """Run flows now, here, with progress bars; exit 1 if a run failed."""
    chosen = [k.strip() for k in (keys or "").split(",") if k.strip()]
    with open_services() as services:
        engine: FlowService = services.engine
        for flow_id in flow_ids:
            engine.flows.get(flow_id)
        jobs = [engine.request_run(f, triggered_by=CLI_USER, keys=chosen) for f in flow_ids]
        done = run_jobs(engine, jobs, show_progress=progress and not as_json, wait=wait)
    finish(done, as_json)


@app.command()
def enable(
    flow_id: str,
    schedule: Annotated[
        str | None,
        typer.Option(help="A preset (every_15_minutes, hourly, daily...) or a cron expression."),
    ] = None,
    timezone: Annotated[str, typer.Option(help="IANA time zone of the schedule.")] = "UTC",
) -> None:
    """Turn a flow On (its schedule then runs it)."""
    with open_services() as services:
        if schedule is not None:
            services.engine.set_schedule(flow_id, schedule, timezone)
        cfg = services.engine.set_enabled(flow_id, True)
    when = cfg.next_run_at.isoformat() if cfg.next_run_at else "on demand only (no schedule)"
    out.print(f"{flow_id}: [green]On[/]; next run {when}")


@app.command()
def disable(flow_id: str) -> None:
    """Turn a flow Off (no scheduled runs, no automatic retries)."""
    with open_services() as services:
        services.engine.set_enabled(flow_id, False)
    out.print(f"{flow_id}: Off")


@app.command("schedule")
def set_schedule(
    flow_id: str,
    schedule: Annotated[str, typer.Argument(help="Preset, cron expression, or 'none'.")],
    timezone: Annotated[str, typer.Option(help="IANA time zone of the schedule.")] = "UTC",
) -> None:
    """Set or clear a flow's schedule."""
    with open_services() as services:
        value = None if schedule.lower() in ("none", "off", "") else schedule
        cfg = services.engine.set_schedule(flow_id, value, timezone)
    out.print(f"{flow_id}: schedule {cfg.schedule or 'none'} ({cfg.timezone})")
