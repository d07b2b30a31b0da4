"""SQLAlchemy adapters of the engine's stores (jobs, errors, state, flow configs).

Each call is one short transaction, so the stores are safe to share between threads and
processes: the database is the source of truth and the queue only moves job ids
(python-style.md §3.5). Claiming a job is one conditional ``UPDATE`` that works the same on SQLite
(≥ 3.35) and PostgreSQL; the partial unique index ``uq_flow_jobs_one_running`` backs it up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from etail.engine.jobs import Counters, Job, JobKind, JobStatus
from etail.engine.ports import FlowConfig
from etail.engine.records import Classification, ErrorEntry, ErrorInfo, ErrorState
from etail.engine.service import Stores
from etail.errors import JobError
from etail.storage.db import session_factory
from etail.storage.flow_models import FlowConfigRow, FlowErrorRow, FlowJobRow, FlowStateRow

_COUNTERS = ("exported", "success", "ignored", "errors", "pages", "retries", "resolved")


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else None


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    """Record data as JSON keeps it: dates and decimals become strings instead of failing."""
    result: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return result


class _Sql:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()


# -- jobs ------------------------------------------------------------------------------------


def _job(row: FlowJobRow) -> Job:
    return Job(
        flow_id=row.flow_id,
        id=row.id,
        kind=JobKind(row.kind),
        status=JobStatus(row.status),
        triggered_by=row.triggered_by,
        created_at=row.created_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        heartbeat_at=row.heartbeat_at,
        counters=Counters(**{name: getattr(row, name) for name in _COUNTERS}),
        message=row.message,
        cancel_requested=row.cancel_requested,
        params=dict(row.params or {}),
    )


def _job_values(job: Job) -> dict[str, Any]:
    return {
        "status": job.status.value,
        "started_at": job.started_at,
        "ended_at": job.ended_at,
        "heartbeat_at": job.heartbeat_at,
        "message": job.message,
        "params": _jsonable(job.params),
        **job.counters.to_dict(),
    }


class SqlJobStore(_Sql):
    def add(self, job: Job) -> None:
        with self._tx() as s:
            s.add(
                FlowJobRow(
                    id=job.id,
                    flow_id=job.flow_id,
                    kind=job.kind.value,
                    triggered_by=job.triggered_by[:254],
                    created_at=job.created_at,
                    cancel_requested=job.cancel_requested,
                    **_job_values(job),
                )
            )

    def get(self, job_id: str) -> Job:
        with self._tx() as s:
            row = s.scalar(select(FlowJobRow).where(FlowJobRow.id == job_id))
            if row is None:
                raise JobError(f"no job {job_id!r}", hint="list jobs with `etail jobs`")
            return _job(row)

    def find(
        self,
        *,
        flow_id: str | None = None,
        statuses: Sequence[JobStatus] = (),
        limit: int = 50,
        offset: int = 0,
    ) -> list[Job]:
        query = select(FlowJobRow).order_by(FlowJobRow.seq.desc()).limit(limit).offset(offset)
        if flow_id is not None:
            query = query.where(FlowJobRow.flow_id == flow_id)
        if statuses:
            query = query.where(FlowJobRow.status.in_([s.value for s in statuses]))
        with self._tx() as s:
            return [_job(row) for row in s.scalars(query)]

    def claim(self, job_id: str, now: datetime) -> Job | None:
        other = aliased(FlowJobRow)
        with self._tx() as s:
            row = s.scalar(select(FlowJobRow).where(FlowJobRow.id == job_id))
            if row is None or row.status != JobStatus.QUEUED.value:
                return None
            flow_id = row.flow_id
        oldest = (
            select(other.id)
            .where(other.flow_id == flow_id, other.status == JobStatus.QUEUED.value)
            .order_by(other.seq)
            .limit(1)
            .scalar_subquery()
        )
        running = exists().where(other.flow_id == flow_id, other.status == JobStatus.RUNNING.value)
        stmt = (
            update(FlowJobRow)
            .where(
                FlowJobRow.id == job_id,
                FlowJobRow.status == JobStatus.QUEUED.value,
                FlowJobRow.id == oldest,
                ~running,
            )
            .values(status=JobStatus.RUNNING.value, started_at=now, heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        try:
            with self._tx() as s:
                if s.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
                    return None
        except IntegrityError:  # another worker won the race for this flow
            return None
        return self.get(job_id)

    def next_queued(self, flow_id: str) -> Job | None:
        query = (
            select(FlowJobRow)
            .where(FlowJobRow.flow_id == flow_id, FlowJobRow.status == JobStatus.QUEUED.value)
            .order_by(FlowJobRow.seq)
            .limit(1)
        )
        with self._tx() as s:
            row = s.scalar(query)
            return _job(row) if row else None

    def update(self, job: Job, *, expected: JobStatus) -> None:
        stmt = (
            update(FlowJobRow)
            .where(FlowJobRow.id == job.id, FlowJobRow.status == expected.value)
            .values(**_job_values(job))
            .execution_options(synchronize_session=False)
        )
        with self._tx() as s:
            if s.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
                raise JobError(f"job {job.id} is no longer {expected.value}; it was not saved")

    def heartbeat(self, job: Job) -> bool:
        values = {"heartbeat_at": job.heartbeat_at, **job.counters.to_dict()}
        with self._tx() as s:
            s.execute(
                update(FlowJobRow)
                .where(FlowJobRow.id == job.id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            flag = s.scalar(select(FlowJobRow.cancel_requested).where(FlowJobRow.id == job.id))
            return bool(flag)

    def request_cancel(self, job_id: str) -> Job:
        with self._tx() as s:
            s.execute(
                update(FlowJobRow)
                .where(FlowJobRow.id == job_id)
                .values(cancel_requested=True)
                .execution_options(synchronize_session=False)
            )
        return self.get(job_id)


# -- errors ----------------------------------------------------------------------------------


def _entry(row: FlowErrorRow) -> ErrorEntry:
    info = ErrorInfo(
        type=row.error_type,
        message=row.message,
        scope=row.scope,  # type: ignore[arg-type]
        retryable=row.retryable,
        classification=Classification(row.classification),
        field=row.field,
        code=row.code,
        status=row.status_code,
    )
    return ErrorEntry(
        id=row.id,
        flow_id=row.flow_id,
        job_id=row.job_id,
        key=row.key,
        step=row.step,
        data=dict(row.data or {}),
        error=info,
        created_at=row.created_at,
        source=row.source,
        state=ErrorState(row.state),
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        retry_count=row.retry_count,
        retry_at=row.retry_at,
        updated_at=row.updated_at,
    )


def _entry_values(e: ErrorEntry) -> dict[str, Any]:
    return {
        "job_id": e.job_id,
        "step": e.step,
        "data": _jsonable(e.data),
        "error_type": e.error.type[:100],
        "message": e.error.message,
        "scope": e.error.scope,
        "retryable": e.error.retryable,
        "classification": e.error.classification.value,
        "field": _cut(e.error.field, 255),
        "code": _cut(e.error.code, 100),
        "status_code": e.error.status,
        "state": e.state.value,
        "updated_at": e.updated_at,
        "resolved_at": e.resolved_at,
        "resolved_by": e.resolved_by,
        "retry_count": e.retry_count,
        "retry_at": e.retry_at,
    }


class SqlErrorStore(_Sql):
    def add(self, entry: ErrorEntry) -> None:
        with self._tx() as s:
            s.add(
                FlowErrorRow(
                    id=entry.id,
                    flow_id=entry.flow_id,
                    key=entry.key[:255],
                    source=entry.source[:80],
                    created_at=entry.created_at,
                    **_entry_values(entry),
                )
            )

    def get(self, error_id: str) -> ErrorEntry:
        with self._tx() as s:
            row = s.scalar(select(FlowErrorRow).where(FlowErrorRow.id == error_id))
            if row is None:
                raise JobError(
                    f"no error {error_id!r}", hint="list errors with `etail errors list`"
                )
            return _entry(row)

    def find(
        self,
        *,
        flow_id: str | None = None,
        state: ErrorState | None = None,
        job_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ErrorEntry]:
        query = select(FlowErrorRow).order_by(FlowErrorRow.seq.desc()).limit(limit).offset(offset)
        if flow_id is not None:
            query = query.where(FlowErrorRow.flow_id == flow_id)
        if state is not None:
            query = query.where(FlowErrorRow.state == state.value)
        if job_id is not None:
            query = query.where(FlowErrorRow.job_id == job_id)
        with self._tx() as s:
            return [_entry(row) for row in s.scalars(query)]

    def open_counts(self) -> dict[str, int]:
        query = (
            select(FlowErrorRow.flow_id, func.count())
            .where(FlowErrorRow.state == ErrorState.OPEN.value)
            .group_by(FlowErrorRow.flow_id)
        )
        with self._tx() as s:
            return {flow_id: int(n) for flow_id, n in s.execute(query)}

    def update(self, entry: ErrorEntry) -> None:
        stmt = (
            update(FlowErrorRow)
            .where(FlowErrorRow.id == entry.id)
            .values(**_entry_values(entry))
            .execution_options(synchronize_session=False)
        )
        with self._tx() as s:
            if s.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
                raise JobError(f"no error {entry.id!r}")

    def resolve(self, ids: Sequence[str], by: str, at: datetime) -> int:
        if not ids:
            return 0
        return self._resolve(FlowErrorRow.id.in_(list(ids)), by=by, at=at)

    def resolve_keys(
        self, flow_id: str, keys: Sequence[str], by: str, at: datetime, keep: str | None = None
    ) -> int:
        if not keys:
            return 0
        where = [FlowErrorRow.flow_id == flow_id, FlowErrorRow.key.in_(list(keys))]
        if keep is not None:
            where.append(FlowErrorRow.id != keep)
        return self._resolve(*where, by=by, at=at)

    def _resolve(self, *where: Any, by: str, at: datetime) -> int:
        stmt = (
            update(FlowErrorRow)
            .where(FlowErrorRow.state == ErrorState.OPEN.value, *where)
            .values(
                state=ErrorState.RESOLVED.value, resolved_at=at, resolved_by=by[:254], retry_at=None
            )
            .execution_options(synchronize_session=False)
        )
        with self._tx() as s:
            return int(s.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def take_due(self, error_id: str, now: datetime) -> bool:
        stmt = (
            update(FlowErrorRow)
            .where(
                FlowErrorRow.id == error_id,
                FlowErrorRow.state == ErrorState.OPEN.value,
                FlowErrorRow.retry_at.is_not(None),
                FlowErrorRow.retry_at <= now,
            )
            .values(retry_at=None)
            .execution_options(synchronize_session=False)
        )
        with self._tx() as s:
            return bool(s.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]

    def due_retries(self, now: datetime, limit: int = 100) -> list[ErrorEntry]:
        query = (
            select(FlowErrorRow)
            .where(
                FlowErrorRow.state == ErrorState.OPEN.value,
                FlowErrorRow.retry_at.is_not(None),
                FlowErrorRow.retry_at <= now,
            )
            .order_by(FlowErrorRow.retry_at)
            .limit(limit)
        )
        with self._tx() as s:
            return [_entry(row) for row in s.scalars(query)]


# -- state and configs -----------------------------------------------------------------------


class SqlStateStore(_Sql):
    def get(self, flow_id: str, key: str) -> Any:
        with self._tx() as s:
            row = s.get(FlowStateRow, (flow_id, key))
            return row.value if row else None

    def put(self, flow_id: str, key: str, value: Any) -> None:
        with self._tx() as s:
            s.merge(FlowStateRow(flow_id=flow_id, key=key, value=value))


class SqlFlowConfigStore(_Sql):
    def get(self, flow_id: str) -> FlowConfig | None:
        with self._tx() as s:
            row = s.get(FlowConfigRow, flow_id)
            return _config(row) if row else None

    def put(self, config: FlowConfig) -> None:
        with self._tx() as s:
            s.merge(
                FlowConfigRow(
                    flow_id=config.flow_id,
                    enabled=config.enabled,
                    schedule=config.schedule,
                    timezone=config.timezone,
                    next_run_at=config.next_run_at,
                    settings=dict(config.settings),
                )
            )

    def all(self) -> list[FlowConfig]:
        with self._tx() as s:
            return [_config(row) for row in s.scalars(select(FlowConfigRow))]

    def advance(self, flow_id: str, expected: datetime | None, next_run_at: datetime) -> bool:
        column = FlowConfigRow.next_run_at
        same = column.is_(None) if expected is None else column == expected
        stmt = (
            update(FlowConfigRow)
            .where(FlowConfigRow.flow_id == flow_id, same)
            .values(next_run_at=next_run_at)
            .execution_options(synchronize_session=False)
        )
        with self._tx() as s:
            return bool(s.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def _config(row: FlowConfigRow) -> FlowConfig:
    return FlowConfig(
        flow_id=row.flow_id,
        enabled=row.enabled,
        schedule=row.schedule,
        timezone=row.timezone,
        next_run_at=row.next_run_at,
        settings=dict(row.settings or {}),
    )


def sql_stores(engine: Engine) -> Stores:
    """The engine's four stores over one SQLAlchemy engine (run ``storage.db.upgrade`` first)."""
    sessions = session_factory(engine)
    return Stores(
        jobs=SqlJobStore(sessions),
        errors=SqlErrorStore(sessions),
        state=SqlStateStore(sessions),
        configs=SqlFlowConfigStore(sessions),
    )


__all__ = [
    "SqlErrorStore",
    "SqlFlowConfigStore",
    "SqlJobStore",
    "SqlStateStore",
    "sql_stores",
]
