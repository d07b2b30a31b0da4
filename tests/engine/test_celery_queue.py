"""The Celery adapter with a real worker on Redis: only job ids travel, state stays in SQLite."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import Engine

from etail.engine import FlowRegistry, FlowService, FlowSpec, JobStatus
from etail.engine.memory import ListExport, MemoryTarget, records
from etail.queue.celery import TASK_RUN, CeleryQueue, make_celery, register_tasks
from etail.storage.flow_store import sql_stores

pytestmark = pytest.mark.redis


def test_a_real_worker_runs_submitted_jobs_one_per_flow_at_a_time(
    redis_url: str, sqlite_engine: Engine
) -> None:
    from celery.contrib.testing.worker import start_worker

    app = make_celery(redis_url, queue=f"etail-test-{uuid.uuid4().hex[:8]}")
    target = MemoryTarget()
    flow = FlowSpec(id="orders", name="Orders", export=ListExport(records(5)), imports=(target,))
    svc = FlowService(FlowRegistry([flow]), sql_stores(sqlite_engine), queue=CeleryQueue(app))
    register_tasks(app, svc.execute, svc.tick)
    assert TASK_RUN in app.tasks

    with start_worker(app, perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING"):
        jobs = [svc.request_run("orders"), svc.request_run("orders")]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if all(svc.stores.jobs.get(j.id).is_final for j in jobs):
                break
            time.sleep(0.05)
    first, second = (svc.stores.jobs.get(j.id) for j in jobs)
    assert (first.status, second.status) == (JobStatus.COMPLETED, JobStatus.COMPLETED)
    assert second.started_at >= first.ended_at  # type: ignore[operator]
    assert target.writes == 10 and len(target.rows) == 5


def test_a_broker_that_does_not_answer_is_a_transient_error_naming_the_fix() -> None:
    from etail.errors import TransientError
    from etail.httpserver import free_port
    from etail.queue.celery import CeleryQueue, make_celery

    queue = CeleryQueue(make_celery(f"redis://127.0.0.1:{free_port()}/0"))  # nothing listens
    with pytest.raises(TransientError) as info:
        queue.submit("job-1")
    assert "ETAIL_BROKER_URL" in str(info.value) and "ETAIL_QUEUE=inline" in str(info.value)
