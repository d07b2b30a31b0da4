"""Ports: what the engine needs from the outside world, as ``typing.Protocol`` classes.

Adapters live elsewhere: in-memory ones in :mod:`etail.engine.memory` (for tests and for the
shipped examples), SQLAlchemy ones in ``etail.storage.flow_store``, queues in ``etail.queue``, and
the NetSuite and Jet steps in ``etail.connectors``. Stores are synchronous (a local SQLite or
PostgreSQL round trip); exports and imports are asynchronous because they talk HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from etail.engine.jobs import Job, JobStatus
from etail.engine.records import ErrorEntry, ErrorState, Outcome, Page, Record


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What one run asks of its export.

    Attributes:
        flow_id: The flow being run.
        job_id: The job being run.
        since: Delta exports return only records changed at or after this time (Celigo's
            ``lastExportDateTime``); ``None`` means everything (the first run).
        keys: On-demand runs name the records to export (Celigo's "order ids for on-demand
            sync"); empty means a normal run.
        settings: The flow's current settings (defaults merged with what the user saved).
    """

    flow_id: str
    job_id: str
    since: datetime | None = None
    keys: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Export(Protocol):
    """The page generator of a flow (Celigo's export)."""

    def pages(self, request: ExportRequest) -> AsyncIterator[Page]:
        """Yield pages of records; raising fails the job (nothing after is exported)."""
        ...


@runtime_checkable
class Import(Protocol):
    """One import step of a flow (Celigo's page processor), called once per record.

    Return ``Outcome.success(key, data)`` (``data`` goes on to the next step; ``None`` keeps the
    record's data), ``Outcome.ignored(key, reason)`` (the record stops here, e.g. the order
    already exists), or raise an ``etail.errors`` exception: a retryable one is retried with
    backoff, others make the record an open error. A step must be idempotent (upsert by
    external ID), because a retry or a re-run calls it again with the same data.
    """

    @property
    def name(self) -> str:
        """A short stable name, unique within the flow (it is stored with each error)."""
        ...

    async def process(self, record: Record) -> Outcome:
        """Process one record."""
        ...


class JobStore(Protocol):
    """Jobs, the source of truth for what ran and what waits (the queue only moves ids)."""

    def add(self, job: Job) -> None:
        """Insert a new job."""
        ...

    def get(self, job_id: str) -> Job:
        """The job; ``JobError`` if there is none with that id."""
        ...

    def find(
        self,
        *,
        flow_id: str | None = None,
        statuses: Sequence[JobStatus] = (),
        limit: int = 50,
        offset: int = 0,
    ) -> list[Job]:
        """Jobs, newest first."""
        ...

    def claim(self, job_id: str, now: datetime) -> Job | None:
        """Atomically move ``job_id`` from queued to running, if it is the oldest queued job of
        its flow and no job of that flow runs; otherwise ``None`` (it keeps waiting)."""
        ...

    def next_queued(self, flow_id: str) -> Job | None:
        """The oldest queued job of a flow."""
        ...

    def update(self, job: Job, *, expected: JobStatus) -> None:
        """Write ``job`` (status, times, counters, message) if its stored status is still
        ``expected``; else ``JobError`` (someone else moved it)."""
        ...

    def heartbeat(self, job: Job) -> bool:
        """Save counters and heartbeat time of a running job; return whether a cancel was
        requested meanwhile."""
        ...

    def request_cancel(self, job_id: str) -> Job:
        """Flag a job for cooperative cancel and return it."""
        ...


class ErrorStore(Protocol):
    """Per-record errors with their retry data (celigo-jet.md §1.8)."""

    def add(self, entry: ErrorEntry) -> None:
        """Insert a new error."""
        ...

    def get(self, error_id: str) -> ErrorEntry:
        """The error; ``JobError`` if there is none with that id."""
        ...

    def find(
        self,
        *,
        flow_id: str | None = None,
        state: ErrorState | None = None,
        job_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ErrorEntry]:
        """Errors, newest first."""
        ...

    def open_counts(self) -> dict[str, int]:
        """Number of open errors per flow id."""
        ...

    def update(self, entry: ErrorEntry) -> None:
        """Write the entry back (state, error, data, retry bookkeeping)."""
        ...

    def resolve(self, ids: Sequence[str], by: str, at: datetime) -> int:
        """Resolve the open ones among ``ids``; return how many changed."""
        ...

    def resolve_keys(
        self, flow_id: str, keys: Sequence[str], by: str, at: datetime, keep: str | None = None
    ) -> int:
        """Resolve every open error of ``flow_id`` whose trace key is in ``keys``, except the
        error ``keep``; return how many changed (one statement per page, not per record)."""
        ...

    def due_retries(self, now: datetime, limit: int = 100) -> list[ErrorEntry]:
        """Open errors whose automatic retry time has come, oldest first."""
        ...

    def take_due(self, error_id: str, now: datetime) -> bool:
        """Clear the retry time of an open error whose retry is due; ``True`` for the one
        caller that did it (two schedulers never queue the same automatic retry)."""
        ...


class StateStore(Protocol):
    """Small JSON values per flow kept between runs (last export time, cursors)."""

    def get(self, flow_id: str, key: str) -> Any:
        """The stored value or ``None``."""
        ...

    def put(self, flow_id: str, key: str, value: Any) -> None:
        """Store a JSON-serialisable value."""
        ...


@dataclass(slots=True)
class FlowConfig:
    """What a user changes about a flow: On/Off, schedule, settings overrides."""

    flow_id: str
    enabled: bool = False
    schedule: str | None = None
    timezone: str = "UTC"
    next_run_at: datetime | None = None
    settings: dict[str, Any] = field(default_factory=dict)


class FlowConfigStore(Protocol):
    """Per-flow configuration (enabled, schedule, next run, saved settings)."""

    def get(self, flow_id: str) -> FlowConfig | None:
        """The saved configuration or ``None``."""
        ...

    def put(self, config: FlowConfig) -> None:
        """Insert or replace."""
        ...

    def all(self) -> list[FlowConfig]:
        """Every saved configuration."""
        ...

    def advance(self, flow_id: str, expected: datetime | None, next_run_at: datetime) -> bool:
        """Set ``next_run_at`` only if it is still ``expected``; ``True`` for the one caller
        that moved it (two schedulers never start the same scheduled run)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class Sleeper(Protocol):
    async def sleep(self, seconds: float) -> None:
        """Wait (the in-memory adapter only records the delay)."""
        ...


class JobQueue(Protocol):
    """Moves job ids to whoever executes them (in-process runner, Celery worker)."""

    def submit(self, job_id: str) -> None:
        """Ask for ``job_id`` to be executed; the state stays in the JobStore."""
        ...


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of a running job for progress bars."""

    job_id: str
    flow_id: str
    exported: int
    done: int
    success: int
    ignored: int
    errors: int
    pages: int
    finished: bool = False


ProgressCallback = Callable[[Progress], None]

__all__ = [
    "Clock",
    "ErrorStore",
    "Export",
    "ExportRequest",
    "FlowConfig",
    "FlowConfigStore",
    "Import",
    "JobQueue",
    "JobStore",
    "Progress",
    "ProgressCallback",
    "Sleeper",
    "StateStore",
]
