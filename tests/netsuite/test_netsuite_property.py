"""Property tests: our signer agrees with an independent RFC 5849 computation (rfc5849_oracle)."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import httpx2
import rfc5849_oracle as oracle
from hypothesis import given, settings
from hypothesis import strategies as st

from etail.netsuite import TBA, TBACredentials, sign_request

CREDS = TBACredentials("a" * 64, "b1" * 32, "c" * 64, "d2" * 32)
# Sub-delimiters a client may leave raw; '%', '&', '#' and '=' would change the structure.
RAW_OK_PATH = "!$&'()*+,;=:@-._~"
RAW_OK_QUERY = ":@!$'()*,/?;+~"

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
# httpx2 refuses ASCII control characters in a URL; '/', '?' and '#' would change its structure.
path_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="/?#"),
    max_size=12,
)
methods = st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True)
hosts = st.from_regex(
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?(\.[A-Za-z]{2,6}){0,2}", fullmatch=True
)
ports = st.none() | st.integers(min_value=1, max_value=65535)


@st.composite
def encoded_query(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(text, text), max_size=5))
    style = draw(st.sampled_from(["pct", "plus", "raw"]))
    encode = {
        "pct": lambda s: quote(s, safe=""),
        "plus": lambda s: quote_plus(s, safe=""),
        "raw": lambda s: quote(s, safe=RAW_OK_QUERY),
    }[style]
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str, str, int | None, str, str]:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    host, port = draw(hosts), draw(ports)
    segments = draw(st.lists(text, max_size=4))
    path = "/" + "/".join(quote(s, safe=RAW_OK_PATH) for s in segments)
    query = draw(encoded_query())
    netloc = host if port is None else f"{host}:{port}"
    url = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    return url, scheme, host, port, path, query


@settings(max_examples=300, deadline=None)
@given(
    method=methods, parts=urls(), realm=st.sampled_from(["123456", "1234567_SB1", "TSTDRV99_RP"])
)
def test_base_string_matches_independent_rfc5849(method: str, parts: tuple, realm: str) -> None:
    url, scheme, host, port, path, query = parts
    signed = sign_request(method, url, realm, CREDS)
    protocol = oracle.parse_authorization(signed.authorization)
    assert dict(protocol)["realm"] == realm
    expected = oracle.base_string(method, scheme, host, port, path, query, protocol)
    assert signed.base_string == expected
    assert signed.signature == oracle.hmac_sha256(
        CREDS.consumer_secret, CREDS.token_secret, expected
    )
    # Only OAuth parameters and the realm travel in the header.
    assert all(k == "realm" or k.startswith("oauth_") for k, _ in protocol)


@settings(max_examples=150, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    segments=st.lists(path_text, max_size=3),
    params=st.lists(st.tuples(text, text), max_size=4),
    port=ports,
)
def test_request_as_received_verifies_like_a_server(
    method: str, segments: list[str], params: list, port: int | None
) -> None:
    # httpx2 encodes the raw (unicode) path and the params itself; whatever reaches the wire
    # must verify with the independent computation, as the sandbox server will do it.
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(204)

    netloc = "example.test" if port is None else f"example.test:{port}"
    with httpx2.Client(transport=httpx2.MockTransport(handler), auth=TBA("123456", CREDS)) as http:
        http.request(method, f"https://{netloc}/" + "/".join(segments), params=params)
    assert oracle.verify(seen[0], CREDS.consumer_secret, CREDS.token_secret)
