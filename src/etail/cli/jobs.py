"""``etail jobs``: list runs of flows; ``show``, ``cancel``, ``tick``, and the Celery ``worker``."""

from __future__ import annotations

from typing import Annotated

import typer

from etail.cli.flows import (
    JsonOpt,
    finish,
    is_remote,
    jobs_table,
    open_services,
    out,
    print_json,
    run_jobs,
)
from etail.engine.jobs import JobStatus
from etail.engine.views import job_view
from etail.errors import SettingsError
from etail.settings import get_settings

app = typer.Typer(invoke_without_command=True)


@app.callback()
def list_jobs(
    ctx: typer.Context,
    flow: Annotated[str | None, typer.Option(help="Only this flow's jobs.")] = None,
    status: Annotated[
        str | None, typer.Option(help="queued, running, completed, failed or canceled.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Jobs, newest first: status, counters, durations."""
    if ctx.invoked_subcommand is not None:
        return
    statuses = [_status(status)] if status else []
    with open_services() as services:
        jobs = services.engine.stores.jobs.find(flow_id=flow, statuses=statuses, limit=limit)
    if as_json:
        print_json([job_view(j) for j in jobs])
    else:
        out.print(jobs_table(jobs))


def _status(value: str) -> JobStatus:
    try:
        return JobStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in JobStatus)
        raise SettingsError(f"unknown status {value!r}", field="--status", hint=names) from None


@app.command()
def show(job_id: str, as_json: JsonOpt = False) -> None:
    """One job with its counters and message."""
    with open_services() as services:
        job = services.engine.stores.jobs.get(job_id)
    if as_json:
        print_json(job_view(job))
    else:
        out.print(jobs_table([job], title=f"Job {job.id}"))


@app.command()
def cancel(job_id: str) -> None:
    """Cancel a queued job, or ask a running one to stop after the records in flight."""
    with open_services() as services:
        job = services.engine.cancel(job_id)
    state = "canceled" if job.status is JobStatus.CANCELED else "cancel requested"
    out.print(f"job {job_id}: {state}")


@app.command()
def tick(
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Run one scheduler tick here: due schedules and automatic retries (for cron).

    With ETAIL_QUEUE=celery the due jobs are sent to the workers and listed, not run here.
    """
    with open_services() as services:
        jobs = services.engine.tick()
        if is_remote(services.engine):
            if as_json:
                print_json([job_view(j) for j in jobs])
            else:
                out.print(jobs_table(jobs, title="Sent to the workers") if jobs else "nothing due")
            return
        done = run_jobs(services.engine, jobs, show_progress=progress and not as_json, wait=0)
    if not jobs and not as_json:
        out.print("nothing due")
        return
    finish(done, as_json)


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at once by this worker.")] = 4,
    queue: Annotated[str, typer.Option(help="Celery queue to consume.")] = "etail",
) -> None:
    """Run a Celery worker (ETAIL_QUEUE=celery, ETAIL_BROKER_URL) that executes job ids."""
    from etail import bootstrap
    from etail.queue.celery import CeleryQueue, make_celery, register_tasks

    settings = get_settings()
    celery_app = make_celery(settings.broker_url, queue=queue)
    services = bootstrap.build_services(settings, queue=CeleryQueue(celery_app))
    register_tasks(celery_app, services.engine.execute, services.engine.tick)
    try:
        celery_app.worker_main(
            ["worker", f"--concurrency={concurrency}", "--pool=threads", "--beat", f"-Q{queue}"]
        )
    finally:
        services.close()
