"""``NetSuiteClient``: async REST records, SuiteQL, RESTlets and token info over TBA.

Paths and shapes follow netsuite-tba.md §5: records at ``/services/rest/record/v1/<type>[/<id>]``
(create/transform answer ``204`` + ``Location``), SuiteQL at ``/services/rest/query/v1/suiteql``
(POST, ``Prefer: transient``, ``limit``/``offset`` in the signed query string), RESTlets at
``/app/site/hosting/restlet.nl?script=&deploy=`` on the RESTlet host, token info at
``/rest/tokeninfo`` on the RESTlet host.

Every HTTP attempt goes through the account's :class:`~etail.netsuite.limits.InFlightLimit`
and is signed afresh by :class:`~etail.netsuite.auth.TBA`; failures become ``etail.errors``
classes (:mod:`etail.netsuite.problems`) and transient ones are retried per
:class:`~etail.netsuite.retries.RetryPolicy`.
"""

from __future__ import annotations

import asyncio
import builtins
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx2

from etail.errors import (
    ExternalServiceError,
    RateLimitedError,
    SettingsError,
    TransientError,
    UnexpectedResponseError,
)
from etail.netsuite.accounts import AccountId
from etail.netsuite.auth import TBA
from etail.netsuite.credentials import TBACredentials
from etail.netsuite.limits import ConcurrencyLimiter, limit_for
from etail.netsuite.oauth2 import M2MCredentials, OAuth2ClientCredentials
from etail.netsuite.problems import RESTLET_PATH, error_from_response
from etail.netsuite.retries import RetryPolicy, parse_retry_after

JSON = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]
QueryParams = Mapping[str, str | int]

_RECORD_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_PAGE_SIZE = 1000
"""Largest collection and SuiteQL page (NS:section_156414087576, NS:section_157909186990)."""
_MAX_PAGES = 1000  # NetSuite serves at most 1000 pages of a collection
# SuiteQL requires this header (NS:section_157909186990).
_TRANSIENT = {"Prefer": "transient"}


