"""The Redis-shared NetSuite budget against the in-process limiter, side by side in one run.

Two "workers" (event loops in two threads, as two Celery workers would be) each send ``CALLS``
signed token-info requests at once to the NetSuite sandbox with ``LATENCY_MS`` latency:

(a) budget use: with a shared budget of ``LIMIT``, how close the pair gets to the ideal time
    (calls x latency / limit), against one in-process ``InFlightLimit`` of the same size shared
    by both threads (the best a single process can do); peak in flight measured at the server;
(b) the control: two separate in-process limits of ``LIMIT`` (each worker counting only its
    own) - the peak at the server and the 429s NetSuite answers;
(c) overhead of one lease (acquire + release, no HTTP), Redis on loopback.

Needs Redis on 127.0.0.1:6379. Prints ratios; asserts nothing.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import threading
import time
from pathlib import Path

import redis

from etail.httpserver import BackgroundServer
from etail.netsuite import NetSuiteClient, TBACredentials
from etail.netsuite.limits import ConcurrencyLimiter, InFlightLimit
from etail.queue.netsuite_budget import SharedBudget
from etail.sandbox.netsuite.adminclient import AdminClient, run_steps_a_to_d
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.options import SandboxOptions
from etail.sandbox.netsuite.store import read_admin_key

REDIS = "redis://127.0.0.1:6379/0"
LIMIT = 3
CALLS = 60  # per worker
LATENCY_MS = 50


class Meter:
    def __init__(self, app: object) -> None:
        self.app = app
        self.now = self.peak = 0
        self.lock = threading.Lock()

    async def __call__(self, scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        counted = scope["type"] == "http" and scope["path"].startswith("/rest/tokeninfo")
        if counted:
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)  # type: ignore[operator]
        finally:
            if counted:
                with self.lock:
                    self.now -= 1


def two_workers(
    url: str, realm: str, creds: TBACredentials, limiters: list[ConcurrencyLimiter]
) -> tuple[float, int]:
    limited: list[int] = []

    def worker(limiter: ConcurrencyLimiter) -> None:
        async def main() -> None:
            async with NetSuiteClient(realm, creds, base_url=url, limiter=limiter) as ns:
                await asyncio.gather(*(ns.token_info() for _ in range(CALLS)))
                limited.append(ns.stats.rate_limited)

        asyncio.run(main())

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(lim,)) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, sum(limited)


async def lease_overhead(n: int = 2000) -> float:
    budget = SharedBudget.from_url(REDIS, f"bench-{secrets.token_hex(4)}", LIMIT)
    started = time.perf_counter()
    for _ in range(n):
        async with budget:
            pass
    return (time.perf_counter() - started) / n


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        meter = Meter(create_app(data, SandboxOptions(latency_ms=LATENCY_MS)))
        server = BackgroundServer(meter).start()  # type: ignore[arg-type]
        try:
            realm = str(secrets.randbelow(9_000_000) + 1_000_000)
            ck, cs = secrets.token_hex(32), secrets.token_hex(32)
            with AdminClient(server.url, read_admin_key(data)) as admin:
                steps = run_steps_a_to_d(admin, realm, consumer_key=ck, consumer_secret=cs)
            creds = TBACredentials(ck, cs, steps.token_id, steps.token_secret)
            ideal = 2 * CALLS * LATENCY_MS / 1000 / LIMIT
            one = InFlightLimit(realm, LIMIT)
            meter.peak = 0
            local_s, _ = two_workers(server.url, realm, creds, [one, one])
            local_peak = meter.peak
            meter.peak = 0
            shared = [SharedBudget.from_url(REDIS, realm, LIMIT) for _ in range(2)]
            shared_s, shared_429 = two_workers(server.url, realm, creds, shared)  # type: ignore[arg-type]
            shared_peak = meter.peak
            meter.peak = 0
            apart = [InFlightLimit(realm, LIMIT), InFlightLimit(realm, LIMIT)]
            _, apart_429 = two_workers(server.url, realm, creds, apart)  # type: ignore[arg-type]
            apart_peak = meter.peak
        finally:
            server.stop()
    print(f"(a) {2 * CALLS} calls, {LATENCY_MS} ms each, budget {LIMIT}: ideal {ideal:.2f} s")
    print(f"    one in-process limit : {local_s:.2f} s  ({ideal / local_s:.3f} of ideal), "
          f"peak {local_peak}")  # fmt: skip
    print(f"    shared Redis budget  : {shared_s:.2f} s  ({ideal / shared_s:.3f} of ideal), "
          f"peak {shared_peak}, 429s {shared_429}")  # fmt: skip
    print(f"    shared / in-process time ratio: {shared_s / local_s:.3f}")
    print(f"(b) two separate limits of {LIMIT}: peak {apart_peak}, 429s {apart_429}")
    per = asyncio.run(lease_overhead())
    print(f"(c) one lease (acquire + release) on loopback Redis: {per * 1e6:.0f} us")
    redis.Redis.from_url(REDIS).close()


if __name__ == "__main__":
    main()
