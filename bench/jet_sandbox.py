"""Jet sandbox speed, measured side by side in one run (plain Python, no timing asserts).

1. Seeding: 100,000 orders (and 1,000 SKUs) into a fresh SQLite file, orders per second.
2. Order detail over real HTTP: ``GET /api/orders/withoutShipmentDetail/{id}`` against the server
   on a loopback port (uvicorn in a background thread), 8 concurrent clients, requests per second;
   next to it ``GET /api/authcheck`` (auth only, no order read) and the same detail read in process
   without HTTP, to show where the time goes.

Run: ``python -m bench.jet_sandbox`` (or through ``python -m bench``).
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx2

from etail.httpserver import BackgroundServer
from etail.sandbox.jet import orders
from etail.sandbox.jet.app import create_app
from etail.sandbox.jet.seed import seed

ORDERS = 100_000
SKUS = 1_000
CONCURRENCY = 8
SECONDS = 3.0


async def _http_rate(url: str, token: str, paths: list[str]) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    done = 0
    deadline = time.perf_counter() + SECONDS
    limits = httpx2.Limits(max_connections=CONCURRENCY)
    async with httpx2.AsyncClient(base_url=url, headers=headers, limits=limits) as http:

        async def worker(offset: int) -> None:
            nonlocal done
            i = offset
            while time.perf_counter() < deadline:
                resp = await http.get(paths[i % len(paths)])
                if resp.status_code != 200:
                    raise RuntimeError(f"{resp.status_code}: {resp.text[:200]}")
                done += 1
                i += CONCURRENCY

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(CONCURRENCY)))
        return done / (time.perf_counter() - started)


def _in_process_rate(store: object, merchant_id: str, ids: list[str]) -> float:
    n, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        orders.detail(store, merchant_id, ids[n % len(ids)])  # type: ignore[arg-type]
        n += 1
    return n / (time.perf_counter() - started)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        app = create_app(data)
        store = app.state.store
        report = seed(store, orders=ORDERS, skus=SKUS, seed=2026)
        seed_rate = report.orders / report.seconds
        keys = report.new_merchant
        assert keys is not None
        ids = orders.list_urls(store, report.merchant_id, "ready")
        ids = [u.rsplit("/", 1)[-1] for u in ids]
        random.Random(1).shuffle(ids)
        detail_paths = [f"/api/orders/withoutShipmentDetail/{i}" for i in ids]
        with BackgroundServer(app) as srv:
            body = {"user": keys.test_key.api_user, "pass": keys.test_key.secret}
            token = httpx2.post(f"{srv.url}/api/token", json=body).json()["id_token"]
            detail_rps = asyncio.run(_http_rate(srv.url, token, detail_paths))
            auth_rps = asyncio.run(_http_rate(srv.url, token, ["/api/authcheck"]))
        local_rate = _in_process_rate(store, report.merchant_id, ids)
    rows = [
        ("seed: orders inserted per second", seed_rate,
         f"{report.orders:,} orders, {report.lines:,} lines in {report.seconds:.1f} s"),
        ("order detail over HTTP, requests/s", detail_rps, f"{CONCURRENCY} concurrent clients"),
        ("authcheck over HTTP, requests/s", auth_rps, "token check only, same server"),
        ("order detail in process, reads/s", local_rate, "no HTTP: SQLite read + render"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"Jet sandbox (Python {sys.version.split()[0]})")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>10,.0f}   {note}")
    print(f"  HTTP detail / in-process detail: {detail_rps / local_rate:.2f}x")


if __name__ == "__main__":
    main()
