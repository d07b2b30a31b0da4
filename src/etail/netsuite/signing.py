"""OAuth 1.0a request signing the way NetSuite TBA wants it (RFC 5849 + netsuite-tba.md §1).

The computation is oauthlib's (``oauthlib.oauth1.rfc5849``): parameter collection, RFC 5849
§3.6 percent-encoding, the base-string URI (scheme and host lower-cased, default ports dropped,
other ports kept) and HMAC-SHA256. This module only fixes NetSuite's choices:

* HMAC-SHA256 only; HMAC-SHA1 ended with 2023.1 (NS:section_1534941088).
* ``realm`` goes in the header but never in the base string (NS:section_157651396916).
* query parameters are signed but never copied into the header (timbal-ai/timbal#80);
  form bodies are signed; JSON bodies are not and get no ``oauth_body_hash``
  (NS:section_1534939551, netsuite-tba.md §6.2 item 7).
* a fresh nonce of 32 alphanumerics from :mod:`secrets` and the current Unix time for every
  request, retries included (NS:subsect_156935170194: a nonce+timestamp is single-use).
"""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from oauthlib.common import Request
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client
from oauthlib.oauth1.rfc5849 import signature as _signature
from oauthlib.oauth1.rfc5849 import utils

from etail.errors import SettingsError
from etail.netsuite.credentials import TBACredentials

# typeshed's oauthlib stubs narrow these functions more than oauthlib does (a list of pairs for
# normalize_parameters, any method string); the calls below follow oauthlib's own Client.
signature: Any = _signature

FormParams = Mapping[str, str] | Sequence[tuple[str, str]]

_NONCE_ALPHABET = string.ascii_letters + string.digits
NONCE_LENGTH = 32
"""NetSuite wants ≥ 6 characters (REST) and ≤ 64 alphanumerics (SOAP); 20 is "ideal"."""


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """Everything a person needs to compare a signature with NetSuite's expectation."""

    base_string: str
    signature: str
    authorization: str
    nonce: str
    timestamp: str


