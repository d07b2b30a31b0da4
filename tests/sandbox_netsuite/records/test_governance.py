"""Governance over real HTTP: one concurrency pool per account, latency, seeded faults."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from etail.errors import SettingsError
from etail.httpserver import BackgroundServer
from etail.sandbox.netsuite.governance import GovernanceMiddleware
from etail.sandbox.netsuite.options import SandboxOptions

from .conftest import build_app, caller

REALM = "1234567_SB1"
LIMITS = {REALM: 5, "7654321": 2}


def auth(realm: str = REALM) -> dict[str, str]:
    return {"Authorization": f'OAuth realm="{realm}", oauth_token="t", oauth_signature="s"'}


def governed_app(
    tmp: Path, options: SandboxOptions
) -> tuple[GovernanceMiddleware, GovernanceMiddleware]:
    """The record router plus two probe routes, behind the middleware (served as the app)."""
    tmp.mkdir(parents=True, exist_ok=True)
    app = build_app(tmp / "gov.db", [caller()])

    @app.get("/services/rest/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/rest/tokeninfo")
    def tokeninfo() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/admin/ping")
    def admin_ping() -> dict[str, bool]:
        return {"ok": True}

    governed = GovernanceMiddleware(app, limit_for=LIMITS.get, options=options)
    return governed, governed


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[str]:
    app, _ = governed_app(tmp_path, SandboxOptions(latency_ms=200))
    with BackgroundServer(app) as srv:
        yield srv.url


async def burst(url: str, path: str, n: int, realm: str = REALM) -> Counter[int]:
    limits = httpx2.Limits(max_connections=100)
    async with httpx2.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        # Open the connections first (ungoverned path), so the burst arrives at once even on a
        # busy machine: a late request could otherwise find a slot already freed.
        await asyncio.gather(*(client.get("/admin/ping") for _ in range(n)))
        answers = await asyncio.gather(*(client.get(path, headers=auth(realm)) for _ in range(n)))
    return Counter(r.status_code for r in answers)


async def test_limit_5_latency_200ms_20_at_once_exactly_15_are_429(slow: str) -> None:
    counts = await burst(slow, "/services/rest/ping", 20)
    assert counts == Counter({200: 5, 429: 15})
    # the slots are free again afterwards
    assert await burst(slow, "/services/rest/ping", 5) == Counter({200: 5})


async def test_the_429_body_is_netsuites(slow: str) -> None:
    async with httpx2.AsyncClient(base_url=slow, timeout=30) as client:
        answers = await asyncio.gather(
            *(client.get("/services/rest/ping", headers=auth()) for _ in range(6))
        )
    rejected = next(r for r in answers if r.status_code == 429)
    assert rejected.json() == {
        "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": "Bad Request",
        "status": 429,
        "o:errorCode": "USER_ERROR",
        "o:errorDetails": [
            {
                "detail": "Concurrent request limit exceeded. Request blocked.",
                "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
            }
        ],
    }


async def test_restlets_share_the_pool_and_answer_sss_request_limit_exceeded(slow: str) -> None:
    path = "/app/site/hosting/restlet.nl?script=1&deploy=1"
    async with httpx2.AsyncClient(base_url=slow, timeout=30) as client:
        answers = await asyncio.gather(
            *(client.get("/services/rest/ping", headers=auth()) for _ in range(5)),
            *(client.get(path, headers=auth()) for _ in range(3)),
        )
    restlet = answers[5:]
    assert [r.status_code for r in restlet] == [400, 400, 400]
    assert restlet[0].json()["error"]["code"] == "SSS_REQUEST_LIMIT_EXCEEDED"


async def test_each_account_has_its_own_pool_and_unknown_realms_pass(slow: str) -> None:
    a, b, unknown = await asyncio.gather(
        burst(slow, "/services/rest/ping", 6, REALM),
        burst(slow, "/services/rest/ping", 4, "7654321"),
        burst(slow, "/services/rest/ping", 8, "9999999"),
    )
    assert a == Counter({200: 5, 429: 1})
    assert b == Counter({200: 2, 429: 2})
    assert unknown == Counter({200: 8})  # no account: authentication will refuse it, not governance


async def test_tokeninfo_counts_against_the_same_pool(slow: str) -> None:
    async with httpx2.AsyncClient(base_url=slow, timeout=30) as client:
        busy = [
            asyncio.create_task(client.get("/services/rest/ping", headers=auth())) for _ in range(5)
        ]
        await asyncio.sleep(0.1)  # the five hold their slots for 200 ms
        late = await client.get("/rest/tokeninfo", headers=auth())
        done = await asyncio.gather(*busy)
    assert [r.status_code for r in done] == [200] * 5 and late.status_code == 429


async def test_paths_outside_web_services_are_not_governed(slow: str) -> None:
    assert await burst(slow, "/admin/ping", 10) == Counter({200: 10})


def test_latency_is_held_inside_the_slot(slow: str) -> None:
    start = time.monotonic()
    r = httpx2.get(f"{slow}/services/rest/ping", headers=auth())
    assert r.status_code == 200 and time.monotonic() - start >= 0.2


def faulty(tmp: Path, **kw: object) -> tuple[GovernanceMiddleware, GovernanceMiddleware]:
    return governed_app(tmp, SandboxOptions(**kw))  # type: ignore[arg-type]


def test_fault_rate_is_roughly_right_and_seeded(tmp_path: Path) -> None:
    seen = []
    for run in range(2):
        app, _ = faulty(tmp_path / str(run), fault_rate=0.3, fault_kinds=("5xx", "429"), seed=7)
        with BackgroundServer(app) as srv, httpx2.Client(base_url=srv.url) as http:
            seen.append(
                [http.get("/services/rest/ping", headers=auth()).status_code for _ in range(200)]
            )
    assert seen[0] == seen[1]  # same seed, same faults
    counts = Counter(seen[0])
    assert 40 <= counts[500] + counts[429] <= 80  # 30 % of 200 = 60
    assert counts[500] > 10 and counts[429] > 10


def test_fault_bodies(tmp_path: Path) -> None:
    app, mw = faulty(tmp_path, fault_rate=1.0, fault_kinds=("5xx",), seed=1)
    with BackgroundServer(app) as srv, httpx2.Client(base_url=srv.url) as http:
        rest = http.get("/services/rest/ping", headers=auth())
        restlet = http.get("/app/site/hosting/restlet.nl?script=1&deploy=1", headers=auth())
    assert rest.status_code == 500
    assert rest.json()["o:errorDetails"][0]["o:errorCode"] == "UNEXPECTED_ERROR"
    assert restlet.status_code == 500 and restlet.json()["error"]["code"] == "UNEXPECTED_ERROR"
    assert mw.faults == {"5xx": 2}


def test_timeout_fault_stalls_then_answers_504(tmp_path: Path) -> None:
    app, _ = faulty(tmp_path, fault_rate=1.0, fault_kinds=("timeout",), stall_ms=300, seed=1)
    with BackgroundServer(app) as srv:
        start = time.monotonic()
        r = httpx2.get(f"{srv.url}/services/rest/ping", headers=auth(), timeout=10)
    assert r.status_code == 504 and time.monotonic() - start >= 0.3


def test_a_fault_never_half_applies_a_write(tmp_path: Path) -> None:
    app, _ = faulty(tmp_path, fault_rate=0.5, fault_kinds=("5xx", "timeout"), stall_ms=10, seed=3)
    statuses = []
    with BackgroundServer(app) as srv, httpx2.Client(base_url=srv.url, headers=auth()) as http:
        for n in range(40):
            r = http.post("/services/rest/record/v1/customer", json={"companyName": f"C{n}"})
            statuses.append(r.status_code)
        listed = 0
        for _ in range(20):  # faults hit reads too: retry until one list answers (bounded)
            r = http.get("/services/rest/record/v1/customer")
            if r.status_code == 200:
                listed = r.json()["totalResults"]
                break
    assert set(statuses) == {204, 500, 504}
    assert listed == statuses.count(204)


@pytest.mark.parametrize(
    "kw",
    [
        {"latency_ms": -1},
        {"fault_rate": 1.5},
        {"fault_kinds": ("boom",)},
        {"fault_kinds": ()},
        {"stall_ms": 10**9},
    ],
)
def test_bad_options_name_the_flag(kw: dict[str, object]) -> None:
    with pytest.raises(SettingsError) as err:
        SandboxOptions(**kw)  # type: ignore[arg-type]
    assert err.value.field and err.value.field.startswith("--")
    assert err.value.field in str(err.value)  # the message names the flag a person typed


def test_soap_is_governed_with_a_soap_fault(tmp_path: Path) -> None:
    app, _ = faulty(tmp_path, fault_rate=1.0, fault_kinds=("429",), seed=1)
    with BackgroundServer(app) as srv:
        r = httpx2.post(f"{srv.url}/services/NetSuitePort_2024_2", headers=auth(), content=b"<x/>")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/xml")
    assert "<platformFaults:code>WS_REQUEST_BLOCKED</platformFaults:code>" in r.text
    assert "exceededConcurrentRequestLimitFault" in r.text


def test_bearer_requests_count_against_their_accounts_pool() -> None:
    """OAuth 2.0 traffic shares the account-wide limit with TBA (one pool for every channel)."""
    import base64
    import json as _json

    from etail.sandbox.netsuite.governance import realm_of

    def seg(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(_json.dumps(obj).encode()).rstrip(b"=").decode()

    token = f"{seg({'alg': 'PS256'})}.{seg({'aud': ['app-id;1234567_SB1']})}.c2ln"
    bearer = {"headers": [(b"authorization", f"Bearer {token}".encode())]}
    tba = {"headers": [(b"authorization", b'OAuth realm="1234567_SB1", oauth_nonce="x"')]}
    assert realm_of(bearer) == "1234567_SB1"  # type: ignore[arg-type]
    assert realm_of(tba) == "1234567_SB1"  # type: ignore[arg-type]
    assert realm_of({"headers": [(b"authorization", b"Bearer junk")]}) is None  # type: ignore[arg-type]
