"""Concurrency governance, latency and fault injection for the sandbox's web services.

NetSuite allows each account a number of concurrent web-services requests, shared by REST,
RESTlets and SOAP (NS:subsect_1559222360, netsuite-tba.md §3.5); a request beyond the limit is
answered at once, REST with 429 ``CONCURRENCY_LIMIT_EXCEEDED`` (§3.1), RESTlets with 400
``SSS_REQUEST_LIMIT_EXCEEDED`` (NS:bridgehead_1525252812) and SOAP with a 500 fault
``WS_REQUEST_BLOCKED`` (§2). The account is the OAuth realm of the
Authorization header; a request without a realm, or whose realm names no account, passes through
untouched and fails authentication in the route.

Latency is slept inside the slot. Faults are drawn (seeded) after a slot is taken and *before*
the route runs, so an injected fault never half-applies a write.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Callable
from urllib.parse import unquote
from xml.sax.saxutils import escape

from starlette.types import ASGIApp, Receive, Scope, Send

from etail.sandbox.netsuite.context import Channel
from etail.sandbox.netsuite.options import FaultKind, SandboxOptions
from etail.sandbox.netsuite.records.problems import (
    REST_MEDIA_TYPE,
    rest_error_body,
    restlet_error_body,
)

log = logging.getLogger(__name__)

GOVERNED_PREFIXES = (
    "/services/rest/",
    "/app/site/hosting/restlet.nl",
    "/rest/tokeninfo",
    "/services/NetSuitePort",
)
RESTLET_PREFIX = "/app/site/hosting/restlet.nl"
SOAP_PREFIX = "/services/NetSuitePort"
FAULTS_NS = "urn:faults_2017_1.platform.webservices.netsuite.com"
_REALM = re.compile(r'realm="([^"]*)"', re.IGNORECASE)
LIMIT_CACHE_S = 1.0
LIMIT_CACHE_SIZE = 10_000  # realms are client input: never let the cache grow without bound
GATEWAY_TIMEOUT_PAGE = b"<html><body><h1>504 Gateway Time-out</h1></body></html>"


def realm_of(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1")
            if text[:7].lower().startswith("bearer"):
                # OAuth 2.0 tokens count against the same account-wide limit (NS: one pool
                # shared by every channel and auth type).
                from etail.sandbox.netsuite.oauth2 import realm_of_bearer

                return realm_of_bearer(text)
            if not text[:6].lower().startswith("oauth"):
                return None
            match = _REALM.search(text)
            return unquote(match.group(1)) if match and match.group(1) else None
    return None


def is_governed(path: str) -> bool:
    return path.startswith(GOVERNED_PREFIXES)


class GovernanceMiddleware:
    """Pure ASGI middleware: one concurrency pool per account, plus latency and faults."""

    def __init__(
        self,
        app: ASGIApp,
        limit_for: Callable[[str], int | None],
        options: SandboxOptions | None = None,
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.options = options or SandboxOptions()
        self._rng = random.Random(self.options.seed)
        self._active: dict[str, int] = {}
        self._limits: dict[str, tuple[int | None, float]] = {}
        self.rejected = 0
        self.faults: dict[str, int] = {}

    def in_flight(self, realm: str) -> int:
        return self._active.get(realm, 0)

    def _limit(self, realm: str) -> int | None:
        """The account's limit, cached briefly so a burst does not hit the store per request."""
        now = time.monotonic()
        cached = self._limits.get(realm)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            limit = self.limit_for(realm)
        except Exception:  # a broken lookup must not take the server down: fail open
            log.exception("concurrency limit lookup failed")
            limit = None
        if len(self._limits) >= LIMIT_CACHE_SIZE:
            self._limits.clear()
        self._limits[realm] = (limit, now + LIMIT_CACHE_S)
        return limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_governed(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        realm = realm_of(scope)
        limit = self._limit(realm) if realm else None
        if realm is None or limit is None:
            await self.app(scope, receive, send)
            return
        channel = channel_of(scope["path"])
        if self._active.get(realm, 0) >= limit:
            self.rejected += 1
            await _send_limit_exceeded(send, channel)
            return
        self._active[realm] = self._active.get(realm, 0) + 1
        try:
            if self.options.latency_ms:
                await asyncio.sleep(self.options.latency_ms / 1000)
            fault = self._draw()
            if fault is None:
                await self.app(scope, receive, send)
            else:
                await self._inject(fault, send, channel)
        finally:
            self._active[realm] -= 1
            if not self._active[realm]:
                del self._active[realm]

    def _draw(self) -> FaultKind | None:
        rate = self.options.fault_rate
        if rate <= 0 or self._rng.random() >= rate:
            return None
        kind = self._rng.choice(self.options.fault_kinds)
        self.faults[kind] = self.faults.get(kind, 0) + 1
        return kind

    async def _inject(self, fault: FaultKind, send: Send, channel: Channel) -> None:
        if fault == "429":
            await _send_limit_exceeded(send, channel)
        elif fault == "5xx":
            detail = f"An unexpected error occurred. Error ID: {self._rng.getrandbits(64):016x}"
            await _send_error(send, channel, 500, "UNEXPECTED_ERROR", detail)
        else:
            # A stalled request keeps its slot, as a hung NetSuite request does; bounded.
            await asyncio.sleep(self.options.stall_ms / 1000)
            await _send(send, 504, GATEWAY_TIMEOUT_PAGE, b"text/html; charset=utf-8")


def channel_of(path: str) -> Channel:
    if path.startswith(RESTLET_PREFIX):
        return "restlet"
    return "soap" if path.startswith(SOAP_PREFIX) else "rest"


async def _send_limit_exceeded(send: Send, channel: Channel) -> None:
    if channel == "restlet":  # NS:bridgehead_1525252812
        detail = (
            "The request could not be processed: the concurrency limit of this account was "
            "reached. Retry later."
        )
        await _send_error(send, channel, 400, "SSS_REQUEST_LIMIT_EXCEEDED", detail)
    elif channel == "soap":  # ExceededConcurrentRequestLimitFault (netsuite-tba.md §2)
        detail = "SuiteTalk concurrent request limit exceeded. Request blocked."
        await _send_error(send, channel, 500, "WS_REQUEST_BLOCKED", detail)
    else:  # netsuite-tba.md §3.1
        detail = "Concurrent request limit exceeded. Request blocked."
        await _send_error(send, channel, 429, "CONCURRENCY_LIMIT_EXCEEDED", detail)


async def _send_error(send: Send, channel: Channel, status: int, code: str, detail: str) -> None:
    if channel == "soap":
        await _send(send, status, soap_fault(code, detail), b"text/xml; charset=utf-8")
    elif channel == "restlet":
        body = json.dumps(restlet_error_body(code, detail)).encode()
        await _send(send, status, body, b"application/json")
    else:
        body = json.dumps(rest_error_body(status, code, detail)).encode()
        await _send(send, status, body, REST_MEDIA_TYPE.encode())


def soap_fault(code: str, detail: str) -> bytes:
    # Element names as faults.xsd spells them (lower camel case); the types are upper camel.
    fault = (
        "exceededConcurrentRequestLimitFault"
        if code == "WS_REQUEST_BLOCKED"
        else "unexpectedErrorFault"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        "<soapenv:Body><soapenv:Fault>"
        "<faultcode>soapenv:Server.userException</faultcode>"
        f"<faultstring>{escape(detail)}</faultstring>"
        f'<detail><platformFaults:{fault} xmlns:platformFaults="{FAULTS_NS}">'
        f"<platformFaults:code>{escape(code)}</platformFaults:code>"
        f"<platformFaults:message>{escape(detail)}</platformFaults:message>"
        f"</platformFaults:{fault}></detail>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    ).encode()


async def _send(send: Send, status: int, payload: bytes, media: bytes) -> None:
    headers = [(b"content-type", media), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
