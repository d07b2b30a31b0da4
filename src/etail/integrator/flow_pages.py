"""Flows, jobs and errors of an integration: pages and the JSON API (celigo-jet.md §1.6–1.8).

Pages under ``/integrations/{integration_id}/``: the flows table (Name, Errors, Last run, Mapping,
Schedule, Settings, Run, On/Off), the job dashboard (running, queued and completed jobs with
counters, durations and a chart of records per run), open and resolved errors with retry and
resolve, one error with its retry data, and run history. The JSON API mirrors them under
``/api/v1/integrations/{integration_id}/``. Viewing needs *monitor*, acting needs *manage*; every
form posts a CSRF token.

The engine comes from the composition root (``etail.bootstrap.build_services``), built once per
app on first use with the in-process runner started (``ETAIL_QUEUE=inline``, the default) or
sending job ids to Celery workers (``ETAIL_QUEUE=celery``), or given by :func:`attach`. The
services listen to ``app.state.connection_listeners``: a saved or re-checked connection rebuilds
the clients, and one back Online resumes the flows it paused.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session

from etail.engine.flows import FlowSpec
from etail.engine.jobs import Job, JobStatus
from etail.engine.records import ErrorEntry, ErrorState
from etail.engine.schedules import PRESETS
from etail.engine.service import FlowService, FlowSummary
from etail.engine.views import chart_bars, error_view, flow_view, job_view
from etail.errors import EtailError, FlowError, JobError, SettingsError
from etail.integrator.deps import Principal, check_csrf, get_session, require, templates
from etail.integrator.pages import get_integration
from etail.queue.inline import InlineQueue

CSS = Path(__file__).with_name("templates") / "flows" / "flows.css"
_STRICT = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)
Id = Annotated[str, StringConstraints(min_length=1, max_length=80)]
_lock = threading.Lock()
log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Merged into the app's lifespan by ``include_router``: the runner and the scheduler run
    from start-up to shutdown, so schedules fire before anyone opens a flow page."""
    try:
        await asyncio.to_thread(startup, app)
    except Exception as exc:  # the pages still build the engine on first use
        log.warning("flow runner not started: %s", type(exc).__name__)
    try:
        yield
    finally:
        await asyncio.to_thread(shutdown, app)


router = APIRouter(lifespan=_lifespan)
pages = APIRouter(prefix="/integrations/{integration_id}", include_in_schema=False)
api = APIRouter(prefix="/api/v1/integrations/{integration_id}", tags=["flows"])


# -- the engine of this app --------------------------------------------------------------------


def attach(app: FastAPI, services: Any, queue: InlineQueue | None = None) -> None:
    """Use ``services`` (``.engine``, ``.flows``, ``.close()``) for this app's flow pages."""
    app.state.flow_services = services
    app.state.flow_runner = queue
    listener = getattr(services, "connection_changed", None)
    listeners = getattr(app.state, "connection_listeners", None)
    if listener is not None and listeners is not None and listener not in listeners:
        listeners.append(listener)


def _detach(app: FastAPI, services: Any) -> None:
    listener = getattr(services, "connection_changed", None)
    listeners = getattr(app.state, "connection_listeners", None) or []
    if listener is not None and listener in listeners:
        listeners.remove(listener)


def startup(app: FastAPI) -> FlowService:
    """Build the engine and start the runner and scheduler now (app lifespan start), so
    schedules run before anyone opens a flow page."""
    with _lock:
        services = getattr(app.state, "flow_services", None) or _build(app)
    engine: FlowService = services.engine
    return engine


def shutdown(app: FastAPI) -> None:
    """Stop the in-process runner and release what :func:`engine_of` built (app lifespan end)."""
    with _lock:
        runner: InlineQueue | None = getattr(app.state, "flow_runner", None)
        if runner is not None:
            runner.stop()
        services = getattr(app.state, "flow_services", None)
        if services is not None:
            _detach(app, services)
        if services is not None and getattr(app.state, "flow_services_owned", False):
            services.close()
        app.state.flow_services = None
        app.state.flow_runner = None
        app.state.flow_services_owned = False


