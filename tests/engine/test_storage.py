"""Store conformance: memory, SQLite and PostgreSQL adapters behave the same."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from etail.engine import (
    ErrorEntry,
    ErrorInfo,
    ErrorState,
    FlowConfig,
    FlowSpec,
    Job,
    JobKind,
    JobStatus,
    Record,
    Stores,
)
from etail.engine.memory import FakeClock, FunctionImport, ListExport, MemoryTarget, records
from etail.engine.records import Classification
from etail.engine.runner import LAST_EXPORT_AT
from etail.errors import JobError, RecordRejectedError, TransientError

from .helpers import service

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def job(flow_id: str = "orders", **kw: object) -> Job:
    return Job(flow_id=flow_id, created_at=T0, **kw)  # type: ignore[arg-type]


def entry(key: str = "1", flow_id: str = "orders", **kw: object) -> ErrorEntry:
    defaults: dict[str, object] = {
        "id": f"e-{flow_id}-{key}",
        "flow_id": flow_id,
        "job_id": "j1",
        "key": key,
        "step": "push",
        "data": {"sku": "A", "qty": 2},
        "error": ErrorInfo(
            type="RecordRejectedError",
            message="bad SKU",
            retryable=False,
            classification=Classification.VALUE,
            field="item[0].sku",
            code="INVALID_KEY",
            status=400,
        ),
        "created_at": T0,
    }
    return ErrorEntry(**{**defaults, **kw})  # type: ignore[arg-type]


def test_jobs_round_trip_and_list_newest_first(stores: Stores) -> None:
    a, b = job(params={"keys": ["7"]}), job(kind=JobKind.RETRY, triggered_by="ann@example.com")
    stores.jobs.add(a)
    stores.jobs.add(b)
    got = stores.jobs.get(a.id)
    assert (got.flow_id, got.status, got.params, got.created_at) == (
        "orders",
        JobStatus.QUEUED,
        {"keys": ["7"]},
        T0,
    )
    assert [j.id for j in stores.jobs.find()] == [b.id, a.id]
    assert [j.id for j in stores.jobs.find(flow_id="orders", limit=1, offset=1)] == [a.id]
    assert stores.jobs.find(statuses=[JobStatus.RUNNING]) == []
    with pytest.raises(JobError, match="no job"):
        stores.jobs.get("missing")


def test_claim_is_first_in_first_out_and_one_running_per_flow(stores: Stores) -> None:
    first, second, other = job(), job(), job("prices")
    for j in (first, second, other):
        stores.jobs.add(j)
    assert stores.jobs.claim(second.id, T0) is None  # not its turn
    claimed = stores.jobs.claim(first.id, T0)
    assert claimed is not None and claimed.status is JobStatus.RUNNING
    assert claimed.started_at == T0
    assert stores.jobs.claim(first.id, T0) is None  # no double claim
    assert stores.jobs.claim(second.id, T0) is None  # the flow is busy
    assert stores.jobs.claim(other.id, T0) is not None  # other flows are not
    assert stores.jobs.next_queued("orders").id == second.id  # type: ignore[union-attr]

    claimed.transition(JobStatus.COMPLETED, T0 + timedelta(seconds=5))
    claimed.counters.success = 3
    stores.jobs.update(claimed, expected=JobStatus.RUNNING)
    with pytest.raises(JobError, match="no longer running"):
        stores.jobs.update(claimed, expected=JobStatus.RUNNING)
    done = stores.jobs.get(first.id)
    assert done.counters.success == 3 and done.duration == timedelta(seconds=5)
    assert stores.jobs.claim(second.id, T0) is not None


def test_heartbeat_saves_counters_and_reports_cancel_requests(stores: Stores) -> None:
    j = job()
    stores.jobs.add(j)
    running = stores.jobs.claim(j.id, T0)
    assert running is not None
    running.counters.pages = 2
    running.heartbeat_at = T0 + timedelta(seconds=1)
    assert stores.jobs.heartbeat(running) is False
    assert stores.jobs.request_cancel(j.id).cancel_requested
    assert stores.jobs.heartbeat(running) is True
    stored = stores.jobs.get(j.id)
    assert stored.counters.pages == 2 and stored.heartbeat_at == T0 + timedelta(seconds=1)
    running.transition(JobStatus.CANCELED, T0)
    stores.jobs.update(running, expected=JobStatus.RUNNING)  # keeps the cancel flag
    assert stores.jobs.get(j.id).cancel_requested


def test_errors_round_trip_with_their_data(stores: Stores) -> None:
    e = entry(data={"when": date(2026, 1, 2), "total": Decimal("9.50"), "lines": [1, 2]})
    stores.errors.add(e)
    got = stores.errors.get(e.id)
    assert got.error == e.error and got.step == "push" and got.is_open
    expected_data = {"when": "2026-01-02", "total": "9.50", "lines": [1, 2]}
    assert got.data == expected_data or got.data == e.data  # SQL keeps JSON, memory keeps objects
    with pytest.raises(JobError, match="no error"):
        stores.errors.get("nope")


def test_resolve_by_ids_and_by_trace_key(stores: Stores) -> None:
    for k in ("1", "2", "3"):
        stores.errors.add(entry(k))
    stores.errors.add(entry("2", id="e-newer-2"))
    stores.errors.add(entry("1", flow_id="prices"))
    assert stores.errors.open_counts() == {"orders": 4, "prices": 1}
    assert stores.errors.resolve_keys("orders", ["2"], "superseded", T0, keep="e-newer-2") == 1
    assert stores.errors.get("e-newer-2").is_open
    assert stores.errors.resolve(["e-orders-1", "e-orders-1", "missing"], "ann", T0) == 1
    assert stores.errors.resolve(["e-orders-1"], "ann", T0) == 0
    resolved = stores.errors.get("e-orders-1")
    assert (resolved.state, resolved.resolved_by, resolved.resolved_at) == (
        ErrorState.RESOLVED,
        "ann",
        T0,
    )
    assert stores.errors.open_counts() == {"orders": 2, "prices": 1}
    open_ids = [e.id for e in stores.errors.find(flow_id="orders", state=ErrorState.OPEN)]
    assert open_ids == ["e-newer-2", "e-orders-3"]
    assert len(stores.errors.find(state=ErrorState.RESOLVED)) == 2
    assert stores.errors.resolve_keys("orders", [], "x", T0) == 0


def test_due_retries_and_updates(stores: Stores) -> None:
    stores.errors.add(entry("1", retry_at=T0 + timedelta(minutes=5)))
    stores.errors.add(entry("2", retry_at=T0 + timedelta(minutes=1)))
    stores.errors.add(entry("3"))
    assert stores.errors.due_retries(T0) == []
    due = stores.errors.due_retries(T0 + timedelta(minutes=10))
    assert [e.key for e in due] == ["2", "1"]
    e = due[0]
    e.retry_at, e.retry_count, e.step = None, 1, "ack"
    stores.errors.update(e)
    again = stores.errors.get(e.id)
    assert (again.retry_at, again.retry_count, again.step) == (None, 1, "ack")
    assert [x.key for x in stores.errors.due_retries(T0 + timedelta(minutes=10))] == ["1"]


def test_state_and_configs(stores: Stores) -> None:
    assert stores.state.get("orders", LAST_EXPORT_AT) is None
    stores.state.put("orders", LAST_EXPORT_AT, "2026-01-01T00:00:00+00:00")
    stores.state.put("orders", LAST_EXPORT_AT, "2026-01-02T00:00:00+00:00")
    stores.state.put("orders", "cursor", {"page": 3})
    assert stores.state.get("orders", LAST_EXPORT_AT) == "2026-01-02T00:00:00+00:00"
    assert stores.state.get("orders", "cursor") == {"page": 3}
    assert stores.configs.get("orders") is None
    cfg = FlowConfig("orders", enabled=True, schedule="hourly", next_run_at=T0, settings={"a": 1})
    stores.configs.put(cfg)
    cfg.enabled = False
    stores.configs.put(cfg)
    assert stores.configs.get("orders") == cfg
    assert stores.configs.all() == [cfg]


async def test_a_whole_run_retry_and_resolve_over_the_store(stores: Stores) -> None:
    target = MemoryTarget()
    broken = {"on": True}

    async def check(rec: Record) -> None:
        if broken["on"] and rec.key in {"2", "5"}:
            raise RecordRejectedError("unknown SKU", error_path="items[0].sku")

    flow = FlowSpec(
        id="orders",
        name="Orders",
        export=ListExport(records(7), page_size=3),
        imports=(FunctionImport("check", check), target),
    )
    svc = service(flow, stores=stores, clock=FakeClock(T0))
    run = await svc.execute(svc.request_run("orders").id)
    assert (run.status, run.counters.success, run.counters.errors, run.counters.pages) == (
        JobStatus.COMPLETED,
        5,
        2,
        3,
    )
    assert stores.state.get("orders", LAST_EXPORT_AT) == T0.isoformat()
    open_errors = stores.errors.find(state=ErrorState.OPEN)
    assert sorted(e.key for e in open_errors) == ["2", "5"]
    assert all(e.data == {"n": int(e.key)} for e in open_errors)

    broken["on"] = False
    [retry] = svc.request_retry(error_ids=[open_errors[0].id])
    retry = await svc.execute(retry.id)
    assert retry.counters.success == 1 and stores.errors.open_counts() == {"orders": 1}
    assert svc.resolve_all("orders", "ann@example.com") == 1
    assert stores.errors.open_counts() == {}
    assert len(target.rows) == 6


def test_the_database_refuses_two_running_jobs_of_one_flow(sqlite_engine: object) -> None:
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    from etail.storage.flow_models import FlowJobRow

    def row(i: str) -> FlowJobRow:
        return FlowJobRow(
            id=i, flow_id="orders", kind="run", status="running", triggered_by="t", params={}
        )

    with Session(sqlite_engine) as s:  # type: ignore[arg-type]
        s.add(row("a"))
        s.commit()
        s.add(row("b"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_migration_downgrade_and_upgrade_again(tmp_path: object) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from etail.storage.db import alembic_config, make_engine, upgrade

    url = f"sqlite:///{tmp_path}/m.db"
    upgrade(url)
    command.downgrade(alembic_config(url), "int0001")
    engine = make_engine(url)
    assert "flow_jobs" not in inspect(engine).get_table_names()
    upgrade(url)
    assert {"flow_jobs", "flow_errors", "flow_state", "flow_configs"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_advance_and_take_due_are_compare_and_set(stores: Stores) -> None:
    stores.configs.put(FlowConfig("orders", enabled=True, schedule="hourly", next_run_at=T0))
    later = T0 + timedelta(hours=1)
    assert stores.configs.advance("orders", T0, later) is True
    assert stores.configs.advance("orders", T0, later) is False  # someone moved it already
    assert stores.configs.get("orders").next_run_at == later  # type: ignore[union-attr]
    stores.configs.put(FlowConfig("prices"))
    assert stores.configs.advance("prices", None, later) is True
    assert stores.configs.advance("missing", None, later) is False

    stores.errors.add(entry("1", retry_at=T0))
    stores.errors.add(entry("2", retry_at=later))
    assert stores.errors.take_due("e-orders-2", T0) is False  # not due yet
    assert stores.errors.take_due("e-orders-1", T0) is True
    assert stores.errors.take_due("e-orders-1", T0) is False  # taken once
    assert stores.errors.get("e-orders-1").retry_at is None


async def test_two_schedulers_start_a_due_run_once(stores: Stores) -> None:
    async def fail(rec: Record) -> None:
        raise TransientError("NetSuite 503")

    flow = FlowSpec(
        id="orders",
        name="Orders",
        export=ListExport(records(2)),
        imports=(FunctionImport("push", fail),),
        schedule="every_15_minutes",
    )
    clock = FakeClock(T0)
    one, two = service(flow, stores=stores, clock=clock), service(flow, stores=stores, clock=clock)
    one.set_enabled("orders", True)
    clock.advance(minutes=15)
    assert len(one.tick()) + len(two.tick()) == 1
    [job] = stores.jobs.find()
    await one.execute(job.id)  # both records end as open errors with an auto-retry time
    clock.advance(minutes=6)
    started = one.tick() + two.tick()
    assert [j.kind for j in started] == [JobKind.RETRY]
    assert len(started[0].params["error_ids"]) == 2
