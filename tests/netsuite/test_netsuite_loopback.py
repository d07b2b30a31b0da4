"""The client over real HTTP: a loopback server verifies each signature the way NetSuite does."""

from __future__ import annotations

import httpx2
import rfc5849_oracle as oracle
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

import etail.netsuite
from etail.httpserver import BackgroundServer
from etail.netsuite import NetSuiteClient, TBACredentials

CREDS = TBACredentials("1" * 64, "2" * 64, "3" * 64, "4" * 64)


def strict_server(nonces: list[str]) -> FastAPI:
    """Answers 401 to any bad signature or reused nonce, 429 to every first attempt of a path."""
    api = FastAPI()
    refused: set[str] = set()

    @api.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
    async def anything(path: str, request: Request) -> Response:
        raw_path = request.scope["raw_path"].decode()
        query = request.scope["query_string"].decode()
        header = request.headers.get("Authorization", "")
        protocol = oracle.parse_authorization(header)
        host, _, port = request.headers["host"].partition(":")
        text = oracle.base_string(
            request.method, "http", host, int(port) if port else None, raw_path, query, protocol
        )
        params = dict(protocol)
        good = params["oauth_signature"] == oracle.hmac_sha256(
            CREDS.consumer_secret, CREDS.token_secret, text
        )
        if not good or params["oauth_nonce"] in nonces or params["realm"] != "7654321_SB2":
            return JSONResponse(
                {"o:errorDetails": [{"o:errorCode": "INVALID_LOGIN", "detail": "x"}]},
                status_code=401,
            )
        nonces.append(params["oauth_nonce"])
        if raw_path not in refused:
            refused.add(raw_path)
            return JSONResponse(
                {
                    "o:errorDetails": [
                        {"o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED", "detail": "blocked"}
                    ]
                },
                status_code=429,
                headers={"Retry-After": "0"},
            )
        if path.endswith("suiteql"):
            offset = int(request.query_params["offset"])
            return JSONResponse({"items": [{"links": [], "n": str(offset)}], "hasMore": offset < 2})
        return JSONResponse({"id": "1", "path": raw_path})

    return api


async def no_sleep(_: float) -> None:
    return None


async def test_signatures_verify_server_side_and_retries_use_new_nonces() -> None:
    nonces: list[str] = []
    with BackgroundServer(strict_server(nonces)) as server:
        async with NetSuiteClient(
            "7654321_SB2", CREDS, base_url=server.url, sleep=no_sleep
        ) as client:
            record = await client.get("customer", "eid:CID 7/8")
            rows = [r async for r in client.suiteql("SELECT 1", page_size=1)]
            transformed = await client.request(
                "POST", client.record_url("salesOrder", 3) + "/!transform/itemFulfillment"
            )
    assert record["path"] == "/services/rest/record/v1/customer/eid:CID%207%2F8"
    assert [r["n"] for r in rows] == ["0", "1", "2"]
    assert transformed.json()["path"].endswith("/3/!transform/itemFulfillment")
    assert len(nonces) == len(set(nonces)) == client.stats.requests
    assert client.stats.rate_limited == 3  # the first attempt at each of the 3 distinct paths


def test_public_names_are_exported() -> None:
    for name in etail.netsuite.__all__:
        assert hasattr(etail.netsuite, name), name
    assert isinstance(etail.netsuite.TBA("1", CREDS), httpx2.Auth)
