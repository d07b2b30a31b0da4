"""FastAPI dependencies shared by the sandbox's admin side and its web-services routes.

Seam (see docs/architecture.md): ``get_session`` yields a SQLAlchemy ``Session`` on the sandbox
store; ``rest_caller`` / ``restlet_caller`` verify Token-Based Authentication for the request and
return the ``Caller``, or answer NetSuite's 401 (REST ``INVALID_LOGIN``, RESTlet
``INVALID_LOGIN_ATTEMPT``) and write the Login Audit Trail.

The app keeps its ``Store`` and ``TbaVerifier`` on ``app.state`` (``create_app`` puts them there).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from etail.sandbox.netsuite.context import Caller, Channel
from etail.sandbox.netsuite.models import LoginAudit
from etail.sandbox.netsuite.store import Store
from etail.sandbox.netsuite.tba import LoginAttempt, LoginRejected, SignedRequest, TbaVerifier


class InvalidLogin(Exception):
    """Raised by the caller dependencies; the app answers NetSuite's 401 for the channel."""

    def __init__(self, channel: Channel) -> None:
        super().__init__("Invalid login attempt.")
        self.channel = channel


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_session(request: Request) -> Iterator[Session]:
    """A session on the sandbox store; committed when the route returns without error."""
    with get_store(request).session() as session:
        yield session


def addressed_url(request: Request) -> str:
    """The URL as the client addressed it: Host header (port included) and the raw path.

    The signature covers scheme, host and path exactly as sent (netsuite-tba.md §1.4, §7.1);
    Starlette's ``request.url`` decodes the path, so rebuild it from the ASGI scope.
    """
    scope = request.scope
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    raw_path = scope.get("raw_path") or scope["path"].encode()
    url = f"{scope.get('scheme', 'http')}://{host}{raw_path.decode('latin-1')}"
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{url}?{query}" if query else url


# Use this (not a bare ``Depends(get_session)``): scope="function" commits before the response
# is sent, so a client's next request sees the change.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def _verified(request: Request, channel: Channel) -> Caller:
    ctype = request.headers.get("content-type", "")
    body = ""
    if "application/x-www-form-urlencoded" in ctype:  # only form bodies are signed (§1.4)
        body = (await request.body()).decode("utf-8", "replace")
    signed = SignedRequest(request.method, addressed_url(request), request.headers, body)
    ip = request.client.host if request.client else ""
    store = get_store(request)
    verifier: TbaVerifier = request.app.state.verifier
    caller = await run_in_threadpool(_verify_and_audit, store, verifier, signed, channel, ip)
    if caller is None:
        raise InvalidLogin(channel)
    request.state.caller = caller
    return caller


def _verify_and_audit(
    store: Store, verifier: TbaVerifier, signed: SignedRequest, channel: Channel, ip: str
) -> Caller | None:
    attempt = LoginAttempt(channel=channel)
    try:
        with store.session() as s:
            caller = verifier.verify(s, signed, attempt)
            # A success's trail row commits with its nonce: one write transaction, not two.
            s.add(_audit_row(attempt, channel, ip, success=True))
        return caller
    except LoginRejected as exc:
        attempt.detail = exc.detail
    with store.session() as s:  # its own transaction: the failed verify was rolled back
        s.add(_audit_row(attempt, channel, ip, success=False))
    return None


def _audit_row(attempt: LoginAttempt, channel: Channel, ip: str, *, success: bool) -> LoginAudit:
    return LoginAudit(
        account_pk=attempt.account_pk,
        realm=attempt.realm[:100],
        user=attempt.user,
        role=attempt.role,
        token_name=attempt.token_name,
        application=attempt.application,
        status="Success" if success else "Failure",
        detail=attempt.detail,
        channel=channel,
        ip_address=ip,
    )


async def _bearer_or_tba(request: Request, channel: Channel) -> Caller:
    """A ``Bearer`` request goes to OAuth 2.0 (``oauth2.install`` sets ``app.state.bearer_caller``;
    read from state because ``oauth2`` imports this module); anything else is TBA."""
    bearer = getattr(request.app.state, "bearer_caller", None)
    scheme = (request.headers.get("authorization") or "").split(" ", 1)[0].lower()
    if bearer is not None and scheme == "bearer":
        caller: Caller = await bearer(request, channel)
        return caller
    return await _verified(request, channel)


async def rest_caller(request: Request) -> Caller:
    """TBA or OAuth 2.0 for REST web services; 401 ``INVALID_LOGIN`` on failure."""
    return await _bearer_or_tba(request, "rest")


async def restlet_caller(request: Request) -> Caller:
    """TBA or OAuth 2.0 for RESTlets; 401 ``INVALID_LOGIN_ATTEMPT`` on failure."""
    return await _bearer_or_tba(request, "restlet")


async def tba_restlet_caller(request: Request) -> Caller:
    """TBA only, RESTlet answers: the token endpoints family (``/rest/tokeninfo``)."""
    return await _verified(request, "restlet")
