"""FlowService: one run of a flow at a time, retry and resolve, schedules and auto-retry ticks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from etail.engine import ErrorState, FlowSpec, JobKind, JobStatus, Record
from etail.engine.memory import FakeClock, FunctionImport, ListExport, MemoryTarget, records
from etail.errors import FlowError, JobError, RecordRejectedError, SettingsError, TransientError

from .helpers import service


def flow(*steps: Any, n: int = 3, **kw: Any) -> FlowSpec:
    steps = steps or (MemoryTarget(),)
    return FlowSpec(
        id=kw.pop("id", "orders"), name="Orders", export=ListExport(records(n)), imports=steps, **kw
    )


async def test_a_second_run_waits_until_the_first_ends() -> None:
    gate = asyncio.Event()

    async def slow(rec: Record) -> None:
        await gate.wait()

    svc = service(flow(FunctionImport("push", slow)))
    first = svc.request_run("orders")
    second = svc.request_run("orders")
    assert svc.queue.take() == [first.id, second.id]  # type: ignore[attr-defined]

    running = asyncio.create_task(svc.execute(first.id))
    await asyncio.sleep(0.01)
    assert svc.stores.jobs.get(first.id).status is JobStatus.RUNNING
    waiting = await svc.execute(second.id)  # not its turn: stays queued
    assert waiting.status is JobStatus.QUEUED

    gate.set()
    done = await running
    assert done.status is JobStatus.COMPLETED
    assert svc.queue.take() == [second.id]  # type: ignore[attr-defined]  # submitted when free
    assert (await svc.execute(second.id)).status is JobStatus.COMPLETED


async def test_jobs_of_different_flows_run_side_by_side() -> None:
    gate = asyncio.Event()

    async def slow(rec: Record) -> None:
        await gate.wait()

    svc = service(flow(FunctionImport("a", slow), id="a"), flow(FunctionImport("b", slow), id="b"))
    a, b = svc.request_run("a"), svc.request_run("b")
    tasks = [asyncio.create_task(svc.execute(a.id)), asyncio.create_task(svc.execute(b.id))]
    await asyncio.sleep(0.01)
    assert {svc.stores.jobs.get(j.id).status for j in (a, b)} == {JobStatus.RUNNING}
    gate.set()
    assert {j.status for j in await asyncio.gather(*tasks)} == {JobStatus.COMPLETED}


async def test_cancel_a_queued_job() -> None:
    svc = service(flow())
    job = svc.request_run("orders")
    assert svc.cancel(job.id).status is JobStatus.CANCELED
    assert (await svc.execute(job.id)).status is JobStatus.CANCELED
    with pytest.raises(JobError):
        svc.stores.jobs.get("nope")


async def test_resolved_errors_cannot_be_retried_and_resolve_counts() -> None:
    async def reject(rec: Record) -> None:
        raise RecordRejectedError("no")

    svc = service(flow(FunctionImport("push", reject)))
    await svc.execute(svc.request_run("orders").id)
    errs = svc.stores.errors.find()
    assert svc.resolve([errs[0].id], "ann@example.com") == 1
    assert svc.resolve([errs[0].id], "ann@example.com") == 0
    with pytest.raises(JobError, match="resolved and cannot be retried"):
        svc.request_retry(error_ids=[errs[0].id])
    assert svc.resolve_all("orders", "bob@example.com") == 2
    assert svc.stores.errors.open_counts() == {}


async def test_retry_all_makes_one_retry_job_per_flow() -> None:
    async def reject(rec: Record) -> None:
        raise RecordRejectedError("no")

    svc = service(flow(FunctionImport("push", reject)))
    await svc.execute(svc.request_run("orders").id)
    [job] = svc.request_retry(flow_id="orders")
    assert job.kind is JobKind.RETRY and len(job.params["error_ids"]) == 3
    with pytest.raises(JobError, match="nothing to retry"):
        svc.request_retry()


def test_settings_validate_names_and_schedules() -> None:
    svc = service(flow(settings={"default_customer": None}))
    assert svc.save_settings("orders", {"default_customer": "42"}).settings == {
        "default_customer": "42"
    }
    assert svc.settings("orders") == {"default_customer": "42"}
    with pytest.raises(FlowError, match="no setting"):
        svc.save_settings("orders", {"colour": "red"})
    with pytest.raises(SettingsError):
        svc.set_schedule("orders", "whenever")
    with pytest.raises(FlowError, match="no flow"):
        svc.request_run("nope")


async def test_tick_runs_enabled_schedules_once_per_due_time() -> None:
    clock = FakeClock(datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    svc = service(flow(schedule="every_15_minutes"), clock=clock)
    assert svc.tick() == []  # disabled: nothing
    cfg = svc.set_enabled("orders", True)
    assert cfg.next_run_at == datetime(2026, 1, 1, 0, 15, tzinfo=UTC)
    assert svc.tick() == []
    clock.advance(minutes=14)
    [job] = svc.tick()
    assert job.triggered_by == "schedule"
    clock.advance(minutes=40)  # missed slots while the first still waits: not queued twice
    assert svc.tick() == []
    await svc.execute(job.id)
    clock.advance(minutes=15)
    assert len(svc.tick()) == 1
    assert svc.config("orders").next_run_at == datetime(2026, 1, 1, 1, 15, tzinfo=UTC)


async def test_tick_auto_retries_transient_errors_when_due() -> None:
    clock = FakeClock()
    down = {"on": True}

    async def push(rec: Record) -> None:
        if down["on"]:
            raise TransientError("NetSuite 503")

    svc = service(flow(FunctionImport("push", push), n=2), clock=clock)
    svc.set_enabled("orders", True)
    await svc.execute(svc.request_run("orders").id)
    assert svc.tick() == []  # not due yet
    down["on"] = False
    clock.advance(minutes=6)
    [job] = svc.tick()
    assert (job.kind, job.triggered_by) == (JobKind.RETRY, "auto-retry")
    assert svc.tick() == []  # taken: not queued twice
    done = await svc.execute(job.id)
    assert done.counters.success == 2
    assert {e.resolved_by for e in svc.stores.errors.find()} == {"auto-retry"}
    assert svc.stores.errors.find(state=ErrorState.OPEN) == []


async def test_a_killed_run_is_recovered_and_the_next_run_goes_ahead() -> None:
    clock = FakeClock()
    target = MemoryTarget()
    svc = service(flow(target, n=4), clock=clock)
    dead = svc.request_run("orders")
    assert svc.stores.jobs.claim(dead.id, clock.now()) is not None  # its process then died
    nxt = svc.request_run("orders")
    assert (await svc.execute(nxt.id)).status is JobStatus.QUEUED
    assert svc.recover_stale() == []  # heartbeat still fresh
    clock.advance(minutes=16)
    assert svc.tick() == []  # no schedule due, but the tick recovers the dead job
    [recovered] = svc.stores.jobs.find(statuses=[JobStatus.FAILED])
    assert recovered.id == dead.id and "interrupted" in (recovered.message or "")
    assert nxt.id in svc.queue.take()  # type: ignore[attr-defined]
    done = await svc.execute(nxt.id)
    assert done.status is JobStatus.COMPLETED and len(target.rows) == 4


def test_overview_rows() -> None:
    svc = service(flow(schedule="hourly"), flow(id="prices"))
    rows = {r.flow.id: r for r in svc.overview()}
    assert rows["orders"].schedule_label == "Every hour"
    assert rows["prices"].schedule_label == "Not scheduled"
    assert rows["orders"].last_job is None and rows["orders"].open_errors == 0
    svc.request_run("orders")
    assert svc.overview()[0].queued == 1


class _BrokerDown:
    def submit(self, job_id: str) -> None:
        raise TransientError("the job could not be handed to the Celery workers (OperationalError)")


async def test_a_queue_that_cannot_take_the_job_ends_it_visibly_and_frees_the_flow() -> None:
    svc = service(flow(FunctionImport("noop", lambda rec: None)), queue=_BrokerDown())
    with pytest.raises(TransientError):
        svc.request_run("orders", triggered_by="test")
    [job] = svc.stores.jobs.find(flow_id="orders")
    assert job.status is JobStatus.CANCELED
    assert job.message is not None and job.message.startswith("not started: ")
    assert svc.stores.jobs.next_queued("orders") is None  # nothing left to hold later runs back
