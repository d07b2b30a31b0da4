"""``ETAIL_QUEUE=celery``: the CLI and the integrator app send jobs to a real ``etail jobs worker``
process over Redis, which runs the Jet - NetSuite flows against the sandboxes (state in the
shared SQLite database), with its NetSuite calls inside the Redis-kept budget."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from etail.bootstrap import build_services
from etail.connectors import flowspecs as F
from etail.engine.jobs import JobStatus
from etail.integrator import flow_pages
from etail.integrator.app import create_app
from etail.queue.netsuite_budget import KEY_PREFIX, SharedBudget
from etail.settings import Settings

from .helpers import Env

pytestmark = pytest.mark.redis
ETAIL = str(Path(sys.executable).with_name("etail"))
BROKER_DB = 11  # a Redis database of its own: the worker consumes the default queue there


@pytest.fixture(scope="module")
def broker() -> str:
    """Redis on 127.0.0.1:6379 (skipped locally when it is down, a failure under CI=true)."""
    url = f"redis://127.0.0.1:6379/{BROKER_DB}"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.flushdb()  # nothing left over from an earlier run
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running on 127.0.0.1:6379 (CI must start it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    finally:
        client.close()
    return url


def celery_env(env: Env, broker: str) -> dict[str, str]:
    return {
        **os.environ,
        "ETAIL_HOME": str(env.world.settings.home),
        "ETAIL_QUEUE": "celery",
        "ETAIL_BROKER_URL": broker,
    }


@pytest.fixture(scope="module")
def worker(env: Env, broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    cwd = tmp_path_factory.mktemp("worker")  # celery beat keeps its schedule file here
    with (cwd / "worker.log").open("wb") as log:
        proc = subprocess.Popen(
            [ETAIL, "jobs", "worker", "--concurrency", "2"],
            env=celery_env(env, broker),
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def test_etail_flows_run_sends_the_job_to_the_worker(env: Env, broker: str, worker: None) -> None:
    done = subprocess.run(
        [ETAIL, "flows", "run", F.INVENTORY, "--no-progress", "--json", "--wait", "60"],
        env=celery_env(env, broker),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [job] = json.loads(done.stdout)
    assert job["status"] == "completed" and job["counters"]["errors"] == 0
    stored = env.services.engine.stores.jobs.get(job["id"])
    assert stored.status is JobStatus.COMPLETED  # run by the worker, in the shared database
    client = redis.Redis.from_url(broker)
    assert client.keys(KEY_PREFIX + "*") == []  # every lease the worker took was given back
    client.close()


def test_under_celery_the_netsuite_client_holds_the_shared_budget(env: Env, broker: str) -> None:
    settings = Settings(home=env.world.settings.home, queue="celery", broker_url=broker)
    services = build_services(settings)
    try:
        assert services.clients is not None and services.io is not None
        clients = services.clients

        async def limiter() -> object:
            return clients.netsuite().limiter

        budget = services.io.run(limiter())
        assert isinstance(budget, SharedBudget) and budget.limit == 5
        assert budget.key == KEY_PREFIX + env.world.account_id
    finally:
        services.close()


def test_the_integrator_app_enqueues_through_celery(env: Env, broker: str, worker: None) -> None:
    settings = Settings(home=env.world.settings.home, queue="celery", broker_url=broker)
    app = create_app(settings)
    try:
        engine = flow_pages.startup(app)
        assert app.state.flow_runner is None  # no in-process runner: the workers run jobs
        job = engine.request_run(F.PRICES, triggered_by="page")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not engine.stores.jobs.get(job.id).is_final:
            time.sleep(0.1)
        assert engine.stores.jobs.get(job.id).status is JobStatus.COMPLETED
    finally:
        flow_pages.shutdown(app)
        app.state.engine.dispose()
