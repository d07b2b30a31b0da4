"""Names a SOAP request's account to the concurrency governor (netsuite-tba.md §3.5).

NetSuite's concurrency limit is one pool per account shared by SOAP, REST and RESTlets
(NS:subsect_1559222360). The governor (``governance.GovernanceMiddleware``) finds the account in
the ``Authorization`` realm, which a SOAP request does not have: its account is the
``tokenPassport/account`` inside the body. This middleware sits outside the governor, reads the
body once (bounded), and hands the governor the account as an ``OAuth realm`` header; the body
is replayed unchanged to the route. A body over the size limit is refused here at once.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from etail.sandbox.netsuite.soap import faults
from etail.sandbox.netsuite.soap.envelope import (
    MAX_ENVELOPE,
    VERSIONS,
    EnvelopeError,
    local,
    parse,
    text_of,
)

SOAP_PREFIX = "/services/NetSuitePort_"


def account_of(body: bytes) -> str | None:
    """The ``tokenPassport/account`` text, or None when the body does not say."""
    try:
        envelope = parse(body)
    except EnvelopeError:
        return None
    for passport in envelope.header_named("tokenPassport"):
        for element in passport:
            if local(element.tag) == "account" and text_of(element):
                return text_of(element)
    return None


class SoapRealmMiddleware:
    """Pure ASGI: for ``POST /services/NetSuitePort_*``, expose the passport's account."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_ENVELOPE) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(SOAP_PREFIX) or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        body, complete = await self._read(receive)
        if not complete:
            await _refuse(send, path, self.max_body)
            return
        account = account_of(body)
        if account is not None:
            headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
            realm = f'OAuth realm="{quote(account, safe="")}"'.encode("latin-1")
            scope = {**scope, "headers": [*headers, (b"authorization", realm)]}
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return b"".join(chunks), True
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", False
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect as usual

    return replay


async def _refuse(send: Send, path: str, limit: int) -> None:
    version = path[len(SOAP_PREFIX) :]
    payload = faults.request_too_large(limit).body(version if version in VERSIONS else VERSIONS[-1])
    headers = [
        (b"content-type", faults.MEDIA_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
