"""The OAuth 2.0 client-credentials client (netsuite-oauth2-soap.md §1.2-§1.6, §3, §6.2).

Unit tests check the assertion against an independent reading of RFC 7518 with ``cryptography``
and drive the auth object over ``MockTransport``; the end-to-end test runs ``NetSuiteClient``
with ``OAuth2ClientCredentials`` against the real NetSuite sandbox app over loopback HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import delete

from etail.errors import (
    CredentialsError,
    RateLimitedError,
    SettingsError,
    TransientError,
    UnexpectedResponseError,
)
from etail.httpserver import BackgroundServer
from etail.netsuite import AccountId, NetSuiteClient
from etail.netsuite.oauth2 import (
    ASSERTION_TYPE,
    TOKEN_PATH,
    AccessToken,
    KeyPair,
    M2MCredentials,
    OAuth2ClientCredentials,
    build_assertion,
    certificate_id,
    fetch_access_token,
    generate_key_pair,
    parse_token_response,
    token_url,
)

CLIENT_ID = "1c343a71" + "ab" * 28


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def ps256() -> KeyPair:
    return generate_key_pair("PS256")


@pytest.fixture(scope="module")
def es256() -> KeyPair:
    return generate_key_pair("ES256")


def creds_of(pair: KeyPair, **kw: Any) -> M2MCredentials:
    return M2MCredentials(CLIENT_ID, pair.certificate_id, pair.private_key_pem, **kw)


def public_key(pair: KeyPair) -> Any:
    return x509.load_pem_x509_certificate(pair.certificate_pem.encode()).public_key()


# -- the assertion --------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["PS256", "ES256"])
def test_assertion_structure_and_signature(alg: str, ps256: KeyPair, es256: KeyPair) -> None:
    pair = ps256 if alg == "PS256" else es256
    url = "https://3829855-sb1.suitetalk.api.netsuite.com" + TOKEN_PATH
    jws = build_assertion(creds_of(pair), url, now=1742574430, jti="fixed")
    head, body, sig = jws.split(".")
    assert json.loads(unb64(head)) == {"typ": "JWT", "alg": alg, "kid": pair.certificate_id}
    assert json.loads(unb64(body)) == {
        "iss": CLIENT_ID,
        "scope": "rest_webservices,restlets",
        "aud": url,
        "iat": 1742574430,
        "exp": 1742574430 + 300,
        "jti": "fixed",
    }
    signing_input, signature = f"{head}.{body}".encode(), unb64(sig)
    key = public_key(pair)
    if alg == "PS256":  # RFC 7518 §3.5: MGF1-SHA256, salt length = 32
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        key.verify(signature, signing_input, pss, hashes.SHA256())
    else:  # RFC 7518 §3.4: 64 raw bytes R‖S, not DER
        assert len(signature) == 64
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))


def test_scope_can_be_sent_as_an_array(es256: KeyPair) -> None:
    creds = creds_of(es256, scopes=("restlets",), scope_style="array")
    claims = json.loads(unb64(build_assertion(creds, "u").split(".")[1]))
    assert claims["scope"] == ["restlets"]
    with pytest.raises(SettingsError):
        creds_of(es256, scope_style="space")


def test_assertion_lifetime_is_bounded_and_jti_random(es256: KeyPair) -> None:
    creds = creds_of(es256)
    claims = json.loads(unb64(build_assertion(creds, "u", lifetime=3600).split(".")[1]))
    assert claims["exp"] - claims["iat"] == 3600
    with pytest.raises(SettingsError) as info:
        build_assertion(creds, "u", lifetime=3601)
    assert info.value.field == "lifetime"
    jtis = {json.loads(unb64(build_assertion(creds, "u").split(".")[1]))["jti"] for _ in range(5)}
    assert len(jtis) == 5


@pytest.mark.parametrize(("alg", "size"), [("ES384", 96), ("ES512", 132)])
def test_ec_curves_pick_their_algorithm(alg: str, size: int) -> None:
    pair = generate_key_pair(alg)  # type: ignore[arg-type]
    creds = creds_of(pair)
    assert creds.alg == alg
    assert len(unb64(build_assertion(creds, "u").split(".")[2])) == size


def test_certificate_id_is_base64url_sha256_of_der(ps256: KeyPair) -> None:
    der = x509.load_pem_x509_certificate(ps256.certificate_pem.encode()).public_bytes(
        serialization.Encoding.DER
    )
    expected = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert certificate_id(ps256.certificate_pem) == ps256.certificate_id == expected
    assert len(expected) == 43
    cert = x509.load_pem_x509_certificate(ps256.certificate_pem.encode())
    assert isinstance(cert.signature_algorithm_parameters, padding.PSS)  # Oracle's recipe


def test_token_url_comes_from_the_validated_account() -> None:
    account = AccountId.parse("1234567_SB1")
    assert token_url(account) == f"https://1234567-sb1.suitetalk.api.netsuite.com{TOKEN_PATH}"
    assert token_url(account, "http://127.0.0.1:8101/") == f"http://127.0.0.1:8101{TOKEN_PATH}"
    with pytest.raises(SettingsError):
        token_url(account, "127.0.0.1:8101")


# -- credentials: validation and secrecy ----------------------------------------------------------


def test_credentials_refuse_what_netsuite_refuses(ps256: KeyPair, es256: KeyPair) -> None:
    def field_of(**kw: Any) -> str | None:
        base = {
            "client_id": CLIENT_ID,
            "certificate_id": es256.certificate_id,
            "private_key_pem": es256.private_key_pem,
        }
        with pytest.raises(SettingsError) as info:
            M2MCredentials(**(base | kw))
        return info.value.field

    assert field_of(client_id=" ") == "client_id"
    assert field_of(certificate_id="") == "certificate_id"
    assert field_of(private_key_pem="-----BEGIN PRIVATE KEY-----\nxx\n") == "private_key_pem"
    assert field_of(algorithm="ES384") == "algorithm"  # a P-256 key signs ES256 only
    assert field_of(algorithm="PS256") == "algorithm"  # an EC key cannot sign PSS
    assert field_of(scopes=("rest_webservices", "email")) == "scopes"
    assert field_of(scopes=()) == "scopes"
    weak = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    weak_pem = weak.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert field_of(private_key_pem=weak_pem) == "private_key_pem"
    encrypted = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass"),
    )
    assert field_of(private_key_pem=encrypted.decode()) == "private_key_pem"
    with pytest.raises(SettingsError, match="RS256") as info:
        creds_of(ps256, algorithm="RS256")
    assert "PS256" in str(info.value)


def test_no_private_key_in_any_repr_or_message(ps256: KeyPair) -> None:
    creds = creds_of(ps256)
    auth = OAuth2ClientCredentials(creds, "http://127.0.0.1:1" + TOKEN_PATH)
    token = AccessToken("eyJsecret.token.value", 3600, 0.0)
    key_lines = [line for line in ps256.private_key_pem.splitlines() if "-----" not in line]
    texts = [repr(creds), str(creds), repr(auth), repr(ps256), repr(token), str(token)]
    bad = ps256.private_key_pem.replace(key_lines[3], key_lines[3][::-1])
    with pytest.raises(SettingsError) as info:
        M2MCredentials(CLIENT_ID, "kid", bad)
    texts.append(str(info.value))
    for text in texts:
        assert all(line not in text for line in key_lines), text
        assert "eyJsecret" not in text and CLIENT_ID not in text
    assert "******" in repr(creds) and "******" in repr(token)


# -- the token answer -----------------------------------------------------------------------------


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
    request = httpx2.Request("POST", "https://1234567.suitetalk.api.netsuite.com" + TOKEN_PATH)
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return httpx2.Response(status, content=content, headers=headers, request=request)


def test_success_bodies() -> None:
    token = parse_token_response(
        answer(200, {"access_token": "a.b.c", "expires_in": 3600, "token_type": "bearer"}), now=10
    )
    assert (token.value, token.expires_in, token.expires_at) == ("a.b.c", 3600, 3610)
    clamped = parse_token_response(
        answer(200, {"access_token": "x", "expires_in": 86400, "token_type": "Bearer"})
    )
    assert clamped.expires_in == 3600
    as_float = parse_token_response(answer(200, {"access_token": "x", "expires_in": 1800.0}))
    assert as_float.expires_in == 1800
    for broken in (
        {"expires_in": 3600, "token_type": "Bearer"},
        {"access_token": "x", "token_type": "mac"},
        {"access_token": "x", "expires_in": -5},
        "<html>ok</html>",
    ):
        with pytest.raises(UnexpectedResponseError):
            parse_token_response(answer(200, broken))


@pytest.mark.parametrize(
    ("status", "error", "hint"),
    [
        (400, "invalid_grant", "Certificate ID"),
        (401, "invalid_client", "Enabled"),
        (400, "unauthorized_client", "Client Credentials (Machine to Machine) Grant"),
        (400, "invalid_scope", "scopes"),
        (400, "invalid_request", "bug"),
    ],
)
def test_error_bodies_become_credentials_errors(status: int, error: str, hint: str) -> None:
    with pytest.raises(CredentialsError) as info:
        parse_token_response(answer(status, {"error": error}))
    exc = info.value
    assert (exc.status, exc.code, exc.retryable) == (status, error, False)
    assert hint in str(exc) and "Login Audit Trail" in str(exc)
    assert error in exc.message


def test_rate_limits_and_server_errors_are_retryable() -> None:
    assert isinstance(_error_of(answer(429, "slow down")), RateLimitedError)
    server = _error_of(answer(503, {"error": "server_error"}))
    assert isinstance(server, TransientError) and server.retryable


def _error_of(response: httpx2.Response) -> Exception:
    with pytest.raises(Exception) as info:
        parse_token_response(response)
    return info.value


# -- the auth object: caching, renewal, one retry on 401 ------------------------------------------


@dataclass
class FakeNetSuite:
    """Token endpoint + one API path; tokens are numbered, some can be marked revoked."""

    issued: int = 0
    revoked: set[str] | None = None
    token_error: dict[str, str] | None = None
    api_calls: int = 0
    always_401: bool = False

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path == TOKEN_PATH:
            form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
            assert form["grant_type"] == "client_credentials"
            assert form["client_assertion_type"] == ASSERTION_TYPE.replace(":", "%3A")
            assert "Authorization" not in request.headers
            if self.token_error:
                return httpx2.Response(400, json=self.token_error)
            self.issued += 1
            body = {"access_token": f"tok{self.issued}", "expires_in": 3600, "token_type": "Bearer"}
            return httpx2.Response(200, json=body)
        self.api_calls += 1
        bearer = request.headers["Authorization"].removeprefix("Bearer ")
        if self.always_401 or bearer in (self.revoked or set()):
            return httpx2.Response(
                401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
        return httpx2.Response(200, json={"bearer": bearer})


def client_for(fake: FakeNetSuite, creds: M2MCredentials, clock: Callable[[], float]) -> Any:
    auth = OAuth2ClientCredentials(creds, "https://x.test" + TOKEN_PATH, clock=clock)
    return auth, httpx2.Client(transport=httpx2.MockTransport(fake), auth=auth)


def test_token_is_cached_then_renewed_before_expiry(es256: KeyPair) -> None:
    now = [1000.0]
    fake = FakeNetSuite()
    auth, http = client_for(fake, creds_of(es256), lambda: now[0])
    with http:
        seen = [http.get("https://x.test/api").json()["bearer"] for _ in range(3)]
        now[0] += 3600 - 301  # still fresh: 300 s margin not reached
        seen.append(http.get("https://x.test/api").json()["bearer"])
        now[0] += 2  # inside the margin: mint a new one
        seen.append(http.get("https://x.test/api").json()["bearer"])
    assert seen == ["tok1"] * 4 + ["tok2"]
    assert auth.minted == fake.issued == 2


def test_a_401_on_a_cached_token_renews_once(es256: KeyPair) -> None:
    fake = FakeNetSuite(revoked={"tok1"})
    auth, http = client_for(fake, creds_of(es256), lambda: 0.0)
    with http:
        fake.revoked = set()
        assert http.get("https://x.test/api").json() == {"bearer": "tok1"}
        fake.revoked = {"tok1"}  # revoked server-side while cached
        assert http.get("https://x.test/api").json() == {"bearer": "tok2"}
    assert (fake.issued, fake.api_calls) == (2, 3)


def test_a_401_on_a_fresh_token_is_not_retried(es256: KeyPair) -> None:
    fake = FakeNetSuite(always_401=True)
    auth, http = client_for(fake, creds_of(es256), lambda: 0.0)
    with http:
        assert http.get("https://x.test/api").status_code == 401
        assert (fake.issued, fake.api_calls) == (1, 1)
        # The next request uses the cached token, gets 401, renews once, and stops.
        assert http.get("https://x.test/api").status_code == 401
    assert (fake.issued, fake.api_calls) == (2, 3)


async def test_token_endpoint_refusal_raises_from_the_request(es256: KeyPair) -> None:
    fake = FakeNetSuite(token_error={"error": "invalid_grant"})
    auth = OAuth2ClientCredentials(creds_of(es256), "https://x.test" + TOKEN_PATH)
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(fake), auth=auth) as http:
        with pytest.raises(CredentialsError) as info:
            await http.get("https://x.test/api")
    assert info.value.code == "invalid_grant" and fake.api_calls == 0


# -- end to end: NetSuiteClient over OAuth 2.0 against the sandbox --------------------------------


@dataclass
class Sandbox:
    url: str
    app: Any
    realm: str
    creds: M2MCredentials


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory, ps256: KeyPair) -> Iterator[Sandbox]:
    from etail.sandbox.netsuite import oauth2
    from etail.sandbox.netsuite.admin import accounts, employees
    from etail.sandbox.netsuite.app import create_app

    # The real sandbox app: migration ns0003, oauth2.install and the Bearer dispatch in deps.
    app = create_app(Path(tmp_path_factory.mktemp("ns-oauth2-e2e")))
    store = app.state.store
    realm = "3829855_SB1"
    consumer_key = secrets.token_hex(32)
    with store.session() as s:
        account = accounts.create_account(s, realm, admin_password="correct horse battery").account
        bundle = accounts.install_bundle(s, store.box, account, consumer_key, secrets.token_hex(32))
        role = bundle.role
        role.permissions = {**role.permissions, oauth2.OAUTH2_LOGIN: 4}
        emp = employees.create_employee(s, account, "Jane Doe", "jane@example.com", roles=[role])
        oauth2.set_feature(s, account, True)
        oauth2.configure_client(
            s, bundle.integration, client_credentials=True, scopes=["rest_webservices", "restlets"]
        )
        oauth2.register_certificate(
            s, account, bundle.integration, emp.id, role.id, ps256.certificate_pem
        )
    creds = M2MCredentials(consumer_key, ps256.certificate_id, ps256.private_key_pem)
    with BackgroundServer(app) as srv:
        yield Sandbox(srv.url, app, realm, creds)


def oauth2_client(sandbox: Sandbox) -> tuple[NetSuiteClient, OAuth2ClientCredentials]:
    # The auth type follows from the credentials' class.
    ns = NetSuiteClient(sandbox.realm, sandbox.creds, base_url=sandbox.url)
    auth = ns._http.auth
    assert isinstance(auth, OAuth2ClientCredentials)
    return ns, auth


async def test_records_and_suiteql_over_oauth2(sandbox: Sandbox) -> None:
    ns, auth = oauth2_client(sandbox)
    async with ns:
        new_id = await ns.create("customer", {"companyName": "Ada M2M", "externalId": "M2M-1"})
        record = await ns.get("customer", new_id)
        upserted = await ns.upsert("customer", "M2M-1", {"companyName": "Ada M2M 2"})
        rows = [r async for r in ns.suiteql("SELECT id, companyname FROM customer")]
    assert record["companyName"] == "Ada M2M" and upserted == new_id
    assert {"id": new_id, "companyname": "Ada M2M 2"} in rows
    assert auth.minted == 1  # one token served every call


async def test_renewal_after_the_sandbox_forgets_the_token(sandbox: Sandbox) -> None:
    from etail.sandbox.netsuite.oauth2_models import OAuth2AccessToken

    ns, auth = oauth2_client(sandbox)
    async with ns:
        async for _ in ns.list("customer"):
            break
        with sandbox.app.state.store.session() as s:
            s.execute(delete(OAuth2AccessToken))  # every issued token is now unknown
        async for _ in ns.list("customer"):
            break
    assert auth.minted == 2


async def test_fetch_access_token_and_refusal_from_the_sandbox(
    sandbox: Sandbox, es256: KeyPair
) -> None:
    url = token_url(AccountId.parse(sandbox.realm), sandbox.url)
    token = await fetch_access_token(sandbox.creds, url)
    assert token.expires_in == 3600 and token.value.count(".") == 2
    stranger = M2MCredentials(sandbox.creds.client_id, es256.certificate_id, es256.private_key_pem)
    with pytest.raises(CredentialsError) as info:
        await fetch_access_token(stranger, url)
    assert info.value.code == "invalid_grant"
    assert es256.private_key_pem.splitlines()[1] not in str(info.value)
    with pytest.raises(TransientError):
        await fetch_access_token(sandbox.creds, "http://127.0.0.1:9" + TOKEN_PATH, timeout=2)


def test_two_requests_refused_together_share_one_new_token(es256: KeyPair) -> None:
    auth = OAuth2ClientCredentials(creds_of(es256), "https://x.test" + TOKEN_PATH, clock=lambda: 0)

    def ok_token(n: int) -> httpx2.Response:
        body = {"access_token": f"tok{n}", "expires_in": 3600, "token_type": "Bearer"}
        return httpx2.Response(200, json=body, request=httpx2.Request("POST", auth.token_url))

    first = auth.auth_flow(httpx2.Request("GET", "https://x.test/a"))
    assert next(first).url.path == TOKEN_PATH
    assert first.send(ok_token(1)).headers["Authorization"] == "Bearer tok1"

    a = auth.auth_flow(httpx2.Request("GET", "https://x.test/a"))
    b = auth.auth_flow(httpx2.Request("GET", "https://x.test/b"))
    assert next(a).headers["Authorization"] == next(b).headers["Authorization"] == "Bearer tok1"
    refused = httpx2.Response(401)
    assert a.send(refused).url.path == TOKEN_PATH  # a mints
    assert a.send(ok_token(2)).headers["Authorization"] == "Bearer tok2"
    retried = b.send(refused)  # b reuses a's new token instead of minting a third
    assert retried.url.path == "/b" and retried.headers["Authorization"] == "Bearer tok2"
    assert auth.minted == 2
