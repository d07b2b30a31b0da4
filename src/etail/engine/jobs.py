"""Jobs: one run (or retry run) of a flow, with its state machine, counters and durations.

States follow integrator.io (celigo-jet.md §1.7): ``queued → running → completed | failed |
canceled`` and ``queued → canceled``. A completed job can still have record errors. Only one
job of a flow runs at a time; later runs wait as ``queued`` (celigo-jet.md §1.1).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from etail.errors import JobError


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED})

TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.CANCELED}),
    JobStatus.RUNNING: frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED}),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELED: frozenset(),
}


class JobKind(StrEnum):
    RUN = "run"  # export → import over fresh pages
    RETRY = "retry"  # re-run the import steps of kept error data


def check_transition(current: JobStatus, target: JobStatus) -> None:
    """Raise ``JobError`` unless ``current → target`` is allowed."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (the job has ended)"
        raise JobError(
            f"a job cannot go from {current.value} to {target.value}",
            hint=f"allowed from {current.value}: {allowed}",
        )


@dataclass(slots=True)
class Counters:
    """Celigo's job counters (numExport, numSuccess, numIgnore, numError, numPages...)."""

    exported: int = 0
    success: int = 0
    ignored: int = 0
    errors: int = 0
    pages: int = 0
    retries: int = 0  # automatic in-run retries of transient failures
    resolved: int = 0  # open errors of earlier jobs this job resolved (retried or superseded)

    def to_dict(self) -> dict[str, int]:
        return {
            "exported": self.exported,
            "success": self.success,
            "ignored": self.ignored,
            "errors": self.errors,
            "pages": self.pages,
            "retries": self.retries,
            "resolved": self.resolved,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Counters:
        return cls(**{k: int(v) for k, v in data.items() if k in cls.__slots__})


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(slots=True)
class Job:
    """One run of one flow. Mutate its status only through :meth:`transition`."""

    flow_id: str
    id: str = field(default_factory=new_id)
    kind: JobKind = JobKind.RUN
    status: JobStatus = JobStatus.QUEUED
    triggered_by: str = "user"
    created_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    heartbeat_at: datetime | None = None
    counters: Counters = field(default_factory=Counters)
    message: str | None = None
    cancel_requested: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    def transition(self, target: JobStatus, at: datetime, message: str | None = None) -> None:
        check_transition(self.status, target)
        self.status = target
        if target is JobStatus.RUNNING:
            self.started_at = at
            self.heartbeat_at = at
        elif target.is_final:
            self.ended_at = at
        if message is not None:
            self.message = message

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None:
            return None
        return (self.ended_at or self.heartbeat_at or self.started_at) - self.started_at

    @property
    def is_final(self) -> bool:
        return self.status.is_final


__all__ = [
    "FINAL_STATUSES",
    "TRANSITIONS",
    "Counters",
    "Job",
    "JobKind",
    "JobStatus",
    "check_transition",
    "new_id",
]