def engine_of(request: Request) -> FlowService:
    """Dependency: the app's FlowService, built on first use with the runner started."""
    app = request.app
    with _lock:
        services = getattr(app.state, "flow_services", None)
        if services is None:
            services = _build(app)
    engine: FlowService = services.engine
    return engine


def _build(app: FastAPI) -> Any:
    from etail import bootstrap

    db_engine = getattr(app.state, "engine", None)
    remote = bootstrap.celery_queue(app.state.settings)
    if remote is not None:  # Celery workers run the jobs; their beat runs the scheduler tick
        services = bootstrap.build_services(app.state.settings, queue=remote, db_engine=db_engine)
        attach(app, services, None)
    else:
        queue = InlineQueue()
        services = bootstrap.build_services(app.state.settings, queue=queue, db_engine=db_engine)
        queue.bind(services.engine.execute, services.engine.tick).start()
        attach(app, services, queue)
    app.state.flow_services_owned = True
    return services


Engine = Annotated[FlowService, Depends(engine_of)]
Db = Annotated[Session, Depends(get_session, scope="function")]
Monitor = Annotated[Principal, Depends(require("monitor"))]
Manage = Annotated[Principal, Depends(require("manage"))]
CSRF = [Depends(check_csrf)]


# -- lookups that keep each integration to its own flows ----------------------------------------


def _flows(engine: FlowService, integration_id: str) -> list[FlowSpec]:
    return [f for f in engine.flows if f.integration in (integration_id, "")]


def _flow(engine: FlowService, integration_id: str, flow_id: str) -> FlowSpec:
    for flow in _flows(engine, integration_id):
        if flow.id == flow_id:
            return flow
    raise HTTPException(404, f"no flow {flow_id!r} in this integration")


def _summaries(engine: FlowService, integration_id: str) -> list[FlowSummary]:
    ids = {f.id for f in _flows(engine, integration_id)}
    return [row for row in engine.overview() if row.flow.id in ids]


def _job(engine: FlowService, integration_id: str, job_id: str) -> Job:
    try:
        job = engine.stores.jobs.get(job_id)
    except JobError:
        raise HTTPException(404, "no such job") from None
    _flow(engine, integration_id, job.flow_id)
    return job


def _error(engine: FlowService, integration_id: str, error_id: str) -> ErrorEntry:
    try:
        entry = engine.stores.errors.get(error_id)
    except JobError:
        raise HTTPException(404, "no such error") from None
    _flow(engine, integration_id, entry.flow_id)
    return entry


def _jobs(engine: FlowService, integration_id: str, limit: int, **kw: Any) -> list[Job]:
    ids = {f.id for f in _flows(engine, integration_id)}
    if kw.get("flow_id") is not None:
        _flow(engine, integration_id, kw["flow_id"])
    found = engine.stores.jobs.find(limit=limit * 4, **kw)
    return [j for j in found if j.flow_id in ids][:limit]


# -- pages ---------------------------------------------------------------------------------------


@router.get("/flows-assets/flows.css", include_in_schema=False)
def stylesheet() -> FileResponse:
    return FileResponse(CSS, media_type="text/css")


def _page(request: Request, db: Session, name: str, integration_id: str, **ctx: Any) -> Response:
    integ = get_integration(db, integration_id)
    ctx.setdefault("notice", request.query_params.get("notice"))
    ctx.setdefault("problem", request.query_params.get("problem"))
    return templates.TemplateResponse(
        request, f"flows/{name}", {"integration": integ, "tab": "flows", **ctx}
    )


