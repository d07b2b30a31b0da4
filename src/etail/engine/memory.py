"""In-memory adapters for every port (dramatiq's ``stub`` idea): tests, examples, the demo.

They keep the same rules as the SQL adapters (one running job per flow, compare-and-set status
updates, newest-first lists) so the engine's tests hold for both. They are thread-safe so the
in-process runner can use them from its worker thread.
"""

from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from etail.engine.jobs import Job, JobStatus
from etail.engine.ports import ExportRequest, FlowConfig
from etail.engine.records import ErrorEntry, ErrorState, Outcome, Page, Record
from etail.errors import JobError


class MemoryJobStore:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._order: list[str] = []
        self._lock = threading.RLock()

    def add(self, job: Job) -> None:
        with self._lock:
            if job.id in self._jobs:
                raise JobError(f"job {job.id} exists already")
            self._jobs[job.id] = copy.deepcopy(job)
            self._order.append(job.id)

    def get(self, job_id: str) -> Job:
        with self._lock:
            try:
                return copy.deepcopy(self._jobs[job_id])
            except KeyError:
                raise JobError(f"no job {job_id!r}", hint="list jobs with `etail jobs`") from None

    def find(
        self,
        *,
        flow_id: str | None = None,
        statuses: Sequence[JobStatus] = (),
        limit: int = 50,
        offset: int = 0,
    ) -> list[Job]:
        with self._lock:
            jobs = [self._jobs[i] for i in reversed(self._order)]
            jobs = [
                j
                for j in jobs
                if (flow_id is None or j.flow_id == flow_id)
                and (not statuses or j.status in statuses)
            ]
            return [copy.deepcopy(j) for j in jobs[offset : offset + limit]]

    def claim(self, job_id: str, now: datetime) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.status is not JobStatus.QUEUED:
                return None
            if any(
                j.flow_id == job.flow_id and j.status is JobStatus.RUNNING
                for j in self._jobs.values()
            ):
                return None
            first = self.next_queued(job.flow_id)
            if first is None or first.id != job_id:
                return None
            job.transition(JobStatus.RUNNING, now)
            return copy.deepcopy(job)

    def next_queued(self, flow_id: str) -> Job | None:
        with self._lock:
            for job_id in self._order:
                job = self._jobs[job_id]
                if job.flow_id == flow_id and job.status is JobStatus.QUEUED:
                    return copy.deepcopy(job)
            return None

    def update(self, job: Job, *, expected: JobStatus) -> None:
        with self._lock:
            stored = self._jobs.get(job.id)
            if stored is None or stored.status is not expected:
                now = "missing" if stored is None else stored.status.value
                raise JobError(f"job {job.id} is no longer {expected.value} ({now}); not saved")
            saved = copy.deepcopy(job)
            saved.cancel_requested = stored.cancel_requested or job.cancel_requested
            self._jobs[job.id] = saved

    def heartbeat(self, job: Job) -> bool:
        with self._lock:
            stored = self._jobs[job.id]
            stored.counters = copy.deepcopy(job.counters)
            stored.heartbeat_at = job.heartbeat_at
            return stored.cancel_requested

    def request_cancel(self, job_id: str) -> Job:
        with self._lock:
            if job_id not in self._jobs:
                raise JobError(f"no job {job_id!r}", hint="list jobs with `etail jobs`")
            self._jobs[job_id].cancel_requested = True
            return copy.deepcopy(self._jobs[job_id])


class MemoryErrorStore:
    def __init__(self) -> None:
        self._errors: dict[str, ErrorEntry] = {}
        self._lock = threading.RLock()

    def add(self, entry: ErrorEntry) -> None:
        with self._lock:
            self._errors[entry.id] = copy.deepcopy(entry)

    def get(self, error_id: str) -> ErrorEntry:
        with self._lock:
            try:
                return copy.deepcopy(self._errors[error_id])
            except KeyError:
                raise JobError(
                    f"no error {error_id!r}", hint="list errors with `etail errors list`"
                ) from None

    def find(
        self,
        *,
        flow_id: str | None = None,
        state: ErrorState | None = None,
        job_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ErrorEntry]:
        with self._lock:
            found = [
                e
                for e in reversed(self._errors.values())
                if (flow_id is None or e.flow_id == flow_id)
                and (state is None or e.state is state)
                and (job_id is None or e.job_id == job_id)
            ]
            return [copy.deepcopy(e) for e in found[offset : offset + limit]]

    def open_counts(self) -> dict[str, int]:
        with self._lock:
            counts: dict[str, int] = {}
            for e in self._errors.values():
                if e.is_open:
                    counts[e.flow_id] = counts.get(e.flow_id, 0) + 1
            return counts

    def update(self, entry: ErrorEntry) -> None:
        with self._lock:
            if entry.id not in self._errors:
                raise JobError(f"no error {entry.id!r}")
            self._errors[entry.id] = copy.deepcopy(entry)

    def resolve(self, ids: Sequence[str], by: str, at: datetime) -> int:
        with self._lock:
            return sum(self._resolve(self._errors[i], by, at) for i in ids if i in self._errors)

    def resolve_keys(
        self, flow_id: str, keys: Sequence[str], by: str, at: datetime, keep: str | None = None
    ) -> int:
        wanted = set(keys)
        with self._lock:
            return sum(
                self._resolve(e, by, at)
                for e in self._errors.values()
                if e.flow_id == flow_id and e.key in wanted and e.id != keep
            )

    def due_retries(self, now: datetime, limit: int = 100) -> list[ErrorEntry]:
        with self._lock:
            due = [
                e
                for e in self._errors.values()
                if e.is_open and e.retry_at is not None and e.retry_at <= now
            ]
            due.sort(key=lambda e: e.retry_at or now)
            return [copy.deepcopy(e) for e in due[:limit]]

    def take_due(self, error_id: str, now: datetime) -> bool:
        with self._lock:
            entry = self._errors.get(error_id)
            if entry is None or not entry.is_open or entry.retry_at is None:
                return False
            if entry.retry_at > now:
                return False
            entry.retry_at = None
            return True

    @staticmethod
    def _resolve(entry: ErrorEntry, by: str, at: datetime) -> int:
        if not entry.is_open:
            return 0
        entry.state = ErrorState.RESOLVED
        entry.resolved_at = at
        entry.resolved_by = by
        entry.retry_at = None
        return 1


