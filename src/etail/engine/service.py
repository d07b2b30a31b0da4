"""The engine's one entry point for pages, API, CLI and workers: run, retry, resolve, schedule.

State lives in the stores; the queue only moves job ids (python-style.md §3.5), so any process
(the in-process runner, a Celery worker, the CLI) can execute a job by id. One job of a flow runs
at a time; a job requested while another runs waits as ``queued`` and is submitted when the
running one ends (celigo-jet.md §1.1).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from etail.engine.clocks import AsyncioSleeper, SystemClock
from etail.engine.flows import FlowRegistry, FlowSpec
from etail.engine.jobs import Job, JobKind, JobStatus
from etail.engine.ports import (
    Clock,
    ErrorStore,
    FlowConfig,
    FlowConfigStore,
    JobQueue,
    JobStore,
    ProgressCallback,
    Sleeper,
    StateStore,
)
from etail.engine.records import ErrorEntry, ErrorState
from etail.engine.retries import RetryPolicy
from etail.engine.runner import LAST_EXPORT_AT, CancelToken, Runner
from etail.engine.schedules import Schedule
from etail.errors import EtailError, FlowError, JobError, SettingsError

AUTO_RETRY = "auto-retry"
SCHEDULE = "schedule"
PAUSED = "paused: "
"""Prefix of the message of a queued job held back while its flow is paused."""

Gate = Callable[[str], str | None]
"""flow id -> why the flow is paused now (its connection is Offline), or ``None`` to run it."""


@dataclass(frozen=True, slots=True)
class Stores:
    """The four stores the engine keeps its state in."""

    jobs: JobStore
    errors: ErrorStore
    state: StateStore
    configs: FlowConfigStore


@dataclass(frozen=True, slots=True)
class FlowSummary:
    """One row of the flows table (Name, Errors, Last run, Mapping, Schedule, Settings, On/Off)."""

    flow: FlowSpec
    config: FlowConfig
    open_errors: int
    last_job: Job | None
    running: bool
    queued: int
    paused: str | None = None  # why runs wait (a connection is Offline); None when they run

    @property
    def schedule_label(self) -> str:
        if not self.config.schedule:
            return "Not scheduled"
        return Schedule.parse(self.config.schedule, self.config.timezone).label


class _NoQueue:
    def submit(self, job_id: str) -> None:
        """Jobs wait until someone calls ``execute``."""


class FlowService:
    """Runs flows of a registry against a set of stores."""

    def __init__(
        self,
        flows: FlowRegistry,
        stores: Stores,
        *,
        queue: JobQueue | None = None,
        clock: Clock | None = None,
        sleeper: Sleeper | None = None,
        policy: RetryPolicy | None = None,
        stale_after: timedelta = timedelta(minutes=15),
        gate: Gate | None = None,
    ) -> None:
        self.flows = flows
        self.stores = stores
        self.queue: JobQueue = queue or _NoQueue()
        self.clock: Clock = clock or SystemClock()
        self.policy = policy or RetryPolicy()
        self.stale_after = stale_after
        # celigo-jet.md §1.4: flows whose connection is Offline pause; the gate says which.
        self.gate = gate
        self.runner = Runner(
            jobs=stores.jobs,
            errors=stores.errors,
            state=stores.state,
            clock=self.clock,
            sleeper=sleeper or AsyncioSleeper(),
            policy=self.policy,
        )
        self._tokens: dict[str, CancelToken] = {}

    # -- configuration -----------------------------------------------------------------------

    def config(self, flow_id: str) -> FlowConfig:
        flow = self.flows.get(flow_id)
        return self.stores.configs.get(flow_id) or FlowConfig(flow.id, schedule=flow.schedule)

    def settings(self, flow_id: str) -> dict[str, Any]:
        """The flow's defaults overlaid with what the user saved."""
        return {**self.flows.get(flow_id).settings, **self.config(flow_id).settings}

    def set_enabled(self, flow_id: str, enabled: bool) -> FlowConfig:
        cfg = self.config(flow_id)
        cfg.enabled = enabled
        cfg.next_run_at = self._next_run(cfg) if enabled else None
        self.stores.configs.put(cfg)
        return cfg

    def set_schedule(self, flow_id: str, schedule: str | None, timezone: str = "UTC") -> FlowConfig:
        """Set a preset or cron schedule (``None`` or empty: run on demand only)."""
        cfg = self.config(flow_id)
        if schedule:
            parsed = Schedule.parse(schedule, timezone)
            cfg.schedule, cfg.timezone = parsed.expression, parsed.timezone
        else:
            cfg.schedule, cfg.timezone = None, timezone
        cfg.next_run_at = self._next_run(cfg) if cfg.enabled else None
        self.stores.configs.put(cfg)
        return cfg

    def save_settings(self, flow_id: str, values: Mapping[str, Any]) -> FlowConfig:
        """Save settings overrides; keys must be settings the flow declares."""
        flow = self.flows.get(flow_id)
        unknown = sorted(set(values) - set(flow.settings))
        if unknown:
            raise FlowError(
                f"flow {flow_id} has no setting(s) {', '.join(unknown)}",
                hint=f"known settings: {', '.join(flow.settings) or 'none'}",
            )
        for name, value in values.items():
            _check_setting(flow_id, name, flow.settings[name], value)
        cfg = self.config(flow_id)
        cfg.settings = {**cfg.settings, **values}
        self.stores.configs.put(cfg)
        return cfg

    def _next_run(self, cfg: FlowConfig) -> datetime | None:
        if not cfg.schedule:
            return None
        return Schedule.parse(cfg.schedule, cfg.timezone).next_run(self.clock.now())

    def paused(self, flow_id: str) -> str | None:
        """Why runs of ``flow_id`` wait now (e.g. "NetSuite connection Offline - ..."), or None."""
        return self.gate(flow_id) if self.gate is not None else None

    def resume(self, flow_ids: Sequence[str] | None = None) -> list[str]:
        """Submit the oldest queued job of every flow no longer paused (a connection came back
        Online); their later jobs follow one by one as usual. Returns the submitted job ids."""
        submitted = []
        for flow_id in flow_ids if flow_ids is not None else [f.id for f in self.flows]:
            if flow_id not in self.flows or self.paused(flow_id) is not None:
                continue
            nxt = self.stores.jobs.next_queued(flow_id)
            if nxt is not None:
                self.queue.submit(nxt.id)
                submitted.append(nxt.id)
        return submitted

    # -- requesting work ---------------------------------------------------------------------

    def request_run(
        self, flow_id: str, *, triggered_by: str = "user", keys: Sequence[str] = ()
    ) -> Job:
        """Queue a run of a flow (``keys``: an on-demand run of just those records)."""
        self.flows.get(flow_id)
        params: dict[str, Any] = {"keys": [str(k) for k in keys]} if keys else {}
        return self._enqueue(Job(flow_id=flow_id, triggered_by=triggered_by, params=params))

    def request_retry(
        self,
        *,
        flow_id: str | None = None,
        error_ids: Sequence[str] = (),
        triggered_by: str = "user",
    ) -> list[Job]:
        """Queue retry jobs for the given open errors, or every open error of ``flow_id``.

        One retry job per flow; resolved errors cannot be retried (celigo-jet.md §1.8).
        """
        by_flow = self._open_errors_by_flow(flow_id, error_ids)
        jobs = []
        for fid, ids in by_flow.items():
            job = Job(flow_id=fid, kind=JobKind.RETRY, triggered_by=triggered_by)
            job.params = {"error_ids": ids}
            jobs.append(self._enqueue(job))
        return jobs

    def _open_errors_by_flow(
        self, flow_id: str | None, error_ids: Sequence[str]
    ) -> dict[str, list[str]]:
        if error_ids:
            entries = [self.stores.errors.get(i) for i in error_ids]
            closed = [e.id for e in entries if not e.is_open]
            if closed:
                raise JobError(
                    f"error(s) {', '.join(closed)} are resolved and cannot be retried",
                    hint="only open errors can be retried",
                )
        elif flow_id is not None:
            self.flows.get(flow_id)
            entries = self._all_open(flow_id)
        else:
            raise JobError("nothing to retry", hint="name error ids or a flow")
        grouped: dict[str, list[str]] = {}
        for e in entries:
            grouped.setdefault(e.flow_id, []).append(e.id)
        return grouped

    def _all_open(self, flow_id: str) -> list[ErrorEntry]:
        found: list[ErrorEntry] = []
        while batch := self.stores.errors.find(
            flow_id=flow_id, state=ErrorState.OPEN, limit=500, offset=len(found)
        ):
            found.extend(batch)
        return found

    def _enqueue(self, job: Job) -> Job:
        job.created_at = self.clock.now()
        self.stores.jobs.add(job)
        try:
            self.queue.submit(job.id)
        except EtailError as exc:
            # The queue could not take it (a broker down): end the job visibly rather than
            # leave a queued job that nothing will start and that holds later runs back.
            job.transition(JobStatus.CANCELED, self.clock.now(), f"not started: {exc}")
            self.stores.jobs.update(job, expected=JobStatus.QUEUED)
            raise
        return job

    def resolve(self, error_ids: Sequence[str], by: str) -> int:
        for error_id in error_ids:
            self.stores.errors.get(error_id)  # unknown ids are a mistake worth reporting
        return self.stores.errors.resolve(list(error_ids), by, self.clock.now())

    def resolve_all(self, flow_id: str, by: str) -> int:
        ids = [e.id for e in self._all_open(flow_id)]
        return self.stores.errors.resolve(ids, by, self.clock.now())

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued job now, or ask a running one to stop after its records in flight."""
        job = self.stores.jobs.get(job_id)
        if job.status is JobStatus.QUEUED:
            job.transition(JobStatus.CANCELED, self.clock.now(), "canceled before it started")
            self.stores.jobs.update(job, expected=JobStatus.QUEUED)
            return job
        if job.status is JobStatus.CANCELED:
            return job
        if job.status is not JobStatus.RUNNING:
            raise JobError(f"job {job_id} has already ended ({job.status.value})")
        if job_id in self._tokens:
            self._tokens[job_id].set()
        return self.stores.jobs.request_cancel(job_id)

    # -- executing ---------------------------------------------------------------------------

    async def execute(self, job_id: str, *, progress: ProgressCallback | None = None) -> Job:
        """Run a queued job if its turn has come; otherwise leave it waiting and return it.

        A job of a paused flow also waits, its message saying why; :meth:`resume` submits it.
        """
        waiting = self._hold_if_paused(job_id)
        if waiting is not None:
            return waiting
        job = self.stores.jobs.claim(job_id, self.clock.now())
        if job is None:
            return self.stores.jobs.get(job_id)
        if job.message and job.message.startswith(PAUSED):
            job.message = None  # it runs now; the final status writes its own message
        token = self._tokens[job.id] = CancelToken()
        try:
            return await self._run_claimed(job, progress, token)
        except asyncio.CancelledError:
            self._interrupted(job.id)
            raise
        finally:
            self._tokens.pop(job.id, None)
            self._submit_next(job.flow_id)

    def _hold_if_paused(self, job_id: str) -> Job | None:
        job = self.stores.jobs.get(job_id)
        if job.status is not JobStatus.QUEUED:
            return None
        reason = self.paused(job.flow_id)
        if reason is None:
            return None
        message = PAUSED + reason
        if job.message != message:
            job.message = message
            with contextlib.suppress(JobError):  # it was canceled meanwhile
                self.stores.jobs.update(job, expected=JobStatus.QUEUED)
        return job

    async def _run_claimed(
        self, job: Job, progress: ProgressCallback | None, token: CancelToken
    ) -> Job:
        try:
            flow = self.flows.get(job.flow_id)
            settings = self.settings(job.flow_id)
            if job.kind is JobKind.RETRY:
                entries = self._retry_entries(job)
                return await self.runner.retry(
                    flow, job, entries, settings, progress=progress, cancel=token
                )
            return await self.runner.run(flow, job, settings, progress=progress, cancel=token)
        except FlowError as exc:
            job.transition(JobStatus.FAILED, self.clock.now(), f"flow error: {exc}")
            self.stores.jobs.update(job, expected=JobStatus.RUNNING)
            return job

    def _interrupted(self, job_id: str) -> None:
        """The process is stopping under a running job: end it as canceled, not stuck running."""
        job = self.stores.jobs.get(job_id)
        if job.status is JobStatus.RUNNING:
            job.transition(JobStatus.CANCELED, self.clock.now(), "interrupted: the runner stopped")
            with contextlib.suppress(JobError):
                self.stores.jobs.update(job, expected=JobStatus.RUNNING)

    def _retry_entries(self, job: Job) -> list[ErrorEntry]:
        ids = [str(i) for i in job.params.get("error_ids", [])]
        entries = [self.stores.errors.get(i) for i in ids]
        return [e for e in entries if e.is_open]  # resolved meanwhile: nothing to do

    def _submit_next(self, flow_id: str) -> None:
        nxt = self.stores.jobs.next_queued(flow_id)
        if nxt is not None:
            self.queue.submit(nxt.id)

    # -- the scheduler tick ------------------------------------------------------------------

    def tick(self) -> list[Job]:
        """Run due schedules and due automatic retries; recover jobs whose process died.

        Call it about once a minute (flows run at most once a minute; celigo-jet.md §1.6). A due
        flow that still has a job waiting is not queued twice: missed runs are skipped.
        """
        now = self.clock.now()
        self.recover_stale()
        self._resume_held()
        started = [*self._due_schedules(now), *self._due_retries(now)]
        return started

    def _resume_held(self) -> None:
        """Submit again the jobs a pause held whose flow may run now (no process may have told
        this one that the connection came back Online)."""
        for flow in self.flows:
            nxt = self.stores.jobs.next_queued(flow.id)
            if nxt is None or not (nxt.message or "").startswith(PAUSED):
                continue
            if self.paused(flow.id) is None:
                self.queue.submit(nxt.id)

    def _due_schedules(self, now: datetime) -> list[Job]:
        jobs = []
        for cfg in self.stores.configs.all():
            if cfg.flow_id not in self.flows or not cfg.enabled or not cfg.schedule:
                continue
            due = cfg.next_run_at is not None and cfg.next_run_at <= now
            if cfg.next_run_at is not None and not due:
                continue
            nxt = Schedule.parse(cfg.schedule, cfg.timezone).next_run(now)
            # Compare-and-set: of several schedulers (processes), one moves the time and runs.
            if not self.stores.configs.advance(cfg.flow_id, cfg.next_run_at, nxt) or not due:
                continue
            if self.paused(cfg.flow_id) is not None:
                continue  # a paused flow's scheduled runs are skipped like missed ones
            if self.stores.jobs.next_queued(cfg.flow_id) is None:
                jobs.append(self.request_run(cfg.flow_id, triggered_by=SCHEDULE))
        return jobs

    def _due_retries(self, now: datetime) -> list[Job]:
        due: dict[str, list[ErrorEntry]] = {}
        runnable: dict[str, bool] = {}
        for entry in self.stores.errors.due_retries(now, limit=1000):
            flow_id = entry.flow_id
            if flow_id not in runnable:  # a paused flow's retries wait, still due
                runnable[flow_id] = (
                    flow_id in self.flows
                    and self.config(flow_id).enabled
                    and self.paused(flow_id) is None
                )
            if runnable[flow_id]:
                due.setdefault(flow_id, []).append(entry)
        jobs = []
        for flow_id, entries in due.items():
            # Taken (once, whatever the number of schedulers); a failed retry sets a new time.
            taken = [e.id for e in entries if self.stores.errors.take_due(e.id, now)]
            if taken:
                job = Job(flow_id=flow_id, kind=JobKind.RETRY, triggered_by=AUTO_RETRY)
                job.params = {"error_ids": taken}
                jobs.append(self._enqueue(job))
        return jobs

    def recover_stale(self, stale_after: timedelta | None = None) -> list[Job]:
        """Fail running jobs whose heartbeat stopped (their process died or was killed).

        Their records are not lost: the delta time only moves on a completed run, so the next
        run exports them again, and every import step is an idempotent upsert.
        """
        limit = self.stale_after if stale_after is None else stale_after
        now = self.clock.now()
        recovered = []
        for job in self.stores.jobs.find(statuses=[JobStatus.RUNNING], limit=1000):
            beat = job.heartbeat_at or job.started_at
            if job.id in self._tokens or beat is None or now - beat < limit:
                continue
            job.transition(JobStatus.FAILED, now, "interrupted: no heartbeat from its process")
            try:
                self.stores.jobs.update(job, expected=JobStatus.RUNNING)
            except JobError:
                continue  # it ended meanwhile
            recovered.append(job)
            self._submit_next(job.flow_id)
        return recovered

    # -- reading -----------------------------------------------------------------------------

    def overview(self) -> list[FlowSummary]:
        counts = self.stores.errors.open_counts()
        rows = []
        for flow in self.flows:
            recent = self.stores.jobs.find(flow_id=flow.id, limit=20)
            finished = [j for j in recent if j.status is not JobStatus.QUEUED]
            rows.append(
                FlowSummary(
                    flow=flow,
                    config=self.config(flow.id),
                    open_errors=counts.get(flow.id, 0),
                    last_job=finished[0] if finished else None,
                    running=any(j.status is JobStatus.RUNNING for j in recent),
                    queued=sum(j.status is JobStatus.QUEUED for j in recent),
                    paused=self.paused(flow.id),
                )
            )
        return rows

    def last_export_at(self, flow_id: str) -> datetime | None:
        value = self.stores.state.get(flow_id, LAST_EXPORT_AT)
        return datetime.fromisoformat(value) if isinstance(value, str) else None


def _check_setting(flow_id: str, name: str, default: Any, value: Any) -> None:
    """A saved setting keeps the type of its default (a checkbox stays a bool, and so on)."""
    if default is None or (value is None and isinstance(default, str)):
        return
    kinds: tuple[type, ...]
    if isinstance(default, bool):
        kinds, label = (bool,), "true or false"
    elif isinstance(default, int | float):
        kinds, label = (int, float), "a number"
    elif isinstance(default, dict):
        kinds, label = (dict,), "an object"
    elif isinstance(default, list):
        kinds, label = (list,), "a list"
    else:
        kinds, label = (str,), "text"
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise SettingsError(
            f"flow {flow_id}: setting {name} must be {label}",
            field=name,
            hint=f"for example {default!r}",
        )


__all__ = ["AUTO_RETRY", "PAUSED", "SCHEDULE", "FlowService", "FlowSummary", "Gate", "Stores"]