@dataclass(slots=True)
class ClientStats:
    """Counters for benchmarks and the doctor; one instance per client."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    slept: float = 0.0


def _auth_for(
    account: AccountId, credentials: TBACredentials | M2MCredentials, base_url: str | None
) -> httpx2.Auth:
    """TBA signs each request; M2M exchanges a signed JWT for a Bearer token (NS 2027.1+ path)."""
    if isinstance(credentials, M2MCredentials):
        return OAuth2ClientCredentials.for_account(account, credentials, base_url=base_url)
    return TBA(account.realm, credentials)


class NetSuiteClient:
    """Async client for one NetSuite account (or a local stand-in at ``base_url``).

    Args:
        account: the account; its realm signs every request and its hosts are used unless
            ``base_url`` is given. A string is parsed with ``AccountId.parse``.
        credentials: the four TBA values, or OAuth 2.0 client-credentials (M2M) values; the
            auth type follows from their class.
        base_url: overrides both the REST and the RESTlet host (a local sandbox); the realm stays.
        concurrency: the account's concurrency limit; becomes the cap of the process-wide
            limiter shared by every client of this realm (the latest setting wins). Left out,
            the cap stays what another client of the realm set (5 for a realm seen first), so
            a short-lived client (the doctor, a connection test) never lowers a running flow's.
        max_retries: retries of one call on 429, concurrency refusals, 5xx and transport errors.
        timeout: seconds per HTTP attempt.
        transport: an ``httpx2`` transport (``MockTransport`` in tests).
        retry: full retry policy; overrides ``max_retries``.
        sleep: the coroutine used to wait between retries (tests pass a recorder).
        limiter: holds every HTTP attempt instead of the process-wide limiter of the realm
            (``concurrency`` is then ignored): a budget shared by several processes, e.g.
            ``etail.queue.netsuite_budget.SharedBudget`` for Celery workers.

    Example:
        >>> async with NetSuiteClient("1234567_SB1", creds) as ns:  # doctest: +SKIP
        ...     new_id = await ns.upsert("customer", "CID-002", {"companyName": "Ada"})
        ...     async for row in ns.suiteql("SELECT id FROM customer"):
        ...         print(row["id"])
    """

    def __init__(
        self,
        account: AccountId | str,
        credentials: TBACredentials | M2MCredentials,
        *,
        base_url: str | None = None,
        concurrency: int | None = None,
        max_retries: int = 4,
        timeout: float = 30.0,
        transport: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep | None = None,
        limiter: ConcurrencyLimiter | None = None,
    ) -> None:
        self.account = account if isinstance(account, AccountId) else AccountId.parse(account)
        override = _checked_base_url(base_url) if base_url else None
        self.rest_base_url = override or self.account.rest_base_url
        self.restlet_base_url = override or self.account.restlet_base_url
        self.limiter: ConcurrencyLimiter = (
            limiter if limiter is not None else limit_for(self.account.realm, concurrency)
        )
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self.stats = ClientStats()
        self._sleep: Sleep = sleep or asyncio.sleep
        self._http = httpx2.AsyncClient(
            auth=_auth_for(self.account, credentials, override),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "etail-netsuite/0.1"},
        )

    def __repr__(self) -> str:
        return f"NetSuiteClient(realm={self.account.realm!r}, rest_base_url={self.rest_base_url!r})"

    async def __aenter__(self) -> NetSuiteClient:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- records ---------------------------------------------------------------------------

    async def get(
        self,
        record_type: str,
        id: str | int,
        *,
        expand: bool = False,
        fields: Sequence[str] | None = None,
    ) -> JSON:
        """One record by internal ID (or ``eid:<external id>``, see :meth:`record_url`)."""
        params: dict[str, str | int] = {}
        if expand:
            params["expandSubResources"] = "true"
        if fields:
            params["fields"] = ",".join(fields)
        response = await self.request("GET", self.record_url(record_type, id), params=params)
        return _json_object(response)

    async def list(
        self, record_type: str, *, q: str | None = None, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncIterator[JSON]:
        """Every item of a record collection (``{"id", "links"}`` each), page by page.

        ``q`` is NetSuite's filter (``email START_WITH barbara``, NS:section_1545222128).
        Offsets advance by ``page_size`` because NetSuite wants them divisible by the limit.
        """
        extra = {"q": q} if q else {}
        async for item in self._pages("GET", self.record_url(record_type), page_size, extra):
            yield item

    async def create(self, record_type: str, body: Mapping[str, Any]) -> str:
        """Create a record; NetSuite answers 204 with the new record's URL in ``Location``."""
        response = await self.request("POST", self.record_url(record_type), json=dict(body))
        return _new_id(response)

    async def update(self, record_type: str, id: str | int, body: Mapping[str, Any]) -> None:
        """PATCH the given fields; others stay, ``None`` clears one (NS:section_1545142173)."""
        await self.request("PATCH", self.record_url(record_type, id), json=dict(body))

    async def upsert(self, record_type: str, external_id: str, body: Mapping[str, Any]) -> str:
        """Create or update by external ID (``PUT …/eid:<external id>``); returns the internal ID.

        The response is expected to be 204 + ``Location`` like a create (netsuite-tba.md §5 says
        unverified); without a ``Location`` the record is read back by its external ID.
        """
        url = self.record_url(record_type, f"eid:{external_id}")
        response = await self.request("PUT", url, json=dict(body))
        location = response.headers.get("Location")
        if location:
            return _last_segment(location)
        record = await self.get(record_type, f"eid:{external_id}", fields=["id"])
        return _id_of(record, response)

    async def delete(self, record_type: str, id: str | int) -> None:
        await self.request("DELETE", self.record_url(record_type, id))

    async def transform(
        self, record_type: str, id: str | int, to_type: str, body: Mapping[str, Any] | None = None
    ) -> str:
        """``POST …/<type>/<id>/!transform/<to_type>`` (e.g. salesOrder → itemFulfillment)."""
        url = f"{self.record_url(record_type, id)}/!transform/{_record_type(to_type)}"
        response = await self.request("POST", url, json=dict(body or {}))
        return _new_id(response)

    def record_url(self, record_type: str, id: str | int | None = None) -> str:
        """The REST record URL; an ``id`` starting with ``eid:`` addresses an external ID."""
        url = f"{self.rest_base_url}/services/rest/record/v1/{_record_type(record_type)}"
        if id is None:
            return url
        text = str(id)
        if text.startswith("eid:"):
            return f"{url}/eid:{quote(text[4:], safe='')}"
        return f"{url}/{quote(text, safe='')}"

    # -- SuiteQL, RESTlets, token info ------------------------------------------------------

    async def suiteql(
        self, query: str, params: Sequence[Any] | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncIterator[JSON]:
        """Every row of a SuiteQL query, all pages (column values come back as strings).

        ``params`` bind to ``?`` placeholders (NS:section_157909186990). Rows are yielded
        without NetSuite's empty per-row ``links``.
        """
        body: JSON = {"q": query}
        if params is not None:
            body["params"] = builtins.list(params)
        url = f"{self.rest_base_url}/services/rest/query/v1/suiteql"
        # SuiteQL is a read: safe to resend on any transient failure.
        pages = self._pages(
            "POST", url, page_size, {}, json=body, headers=_TRANSIENT, idempotent=True
        )
        async for row in pages:
            row.pop("links", None)
            yield row

    async def restlet(
        self,
        script: str | int,
        deploy: str | int,
        *,
        method: str = "GET",
        params: QueryParams | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Call a RESTlet; returns its JSON (or text, or ``None`` when empty).

        ``script``/``deploy`` and ``params`` travel in the query string and are signed
        (usulix/laravel-netsuite#4). Only GET is retried after an ambiguous failure unless
        ``idempotent=True`` says the script tolerates repeats.
        """
        if method.upper() == "GET" and json is not None:
            raise SettingsError(
                "a RESTlet GET cannot carry a JSON body (NetSuite answers 400)",
                field="json",
                hint="pass the values as params, or call the RESTlet with method='POST'",
            )
        query: dict[str, str | int] = {"script": script, "deploy": deploy, **(params or {})}
        url = f"{self.restlet_base_url}{RESTLET_PATH}"
        response = await self.request(method, url, params=query, json=json, idempotent=idempotent)
        if not response.content:
            return None
        if "json" in response.headers.get("Content-Type", ""):
            return response.json()
        return response.text

    async def token_info(self) -> JSON:
        """``GET /rest/tokeninfo`` on the RESTlet host: who the token logs in as."""
        response = await self.request("GET", f"{self.restlet_base_url}/rest/tokeninfo")
        return _json_object(response)

    # -- the one request path ---------------------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: QueryParams | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx2.Response:
        """Send one signed request with the in-flight cap and retries; raise on any error status.

        Args:
            idempotent: whether the request may be resent after an ambiguous failure (5xx,
                timeout after sending). Defaults to true for GET, PUT and DELETE.
        """
        method = method.upper()
        resendable = method in _IDEMPOTENT if idempotent is None else idempotent
        retries = 0
        while True:
            outcome = await self._attempt(method, url, params, json, headers)
            if isinstance(outcome, httpx2.Response):
                return outcome
            if not self.retry.should_retry(outcome, retries, resendable=resendable):
                raise outcome
            retry_after = outcome.retry_after if isinstance(outcome, RateLimitedError) else None
            delay = self.retry.delay(retries, retry_after)
            retries += 1
            self.stats.retries += 1
            self.stats.slept += delay
            await self._sleep(delay)

    async def _attempt(
        self,
        method: str,
        url: str,
        params: QueryParams | None,
        json: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx2.Response | ExternalServiceError:
        # One HTTP exchange inside the account's in-flight cap; TBA signs it with a new nonce.
        async with self.limiter:
            self.stats.requests += 1
            try:
                response = await self._http.request(
                    method, url, params=params, json=json, headers=headers
                )
            except httpx2.TransportError as exc:
                self.stats.transport_errors += 1
                return _transport_error(method, url, exc)
        if response.is_success:
            return response
        error = error_from_response(
            response,
            realm=self.account.realm,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
        if isinstance(error, RateLimitedError):
            self.stats.rate_limited += 1
        elif isinstance(error, TransientError):
            self.stats.server_errors += 1
        return error

    async def _pages(
        self,
        method: str,
        url: str,
        page_size: int,
        extra: Mapping[str, str],
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> AsyncIterator[JSON]:
        # NetSuite collection paging (NS:section_156414087576): limit/offset in the signed
        # query string, follow hasMore; bounded by NetSuite's own 1000-page ceiling.
        size = _page_size(page_size)
        for page in range(_MAX_PAGES):
            query: dict[str, str | int] = {**extra, "limit": size, "offset": page * size}
            response = await self.request(
                method, url, params=query, json=json, headers=headers, idempotent=idempotent
            )
            body = _json_object(response)
            items = body.get("items")
            if not isinstance(items, builtins.list):
                raise UnexpectedResponseError(
                    f"NetSuite answered {method} {urlsplit(url).path} without an items list",
                    status=response.status_code,
                    body=body,
                )
            for item in items:
                yield item
            if not body.get("hasMore") or not items:
                return


def _record_type(record_type: str) -> str:
    if not _RECORD_TYPE.match(record_type):
        raise SettingsError(
            f"record_type {record_type!r} is not a NetSuite record type",
            field="record_type",
            hint="use the REST name, e.g. customer, salesOrder, itemFulfillment",
        )
    return record_type


def _page_size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise SettingsError(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}", field="page_size"
        )
    return page_size


def _checked_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"base_url {base_url!r} is not an absolute http(s) URL",
            field="base_url",
            hint="e.g. http://127.0.0.1:8101 for the local NetSuite sandbox",
        )
    return base_url.rstrip("/")


def _transport_error(method: str, url: str, exc: httpx2.TransportError) -> TransientError:
    parts = urlsplit(url)
    kind = (
        "did not answer in time"
        if isinstance(exc, httpx2.TimeoutException)
        else "could not be reached"
    )
    return TransientError(
        f"NetSuite at {parts.scheme}://{parts.netloc} {kind} for {method} {parts.path} "
        f"({type(exc).__name__}: {exc})",
        hint="check the network, a proxy, or the base URL; the call can be retried",
    )


def _json_object(response: httpx2.Response) -> JSON:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UnexpectedResponseError(
            f"NetSuite answered {response.request.method} {response.request.url.path} "
            f"with {response.status_code} but no JSON object",
            status=response.status_code,
            body=response.text[:2000],
        )
    return body


def _last_segment(location: str) -> str:
    return unquote(urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1])


def _new_id(response: httpx2.Response) -> str:
    location = response.headers.get("Location")
    if location:
        return _last_segment(location)
    # Some pages document 201 Created with a body (NS:section_1545142420); accept its id.
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    return _id_of(body, response)


def _id_of(body: object, response: httpx2.Response) -> str:
    if isinstance(body, dict) and body.get("id") not in (None, ""):
        return str(body["id"])
    raise UnexpectedResponseError(
        f"NetSuite answered {response.request.method} {response.request.url.path} with "
        f"{response.status_code} but neither a Location header nor a record id",
        status=response.status_code,
    )


__all__ = ["MAX_PAGE_SIZE", "ClientStats", "NetSuiteClient"]
