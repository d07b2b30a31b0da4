"""Signing and client overhead, measured side by side in one run (plain Python, no timing asserts).

1. Signing cost: our ``sign_request`` (oauthlib pipeline + base string returned) against
   ``oauthlib.oauth1.Client.sign`` and a minimal hand-written HMAC-SHA256 signer.
2. Client overhead per call over an in-memory transport: ``NetSuiteClient.get`` against a bare
   ``httpx2.AsyncClient`` with the same ``TBA`` auth, and without auth.
3. The in-flight cap against a simulated account that allows 5 concurrent requests and answers
   429 beyond that: 200 calls with the cap at 5 versus effectively no cap (retries only).

Run: ``python -m bench.signing`` (or through ``python -m bench``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlsplit

import httpx2
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client

from etail.netsuite import TBA, NetSuiteClient, RetryPolicy, TBACredentials, limit_for, sign_request

CREDS = TBACredentials(
    "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
    "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
    "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
)
URL = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=1000&offset=0"


def _rate(fn: Callable[[], object], seconds: float = 0.6) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            fn()
        n += 50
    return n / (time.perf_counter() - start)


def _hand_signed() -> str:
    def pct(s: str) -> str:
        return quote(s, safe="-._~")

    oauth = {
        "oauth_consumer_key": CREDS.consumer_key,
        "oauth_token": CREDS.token_id,
        "oauth_nonce": "fjaLirsIcCGVZWzBX0pg",
        "oauth_timestamp": "1508242306",
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_version": "1.0",
    }
    parts = urlsplit(URL)
    params = [*oauth.items(), *parse_qsl(parts.query)]
    norm = "&".join(f"{k}={v}" for k, v in sorted((pct(k), pct(v)) for k, v in params))
    base = "&".join(["POST", pct(f"https://{parts.hostname}{parts.path}"), pct(norm)])
    key = f"{CREDS.consumer_secret}&{CREDS.token_secret}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha256).digest()).decode()


def _oauthlib_signed() -> object:
    client = Client(
        CREDS.consumer_key,
        client_secret=CREDS.consumer_secret,
        resource_owner_key=CREDS.token_id,
        resource_owner_secret=CREDS.token_secret,
        signature_method=SIGNATURE_HMAC_SHA256,
        realm="1234567_SB1",
    )
    return client.sign(URL, "POST")


def bench_signing() -> None:
    ours = _rate(lambda: sign_request("POST", URL, "1234567_SB1", CREDS))
    lib = _rate(_oauthlib_signed)
    hand = _rate(_hand_signed)
    print("1. signing (signatures per second)")
    print(f"   sign_request        {ours:10.0f}/s")
    print(f"   oauthlib Client.sign {lib:9.0f}/s   ours/oauthlib = {ours / lib:.2f}")
    print(f"   hand-written HMAC   {hand:10.0f}/s   ours/hand     = {ours / hand:.2f}")


async def _calls_per_second(make: Callable[[], Callable[[], object]], calls: int = 1500) -> float:
    call = make()
    start = time.perf_counter()
    for _ in range(calls):
        await call()  # type: ignore[misc]
    return calls / (time.perf_counter() - start)


def _ok(_: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json={"id": "1"})


async def bench_client_overhead() -> None:
    transport = httpx2.MockTransport(_ok)
    url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/1"
    async with (
        httpx2.AsyncClient(transport=transport) as plain,
        httpx2.AsyncClient(transport=transport, auth=TBA("1234567_SB1", CREDS)) as signed,
        NetSuiteClient("1234567_SB1", CREDS, transport=transport) as ns,
    ):
        bare = await _calls_per_second(lambda: lambda: plain.get(url))
        auth = await _calls_per_second(lambda: lambda: signed.get(url))
        full = await _calls_per_second(lambda: lambda: ns.get("customer", 1))
    print("2. client overhead over an in-memory transport (calls per second)")
    print(f"   httpx2, no auth     {bare:10.0f}/s")
    print(
        f"   httpx2 + TBA        {auth:10.0f}/s   TBA cost: {1e6 / auth - 1e6 / bare:.0f} µs/call"
    )
    print(f"   NetSuiteClient.get  {full:10.0f}/s   client/httpx2+TBA = {full / auth:.2f}")


class _Account:
    """A simulated NetSuite account: 5 concurrent requests, 429 beyond, 4 ms per request."""

    def __init__(self, limit: int = 5) -> None:
        self.limit, self.active, self.refused, self.served = limit, 0, 0, 0

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if self.active >= self.limit:
            self.refused += 1
            return httpx2.Response(
                429, json={"o:errorDetails": [{"o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"}]}
            )
        self.active += 1
        try:
            await asyncio.sleep(0.004)
        finally:
            self.active -= 1
        self.served += 1
        return httpx2.Response(200, json={"id": "1"})


async def _run_burst(realm: str, cap: int, calls: int = 200) -> tuple[float, _Account, int]:
    account = _Account()
    limit_for(realm, cap)
    policy = RetryPolicy(max_retries=50, base=0.004, cap=0.05)
    async with NetSuiteClient(
        realm, CREDS, transport=httpx2.MockTransport(account), concurrency=cap, retry=policy
    ) as ns:
        start = time.perf_counter()
        await asyncio.gather(*(ns.get("customer", i) for i in range(calls)))
        return time.perf_counter() - start, account, ns.stats.requests


async def bench_cap() -> None:
    capped, acc_c, req_c = await _run_burst("9000001_SB1", 5)
    uncapped, acc_u, req_u = await _run_burst("9000002_SB1", 1000)
    print("3. 200 calls against an account limited to 5 concurrent requests")
    for label, secs, acc, sent in (
        ("cap 5 ", capped, acc_c, req_c),
        ("no cap", uncapped, acc_u, req_u),
    ):
        print(
            f"   {label}  {secs:6.2f} s, {acc.refused:5d} refusals (429), {sent:5d} HTTP requests"
        )
    print(f"   requests sent, no cap / cap = {req_u / req_c:.2f}")
    print(f"   wall time, no cap / cap = {uncapped / capped:.2f}")


def main() -> None:
    bench_signing()
    asyncio.run(bench_client_overhead())
    asyncio.run(bench_cap())


if __name__ == "__main__":
    main()
