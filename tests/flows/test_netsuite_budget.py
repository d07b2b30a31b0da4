"""The NetSuite concurrency budget shared in Redis by every worker of a connection: two event
loops in two threads (as two Celery workers would be) against the NetSuite sandbox with
latency, measured on the server side."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from starlette.types import ASGIApp, Receive, Scope, Send

from etail.errors import SettingsError
from etail.httpserver import BackgroundServer
from etail.netsuite import NetSuiteClient, TBACredentials
from etail.netsuite.limits import ConcurrencyLimiter, InFlightLimit
from etail.queue.netsuite_budget import KEY_PREFIX, SharedBudget
from etail.sandbox.netsuite.adminclient import AdminClient, run_steps_a_to_d
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.options import SandboxOptions
from etail.sandbox.netsuite.store import read_admin_key

pytestmark = pytest.mark.redis
BUDGET = 3
CALLS = 24  # per worker, all started at once


class PeakMeter:
    """ASGI wrapper counting web-services requests in flight at the sandbox."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.now = 0
        self.peak = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        counted = scope["type"] == "http" and scope["path"].startswith("/rest/tokeninfo")
        if counted:
            with self._lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            if counted:
                with self._lock:
                    self.now -= 1


@dataclass
class Sandbox:
    url: str
    meter: PeakMeter
    realm: str
    creds: TBACredentials


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    data: Path = tmp_path_factory.mktemp("ns-budget")
    meter = PeakMeter(create_app(data, SandboxOptions(latency_ms=40)))
    server = BackgroundServer(meter).start()  # type: ignore[arg-type]
    realm = str(secrets.randbelow(9_000_000) + 1_000_000)  # its own budget key in Redis
    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    with AdminClient(server.url, read_admin_key(data)) as admin:
        steps = run_steps_a_to_d(admin, realm, consumer_key=ck, consumer_secret=cs)
    creds = TBACredentials(ck, cs, steps.token_id, steps.token_secret)
    try:
        yield Sandbox(server.url, meter, realm, creds)
    finally:
        server.stop()


def run_worker(sb: Sandbox, limiter: ConcurrencyLimiter, rate_limited: list[int]) -> None:
    """One worker process's event loop: CALLS signed requests at once through ``limiter``."""

    async def main() -> None:
        async with NetSuiteClient(sb.realm, sb.creds, base_url=sb.url, limiter=limiter) as ns:
            await asyncio.gather(*(ns.token_info() for _ in range(CALLS)))
            rate_limited.append(ns.stats.rate_limited)

    asyncio.run(main())


def run_two(sb: Sandbox, limiters: list[ConcurrencyLimiter]) -> list[int]:
    sb.meter.peak = 0
    rate_limited: list[int] = []
    threads = [
        threading.Thread(target=run_worker, args=(sb, lim, rate_limited)) for lim in limiters
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(rate_limited) == 2, "a worker did not finish"
    return rate_limited


def test_two_workers_share_one_budget_and_never_exceed_it(sandbox: Sandbox, redis_url: str) -> None:
    budgets: list[ConcurrencyLimiter] = [
        SharedBudget.from_url(redis_url, sandbox.realm, BUDGET) for _ in range(2)
    ]
    rate_limited = run_two(sandbox, budgets)
    assert sandbox.meter.peak == BUDGET  # used to the full, never above
    assert rate_limited == [0, 0]  # no 429 CONCURRENCY_LIMIT_EXCEEDED
    assert budgets[0].leases() == 0  # type: ignore[attr-defined]  # every lease given back


def test_without_the_shared_budget_two_workers_overshoot(sandbox: Sandbox) -> None:
    """The control: each worker keeping its own count of 3 puts up to 6 on the account (limit
    5 in the sandbox), so NetSuite refuses some with 429."""
    local: list[ConcurrencyLimiter] = [InFlightLimit(sandbox.realm, BUDGET) for _ in range(2)]
    rate_limited = run_two(sandbox, local)
    assert sandbox.meter.peak > BUDGET
    assert sum(rate_limited) > 0


async def test_a_dead_worker_s_lease_expires(redis_url: str) -> None:
    account = f"test-{secrets.token_hex(4)}"
    client = redis.Redis.from_url(redis_url)
    dead = SharedBudget(client, account, 1, lease_s=0.3)
    await dead.acquire()  # the worker dies holding it: never released
    alive = SharedBudget(client, account, 1)
    started = time.monotonic()
    async with alive:
        waited = time.monotonic() - started
        assert alive.leases() == 1 and alive.in_flight == 1
    assert 0.2 < waited < 2.0  # had to wait for the expiry, no longer
    assert alive.leases() == 0 and alive.in_flight == 0
    client.delete(KEY_PREFIX + account)
    client.close()


async def test_a_cancelled_waiter_takes_no_lease(redis_url: str) -> None:
    account = f"test-{secrets.token_hex(4)}"
    budget = SharedBudget.from_url(redis_url, account, 1)
    async with budget:
        waiter = asyncio.create_task(budget.__aenter__())
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert budget.leases() == 0 and budget.in_flight == 0


def test_a_budget_below_one_is_refused_naming_the_field(redis_url: str) -> None:
    with pytest.raises(SettingsError, match="concurrency"):
        SharedBudget.from_url(redis_url, "x", 0)
