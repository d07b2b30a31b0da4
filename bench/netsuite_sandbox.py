"""NetSuite sandbox speed: what Token-Based Authentication costs, measured side by side.

One sandbox server on a loopback port (uvicorn in a background thread), one account after the
guide's steps A-D. In alternating rounds, 4 concurrent clients run for a fixed time each:

* unsigned: ``GET /rest/datacenterurls?account=...`` (no auth, one account lookup);
* signed: ``GET /rest/tokeninfo`` (signed by the client, verified by the sandbox: oauthlib's
  ResourceEndpoint, nonce recorded, Login Audit Trail row written);
* signed record read: ``GET /services/rest/record/v1/customer/<id>``;
* signed SuiteQL: ``POST /services/rest/query/v1/suiteql`` (a join, 10 rows).

It prints requests per second per kind (median of the rounds) and the ratios signed / unsigned.
Run: ``python -m bench.netsuite_sandbox`` (or through ``python -m bench``).
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx2

from etail.httpserver import BackgroundServer
from etail.netsuite.auth import TBA
from etail.netsuite.credentials import TBACredentials
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.store import read_admin_key

REALM = "4242424_SB1"
CONCURRENCY = 4  # below the account's limit: nothing here should be answered 429
SECONDS = 2.0
ROUNDS = 3
CUSTOMERS = 50
R = "/services/rest/record/v1"

Call = Callable[[httpx2.AsyncClient, int], Awaitable[httpx2.Response]]


def steps_a_to_d(admin: AdminClient) -> TBACredentials:
    """The guide's steps A-D through the admin API; returns the four TBA credentials."""
    admin.create_account(REALM, service_tier="premium", admin_password="bench horse battery")
    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    admin.install_bundle(REALM, ck, cs)
    admin.set_feature(REALM, "tba", True)
    role = admin.clone_role(REALM, "Celigo eTail SmartConnectors", "Bench Role")
    admin.create_employee(REALM, "Bench User", "bench@example.com")
    admin.add_role(REALM, "bench@example.com", role["id"])
    token = admin.create_token(
        REALM, "eTail Connectors (Token-Based Auth)", "bench@example.com", role["id"]
    )
    return TBACredentials(ck, cs, token["token_id"], token["token_secret"])


async def rate(url: str, auth: httpx2.Auth | None, call: Call) -> float:
    done = 0
    limits = httpx2.Limits(max_connections=CONCURRENCY)
    async with httpx2.AsyncClient(base_url=url, auth=auth, limits=limits, timeout=30) as http:
        deadline = time.perf_counter() + SECONDS

        async def worker(offset: int) -> None:
            nonlocal done
            n = offset
            while time.perf_counter() < deadline:
                resp = await call(http, n)
                if resp.status_code != 200:
                    raise RuntimeError(f"{resp.request.url}: {resp.status_code} {resp.text[:200]}")
                done += 1
                n += CONCURRENCY

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(CONCURRENCY)))
        return done / (time.perf_counter() - started)


def seed(url: str, auth: httpx2.Auth) -> list[str]:
    ids = []
    with httpx2.Client(base_url=url, auth=auth, timeout=30) as http:
        for n in range(CUSTOMERS):
            resp = http.post(
                f"{R}/customer", json={"companyName": f"Bench {n}", "email": f"b{n}@x.test"}
            )
            resp.raise_for_status()
            ids.append(resp.headers["location"].rsplit("/", 1)[1])
    return ids


def kinds(ids: list[str]) -> dict[str, tuple[bool, Call]]:
    query = {
        "q": "SELECT c.id, c.companyname FROM customer c WHERE c.email LIKE ? ORDER BY c.id",
        "params": ["b%"],
    }

    def unsigned(http: httpx2.AsyncClient, _n: int) -> Awaitable[httpx2.Response]:
        return http.get("/rest/datacenterurls", params={"account": REALM})

    def tokeninfo(http: httpx2.AsyncClient, _n: int) -> Awaitable[httpx2.Response]:
        return http.get("/rest/tokeninfo")

    def record(http: httpx2.AsyncClient, n: int) -> Awaitable[httpx2.Response]:
        return http.get(f"{R}/customer/{ids[n % len(ids)]}")

    def suiteql(http: httpx2.AsyncClient, _n: int) -> Awaitable[httpx2.Response]:
        return http.post(
            "/services/rest/query/v1/suiteql",
            params={"limit": "10"},
            headers={"Prefer": "transient"},
            json=query,
        )

    return {
        "unsigned datacenterurls": (False, unsigned),
        "signed tokeninfo": (True, tokeninfo),
        "signed record GET": (True, record),
        "signed SuiteQL": (True, suiteql),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        with BackgroundServer(create_app(data)) as srv:
            with AdminClient(srv.url, read_admin_key(data)) as admin:
                creds = steps_a_to_d(admin)
            auth = TBA(REALM, creds)
            ids = seed(srv.url, auth)
            results: dict[str, list[float]] = {}
            for _ in range(ROUNDS):  # alternate the kinds so drift hits all of them alike
                for name, (signed, call) in kinds(ids).items():
                    rps = asyncio.run(rate(srv.url, auth if signed else None, call))
                    results.setdefault(name, []).append(rps)
    base = statistics.median(results["unsigned datacenterurls"])
    print(f"{CONCURRENCY} concurrent clients, {ROUNDS} rounds of {SECONDS:g} s per kind (median)")
    for name, values in results.items():
        rps = statistics.median(values)
        print(f"  {name:<26} {rps:8.0f} req/s   ratio to unsigned {rps / base:5.2f}")
    signed = statistics.median(results["signed tokeninfo"])
    print(f"signed-and-verified / unsigned requests per second: {signed / base:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
