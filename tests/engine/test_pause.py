"""A flow paused by its gate (its connection Offline, celigo-jet.md §1.4): queued runs wait and
say why, scheduled runs and automatic retries are skipped, and everything resumes after."""

from __future__ import annotations

from etail.engine import ErrorState, FlowSpec, JobStatus, Record
from etail.engine.memory import FakeClock, FunctionImport, ListExport, MemoryTarget, records
from etail.errors import TransientError

from .helpers import service

REASON = "NetSuite connection Offline \u2014 401 INVALID_LOGIN"


class Gate:
    def __init__(self) -> None:
        self.reason: str | None = None
        self.asked: list[str] = []

    def __call__(self, flow_id: str) -> str | None:
        self.asked.append(flow_id)
        return self.reason


def flow(target: object, flow_id: str = "orders", n: int = 3) -> FlowSpec:
    return FlowSpec(
        id=flow_id, name=flow_id, export=ListExport(records(n)), imports=(target,),  # type: ignore[arg-type]
        schedule="hourly",
    )  # fmt: skip


async def test_a_queued_run_waits_with_the_reason_then_resumes() -> None:
    gate, target = Gate(), MemoryTarget()
    svc = service(flow(target), flow(MemoryTarget(), "prices"), gate=gate)
    gate.reason = REASON
    job = svc.request_run("orders")
    assert svc.queue.take() == [job.id]  # type: ignore[attr-defined]
    held = await svc.execute(job.id)
    assert held.status is JobStatus.QUEUED and held.message == "paused: " + REASON
    assert svc.stores.jobs.get(job.id).message == "paused: " + REASON  # stored: pages show it
    assert target.rows == {}
    assert {r.flow.id: r.paused for r in svc.overview()}["orders"] == REASON
    assert svc.resume() == []  # still paused: nothing submitted

    gate.reason = None
    assert svc.resume() == [job.id]
    done = await svc.execute(job.id)
    assert done.status is JobStatus.COMPLETED and done.message is None
    assert len(target.rows) == 3


async def test_scheduled_runs_are_skipped_while_paused_and_fire_again_after() -> None:
    clock, gate = FakeClock(), Gate()
    svc = service(flow(MemoryTarget()), clock=clock, gate=gate)
    svc.set_enabled("orders", True)
    gate.reason = REASON
    clock.advance(minutes=61)
    assert svc.tick() == []  # due, but paused: skipped like a missed run
    assert svc.stores.jobs.find() == []
    assert svc.tick() == []  # and not made up later
    gate.reason = None
    clock.advance(minutes=60)
    [job] = svc.tick()
    assert job.triggered_by == "schedule"


async def test_automatic_retries_wait_while_paused() -> None:
    clock, gate = FakeClock(), Gate()
    down = {"on": True}

    async def push(rec: Record) -> None:
        if down["on"]:
            raise TransientError("NetSuite 503")

    svc = service(flow(FunctionImport("push", push), n=2), clock=clock, gate=gate)
    svc.set_enabled("orders", True)
    await svc.execute(svc.request_run("orders").id)
    down["on"], gate.reason = False, REASON
    clock.advance(minutes=6)
    assert [j.kind.value for j in svc.tick()] == []  # due, but paused: not taken
    gate.reason = None
    [retry] = [j for j in svc.tick() if j.kind.value == "retry"]
    assert (await svc.execute(retry.id)).counters.success == 2
    assert svc.stores.errors.find(state=ErrorState.OPEN) == []


async def test_the_tick_submits_a_held_run_once_the_flow_may_run() -> None:
    gate = Gate()
    svc = service(flow(MemoryTarget()), gate=gate)
    gate.reason = REASON
    job = svc.request_run("orders")
    svc.queue.take()  # type: ignore[attr-defined]
    await svc.execute(job.id)
    svc.tick()
    assert svc.queue.take() == []  # type: ignore[attr-defined]  # still paused
    gate.reason = None
    svc.tick()
    assert svc.queue.take() == [job.id]  # type: ignore[attr-defined]


def test_without_a_gate_nothing_is_paused() -> None:
    svc = service(flow(MemoryTarget()))
    assert svc.paused("orders") is None
    assert [r.paused for r in svc.overview()] == [None]
