"""The runner over in-memory ports: errors keep data, the page goes on, transient errors retry."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from etail.engine import ErrorState, FlowSpec, JobStatus, Outcome, Record
from etail.engine.memory import FunctionImport, ListExport, MemoryTarget, records, stamped
from etail.engine.records import Classification
from etail.engine.runner import LAST_EXPORT_AT
from etail.errors import (
    CredentialsError,
    MappingError,
    RateLimitedError,
    RecordRejectedError,
    TransientError,
)

from .helpers import service


def flow(export: Any, *steps: Any, **kw: Any) -> FlowSpec:
    return FlowSpec(id=kw.pop("id", "orders"), name="Orders", export=export, imports=steps, **kw)


async def run_once(svc: Any, flow_id: str = "orders", **kw: Any) -> Any:
    job = svc.request_run(flow_id, **kw)
    return await svc.execute(job.id)


async def test_record_errors_keep_their_data_and_the_page_goes_on() -> None:
    async def push(rec: Record) -> dict[str, Any]:
        if rec.key == "3":
            raise RecordRejectedError("item SKU-9 not found", error_path="item[0].sku")
        return {**rec.data, "pushed": True}

    svc = service(flow(ListExport(records(5, sku="A")), FunctionImport("push", push)))
    job = await run_once(svc)

    assert job.status is JobStatus.COMPLETED
    assert (job.counters.success, job.counters.errors, job.counters.exported) == (4, 1, 5)
    assert job.message == "1 record error(s)"
    [err] = svc.stores.errors.find(state=ErrorState.OPEN)
    assert (err.key, err.step, err.job_id) == ("3", "push", job.id)
    assert err.data == {"n": 3, "sku": "A"}
    assert err.error.type == "RecordRejectedError"
    assert err.error.field == "item[0].sku"
    assert err.error.retryable is False
    assert err.retry_at is None


async def test_transient_errors_are_retried_with_backoff_then_succeed() -> None:
    failures = {"1": 2}

    async def flaky(rec: Record) -> None:
        if failures.get(rec.key, 0) > 0:
            failures[rec.key] -= 1
            raise TransientError("503 from NetSuite", status=503)

    svc = service(flow(ListExport(records(2)), FunctionImport("push", flaky)))
    job = await run_once(svc)

    assert job.counters.success == 2 and job.counters.errors == 0
    assert job.counters.retries == 2
    delays = svc.runner.sleeper.delays  # type: ignore[attr-defined]
    assert len(delays) == 2
    assert 0.125 <= delays[0] <= 0.25 and 0.25 <= delays[1] <= 0.5  # doubling, minus jitter


async def test_rate_limit_retry_after_is_a_floor_for_the_delay() -> None:
    calls = []

    async def limited(rec: Record) -> None:
        calls.append(rec.key)
        if len(calls) == 1:
            raise RateLimitedError("429", retry_after=3.0, status=429)

    svc = service(flow(ListExport(records(1)), FunctionImport("push", limited)))
    await run_once(svc)
    assert svc.runner.sleeper.delays == [3.0]  # type: ignore[attr-defined]


async def test_transient_errors_that_persist_become_open_errors_with_an_auto_retry_time() -> None:
    async def down(rec: Record) -> None:
        raise TransientError("timed out")

    svc = service(flow(ListExport(records(1)), FunctionImport("push", down)))
    job = await run_once(svc)
    [err] = svc.stores.errors.find()
    assert job.counters.retries == 3  # four attempts in all
    assert err.error.retryable and err.error.classification is Classification.INTERMITTENT
    assert err.retry_at is not None and err.retry_at > job.started_at


async def test_steps_chain_data_and_a_retry_resumes_at_the_failed_step() -> None:
    first_calls: list[str] = []
    broken = {"on": True}

    async def customer(rec: Record) -> dict[str, Any]:
        first_calls.append(rec.key)
        return {**rec.data, "customer_id": f"C{rec.key}"}

    async def order(rec: Record) -> Outcome:
        if broken["on"]:
            raise RecordRejectedError("INVALID_KEY_OR_REF: location")
        return Outcome.success(rec.key, {**rec.data, "so": f"SO{rec.key}"})

    target = MemoryTarget(name="ack")
    svc = service(
        flow(
            ListExport(records(2)),
            FunctionImport("customer", customer),
            FunctionImport("order", order),
            target,
        )
    )
    job = await run_once(svc)
    assert job.counters.errors == 2
    errs = svc.stores.errors.find(state=ErrorState.OPEN)
    assert {e.step for e in errs} == {"order"}
    assert all(e.data["customer_id"] == f"C{e.key}" for e in errs)

    broken["on"] = False
    [retry] = svc.request_retry(flow_id="orders", triggered_by="ann@example.com")
    retry = await svc.execute(retry.id)
    assert retry.status is JobStatus.COMPLETED
    assert (retry.counters.success, retry.counters.resolved) == (2, 2)
    assert first_calls == ["1", "2"]  # the customer step was not called again
    assert target.rows["1"]["so"] == "SO1" and target.rows["1"]["customer_id"] == "C1"
    resolved = svc.stores.errors.find(state=ErrorState.RESOLVED)
    assert {e.resolved_by for e in resolved} == {"ann@example.com"}
    assert svc.stores.errors.find(state=ErrorState.OPEN) == []


async def test_a_failed_retry_keeps_the_error_open_and_counts_the_attempt() -> None:
    async def reject(rec: Record) -> None:
        raise RecordRejectedError("still wrong")

    svc = service(flow(ListExport(records(1)), FunctionImport("push", reject)))
    await run_once(svc)
    [err] = svc.stores.errors.find()
    [retry] = svc.request_retry(error_ids=[err.id])
    retry = await svc.execute(retry.id)
    [again] = svc.stores.errors.find()
    assert again.id == err.id and again.is_open
    assert again.retry_count == 1 and again.job_id == retry.id
    assert retry.counters.errors == 1


async def test_filter_and_steps_can_ignore_records() -> None:
    async def exists(rec: Record) -> Outcome:
        if rec.key == "2":
            return Outcome.ignored(rec.key, "order already in NetSuite")
        return Outcome.success(rec.key)

    svc = service(
        flow(
            ListExport(records(3)),
            FunctionImport("push", exists),
            filter=lambda rec, settings: rec.key != "1",
        )
    )
    job = await run_once(svc)
    assert (job.counters.ignored, job.counters.success, job.counters.errors) == (2, 1, 0)


async def test_mapping_errors_keep_the_exported_data_and_name_the_field() -> None:
    def mapper(rec: Record, settings: Any) -> Record:
        if "ship_method" not in settings:
            raise MappingError("no ship method mapped", field="ship_method")
        return rec.with_data({**rec.data, "ship": settings["ship_method"]})

    target = MemoryTarget()
    svc = service(flow(ListExport(records(1)), target, map=mapper, settings={"x": 1}))
    await run_once(svc)
    [err] = svc.stores.errors.find()
    assert (err.step, err.data, err.error.field) == ("map", {"n": 1}, "ship_method")
    # Retry re-maps the kept data with the settings of now.
    svc.flows.get("orders").settings["ship_method"] = "UPS"  # type: ignore[index]
    [retry] = svc.request_retry(flow_id="orders")
    await svc.execute(retry.id)
    assert target.rows["1"]["ship"] == "UPS"


async def test_rerunning_a_flow_is_idempotent_and_keeps_one_open_error_per_record() -> None:
    target = MemoryTarget()

    async def guard(rec: Record) -> None:
        if rec.key == "4":
            raise RecordRejectedError("bad record 4")

    svc = service(flow(ListExport(records(6)), FunctionImport("guard", guard), target, delta=False))
    first = await run_once(svc)
    second = await run_once(svc)
    assert len(target.rows) == 5 and target.writes == 10
    assert second.counters.resolved == 1  # the older error of record 4 is superseded
    open_errors = svc.stores.errors.find(state=ErrorState.OPEN)
    assert [(e.key, e.job_id) for e in open_errors] == [("4", second.id)]
    [old] = svc.stores.errors.find(state=ErrorState.RESOLVED)
    assert (old.job_id, old.resolved_by) == (first.id, "superseded")


async def test_a_later_success_auto_resolves_the_open_error_of_the_same_record() -> None:
    state = {"fail": True}

    async def push(rec: Record) -> None:
        if state["fail"]:
            raise RecordRejectedError("not yet")

    svc = service(flow(ListExport(records(1)), FunctionImport("push", push), delta=False))
    await run_once(svc)
    state["fail"] = False
    job = await run_once(svc)
    [err] = svc.stores.errors.find()
    assert err.state is ErrorState.RESOLVED and err.resolved_by == "auto-resolved"
    assert job.counters.resolved == 1


async def test_a_connection_error_stops_the_job_and_keeps_the_delta_time() -> None:
    calls: list[str] = []

    async def push(rec: Record) -> None:
        calls.append(rec.key)
        raise CredentialsError("INVALID_LOGIN: token revoked", status=401)

    svc = service(flow(ListExport(records(40)), FunctionImport("push", push)))
    job = await run_once(svc)
    assert job.status is JobStatus.FAILED
    assert job.message is not None and "CredentialsError" in job.message
    assert len(calls) < 40
    assert svc.stores.state.get("orders", LAST_EXPORT_AT) is None


async def test_an_export_failure_fails_the_job() -> None:
    class Failing:
        def pages(self, request: Any) -> Any:
            return self._gen()

        async def _gen(self) -> Any:
            raise TransientError("Jet timed out")
            yield  # pragma: no cover

    svc = service(flow(Failing(), MemoryTarget()))
    job = await run_once(svc)
    assert job.status is JobStatus.FAILED
    assert job.message == "export failed: TransientError: Jet timed out"


async def test_delta_runs_export_only_what_changed_since_the_last_completed_run() -> None:
    export = ListExport([])
    svc = service(flow(export, MemoryTarget()))
    clock = svc.clock
    export.records = stamped(records(2), clock.now())  # type: ignore[arg-type]
    clock.advance(minutes=1)  # type: ignore[attr-defined]
    first = await run_once(svc)
    clock.advance(minutes=10)  # type: ignore[attr-defined]
    export.records += stamped(records(1, start=3), clock.now())  # type: ignore[arg-type]
    second = await run_once(svc)
    assert export.requests[0].since is None
    assert export.requests[1].since == first.started_at
    assert (first.counters.exported, second.counters.exported) == (2, 1)


async def test_on_demand_runs_export_only_the_named_keys_and_keep_the_delta() -> None:
    export = ListExport(records(5))
    svc = service(flow(export, MemoryTarget()))
    job = await run_once(svc, keys=["2", "4"])
    assert job.counters.exported == 2
    assert export.requests[0].keys == ("2", "4")
    assert svc.stores.state.get("orders", LAST_EXPORT_AT) is None


async def test_secrets_never_reach_a_stored_error() -> None:
    async def leak(rec: Record) -> None:
        raise RecordRejectedError("bad token tok-SECRET-123 in header")

    svc = service(
        flow(
            ListExport(records(1)), FunctionImport("push", leak), secrets=lambda: ["tok-SECRET-123"]
        )
    )
    await run_once(svc)
    [err] = svc.stores.errors.find()
    assert "tok-SECRET-123" not in err.error.message and "******" in err.error.message


async def test_unexpected_exceptions_become_record_errors_not_crashes() -> None:
    async def bug(rec: Record) -> None:
        raise KeyError("total")

    svc = service(flow(ListExport(records(3)), FunctionImport("push", bug)))
    job = await run_once(svc)
    assert job.status is JobStatus.COMPLETED and job.counters.errors == 3
    assert {e.error.classification for e in svc.stores.errors.find()} == {Classification.INTERNAL}


async def test_concurrency_is_bounded_and_used() -> None:
    in_flight = peak = 0

    async def slow(rec: Record) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1

    svc = service(
        flow(ListExport(records(60), page_size=7), FunctionImport("push", slow), concurrency=5)
    )
    job = await run_once(svc)
    assert job.counters.success == 60 and job.counters.pages == 9
    assert peak == 5


async def test_cancel_stops_new_records_and_keeps_the_delta_time() -> None:
    svc = service(flow(ListExport(records(50), page_size=5), MemoryTarget()))
    job = svc.request_run("orders")
    seen: list[int] = []

    def progress(p: Any) -> None:
        seen.append(p.done)
        if p.done == 7:
            svc.cancel(job.id)

    job = await svc.execute(job.id, progress=progress)
    assert job.status is JobStatus.CANCELED
    assert 7 <= job.counters.success < 50
    assert svc.stores.state.get("orders", LAST_EXPORT_AT) is None
    assert job.ended_at is not None


async def test_progress_reports_every_record_and_the_end() -> None:
    svc = service(flow(ListExport(records(3)), MemoryTarget()))
    reports: list[Any] = []
    job = svc.request_run("orders")
    await svc.execute(job.id, progress=reports.append)
    assert [r.done for r in reports] == [1, 2, 3, 3]
    assert reports[-1].finished and reports[-1].success == 3


@pytest.mark.parametrize("page_size", [1, 3, 20])
async def test_pages_are_counted(page_size: int) -> None:
    svc = service(flow(ListExport(records(7), page_size=page_size), MemoryTarget()))
    job = await run_once(svc)
    assert job.counters.pages == -(-7 // page_size)
    assert job.duration is not None and job.duration >= timedelta(0)


async def test_a_cancel_from_another_process_arrives_with_the_heartbeat() -> None:
    svc = service(flow(ListExport(records(40), page_size=5), MemoryTarget()))
    job = svc.request_run("orders")
    clock = svc.clock

    def progress(p: Any) -> None:
        clock.advance(0.5)  # type: ignore[attr-defined]
        if p.done == 10:
            svc.stores.jobs.request_cancel(job.id)  # not through this process's token

    done = await svc.execute(job.id, progress=progress)
    assert done.status is JobStatus.CANCELED
    assert 10 <= done.counters.success < 40
    stored = svc.stores.jobs.get(job.id)
    assert stored.heartbeat_at is not None and stored.cancel_requested
