"""NetSuiteClient behaviour against httpx2.MockTransport: errors, retries, paging, the cap."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from itertools import count

import httpx2
import pytest
import rfc5849_oracle as oracle

from etail.errors import (
    CredentialsError,
    PermissionDeniedError,
    RateLimitedError,
    RecordNotFoundError,
    RecordRejectedError,
    SettingsError,
    TransientError,
    UnexpectedResponseError,
)
from etail.netsuite import (
    DEFAULT_CONCURRENCY,
    TBA,
    AccountId,
    NetSuiteClient,
    TBACredentials,
    limit_for,
)

CREDS = TBACredentials(
    "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
    "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
    "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
)
SECRETS = (CREDS.consumer_secret, CREDS.token_secret)
_realms = count(1)

Handler = Callable[[httpx2.Request], httpx2.Response]


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make_client(
    handler: Handler, *, realm: str | None = None, **kw: object
) -> tuple[NetSuiteClient, Sleeps]:
    # A fresh realm per test: the in-flight limiter is shared per realm across the process.
    account = AccountId.parse(realm or f"{next(_realms)}_SB1")
    sleeps = Sleeps()
    client = NetSuiteClient(
        account, CREDS, transport=httpx2.MockTransport(handler), sleep=sleeps, **kw
    )  # type: ignore[arg-type]
    return client, sleeps


def problem(status: int, code: str, detail: str, path: str | None = None) -> httpx2.Response:
    item: dict[str, str] = {"detail": detail, "o:errorCode": code}
    if path:
        item["o:errorPath"] = path
    return httpx2.Response(
        status, json={"type": "x", "title": "t", "status": status, "o:errorDetails": [item]}
    )


def signature_of(request: httpx2.Request) -> dict[str, str]:
    return dict(oracle.parse_authorization(request.headers["Authorization"]))


INVALID_LOGIN = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


@pytest.mark.parametrize(
    ("response", "cls", "code"),
    [
        (problem(401, "INVALID_LOGIN", INVALID_LOGIN), CredentialsError, "INVALID_LOGIN"),
        (
            problem(403, "INSUFFICIENT_PERMISSION", "Permission Violation"),
            PermissionDeniedError,
            "INSUFFICIENT_PERMISSION",
        ),
        (
            problem(404, "NONEXISTENT_ID", "Record does not exist."),
            RecordNotFoundError,
            "NONEXISTENT_ID",
        ),
        (
            problem(400, "INVALID_CONTENT", "Invalid item", "item.items[0].item"),
            RecordRejectedError,
            "INVALID_CONTENT",
        ),
        (problem(409, "USER_ERROR", "conflict"), RecordRejectedError, "USER_ERROR"),
        (
            problem(
                429,
                "CONCURRENCY_LIMIT_EXCEEDED",
                "Concurrent request limit exceeded. Request blocked.",
            ),
            RateLimitedError,
            "CONCURRENCY_LIMIT_EXCEEDED",
        ),
        (
            httpx2.Response(
                400, json={"error": {"code": "SSS_REQUEST_LIMIT_EXCEEDED", "message": "limit"}}
            ),
            RateLimitedError,
            "SSS_REQUEST_LIMIT_EXCEEDED",
        ),
        (
            httpx2.Response(
                401,
                json={
                    "error": {"code": "INVALID_LOGIN_ATTEMPT", "message": "Invalid login attempt."}
                },
            ),
            CredentialsError,
            "INVALID_LOGIN_ATTEMPT",
        ),
        (
            httpx2.Response(
                400,
                text="<error><code>SSS_INVALID_SCRIPTLET_ID</code><message>bad</message></error>",
            ),
            RecordRejectedError,
            "SSS_INVALID_SCRIPTLET_ID",
        ),
        (
            problem(500, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: abc"),
            TransientError,
            "UNEXPECTED_ERROR",
        ),
        (httpx2.Response(503, text="Service Unavailable"), TransientError, None),
        (
            httpx2.Response(302, headers={"Location": "https://elsewhere"}),
            UnexpectedResponseError,
            None,
        ),
    ],
)
async def test_error_bodies_become_typed_errors(
    response: httpx2.Response, cls: type, code: str | None
) -> None:
    client, _ = make_client(lambda _: response, max_retries=0)
    async with client:
        with pytest.raises(cls) as info:
            await client.get("salesOrder", 7)
    error = info.value
    assert type(error) is cls
    assert error.code == code
    assert error.status == response.status_code
    for secret in SECRETS:
        assert secret not in str(error) and secret not in repr(error)


async def test_invalid_login_points_at_the_login_audit_trail() -> None:
    client, _ = make_client(lambda _: problem(401, "INVALID_LOGIN", INVALID_LOGIN), max_retries=3)
    async with client:
        with pytest.raises(CredentialsError) as info:
            await client.token_info()
    assert "View Login Audit Trail" in str(info.value)
    assert client.account.realm in str(info.value)
    assert client.stats.requests == 1  # a refused login is never retried


async def test_record_error_path_is_kept() -> None:
    client, _ = make_client(
        lambda _: problem(400, "INVALID_CONTENT", "Invalid item", "item.items[0].item")
    )
    async with client:
        with pytest.raises(RecordRejectedError) as info:
            await client.create("salesOrder", {"item": {"items": [{"item": {"id": "x"}}]}})
    assert info.value.error_path == "item.items[0].item"
    assert "item.items[0].item" in str(info.value)


async def test_retry_after_is_honoured_and_each_retry_is_signed_afresh() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if len(seen) < 3:
            resp = problem(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded.")
            resp.headers["Retry-After"] = "7"
            return resp
        return httpx2.Response(200, json={"id": "7"})

    client, sleeps = make_client(handler)
    async with client:
        assert await client.get("customer", 7) == {"id": "7"}
    assert len(seen) == 3
    assert len(sleeps.delays) == 2 and all(d >= 7 for d in sleeps.delays)
    nonces = {signature_of(r)["oauth_nonce"] for r in seen}
    assert len(nonces) == 3
    assert all(oracle.verify(r, *SECRETS) for r in seen)
    assert (
        client.stats.retries == 2 and client.stats.rate_limited == 2 and client.stats.requests == 3
    )


async def test_retry_after_beyond_max_wait_is_left_to_the_job_layer() -> None:
    def handler(_: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(429, headers={"Retry-After": "3600"}, json={})

    client, sleeps = make_client(handler)
    async with client:
        with pytest.raises(RateLimitedError) as info:
            await client.get("customer", 1)
    assert info.value.retry_after == 3600
    assert sleeps.delays == []


async def test_backoff_grows_and_gives_up_after_max_retries() -> None:
    client, sleeps = make_client(lambda _: httpx2.Response(502, text="bad gateway"), max_retries=4)
    async with client:
        with pytest.raises(TransientError):
            await client.get("customer", 1)
    assert client.stats.requests == 5
    assert len(sleeps.delays) == 4
    # Equal jitter: each delay lies in [ceiling/2, ceiling] with ceiling 0.5, 1, 2, 4 s.
    for n, delay in enumerate(sleeps.delays):
        ceiling = 0.5 * 2**n
        assert ceiling / 2 <= delay <= ceiling


async def test_transport_errors_are_transient_and_retried() -> None:
    calls = count()

    def handler(request: httpx2.Request) -> httpx2.Response:
        if next(calls) == 0:
            raise httpx2.ConnectError("connection refused", request=request)
        return httpx2.Response(200, json={"id": "1"})

    client, sleeps = make_client(handler)
    async with client:
        assert await client.get("customer", 1) == {"id": "1"}
    assert client.stats.transport_errors == 1 and len(sleeps.delays) == 1


async def test_create_is_not_resent_after_an_ambiguous_failure() -> None:
    client, sleeps = make_client(lambda _: httpx2.Response(500, json={}))
    async with client:
        with pytest.raises(TransientError):
            await client.create("customer", {"companyName": "Ada"})
    assert client.stats.requests == 1 and sleeps.delays == []


async def test_create_is_resent_after_a_concurrency_refusal() -> None:
    calls = count()

    def handler(_: httpx2.Request) -> httpx2.Response:
        if next(calls) == 0:
            return problem(429, "CONCURRENCY_LIMIT_EXCEEDED", "blocked")
        return httpx2.Response(
            204, headers={"Location": "https://x/services/rest/record/v1/customer/42"}
        )

    client, _ = make_client(handler)
    async with client:
        assert await client.create("customer", {"companyName": "Ada"}) == "42"
    assert client.stats.requests == 2


async def test_json_body_is_not_signed_and_query_is_not_in_the_header() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(204, headers={"Location": "/services/rest/record/v1/salesOrder/9"})

    client, _ = make_client(handler)
    async with client:
        await client.request(
            "POST", client.record_url("salesOrder"), params={"replace": "item"}, json={"a": 1}
        )
    request = seen[0]
    header = request.headers["Authorization"]
    assert "oauth_body_hash" not in header and "replace" not in header
    assert json.loads(request.content) == {"a": 1}
    assert oracle.verify(request, *SECRETS)  # verifies with the query and without the body


async def test_form_body_is_signed() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200)

    transport = httpx2.MockTransport(handler)
    async with httpx2.AsyncClient(transport=transport, auth=TBA("123456", CREDS)) as http:
        await http.post(
            "https://123456.restlets.api.netsuite.com/rest/x", data={"grant": "a b", "z": "ü"}
        )
    request = seen[0]
    assert "oauth_body_hash" not in request.headers["Authorization"]
    form = [("grant", "a b"), ("z", "ü")]
    assert oracle.verify(request, *SECRETS, form=form)
    assert not oracle.verify(request, *SECRETS)  # the form parameters really are in the signature


async def test_create_update_delete_and_paths() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if request.method == "POST":
            return httpx2.Response(204, headers={"Location": f"{request.url}/1001"})
        return httpx2.Response(204)

    client, _ = make_client(handler, realm="1234567_SB1", base_url="http://127.0.0.1:8101/")
    async with client:
        assert await client.create("customer", {"companyName": "Ada"}) == "1001"
        await client.update("customer", "1001", {"email": None})
        await client.delete("customer", 1001)
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/services/rest/record/v1/customer"),
        ("PATCH", "/services/rest/record/v1/customer/1001"),
        ("DELETE", "/services/rest/record/v1/customer/1001"),
    ]
    # base_url moves the host; the realm stays the account's.
    assert all(signature_of(r)["realm"] == "1234567_SB1" for r in seen)
    assert all(r.url.host == "127.0.0.1" and r.url.port == 8101 for r in seen)
    assert all(oracle.verify(r, *SECRETS) for r in seen)


async def test_get_with_expand_and_fields() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"id": "5", "email": "a@b.c"})

    client, _ = make_client(handler)
    async with client:
        assert (await client.get("customer", 5, expand=True, fields=["email", "id"]))[
            "email"
        ] == "a@b.c"
    assert dict(seen[0].url.params) == {"expandSubResources": "true", "fields": "email,id"}
    assert oracle.verify(seen[0], *SECRETS)


async def test_upsert_by_external_id_with_and_without_location() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if request.method == "PUT" and "CID-002" in request.url.path:
            return httpx2.Response(
                204, headers={"Location": "https://h/services/rest/record/v1/customer/77"}
            )
        if request.method == "PUT":
            return httpx2.Response(204)
        return httpx2.Response(200, json={"id": "88"})

    client, _ = make_client(handler)
    async with client:
        assert await client.upsert("customer", "CID-002", {"companyName": "Ada"}) == "77"
        assert await client.upsert("customer", "CID-003", {"companyName": "Bob"}) == "88"
    assert seen[0].url.raw_path == b"/services/rest/record/v1/customer/eid:CID-002"
    assert (seen[2].method, seen[2].url.path) == (
        "GET",
        "/services/rest/record/v1/customer/eid:CID-003",
    )
    assert all(oracle.verify(r, *SECRETS) for r in seen)


async def test_transform_path_keeps_the_bang() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(
            204, headers={"Location": "https://h/services/rest/record/v1/itemFulfillment/555"}
        )

    client, _ = make_client(handler)
    async with client:
        assert (
            await client.transform("salesOrder", 3, "itemFulfillment", {"item": {"items": []}})
            == "555"
        )
    assert (
        seen[0].url.raw_path == b"/services/rest/record/v1/salesOrder/3/!transform/itemFulfillment"
    )
    assert oracle.verify(seen[0], *SECRETS)


async def test_missing_location_is_an_unexpected_response() -> None:
    client, _ = make_client(lambda _: httpx2.Response(204))
    async with client:
        with pytest.raises(UnexpectedResponseError, match="Location"):
            await client.create("customer", {})


def suiteql_server(rows: int, seen: list[httpx2.Request]) -> Handler:
    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        page = [{"links": [], "id": str(i)} for i in range(offset, min(offset + limit, rows))]
        return httpx2.Response(
            200,
            json={
                "links": [],
                "count": len(page),
                "offset": offset,
                "totalResults": rows,
                "hasMore": offset + limit < rows,
                "items": page,
            },
        )

    return handler


async def test_suiteql_pages_to_the_end_with_signed_limit_and_offset() -> None:
    seen: list[httpx2.Request] = []
    client, _ = make_client(suiteql_server(2500, seen))
    async with client:
        rows = [row async for row in client.suiteql("SELECT id FROM customer WHERE id > ?", [0])]
    assert [r["id"] for r in rows] == [str(i) for i in range(2500)]
    assert all("links" not in r for r in rows)
    assert [(r.url.params["limit"], r.url.params["offset"]) for r in seen] == [
        ("1000", "0"),
        ("1000", "1000"),
        ("1000", "2000"),
    ]
    for request in seen:
        assert request.method == "POST" and request.url.path == "/services/rest/query/v1/suiteql"
        assert request.headers["Prefer"] == "transient"
        assert json.loads(request.content) == {
            "q": "SELECT id FROM customer WHERE id > ?",
            "params": [0],
        }
        assert "limit" not in request.headers["Authorization"]
        assert oracle.verify(request, *SECRETS)


async def test_collection_paging_with_filter() -> None:
    seen: list[httpx2.Request] = []
    ids = [str(i) for i in range(5)]

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        page = [{"links": [], "id": i} for i in ids[offset : offset + limit]]
        return httpx2.Response(
            200, json={"items": page, "hasMore": offset + limit < len(ids), "count": len(page)}
        )

    client, _ = make_client(handler)
    async with client:
        got = [
            item["id"]
            async for item in client.list("customer", q="email START_WITH barbara", page_size=2)
        ]
    assert got == ids
    assert [r.url.params["offset"] for r in seen] == ["0", "2", "4"]
    assert all(r.url.params["q"] == "email START_WITH barbara" for r in seen)
    assert all(oracle.verify(r, *SECRETS) for r in seen)


async def test_paging_rejects_a_body_without_items() -> None:
    client, _ = make_client(lambda _: httpx2.Response(200, json={"hasMore": False}))
    async with client:
        with pytest.raises(UnexpectedResponseError, match="items"):
            [row async for row in client.list("customer")]


async def test_restlet_call_signs_script_deploy_and_params() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"ok": True})

    client, _ = make_client(handler, realm="1234567_SB1")
    async with client:
        assert await client.restlet(
            6, 1, method="POST", params={"customParam": "v w"}, json={"x": 1}
        ) == {"ok": True}
    request = seen[0]
    assert request.url.host == "1234567-sb1.restlets.api.netsuite.com"
    assert dict(request.url.params) == {"script": "6", "deploy": "1", "customParam": "v w"}
    assert "script" not in request.headers["Authorization"]
    assert oracle.verify(request, *SECRETS)


async def test_token_info_uses_the_restlet_host() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"entityName": "Ada", "roleName": "eTail"})

    client, _ = make_client(handler, realm="1234567_SB1")
    async with client:
        assert (await client.token_info())["roleName"] == "eTail"
    assert str(seen[0].url) == "https://1234567-sb1.restlets.api.netsuite.com/rest/tokeninfo"


async def test_in_flight_cap_is_never_exceeded_and_is_used() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1
        return httpx2.Response(200, json={"id": request.url.path.rsplit("/", 1)[-1]})

    realm = f"{next(_realms)}_SB1"
    first, _ = make_client(handler, realm=realm, concurrency=3)  # type: ignore[arg-type]
    second, _ = make_client(handler, realm=realm, concurrency=3)  # type: ignore[arg-type]
    async with first, second:
        results = await asyncio.gather(
            *(c.get("customer", i) for i in range(20) for c in (first, second))
        )
    assert len(results) == 40
    assert peak == 3  # shared by both clients of the realm, and actually reached
    assert first.limiter is second.limiter and first.limiter.peak == 3
    assert first.limiter.in_flight == 0


async def test_bad_inputs_name_the_field() -> None:
    client, _ = make_client(lambda _: httpx2.Response(200, json={}))
    async with client:
        with pytest.raises(SettingsError) as info:
            await client.get("sales order", 1)
        assert info.value.field == "record_type"
        with pytest.raises(SettingsError) as info:
            [r async for r in client.suiteql("SELECT 1", page_size=5000)]
        assert info.value.field == "page_size"
        with pytest.raises(SettingsError) as info:
            await client.restlet(6, 1, json={"x": 1})
        assert info.value.field == "json"
    with pytest.raises(SettingsError) as info:
        NetSuiteClient("1234567_SB1", CREDS, base_url="127.0.0.1:8101")
    assert info.value.field == "base_url"


def test_client_repr_has_no_secret() -> None:
    client = NetSuiteClient("1234567_SB1", CREDS)
    assert "1234567_SB1" in repr(client)
    for secret in SECRETS:
        assert secret not in repr(client) and secret not in repr(client._http.auth)
    assert limit_for("1234567_SB1") is client.limiter


async def test_a_client_without_concurrency_keeps_the_realms_cap() -> None:
    # A flow's client sets the account's limit; a doctor or connection test made meanwhile
    # without one must not lower it back to the default of 5.
    flow = NetSuiteClient("7000001_SB1", CREDS, concurrency=15)
    probe = NetSuiteClient("7000001_SB1", CREDS)
    assert probe.limiter is flow.limiter and flow.limiter.limit == 15
    fresh = NetSuiteClient("7000002_SB1", CREDS)
    assert fresh.limiter.limit == DEFAULT_CONCURRENCY
    NetSuiteClient("7000001_SB1", CREDS, concurrency=20)
    assert flow.limiter.limit == 20  # an explicit setting still wins
    for client in (flow, probe, fresh):
        await client.aclose()


async def test_a_restlet_invalid_request_is_a_login_refusal_but_a_records_is_not() -> None:
    # RESTlets answer 400 INVALID_REQUEST to a header they cannot accept (a clock 5 minutes off,
    # say): every record would fail the same way, so it is the connection's problem.
    malformed = "The request could not be understood by the server due to malformed syntax."

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/restlet.nl"):
            body = {"error": {"code": "INVALID_REQUEST", "message": malformed}}
            return httpx2.Response(400, json=body)
        return problem(400, "INVALID_REQUEST", malformed)

    client, _ = make_client(handler, max_retries=0)
    async with client:
        with pytest.raises(CredentialsError) as login:
            await client.restlet(6, 1)
        with pytest.raises(RecordRejectedError) as record:
            await client.create("customer", {"companyName": "x"})
    assert login.value.code == record.value.code == "INVALID_REQUEST"
    assert "Login Audit Trail" in (login.value.hint or "")