def _back(url: str, notice: str | None = None, problem: str | None = None) -> Response:
    if notice:
        url += f"{'&' if '?' in url else '?'}notice={quote(notice)}"
    if problem:
        url += f"{'&' if '?' in url else '?'}problem={quote(problem)}"
    return RedirectResponse(url, status_code=303)


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def _duration(job: Job) -> str:
    d = job.duration
    if d is None:
        return ""
    seconds = d.total_seconds()
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


templates.env.globals["flow_when"] = _when
templates.env.globals["flow_duration"] = _duration


@pages.get("/flows")
def flows_page(
    request: Request, integration_id: str, engine: Engine, db: Db, who: Monitor
) -> Response:
    rows = _summaries(engine, integration_id)
    paused = next((row.paused for row in rows if row.paused), None)
    return _page(
        request,
        db,
        "list.html",
        integration_id,
        # celigo-jet.md §1.4: say why nothing runs while a connection is Offline.
        problem=request.query_params.get("problem")
        or (f"Flows paused: {paused}" if paused else None),
        rows=rows,
        groups=_grouped(rows),
        can_manage=who.allows("manage", integration_id),
    )


def _grouped(rows: list[FlowSummary]) -> dict[str, list[FlowSummary]]:
    out: dict[str, list[FlowSummary]] = {}
    for row in rows:
        out.setdefault(row.flow.group, []).append(row)
    return out


@pages.post("/flows/{flow_id}/run", dependencies=CSRF)
def run_page(integration_id: str, flow_id: str, engine: Engine, who: Manage) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    engine.request_run(flow.id, triggered_by=who.user.email)
    return _back(f"/integrations/{integration_id}/dashboard", f"{flow.name}: run requested")


