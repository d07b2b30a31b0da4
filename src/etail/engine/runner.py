"""Run a flow over pages: every record ends as success, ignored or error; nothing is dropped.

The rules (celigo-jet.md §1.1, §1.7–1.8; DESIGN.md data integrity rules):

* A record that fails becomes an open error that keeps the record's data as it entered the
  failing step, so a retry resumes there; the rest of its page goes on.
* Transient failures (``retryable`` errors) are retried in the run with backoff and jitter
  (:class:`~etail.engine.retries.RetryPolicy`); the ones that stay transient get a time for an
  automatic retry later.
* A newer error or a success of the same record (its *trace key*) resolves the older open errors
  of that record, so re-running a flow never piles up duplicate errors.
* A connection or flow problem (bad credentials, missing permission, bad settings) stops the
  job: every record would fail the same way. The job fails; the delta time is not advanced, so the
  next run exports the same records again.
* Up to ``FlowSpec.concurrency`` records are in flight at once, across page boundaries, so a
  flow can keep a NetSuite connection's concurrency budget busy; memory stays bounded because the
  export is read lazily through a small queue and only counters are kept.
* Cancel is cooperative: records already in flight finish, no new ones start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from etail.engine.flows import FlowSpec
from etail.engine.jobs import Job, JobStatus, new_id
from etail.engine.ports import (
    Clock,
    ErrorStore,
    ExportRequest,
    Import,
    JobStore,
    Progress,
    ProgressCallback,
    Sleeper,
    StateStore,
)
from etail.engine.records import ErrorEntry, ErrorInfo, Outcome, Page, Record, Status
from etail.engine.retries import RetryPolicy

LAST_EXPORT_AT = "last_export_at"
"""StateStore key: start time of the last completed full run (Celigo's lastExportDateTime)."""

_STOPPING_SCOPES = frozenset({"connection", "flow"})


class CancelToken:
    """Set by whoever wants the run to stop; the runner checks it before each record."""

    def __init__(self) -> None:
        self._requested = False

    def set(self) -> None:
        self._requested = True

    @property
    def requested(self) -> bool:
        return self._requested


@dataclass(slots=True)
class _Tracker:
    """Counts the records of one page still in flight."""

    pending: int
    success_keys: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Item:
    record: Record
    tracker: _Tracker
    start: str | None = None  # None: filter, map, then every step; else resume at this step
    entry: ErrorEntry | None = None  # the open error a retry job works on


@dataclass(slots=True)
class _Result:
    outcome: Outcome
    data: dict[str, Any]  # the data as it entered the step that ended the record
    exc: BaseException | None = None


class Runner:
    """Executes claimed jobs (status ``running``) and leaves them completed, failed or canceled."""

    def __init__(
        self,
        *,
        jobs: JobStore,
        errors: ErrorStore,
        state: StateStore,
        clock: Clock,
        sleeper: Sleeper,
        policy: RetryPolicy | None = None,
        heartbeat_every: timedelta = timedelta(seconds=1),
    ) -> None:
        self.jobs = jobs
        self.errors = errors
        self.state = state
        self.clock = clock
        self.sleeper = sleeper
        self.policy = policy or RetryPolicy()
        # Store writes block the event loop (SQLite commits): save progress at most this often.
        self.heartbeat_every = heartbeat_every

    async def run(
        self,
        flow: FlowSpec,
        job: Job,
        settings: Mapping[str, Any] | None = None,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Job:
        """Export and import every record of a ``run`` job; return the finished job."""
        settings = dict(flow.settings if settings is None else settings)
        keys = tuple(str(k) for k in job.params.get("keys", ()))
        request = ExportRequest(
            flow_id=flow.id,
            job_id=job.id,
            since=self._since(flow) if not keys else None,
            keys=keys,
            settings=settings,
        )
        execution = _Execution(self, flow, job, settings, progress, cancel or CancelToken())
        await execution.drive(_pages_to_items(flow.export.pages(request), execution))
        if execution.finish() is JobStatus.COMPLETED and flow.delta and not keys:
            assert job.started_at is not None
            self.state.put(flow.id, LAST_EXPORT_AT, job.started_at.isoformat())
        return job

    async def retry(
        self,
        flow: FlowSpec,
        job: Job,
        entries: Sequence[ErrorEntry],
        settings: Mapping[str, Any] | None = None,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Job:
        """Re-run the import steps of open errors on their kept data (a ``retry`` job)."""
        settings = dict(flow.settings if settings is None else settings)
        execution = _Execution(self, flow, job, settings, progress, cancel or CancelToken())
        await execution.drive(_entries_to_items(entries, execution))
        execution.finish()
        return job

    def _since(self, flow: FlowSpec) -> datetime | None:
        if not flow.delta:
            return None
        value = self.state.get(flow.id, LAST_EXPORT_AT)
        return datetime.fromisoformat(value) if isinstance(value, str) else None


class _Execution:
    """One job's run: a producer feeds a bounded queue, ``concurrency`` workers drain it."""

    def __init__(
        self,
        runner: Runner,
        flow: FlowSpec,
        job: Job,
        settings: dict[str, Any],
        progress: ProgressCallback | None,
        cancel: CancelToken,
    ) -> None:
        self.r = runner
        self.flow = flow
        self.job = job
        self.settings = settings
        self.progress = progress
        self.cancel = cancel
        self.secrets = flow.secret_values()
        # Resolving by trace key costs a statement per page; skip it while nothing can match.
        self.may_resolve = bool(runner.errors.open_counts().get(flow.id))
        self.last_beat = job.started_at or runner.clock.now()
        self.stop: ErrorInfo | None = None  # a job-stopping error (connection or flow scope)
        self.failure: str | None = None  # the export or the engine itself failed

    @property
    def halted(self) -> bool:
        return self.cancel.requested or self.stop is not None or self.failure is not None

    async def drive(self, items: AsyncIterator[_Item]) -> None:
        width = self.flow.concurrency
        queue: asyncio.Queue[_Item | None] = asyncio.Queue(maxsize=width * 2)
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(width):
                    group.create_task(self._worker(queue))
                group.create_task(self._produce(items, queue, width))
        except* Exception as failures:
            info = ErrorInfo.from_exception(failures.exceptions[0], self.secrets)
            self.failure = f"internal error: {info.type}: {info.message}"

    async def _produce(
        self, items: AsyncIterator[_Item], queue: asyncio.Queue[_Item | None], width: int
    ) -> None:
        try:
            async for item in items:
                if self.halted:
                    break
                await queue.put(item)
        except Exception as exc:  # the export failed: the job fails, imported records stay
            info = ErrorInfo.from_exception(exc, self.secrets)
            self.failure = f"export failed: {info.type}: {info.message}"
        finally:
            await _close(items)
        for _ in range(width):  # not in ``finally``: a cancelled producer must not block here
            await queue.put(None)

    async def _worker(self, queue: asyncio.Queue[_Item | None]) -> None:
        while (item := await queue.get()) is not None:
            if self.halted:
                continue  # not started: a cancelled run's records come again next run
            result = await self._process(item)
            self._settle(item, result)

    async def _process(self, item: _Item) -> _Result:
        record = item.record
        first = 0
        if item.start is None or item.start == "map":
            if item.start is None and self.flow.filter is not None:
                try:
                    keep = self.flow.filter(record, self.settings)
                except Exception as exc:
                    return self._failed(record, "map", record.data, exc)
                if not keep:
                    return _Result(Outcome.ignored(record.key, "filtered out"), record.data)
            if self.flow.map is not None:
                try:
                    record = self.flow.map(record, self.settings)
                except Exception as exc:
                    return self._failed(item.record, "map", item.record.data, exc)
        else:
            first = self.flow.step_index(item.start)
        for step in self.flow.imports[first:]:
            entered = record.data
            outcome, raised = await self._call(step, record)
            if outcome.status is not Status.SUCCESS:
                return _Result(outcome.at(step.name), entered, raised)
            if outcome.data is not None:
                record = record.with_data(outcome.data)
        return _Result(Outcome.success(record.key, record.data), record.data)

    async def _call(self, step: Import, record: Record) -> tuple[Outcome, BaseException | None]:
        attempt = 1
        while True:
            error: BaseException | None = None
            try:
                outcome = await step.process(record)
                if outcome.status is not Status.ERROR:
                    return outcome, None
                failure: BaseException | ErrorInfo = outcome.error or ErrorInfo("Error", "failed")
            except Exception as raised:
                error = failure = raised
                outcome = Outcome.failed(record.key, raised, secrets=self.secrets)
            decision = self.r.policy.decide(failure, attempt)
            if not decision.retry or self.halted:
                return outcome, error
            self.job.counters.retries += 1
            await self.r.sleeper.sleep(decision.delay)
            attempt += 1

    def _failed(self, record: Record, step: str, data: dict[str, Any], exc: Exception) -> _Result:
        outcome = Outcome.failed(record.key, exc, secrets=self.secrets).at(step)
        return _Result(outcome, data, exc)

    def _settle(self, item: _Item, result: _Result) -> None:
        counters = self.job.counters
        outcome = result.outcome
        if outcome.status is Status.SUCCESS:
            counters.success += 1
            item.tracker.success_keys.append(outcome.key)
        elif outcome.status is Status.IGNORED:
            counters.ignored += 1
            if outcome.step is not None:  # a step decided there is nothing to do
                item.tracker.success_keys.append(outcome.key)
        else:
            counters.errors += 1
            self._keep_error(item, result)
        if item.entry is not None and outcome.status is not Status.ERROR:
            n = self.r.errors.resolve([item.entry.id], self.job.triggered_by, self.r.clock.now())
            counters.resolved += n
        item.tracker.pending -= 1
        if item.tracker.pending == 0:
            self._page_done(item.tracker)
        self._report()

    def _keep_error(self, item: _Item, result: _Result) -> None:
        info = result.outcome.error
        assert info is not None and result.outcome.step is not None
        now = self.r.clock.now()
        self.may_resolve = True
        if info.scope in _STOPPING_SCOPES and self.stop is None:
            self.stop = info
        entry = item.entry
        if entry is None:
            entry = ErrorEntry(
                id=new_id(),
                flow_id=self.flow.id,
                job_id=self.job.id,
                key=item.record.key,
                step=result.outcome.step,
                data=dict(result.data),
                error=info,
                created_at=now,
                source=item.record.source,
                retry_at=self.r.policy.next_auto_retry(info.retryable, 0, now),
            )
            self.r.errors.add(entry)
        else:
            entry.retry_count += 1
            entry.job_id = self.job.id
            entry.step = result.outcome.step
            entry.data = dict(result.data)
            entry.error = info
            entry.updated_at = now
            entry.retry_at = self.r.policy.next_auto_retry(info.retryable, entry.retry_count, now)
            self.r.errors.update(entry)
        # Only the latest error of a record stays open (Celigo: auto-resolve by trace key).
        self.job.counters.resolved += self.r.errors.resolve_keys(
            self.flow.id, [entry.key], "superseded", now, keep=entry.id
        )

    def _page_done(self, tracker: _Tracker) -> None:
        self.job.counters.pages += 1
        now = self.r.clock.now()
        if tracker.success_keys and self.may_resolve:
            self.job.counters.resolved += self.r.errors.resolve_keys(
                self.flow.id, tracker.success_keys, "auto-resolved", now
            )
        if now - self.last_beat >= self.r.heartbeat_every:
            self.last_beat = self.job.heartbeat_at = now
            if self.r.jobs.heartbeat(self.job):
                self.cancel.set()

    def _report(self, finished: bool = False) -> None:
        if self.progress is None:
            return
        c = self.job.counters
        self.progress(
            Progress(
                job_id=self.job.id,
                flow_id=self.flow.id,
                exported=c.exported,
                done=c.success + c.ignored + c.errors,
                success=c.success,
                ignored=c.ignored,
                errors=c.errors,
                pages=c.pages,
                finished=finished,
            )
        )

    def finish(self) -> JobStatus:
        """Move the job to its final status and store it."""
        message: str | None
        if self.failure is not None:
            status, message = JobStatus.FAILED, self.failure
        elif self.stop is not None:
            status = JobStatus.FAILED
            message = f"stopped: {self.stop.type}: {self.stop.message}"
        elif self.cancel.requested:
            status, message = JobStatus.CANCELED, "canceled on request"
        else:
            status = JobStatus.COMPLETED
            errors = self.job.counters.errors
            message = f"{errors} record error(s)" if errors else None
        self.job.transition(status, self.r.clock.now(), message)
        self.r.jobs.update(self.job, expected=JobStatus.RUNNING)
        self._report(finished=True)
        return status


async def _close(iterator: AsyncIterator[Any]) -> None:
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()


async def _pages_to_items(pages: AsyncIterator[Page], run: _Execution) -> AsyncIterator[_Item]:
    try:
        async for page in pages:
            run.job.counters.exported += len(page)
            tracker = _Tracker(pending=len(page))
            if not page.records:
                run._page_done(tracker)
            for record in page.records:
                yield _Item(record, tracker)
    finally:
        await _close(pages)  # let the export release its HTTP client when a run stops early


async def _entries_to_items(
    entries: Iterable[ErrorEntry], run: _Execution, page_size: int = 20
) -> AsyncIterator[_Item]:
    batch: list[ErrorEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == page_size:
            for item in _batch_items(batch, run):
                yield item
            batch = []
    for item in _batch_items(batch, run):
        yield item


def _batch_items(batch: list[ErrorEntry], run: _Execution) -> list[_Item]:
    if not batch:
        return []
    run.job.counters.exported += len(batch)
    tracker = _Tracker(pending=len(batch))
    return [
        _Item(
            Record(key=e.key, data=dict(e.data), source=e.source),
            tracker,
            start=e.step,
            entry=e,
        )
        for e in batch
    ]


__all__ = ["LAST_EXPORT_AT", "CancelToken", "Runner"]
