"""The in-process runner: background thread, scheduler tick, foreground drain, clean stop."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from etail.engine import FlowConfig, FlowRegistry, FlowService, FlowSpec, JobStatus, Record, Stores
from etail.engine.memory import FunctionImport, ListExport, MemoryTarget, records
from etail.queue.inline import InlineQueue


def build(
    stores: Stores, *flows: FlowSpec, tick_every: float = 30.0
) -> tuple[FlowService, InlineQueue]:
    queue = InlineQueue(tick_every=tick_every)
    svc = FlowService(FlowRegistry(flows), stores, queue=queue)
    queue.bind(svc.execute, svc.tick)
    return svc, queue


def slow_flow(flow_id: str, delay: float = 0.02, n: int = 3) -> FlowSpec:
    async def step(rec: Record) -> None:
        await asyncio.sleep(delay)

    return FlowSpec(
        id=flow_id,
        name=flow_id,
        export=ListExport(records(n)),
        imports=(FunctionImport("s", step),),
    )


def until(predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_background_runner_runs_one_job_per_flow_at_a_time(stores: Stores) -> None:
    svc, queue = build(stores, slow_flow("a"), slow_flow("b"))
    queue.start()
    try:
        a1, a2, b1 = svc.request_run("a"), svc.request_run("a"), svc.request_run("b")
        assert until(lambda: all(stores.jobs.get(j.id).is_final for j in (a1, a2, b1)))
    finally:
        queue.stop()
    first, second = stores.jobs.get(a1.id), stores.jobs.get(a2.id)
    assert {first.status, second.status} == {JobStatus.COMPLETED}
    assert second.started_at >= first.ended_at  # type: ignore[operator]
    assert stores.jobs.get(b1.id).counters.success == 3


def test_the_scheduler_tick_runs_a_due_flow(stores: Stores) -> None:
    svc, queue = build(stores, slow_flow("a", delay=0), tick_every=0.05)
    past = datetime.now(UTC) - timedelta(minutes=1)
    stores.configs.put(FlowConfig("a", enabled=True, schedule="hourly", next_run_at=past))
    queue.start()
    try:
        assert until(lambda: any(j.is_final for j in stores.jobs.find(flow_id="a")))
    finally:
        queue.stop()
    [job] = stores.jobs.find(flow_id="a")
    assert (job.triggered_by, job.status) == ("schedule", JobStatus.COMPLETED)
    assert svc.config("a").next_run_at > datetime.now(UTC)  # type: ignore[operator]


def test_stop_cancels_a_job_that_outlives_the_grace_time(stores: Stores) -> None:
    svc, queue = build(stores, slow_flow("a", delay=30, n=1))
    queue.start()
    job = svc.request_run("a")
    assert until(lambda: stores.jobs.get(job.id).status is JobStatus.RUNNING)
    started = time.monotonic()
    queue.stop(timeout=0.1)
    assert time.monotonic() - started < 5
    stopped = stores.jobs.get(job.id)
    assert stopped.status is JobStatus.CANCELED and "interrupted" in (stopped.message or "")
    assert not queue.running


def test_run_pending_drains_in_the_foreground(stores: Stores) -> None:
    target = MemoryTarget()
    flow = FlowSpec(id="a", name="a", export=ListExport(records(4)), imports=(target,))
    svc, queue = build(stores, flow)
    jobs = [svc.request_run("a"), svc.request_run("a")]
    assert queue.pending() == [j.id for j in jobs]
    assert queue.run_pending() == [j.id for j in jobs]
    assert [stores.jobs.get(j.id).status for j in jobs] == [JobStatus.COMPLETED] * 2
    assert target.writes == 8 and queue.pending() == []