@pages.post("/flows/{flow_id}/onoff", dependencies=CSRF)
async def onoff_page(
    request: Request, integration_id: str, flow_id: str, engine: Engine, who: Manage
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    form = await request.form()
    enabled = form.get("enabled") == "1"
    engine.set_enabled(flow.id, enabled)
    state = "On" if enabled else "Off"
    return _back(f"/integrations/{integration_id}/flows", f"{flow.name} is {state}")


@pages.get("/flows/{flow_id}/mapping")
def mapping_page(
    request: Request, integration_id: str, flow_id: str, engine: Engine, db: Db, who: Monitor
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    return _page(request, db, "mapping.html", integration_id, flow=flow)


@pages.get("/flows/{flow_id}/schedule")
def schedule_page(
    request: Request, integration_id: str, flow_id: str, engine: Engine, db: Db, who: Monitor
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    cfg = engine.config(flow.id)
    return _page(
        request,
        db,
        "schedule.html",
        integration_id,
        flow=flow,
        config=cfg,
        presets=PRESETS,
        custom=cfg.schedule if cfg.schedule and cfg.schedule not in PRESETS else "",
        can_manage=who.allows("manage", integration_id),
    )


@pages.post("/flows/{flow_id}/schedule", dependencies=CSRF)
async def save_schedule_page(
    request: Request, integration_id: str, flow_id: str, engine: Engine, who: Manage
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    form = await request.form()
    choice = str(form.get("preset") or "")
    text = str(form.get("cron") or "").strip() if choice == "cron" else choice
    back = f"/integrations/{integration_id}/flows/{flow.id}/schedule"
    try:
        engine.set_schedule(flow.id, text or None, str(form.get("timezone") or "UTC").strip())
    except SettingsError as exc:
        return _back(back, problem=str(exc))
    return _back(f"/integrations/{integration_id}/flows", f"{flow.name}: schedule saved")


@pages.get("/flows/{flow_id}/settings")
def settings_page(
    request: Request, integration_id: str, flow_id: str, engine: Engine, db: Db, who: Monitor
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    values = engine.settings(flow.id)
    fields = [_field(name, values.get(name)) for name in flow.settings]
    return _page(
        request,
        db,
        "settings.html",
        integration_id,
        flow=flow,
        fields=fields,
        can_manage=who.allows("manage", integration_id),
    )


def _field(name: str, value: Any) -> dict[str, Any]:
    label = name.replace("_", " ").capitalize()
    if isinstance(value, bool):
        return {"name": name, "label": label, "kind": "checkbox", "value": value}
    if isinstance(value, int | float):
        return {"name": name, "label": label, "kind": "number", "value": value}
    if isinstance(value, dict | list):
        text = json.dumps(value, indent=2, default=str)
        return {"name": name, "label": label, "kind": "json", "value": text}
    return {"name": name, "label": label, "kind": "text", "value": "" if value is None else value}


@pages.post("/flows/{flow_id}/settings", dependencies=CSRF)
async def save_settings_page(
    request: Request, integration_id: str, flow_id: str, engine: Engine, who: Manage
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    form = await request.form()
    current = engine.settings(flow.id)
    back = f"/integrations/{integration_id}/flows/{flow.id}/settings"
    try:
        values = {name: _parse(name, current.get(name), form.get(name)) for name in flow.settings}
        engine.save_settings(flow.id, values)
    except EtailError as exc:
        return _back(back, problem=str(exc))
    return _back(back, "Settings saved")


def _parse(name: str, current: Any, raw: Any) -> Any:
    text = raw if isinstance(raw, str) else ""
    if isinstance(current, bool):
        return raw == "1"
    if isinstance(current, int | float):
        try:
            return type(current)(text)
        except ValueError:
            raise SettingsError(f"{name} must be a number", field=name) from None
    if isinstance(current, dict | list):
        try:
            return json.loads(text or "null")
        except json.JSONDecodeError as exc:
            raise SettingsError(
                f"{name} is not valid JSON: {exc.msg}", field=name, hint="check quotes and commas"
            ) from None
    return text.strip() or None


@pages.get("/dashboard")
def dashboard_page(
    request: Request, integration_id: str, engine: Engine, db: Db, who: Monitor
) -> Response:
    running = _jobs(engine, integration_id, 50, statuses=[JobStatus.RUNNING])
    queued = _jobs(engine, integration_id, 50, statuses=[JobStatus.QUEUED])
    done = [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED]
    completed = _jobs(engine, integration_id, 30, statuses=done)
    names = {f.id: f.name for f in _flows(engine, integration_id)}
    return _page(
        request,
        db,
        "dashboard.html",
        integration_id,
        running=running,
        queued=queued,
        completed=completed,
        names=names,
        bars=chart_bars(completed[:20]),
        open_counts=engine.stores.errors.open_counts(),
        can_manage=who.allows("manage", integration_id),
    )


@pages.post("/jobs/{job_id}/cancel", dependencies=CSRF)
def cancel_page(integration_id: str, job_id: str, engine: Engine, who: Manage) -> Response:
    job = _job(engine, integration_id, job_id)
    try:
        engine.cancel(job.id)
    except JobError as exc:
        return _back(f"/integrations/{integration_id}/dashboard", problem=str(exc))
    return _back(f"/integrations/{integration_id}/dashboard", "Cancel requested")


@pages.get("/flows/{flow_id}/runs")
def runs_page(
    request: Request, integration_id: str, flow_id: str, engine: Engine, db: Db, who: Monitor
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    jobs = engine.stores.jobs.find(flow_id=flow.id, limit=100)
    return _page(request, db, "runs.html", integration_id, flow=flow, jobs=jobs)


@pages.get("/flows/{flow_id}/errors")
def errors_page(
    request: Request,
    integration_id: str,
    flow_id: str,
    engine: Engine,
    db: Db,
    who: Monitor,
    state: Literal["open", "resolved"] = "open",
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    entries = engine.stores.errors.find(flow_id=flow.id, state=ErrorState(state), limit=200)
    return _page(
        request,
        db,
        "errors.html",
        integration_id,
        flow=flow,
        state=state,
        entries=entries,
        open_count=engine.stores.errors.open_counts().get(flow.id, 0),
        can_manage=who.allows("manage", integration_id),
    )


@pages.post("/flows/{flow_id}/errors/{action}", dependencies=CSRF)
async def errors_action_page(
    request: Request,
    integration_id: str,
    flow_id: str,
    action: Literal["retry", "resolve"],
    engine: Engine,
    who: Manage,
) -> Response:
    flow = _flow(engine, integration_id, flow_id)
    form = await request.form()
    ids = [str(v) for v in form.getlist("error_id")]
    every = form.get("all") == "1"
    back = f"/integrations/{integration_id}/flows/{flow.id}/errors"
    if not ids and not every:
        return _back(back, problem="Select errors first, or use the 'all' button.")
    for error_id in ids:
        _error(engine, integration_id, error_id)
    try:
        message = _act(engine, flow, action, ids, every, who.user.email)
    except JobError as exc:
        return _back(back, problem=str(exc))
    return _back(back, message)


def _act(
    engine: FlowService, flow: FlowSpec, action: str, ids: list[str], every: bool, by: str
) -> str:
    if action == "resolve":
        n = engine.resolve_all(flow.id, by) if every else engine.resolve(ids, by)
        return f"Resolved {n} error(s)"
    if every:
        jobs = engine.request_retry(flow_id=flow.id, triggered_by=by)
    else:
        jobs = engine.request_retry(error_ids=ids, triggered_by=by)
    count = sum(len(j.params.get("error_ids", [])) for j in jobs)
    return f"Retry of {count} error(s) queued; see the dashboard"


@pages.get("/errors/{error_id}")
def error_page(
    request: Request, integration_id: str, error_id: str, engine: Engine, db: Db, who: Monitor
) -> Response:
    entry = _error(engine, integration_id, error_id)
    flow = _flow(engine, integration_id, entry.flow_id)
    return _page(
        request,
        db,
        "error.html",
        integration_id,
        flow=flow,
        entry=entry,
        data=json.dumps(entry.data, indent=2, default=str, sort_keys=True),
        can_manage=who.allows("manage", integration_id) and entry.is_open,
    )


@pages.post("/errors/{error_id}/data", dependencies=CSRF)
async def edit_data_page(
    request: Request, integration_id: str, error_id: str, engine: Engine, who: Manage
) -> Response:
    entry = _error(engine, integration_id, error_id)
    form = await request.form()
    back = f"/integrations/{integration_id}/errors/{entry.id}"
    try:
        _edit_data(engine, entry, str(form.get("data") or ""))
    except EtailError as exc:
        return _back(back, problem=str(exc))
    return _back(back, "Retry data saved; retry the error to use it")


def _edit_data(engine: FlowService, entry: ErrorEntry, text: str) -> ErrorEntry:
    """Celigo's "Edit retry data": replace the kept data of an open error."""
    if not entry.is_open:
        raise JobError("a resolved error cannot be edited", hint="only open errors are retried")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"retry data is not valid JSON: {exc.msg}", field="data") from None
    if not isinstance(data, dict):
        raise SettingsError("retry data must be a JSON object", field="data")
    entry.data = data
    entry.updated_at = engine.clock.now()
    engine.stores.errors.update(entry)
    return entry


# -- JSON API ------------------------------------------------------------------------------------


class CountersOut(BaseModel):
    exported: int
    success: int
    ignored: int
    errors: int
    pages: int
    retries: int
    resolved: int


class JobOut(BaseModel):
    id: str
    flow_id: str
    kind: Literal["run", "retry"]
    status: Literal["queued", "running", "completed", "failed", "canceled"]
    triggered_by: str
    created_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None
    counters: CountersOut
    message: str | None
    cancel_requested: bool


class FieldMapOut(BaseModel):
    source: str
    target: str
    note: str


class FlowOut(BaseModel):
    id: str
    name: str
    group: str
    description: str
    enabled: bool
    schedule: str | None
    timezone: str
    schedule_label: str
    next_run_at: datetime | None
    open_errors: int
    running: bool
    queued: int
    paused: str | None = Field(
        default=None, description="Why runs wait: a connection of the flow is Offline."
    )
    last_job: JobOut | None
    steps: list[str]
    mapping: list[FieldMapOut]
    settings: dict[str, Any]


class ErrorOut(BaseModel):
    id: str
    flow_id: str
    job_id: str
    key: str
    step: str
    source: str
    state: Literal["open", "resolved"]
    type: str
    message: str
    classification: str
    retryable: bool
    field: str | None
    code: str | None
    status: int | None
    created_at: datetime
    updated_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    retry_count: int
    retry_at: datetime | None
    data: dict[str, Any] | None = None


class FlowPatch(BaseModel):
    """Change a flow: On/Off, schedule (preset or cron; empty string clears), settings."""

    model_config = _STRICT
    enabled: bool | None = None
    schedule: Annotated[str, StringConstraints(max_length=100)] | None = None
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "UTC"
    settings: dict[str, Any] | None = None


class RunRequest(BaseModel):
    model_config = _STRICT
    keys: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default=[], max_length=500, description="On-demand run of just these record ids."
    )


class ErrorSelection(BaseModel):
    """Either ``error_ids`` or a ``flow_id`` (every open error of that flow)."""

    model_config = _STRICT
    error_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(
        default=[], max_length=1000
    )
    flow_id: Id | None = None


class RetryData(BaseModel):
    model_config = _STRICT
    data: dict[str, Any]


class ResolveResult(BaseModel):
    resolved: int


def _flow_out(row: FlowSummary) -> FlowOut:
    return FlowOut.model_validate(flow_view(row))


def _job_out(job: Job) -> JobOut:
    return JobOut.model_validate(job_view(job))


def _error_out(entry: ErrorEntry, with_data: bool = False) -> ErrorOut:
    return ErrorOut.model_validate(error_view(entry, with_data=with_data))


@api.get("/flows", response_model=list[FlowOut])
def api_flows(integration_id: Id, engine: Engine, who: Monitor) -> list[FlowOut]:
    return [_flow_out(r) for r in _summaries(engine, integration_id)]


@api.get("/flows/{flow_id}", response_model=FlowOut, responses={404: {}})
def api_flow(integration_id: Id, flow_id: Id, engine: Engine, who: Monitor) -> FlowOut:
    flow = _flow(engine, integration_id, flow_id)
    [row] = [r for r in engine.overview() if r.flow.id == flow.id]
    return _flow_out(row)


@api.patch("/flows/{flow_id}", response_model=FlowOut, responses={404: {}, 422: {}})
def api_patch_flow(
    integration_id: Id, flow_id: Id, body: FlowPatch, engine: Engine, who: Manage
) -> FlowOut:
    flow = _flow(engine, integration_id, flow_id)
    try:
        if body.settings is not None:
            engine.save_settings(flow.id, body.settings)
        if body.schedule is not None:
            engine.set_schedule(flow.id, body.schedule or None, body.timezone)
        if body.enabled is not None:
            engine.set_enabled(flow.id, body.enabled)
    except FlowError as exc:
        raise HTTPException(422, str(exc)) from None
    return api_flow(integration_id, flow_id, engine, who)


@api.post("/flows/{flow_id}/run", response_model=JobOut, status_code=202, responses={404: {}})
def api_run(
    integration_id: Id,
    flow_id: Id,
    engine: Engine,
    who: Manage,
    body: Annotated[RunRequest | None, Body()] = None,
) -> JobOut:
    flow = _flow(engine, integration_id, flow_id)
    keys = body.keys if body else []
    return _job_out(engine.request_run(flow.id, triggered_by=who.user.email, keys=keys))


@api.get("/jobs", response_model=list[JobOut], responses={404: {}})
def api_jobs(
    integration_id: Id,
    engine: Engine,
    who: Monitor,
    flow_id: Annotated[str | None, Query(max_length=80)] = None,
    status: Literal["queued", "running", "completed", "failed", "canceled"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[JobOut]:
    statuses = [JobStatus(status)] if status else []
    jobs = _jobs(engine, integration_id, limit, flow_id=flow_id, statuses=statuses)
    return [_job_out(j) for j in jobs]


@api.get("/jobs/{job_id}", response_model=JobOut, responses={404: {}})
def api_job(integration_id: Id, job_id: Id, engine: Engine, who: Monitor) -> JobOut:
    return _job_out(_job(engine, integration_id, job_id))


@api.post("/jobs/{job_id}/cancel", response_model=JobOut, responses={404: {}, 409: {}})
def api_cancel(integration_id: Id, job_id: Id, engine: Engine, who: Manage) -> JobOut:
    job = _job(engine, integration_id, job_id)
    try:
        return _job_out(engine.cancel(job.id))
    except JobError as exc:
        raise HTTPException(409, str(exc)) from None


@api.get("/errors", response_model=list[ErrorOut], responses={404: {}})
def api_errors(
    integration_id: Id,
    engine: Engine,
    who: Monitor,
    flow_id: Annotated[str | None, Query(max_length=80)] = None,
    state: Literal["open", "resolved"] = "open",
    job_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ErrorOut]:
    if flow_id is not None:
        _flow(engine, integration_id, flow_id)
    ids = {f.id for f in _flows(engine, integration_id)}
    found = engine.stores.errors.find(
        flow_id=flow_id, state=ErrorState(state), job_id=job_id, limit=limit
    )
    return [_error_out(e) for e in found if e.flow_id in ids]


@api.get("/errors/{error_id}", response_model=ErrorOut, responses={404: {}})
def api_error(integration_id: Id, error_id: Id, engine: Engine, who: Monitor) -> ErrorOut:
    return _error_out(_error(engine, integration_id, error_id), with_data=True)


@api.put("/errors/{error_id}/data", response_model=ErrorOut, responses={404: {}, 409: {}})
def api_edit_data(
    integration_id: Id, error_id: Id, body: RetryData, engine: Engine, who: Manage
) -> ErrorOut:
    entry = _error(engine, integration_id, error_id)
    if not entry.is_open:
        raise HTTPException(409, "a resolved error cannot be edited")
    entry.data = body.data
    entry.updated_at = engine.clock.now()
    engine.stores.errors.update(entry)
    return _error_out(entry, with_data=True)


def _selection(engine: FlowService, integration_id: str, body: ErrorSelection) -> None:
    if not body.error_ids and body.flow_id is None:
        raise HTTPException(422, "give error_ids or flow_id")
    if body.flow_id is not None:
        _flow(engine, integration_id, body.flow_id)
    for error_id in body.error_ids:
        _error(engine, integration_id, error_id)


@api.post("/errors/retry", response_model=list[JobOut], status_code=202, responses={404: {}})
def api_retry(
    integration_id: Id, body: ErrorSelection, engine: Engine, who: Manage
) -> list[JobOut]:
    _selection(engine, integration_id, body)
    try:
        jobs = engine.request_retry(
            flow_id=body.flow_id, error_ids=body.error_ids, triggered_by=who.user.email
        )
    except JobError as exc:
        raise HTTPException(409, str(exc)) from None
    return [_job_out(j) for j in jobs]


@api.post("/errors/resolve", response_model=ResolveResult, responses={404: {}})
def api_resolve(
    integration_id: Id, body: ErrorSelection, engine: Engine, who: Manage
) -> ResolveResult:
    _selection(engine, integration_id, body)
    by = who.user.email
    n = engine.resolve(body.error_ids, by) if body.error_ids else 0
    if body.flow_id is not None and not body.error_ids:
        n = engine.resolve_all(body.flow_id, by)
    return ResolveResult(resolved=n)


router.include_router(pages)
router.include_router(api)

__all__ = ["attach", "engine_of", "router", "shutdown", "startup"]
