"""``TBA``: an ``httpx2.Auth`` that signs every request afresh (a thin adapter over signing.py)."""

from __future__ import annotations

from collections.abc import Generator
from urllib.parse import parse_qsl

import httpx2

from etail.netsuite.accounts import AccountId
from etail.netsuite.credentials import TBACredentials
from etail.netsuite.signing import FormParams, SignedRequest, sign_request

_FORM = "application/x-www-form-urlencoded"


class TBA(httpx2.Auth):
    """Token-Based Authentication for REST web services and RESTlets.

    Works with ``httpx2.Client``, ``httpx2.AsyncClient``, Starlette's ``TestClient`` and
    ``MockTransport`` alike, because it only implements the generator ``auth_flow``. Each pass
    through ``auth_flow`` draws a new nonce and timestamp, so a retried request is signed
    afresh (NS:subsect_156935170194).

    Example:
        >>> auth = TBA("1234567_SB1", credentials)  # doctest: +SKIP
        >>> httpx2.get(account.rest_base_url + "/services/...", auth=auth)  # doctest: +SKIP
    """

    # The form body, if any, is part of the signature, so the client must read it first.
    requires_request_body = True

    def __init__(self, realm: str | AccountId, credentials: TBACredentials) -> None:
        self.realm = str(realm)
        self.credentials = credentials
        self.last_signed: SignedRequest | None = None

    def __repr__(self) -> str:
        return f"TBA(realm={self.realm!r}, credentials={self.credentials!r})"

    def sign(self, request: httpx2.Request) -> SignedRequest:
        """Sign ``request`` in place (sets ``Authorization``) and return what was signed."""
        signed = sign_request(
            request.method, str(request.url), self.realm, self.credentials, form=_form(request)
        )
        request.headers["Authorization"] = signed.authorization
        self.last_signed = signed
        return signed

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        self.sign(request)
        yield request


def _form(request: httpx2.Request) -> FormParams | None:
    # Only a form-encoded body is signed (RFC 5849 §3.4.1.3.1, NS:section_1534939551); JSON is
    # left out entirely, with no oauth_body_hash (netsuite-tba.md §6.2 item 7).
    content_type = request.headers.get("Content-Type", "")
    if not content_type.lower().startswith(_FORM):
        return None
    return parse_qsl(request.content.decode("utf-8"), keep_blank_values=True)


__all__ = ["TBA"]
