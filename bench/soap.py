"""SOAP versus REST on the NetSuite sandbox, measured side by side in one run.

One sandbox on a loopback port, one account after steps A-D, one customer. In alternating
rounds, one client at a time reads the customer (REST ``GET .../customer/<id>`` with
``NetSuiteClient.get`` against SOAP ``get`` with ``SoapClient.get``) and upserts it by external
ID (REST ``PUT .../eid:`` against SOAP ``upsert``). Both are TBA-verified with a Login Audit
Trail row each; SOAP adds envelope parsing (twice: the realm middleware and the route) and XML
rendering. Prints calls per second (median of the rounds) and the ratio SOAP / REST.
Run: ``python -m bench.soap`` (or through ``python -m bench``).
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from etail.httpserver import BackgroundServer
from etail.netsuite import NetSuiteClient, TBACredentials
from etail.netsuite.soap import SoapClient
from etail.sandbox.netsuite.adminclient import AdminClient, run_steps_a_to_d
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.store import read_admin_key

REALM = "4343434_SB1"
SECONDS = 1.5
ROUNDS = 3


async def rate(call: Callable[[], Awaitable[object]]) -> float:
    done, end = 0, time.perf_counter() + SECONDS
    started = time.perf_counter()
    while time.perf_counter() < end:
        await call()
        done += 1
    return done / (time.perf_counter() - started)


async def run(url: str, creds: TBACredentials) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    async with (
        NetSuiteClient(REALM, creds, base_url=url, concurrency=20) as rest,
        SoapClient(REALM, creds, base_url=url) as soap,
    ):
        cid = await rest.upsert("customer", "BENCH-1", {"companyName": "Bench"})
        body = {"companyName": "Bench", "email": "bench@example.com"}
        kinds: dict[str, Callable[[], Awaitable[object]]] = {
            "rest get": lambda: rest.get("customer", cid),
            "soap get": lambda: soap.get("customer", cid),
            "rest upsert": lambda: rest.upsert("customer", "BENCH-1", body),
            "soap upsert": lambda: soap.upsert("customer", "BENCH-1", body),
        }
        for _ in range(ROUNDS):
            for name, call in kinds.items():
                results.setdefault(name, []).append(await rate(call))
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        with BackgroundServer(create_app(data)) as srv:
            admin = AdminClient(srv.url, read_admin_key(data))
            ck, cs = secrets.token_hex(32), secrets.token_hex(32)
            admin.create_account(REALM, service_tier="premium", admin_password="bench horse 1")
            done = run_steps_a_to_d(admin, REALM, consumer_key=ck, consumer_secret=cs)
            admin.close()
            creds = TBACredentials(ck, cs, done.token_id, done.token_secret)
            results = asyncio.run(run(srv.url, creds))
    median = {k: statistics.median(v) for k, v in results.items()}
    for name, value in median.items():
        print(f"{name:12s} {value:8.1f} calls/s")
    for op in ("get", "upsert"):
        print(f"soap/rest {op}: {median[f'soap {op}'] / median[f'rest {op}']:.2f}")


if __name__ == "__main__":
    main()