def new_nonce(length: int = NONCE_LENGTH) -> str:
    """A cryptographically random alphanumeric nonce (netsuite-tba.md §1.6 practical rule)."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(length))


def new_timestamp() -> str:
    """Unix seconds now; NetSuite accepts ±5 minutes of its own clock (InvalidTimestamp)."""
    return str(int(time.time()))


def signature_base_string(
    method: str,
    url: str,
    protocol_params: Sequence[tuple[str, str]],
    form: FormParams | None = None,
) -> str:
    """RFC 5849 §3.4.1 base string for ``url`` plus the given header and form parameters.

    ``protocol_params`` are the Authorization-header parameters; ``realm`` and
    ``oauth_signature`` among them are left out as §3.4.1.3.1 requires.
    """
    target = _checked_url(url)
    try:
        collected = signature.collect_parameters(
            uri_query=urlsplit(target).query, body=_pairs(form)
        )
    except ValueError as exc:
        raise SettingsError(f"url has a malformed query string: {exc}", field="url") from None
    collected += [(k, v) for k, v in protocol_params if k not in ("realm", "oauth_signature")]
    normalized = signature.normalize_parameters(collected)
    base: str = signature.signature_base_string(method.upper(), _base_uri(target), normalized)
    return base


def _base_uri(url: str) -> str:
    uri: str = signature.base_string_uri(url)
    # RFC 5849 §3.4.1.2 keeps the path as sent. oauthlib splits ";params" off the last segment
    # with urlparse and drops a trailing empty ";" (found by the property test); put it back.
    if urlsplit(url).path.endswith(";") and not uri.endswith(";"):
        uri += ";"
    return uri


def sign_oauth(
    method: str,
    url: str,
    *,
    consumer_key: str,
    consumer_secret: str,
    token: str | None = None,
    token_secret: str | None = None,
    realm: str | None = None,
    nonce: str | None = None,
    timestamp: str | int | None = None,
    form: FormParams | None = None,
    callback: str | None = None,
    verifier: str | None = None,
    extra_header_params: Mapping[str, str] | None = None,
) -> SignedRequest:
    """Sign one request with HMAC-SHA256; the general form behind :func:`sign_request`.

    It also covers the TBA authorization flow (NS:section_157652390285): ``token=None`` for
    ``/rest/requesttoken`` (key ``consumer_secret&``), ``callback`` and ``verifier`` for the
    ``oauth_callback`` / ``oauth_verifier`` parameters, and ``extra_header_params`` for
    non-OAuth header parameters such as the flow's ``role``, which NetSuite both sends in the
    header and signs.
    """
    client = Client(
        consumer_key,
        client_secret=consumer_secret,
        resource_owner_key=token,
        resource_owner_secret=token_secret,
        callback_uri=callback,
        verifier=verifier,
        signature_method=SIGNATURE_HMAC_SHA256,
        realm=realm,
        nonce=nonce or new_nonce(),
        timestamp=str(timestamp) if timestamp is not None else new_timestamp(),
    )
    # An empty oauthlib Request (no body, no Content-Type) so that no oauth_body_hash is added.
    request: Any = Request(url, method)  # type: ignore[arg-type]  # stubs: method is a Literal
    params: list[tuple[str, str]] = client.get_oauth_params(request)  # type: ignore[no-untyped-call]
    params += list((extra_header_params or {}).items())
    base = signature_base_string(method, url, params, form)
    sig = signature.sign_hmac_sha256_with_client(base, client)
    return SignedRequest(
        base_string=base,
        signature=sig,
        authorization=_authorization(realm, [*params, ("oauth_signature", sig)]),
        nonce=str(client.nonce),
        timestamp=str(client.timestamp),
    )


def sign_request(
    method: str,
    url: str,
    realm: str,
    credentials: TBACredentials,
    *,
    nonce: str | None = None,
    timestamp: str | int | None = None,
    form: FormParams | None = None,
) -> SignedRequest:
    """Sign a REST web services or RESTlet request with TBA; pure apart from the default nonce/time.

    Args:
        method: HTTP method; upper-cased in the base string.
        url: the exact URL that will be sent, query string included (its parameters are signed).
        realm: the account ID in realm spelling (``1234567_SB1``), see ``AccountId.realm``.
        credentials: consumer and token pairs.
        nonce: fixed nonce for test vectors; a new random one when omitted.
        timestamp: fixed Unix time for test vectors; now when omitted.
        form: the parameters of an ``application/x-www-form-urlencoded`` body, which are signed.
            Never pass a JSON body: NetSuite does not sign it.

    Example:
        >>> creds = TBACredentials("ck" * 32, "cs" * 32, "tk" * 32, "ts" * 32)
        >>> sign_request("GET", "https://123456.suitetalk.api.netsuite.com/x", "123456", creds,
        ...              nonce="abcdefghij", timestamp=1).authorization[:20]
        'OAuth realm="123456"'
    """
    return sign_oauth(
        method,
        url,
        consumer_key=credentials.consumer_key,
        consumer_secret=credentials.consumer_secret,
        token=credentials.token_id,
        token_secret=credentials.token_secret,
        realm=realm,
        nonce=nonce,
        timestamp=timestamp,
        form=form,
    )


def _authorization(realm: str | None, params: Sequence[tuple[str, str]]) -> str:
    # RFC 5849 §3.5.1: every value percent-encoded (§3.6) and double-quoted, so the base64
    # signature travels as %2B/%2F/%3D (NS:section_1534941295). The realm is not encoded.
    parts = [f'realm="{realm}"'] if realm else []
    parts += [f'{utils.escape(k)}="{utils.escape(v)}"' for k, v in params]
    return "OAuth " + ", ".join(parts)


def _pairs(form: FormParams | None) -> list[tuple[str, str]]:
    if form is None:
        return []
    if isinstance(form, Mapping):
        return list(form.items())
    return list(form)


def _checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"url {url!r} is not an absolute http(s) URL",
            field="url",
            hint="sign the full URL that is sent, e.g. https://123456.suitetalk.api.netsuite.com/...",
        )
    return url


__all__ = [
    "NONCE_LENGTH",
    "FormParams",
    "SignedRequest",
    "new_nonce",
    "new_timestamp",
    "sign_oauth",
    "sign_request",
    "signature_base_string",
]
