"""A hand-rolled TBA signer for tests that need headers no library emits (netsuite-tba.md §7.1).

Independent of both oauthlib and etail.netsuite, so it checks the sandbox from a third side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qsl, quote, urlsplit


def pct(s: str) -> str:
    return quote(s, safe="-._~")


def base_uri(url: str) -> str:
    p = urlsplit(url)
    scheme, host = p.scheme.lower(), (p.hostname or "").lower()
    if p.port and (scheme, p.port) not in (("http", 80), ("https", 443)):
        host += f":{p.port}"
    return f"{scheme}://{host}{p.path or '/'}"


def signature(method: str, url: str, oauth: dict[str, str], cs: str, ts: str) -> str:
    params = [(k, v) for k, v in oauth.items() if k not in ("realm", "oauth_signature")]
    params += parse_qsl(urlsplit(url).query, keep_blank_values=True)
    norm = "&".join(f"{k}={v}" for k, v in sorted((pct(k), pct(v)) for k, v in params))
    base = "&".join([method.upper(), pct(base_uri(url)), pct(norm)])
    digest = hmac.new(f"{pct(cs)}&{pct(ts)}".encode(), base.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def header(
    method: str,
    url: str,
    *,
    realm: str,
    ck: str,
    cs: str,
    token: str,
    ts_secret: str,
    extra: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    raw_suffix: str = "",
) -> str:
    """A signed Authorization header; ``overrides`` replace values after signing."""
    oauth = {
        "oauth_consumer_key": ck,
        "oauth_token": token,
        "oauth_nonce": secrets.token_hex(10),
        "oauth_timestamp": str(int(time.time())),
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_version": "1.0",
        **(extra or {}),
    }
    oauth["oauth_signature"] = signature(method, url, oauth, cs, ts_secret)
    oauth.update(overrides or {})
    for name in drop:
        oauth.pop(name, None)
    parts = [f'realm="{realm}"'] + [f'{k}="{pct(v)}"' for k, v in oauth.items()]
    return "OAuth " + ", ".join(parts) + raw_suffix