class MemoryStateStore:
    def __init__(self) -> None:
        self._values: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, flow_id: str, key: str) -> Any:
        with self._lock:
            return copy.deepcopy(self._values.get((flow_id, key)))

    def put(self, flow_id: str, key: str, value: Any) -> None:
        with self._lock:
            self._values[(flow_id, key)] = copy.deepcopy(value)


class MemoryFlowConfigStore:
    def __init__(self) -> None:
        self._configs: dict[str, FlowConfig] = {}
        self._lock = threading.Lock()

    def get(self, flow_id: str) -> FlowConfig | None:
        with self._lock:
            found = self._configs.get(flow_id)
            return copy.deepcopy(found) if found else None

    def put(self, config: FlowConfig) -> None:
        with self._lock:
            self._configs[config.flow_id] = copy.deepcopy(config)

    def all(self) -> list[FlowConfig]:
        with self._lock:
            return [copy.deepcopy(c) for c in self._configs.values()]

    def advance(self, flow_id: str, expected: datetime | None, next_run_at: datetime) -> bool:
        with self._lock:
            cfg = self._configs.get(flow_id)
            if cfg is None or cfg.next_run_at != expected:
                return False
            cfg.next_run_at = next_run_at
            return True


class FakeClock:
    """A clock that only moves when told to (``advance``) or when a RecordingSleeper sleeps."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        self._now += timedelta(seconds=seconds, **delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


class RecordingSleeper:
    """Records each delay and moves a FakeClock instead of waiting."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.delays: list[float] = []
        self.clock = clock

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.clock is not None:
            self.clock.advance(seconds)
        await asyncio.sleep(0)


class CollectingQueue:
    """A JobQueue that only remembers the submitted ids (the caller decides when to run them)."""

    def __init__(self) -> None:
        self.submitted: list[str] = []
        self._lock = threading.Lock()

    def submit(self, job_id: str) -> None:
        with self._lock:
            self.submitted.append(job_id)

    def take(self) -> list[str]:
        with self._lock:
            taken, self.submitted = self.submitted, []
            return taken


@dataclass
class ListExport:
    """Exports records from a list in pages; honours ``since`` (``modified_at``) and ``keys``."""

    records: list[Record]
    page_size: int = 20
    requests: list[ExportRequest] = field(default_factory=list)

    async def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        self.requests.append(request)
        chosen = [r for r in self.records if _wanted(r, request)]
        for index, start in enumerate(range(0, len(chosen), self.page_size)):
            await asyncio.sleep(0)
            yield Page.of(chosen[start : start + self.page_size], index)


def _wanted(record: Record, request: ExportRequest) -> bool:
    if request.keys:
        return record.key in request.keys
    if request.since is None or record.modified_at is None:
        return True
    return record.modified_at >= request.since


StepFunction = Callable[[Record], Awaitable[Outcome | dict[str, Any] | None]]


@dataclass
class FunctionImport:
    """An import step from an async function. The function returns an Outcome, a dict (the new
    data: success) or None (success, data unchanged), or raises an ``etail.errors`` exception."""

    name: str
    fn: StepFunction
    calls: list[str] = field(default_factory=list)

    async def process(self, record: Record) -> Outcome:
        self.calls.append(record.key)
        result = await self.fn(record)
        if isinstance(result, Outcome):
            return result
        return Outcome.success(record.key, result)


@dataclass
class MemoryTarget:
    """An idempotent destination for tests: upserts by record key, like NetSuite's external ID."""

    name: str = "upsert"
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: int = 0

    async def process(self, record: Record) -> Outcome:
        await asyncio.sleep(0)
        self.writes += 1
        internal_id = self.rows.get(record.key, {}).get("id", str(len(self.rows) + 1))
        self.rows[record.key] = {**record.data, "id": internal_id}
        return Outcome.success(record.key, {**record.data, "internal_id": internal_id})


def records(n: int, *, start: int = 1, source: str = "memory", **data: Any) -> list[Record]:
    """``n`` simple records keyed ``"1"``, ``"2"``... (test and example helper)."""
    return [
        Record(key=str(i), data={"n": i, **data}, source=source) for i in range(start, start + n)
    ]


def stamped(items: Iterable[Record], at: datetime) -> list[Record]:
    return [replace(r, modified_at=at) for r in items]


__all__ = [
    "CollectingQueue",
    "FakeClock",
    "FunctionImport",
    "ListExport",
    "MemoryErrorStore",
    "MemoryFlowConfigStore",
    "MemoryJobStore",
    "MemoryStateStore",
    "MemoryTarget",
    "RecordingSleeper",
    "records",
    "stamped",
]
