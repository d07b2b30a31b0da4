"""An independent RFC 5849 signer for checking ours (written from the RFC, not from oauthlib).

Used the way a server would: from the raw request target and the Authorization header it
received, recompute the base string and the HMAC-SHA256 signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def enc(text: str) -> str:
    """RFC 5849 §3.6: UTF-8, unreserved kept, everything else %XX with upper-case hex."""
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def _decode_component(raw: str) -> str:
    # application/x-www-form-urlencoded decoding: '+' is a space, %XX are bytes.
    out = bytearray()
    i = 0
    data = raw.encode("utf-8")
    while i < len(data):
        c = data[i]
        if c == ord("+"):
            out.append(0x20)
        elif c == ord("%") and i + 2 < len(data) + 0 and _is_hex(data[i + 1 : i + 3]):
            out.append(int(data[i + 1 : i + 3], 16))
            i += 2
        else:
            out.append(c)
        i += 1
    return out.decode("utf-8")


def _is_hex(pair: bytes) -> bool:
    return len(pair) == 2 and all(ch in b"0123456789abcdefABCDEF" for ch in pair)


def query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((_decode_component(name), _decode_component(value)))
    return pairs


def base_uri(scheme: str, host: str, port: int | None, path: str) -> str:
    scheme, host = scheme.lower(), host.lower()
    default = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{path or '/'}"


def base_string(
    method: str,
    scheme: str,
    host: str,
    port: int | None,
    path: str,
    query: str,
    protocol: list[tuple[str, str]],
    form: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> str:
    params = [(k, v) for k, v in protocol if k not in ("realm", "oauth_signature")]
    params += query_pairs(query) + list(form)
    normalized = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in params))
    return "&".join([method.upper(), enc(base_uri(scheme, host, port, path)), enc(normalized)])


def hmac_sha256(consumer_secret: str, token_secret: str, text: str) -> str:
    key = f"{enc(consumer_secret)}&{enc(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest()).decode()


def parse_authorization(header: str) -> list[tuple[str, str]]:
    """``OAuth a="b", c="d"`` → [(a, b), (c, d)], values percent-decoded (not '+')."""
    assert header.startswith("OAuth "), header
    pairs = []
    for part in header[len("OAuth ") :].split(", "):
        name, _, quoted = part.partition("=")
        assert quoted.startswith('"') and quoted.endswith('"'), part
        pairs.append((name, _percent_decode(quoted[1:-1])))
    return pairs


def _percent_decode(text: str) -> str:
    return _decode_component(text.replace("+", "%2B"))


def verify(request, consumer_secret: str, token_secret: str, form=()) -> bool:  # noqa: ANN001
    """Recompute the signature of an ``httpx2.Request`` as received, like a server."""
    protocol = parse_authorization(request.headers["Authorization"])
    raw_path, _, query = request.url.raw_path.decode("ascii").partition("?")
    text = base_string(
        request.method,
        request.url.scheme,
        request.url.host,
        request.url.port,
        raw_path,
        query,
        protocol,
        list(form),
    )
    return hmac.compare_digest(
        dict(protocol)["oauth_signature"], hmac_sha256(consumer_secret, token_secret, text)
    )
