"""The sandbox's OAuth 2.0 client credentials over real HTTP (netsuite-oauth2-soap.md §1, §3, §6.1).

A small app of our own carries the OAuth 2.0 routes (``oauth2.install``) and two probes guarded
by the bearer dependencies, over a temp SQLite made with ``Base.metadata.create_all``. The
assertions are signed here by hand with ``cryptography`` (not with ``etail.netsuite``): the
sandbox must hold up against an independent reading of RFC 7515/7518.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine, event, select

from etail.crypto import SecretBox
from etail.httpserver import BackgroundServer
from etail.sandbox.netsuite import oauth2
from etail.sandbox.netsuite.admin import accounts, employees, integrations
from etail.sandbox.netsuite.admin.errors import AdminError
from etail.sandbox.netsuite.context import Caller
from etail.sandbox.netsuite.db import Base
from etail.sandbox.netsuite.models import Employee, Integration, LoginAudit, Role
from etail.sandbox.netsuite.oauth2_models import M2MCertificate, OAuth2AccessToken
from etail.sandbox.netsuite.store import Store

TOKEN = "/services/rest/auth/oauth2/v1/token"
FORM_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ADMIN_KEY = "test-admin-key"
_realms = itertools.count(3829001)


# -- an independent JWS signer --------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jws(header: dict[str, Any], claims: dict[str, Any], key: Any) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    data = signing_input.encode()
    alg = header.get("alg", "PS256")
    if isinstance(key, rsa.RSAPrivateKey):
        if alg == "RS256":
            sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        else:
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            sig = key.sign(data, pss, hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input}.{b64(sig)}"


def self_signed(key: Any, days: int = 365) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test m2m")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def cert_id(pem: str) -> str:
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    return b64(hashlib.sha256(der).digest())


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


# -- the app --------------------------------------------------------------------------------------


@dataclass
class Clock:
    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Server:
    url: str
    store: Store
    clock: Clock
    http: httpx2.Client


def small_app(store: Store, clock: Clock) -> FastAPI:
    app = FastAPI()
    app.state.store = store
    oauth2.install(app, oauth2.OAuth2Options(clock=clock))

    @app.exception_handler(AdminError)
    async def admin_error(_r: Request, exc: AdminError) -> JSONResponse:
        body = {"error": {"code": type(exc).__name__, "message": str(exc), "field": exc.field}}
        return JSONResponse(body, status_code=exc.status)

    @app.get("/services/rest/probe")
    def rest_probe(caller: Caller = Depends(oauth2.oauth2_rest_caller)) -> dict[str, Any]:
        return {"account": caller.account_id, "entity": caller.entity_id, "role": caller.role_id}

    @app.get("/app/site/hosting/restlet.nl")
    def restlet_probe(caller: Caller = Depends(oauth2.oauth2_restlet_caller)) -> dict[str, Any]:
        return {"account": caller.account_id, "channel": caller.channel}

    return app


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("ns-oauth2")
    engine = create_engine(
        f"sqlite:///{data / 'netsuite.db'}", connect_args={"check_same_thread": False}
    )
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA foreign_keys=ON"))
    Base.metadata.create_all(engine)
    store = Store(Path(data), engine, SecretBox.from_key_file(data / "secret.key"), ADMIN_KEY)
    clock = Clock()
    with BackgroundServer(small_app(store, clock)) as srv, httpx2.Client(base_url=srv.url) as http:
        yield Server(srv.url, store, clock, http)
    engine.dispose()


@pytest.fixture(autouse=True)
def _reset_clock(server: Server) -> Iterator[None]:
    server.clock.offset = 0.0
    yield
    server.clock.offset = 0.0


# -- one account set up for M2M -------------------------------------------------------------------


@dataclass
class World:
    server: Server
    realm: str
    client_id: str
    application_id: str
    integration_id: int
    employee_id: int
    role_id: int
    key: Any
    kid: str
    secrets_seen: list[str] = field(default_factory=list)

    @property
    def token_url(self) -> str:
        return self.server.url + TOKEN

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.client_id,
            "scope": ["restlets", "rest_webservices"],
            "aud": self.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def assertion(self, key: Any = None, alg: str | None = None, **changes: Any) -> str:
        key = key or self.key
        alg = alg or ("PS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256")
        return jws({"typ": "JWT", "alg": alg, "kid": self.kid}, self.claims(**changes), key)

    def post(self, assertion: str, **form: str) -> httpx2.Response:
        data = {
            "grant_type": "client_credentials",
            "client_assertion_type": FORM_TYPE,
            "client_assertion": assertion,
            **form,
        }
        self.secrets_seen.append(assertion)
        return self.server.http.post(TOKEN, data=data)

    def access_token(self, **changes: Any) -> str:
        response = self.post(self.assertion(**changes))
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        self.secrets_seen.append(token)
        return token

    def audit(self) -> LoginAudit:
        with self.server.store.session() as s:
            row = s.scalar(
                select(LoginAudit)
                .where(LoginAudit.realm == self.realm)
                .order_by(LoginAudit.id.desc())
            )
            assert row is not None, "no Login Audit Trail row"
            return row

    def edit(self, fn: Any) -> None:
        with self.server.store.session() as s:
            fn(s)


def make_world(server: Server, key: Any) -> World:
    realm = f"{next(_realms)}_SB1"
    with server.store.session() as s:
        account = accounts.create_account(s, realm, admin_password="correct horse battery").account
        consumer_key = secrets.token_hex(32)
        bundle = accounts.install_bundle(
            s, server.store.box, account, consumer_key, secrets.token_hex(32)
        )
        role = bundle.role
        role.permissions = {**role.permissions, oauth2.OAUTH2_LOGIN: 4, "restWebServices": 4}
        emp = employees.create_employee(s, account, "Jane Doe", "jane@example.com", roles=[role])
        oauth2.set_feature(s, account, True)
        oauth2.configure_client(
            s, bundle.integration, client_credentials=True, scopes=["rest_webservices", "restlets"]
        )
        pem = self_signed(key)
        row = oauth2.register_certificate(s, account, bundle.integration, emp.id, role.id, pem)
        return World(
            server,
            realm,
            consumer_key,
            bundle.integration.application_id,
            bundle.integration.id,
            emp.id,
            role.id,
            key,
            row.certificate_id,
        )


@pytest.fixture
def world(server: Server) -> World:
    return make_world(server, ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture
def rsa_world(server: Server, rsa_key: rsa.RSAPrivateKey) -> Iterator[World]:
    w = make_world(server, rsa_key)
    yield w
    # The RSA key is shared by the module; a certificate serves one mapping only.
    w.edit(
        lambda s: s.execute(
            M2MCertificate.__table__.delete().where(M2MCertificate.certificate_id == w.kid)
        )
    )


# -- the token endpoint: happy path ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["PS256", "ES256"])
def test_token_endpoint_issues_a_netsuite_shaped_access_token(
    kind: str, world: World, rsa_world: World
) -> None:
    w = rsa_world if kind == "PS256" else world
    response = w.post(w.assertion())
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer"
    assert response.headers["cache-control"] == "no-store"

    head_b64, claims_b64, sig_b64 = body["access_token"].split(".")
    header, claims = json.loads(unb64(head_b64)), json.loads(unb64(claims_b64))
    assert header["typ"] == "JWT" and header["alg"] == "PS256"
    assert header["kid"].startswith(f"c.{w.realm}.")
    assert claims["sub"] == f"{w.role_id};{w.employee_id}"
    assert claims["aud"] == [f"{w.application_id};{w.realm}", w.client_id]
    assert claims["iss"] == "https://system.netsuite.com"
    assert claims["scope"] == ["rest_webservices", "restlets"]
    assert claims["exp"] - claims["iat"] == 3600 and ".a-a." in claims["jti"]

    # The signature verifies against the published key set (§1.8).
    jwks = w.server.http.get("/services/rest/auth/oauth2/v1/keys").json()["keys"]
    jwk = next(k for k in jwks if k["kid"] == header["kid"])
    public = rsa.RSAPublicNumbers(
        int.from_bytes(unb64(jwk["e"]), "big"), int.from_bytes(unb64(jwk["n"]), "big")
    ).public_key()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    public.verify(unb64(sig_b64), f"{head_b64}.{claims_b64}".encode(), pss, hashes.SHA256())

    audit = w.audit()
    assert (audit.status, audit.detail, audit.channel) == ("Success", "", "oauth2")
    assert audit.application == "eTail Connectors (Token-Based Auth)"
    assert audit.user == "jane@example.com"


@pytest.mark.parametrize(
    "scope",
    [["rest_webservices"], "rest_webservices,restlets", "restlets rest_webservices", "restlets"],
)
def test_scope_as_array_or_comma_or_space_separated_string(world: World, scope: Any) -> None:
    assert world.post(world.assertion(scope=scope)).status_code == 200


def test_float_times_and_the_restlets_host_audience_are_accepted(world: World) -> None:
    now = time.time()
    host = world.realm.lower().replace("_", "-")
    aud = f"https://{host}.restlets.api.netsuite.com{TOKEN}"
    assert world.post(world.assertion(iat=now, exp=now + 3600.0, aud=aud)).status_code == 200
    assert world.post(world.assertion(aud=["https://other.example", aud])).status_code == 200


def test_odd_claims_are_refused_not_crashed_on(world: World) -> None:
    nan = world.post(world.assertion(iat=float("nan"), exp=time.time() + 10**9))
    assert nan.json() == {"error": "invalid_request"}  # NaN is not JSON
    for claims in ({"aud": ["https://other.example"]}, {"aud": [[1]]}, {"iat": "now"}):
        response = world.post(world.assertion(**claims))
        assert response.json() == {"error": "invalid_grant"}, claims
        assert world.audit().detail == "TokenNotAcceptable"
    wrong_types = world.post(world.assertion(iss=["x"], scope={"a": 1}))
    assert wrong_types.json() == {"error": "invalid_grant"}
    assert world.audit().detail == "InvalidIssuer"


# -- the token endpoint: every refusal and its Login Audit Trail Detail ----------------------------


def _expired(w: World) -> str:
    return w.assertion(iat=int(time.time()) - 4000, exp=int(time.time()) - 400)


def _too_long(w: World) -> str:
    return w.assertion(exp=int(time.time()) + 3601)


def _future(w: World) -> str:
    return w.assertion(iat=int(time.time()) + 900, exp=int(time.time()) + 1000)


def _other_key(w: World) -> str:
    return w.assertion(key=ec.generate_private_key(ec.SECP256R1()))


def _no_kid(w: World) -> str:
    return jws({"typ": "JWT", "alg": "ES256"}, w.claims(), w.key)


def _unknown_kid(w: World) -> str:
    return jws({"typ": "JWT", "alg": "ES256", "kid": b64(b"x" * 32)}, w.claims(), w.key)


def _revoked(w: World) -> str:
    w.edit(lambda s: oauth2.revoke_certificate(s, accounts.get_account(s, w.realm), w.kid))
    return w.assertion()


def _wrong_alg(w: World) -> str:
    return w.assertion(alg="ES384")


def _feature_off(w: World) -> str:
    w.edit(lambda s: oauth2.set_feature(s, accounts.get_account(s, w.realm), False))
    return w.assertion()


def _blocked(w: World) -> str:
    w.edit(lambda s: setattr(s.get(Integration, w.integration_id), "state", "blocked"))
    return w.assertion()


def _no_m2m_box(w: World) -> str:
    w.edit(
        lambda s: oauth2.configure_client(
            s, s.get(Integration, w.integration_id), client_credentials=False, scopes=["restlets"]
        )
    )
    return w.assertion()


def _inactive(w: World) -> str:
    w.edit(lambda s: setattr(s.get(Employee, w.employee_id), "inactive", True))
    return w.assertion()


def _no_login_permission(w: World) -> str:
    def strip(s: Any) -> None:
        role = s.get(Role, w.role_id)
        role.permissions = {k: v for k, v in role.permissions.items() if k != oauth2.OAUTH2_LOGIN}

    w.edit(strip)
    return w.assertion()


REFUSALS = {
    # case: (make assertion, status, error, Login Audit Trail Detail)
    "bad signature": (_other_key, 400, "invalid_grant", "SignatureValidation"),
    "expired": (_expired, 400, "invalid_grant", "TokenExpired"),
    "exp too far after iat": (_too_long, 400, "invalid_grant", "TokenValidityTooBroad"),
    "issued in the future": (_future, 400, "invalid_grant", "TokenNotAcceptable"),
    "wrong aud": (
        lambda w: w.assertion(aud="https://1.suitetalk.api.netsuite.com/services/rest/record/v1"),
        400,
        "invalid_grant",
        "TokenNotAcceptable",
    ),
    "no kid": (_no_kid, 400, "invalid_grant", "MissingKeyId"),
    "unknown kid": (_unknown_kid, 400, "invalid_grant", "MissingKey"),
    "revoked certificate": (_revoked, 400, "invalid_grant", "MissingKey"),
    "alg does not fit the key": (_wrong_alg, 400, "invalid_grant", "UnsupportedAlgo"),
    "iss is not the client ID": (
        lambda w: w.assertion(iss="0" * 64),
        400,
        "invalid_grant",
        "InvalidIssuer",
    ),
    "missing scope": (lambda w: w.assertion(scope=None), 400, "invalid_scope", "InvalidScope"),
    "empty scope": (lambda w: w.assertion(scope=[]), 400, "invalid_scope", "InvalidScope"),
    "scope not on the record": (
        lambda w: w.assertion(scope="restlets,suite_analytics"),
        400,
        "invalid_scope",
        "ScopeMismatched",
    ),
    "feature off": (_feature_off, 400, "unauthorized_client", "FeatureDisabled"),
    "record blocked": (_blocked, 401, "invalid_client", "IntegrationBlocked"),
    "no M2M box": (_no_m2m_box, 400, "unauthorized_client", "AuthorizationCodeGrantRequired"),
    "entity inactive": (_inactive, 400, "invalid_grant", "EntityOrRoleDisabled"),
    "role cannot log in": (_no_login_permission, 400, "invalid_grant", "EntityOrRoleDisabled"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_refusal_has_its_error_body_and_audit_detail(world: World, case: str) -> None:
    make, status, error, detail = REFUSALS[case]
    assertion = make(world)
    response = world.post(assertion)
    assert response.status_code == status, response.text
    assert response.json() == {"error": error}
    if status == 401:
        assert response.headers["www-authenticate"] == f'Basic realm="{world.realm}"'
    audit = world.audit()
    assert (audit.status, audit.detail) == ("Failure", detail)
    assert assertion not in response.text


def test_rs256_is_refused_as_unsupported(rsa_world: World) -> None:
    response = rsa_world.post(rsa_world.assertion(alg="RS256"))
    assert response.json() == {"error": "invalid_grant"}
    assert rsa_world.audit().detail == "UnsupportedAlgo"


def test_wrong_grant_type_and_malformed_requests(world: World) -> None:
    response = world.post(world.assertion(), grant_type="authorization_code")
    assert (response.status_code, response.json()) == (400, {"error": "unsupported_grant_type"})
    assert world.audit().detail == "InvalidGrantType"

    http = world.server.http
    for other in (
        {"grant_type": "authorization_code", "code": "70b827f9", "redirect_uri": "https://x/cb"},
        {"grant_type": "refresh_token", "refresh_token": "eyJ.x.y"},
    ):
        r = http.post(TOKEN, data=other)
        assert (r.status_code, r.json()) == (400, {"error": "unsupported_grant_type"})

    cases = [
        http.post(TOKEN, data={"grant_type": "client_credentials"}),
        http.post(TOKEN, json={"grant_type": "client_credentials"}),
        http.post(TOKEN, content=b"grant_type=a&grant_type=b", headers=_FORM),
        world.post("not.a-jws"),
        world.post(world.assertion(), client_assertion_type="urn:other"),
        http.post(TOKEN, content=b"\xff\xfe", headers=_FORM),
    ]
    for r in cases:
        assert (r.status_code, r.json()) == (400, {"error": "invalid_request"}), r.text


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# -- bearer tokens on REST and RESTlets -----------------------------------------------------------


def test_bearer_token_resolves_to_the_mapped_caller(world: World) -> None:
    token = world.access_token()
    auth = {"Authorization": f"Bearer {token}"}
    rest = world.server.http.get("/services/rest/probe", headers=auth)
    assert rest.json() == {
        "account": world.realm,
        "entity": world.employee_id,
        "role": world.role_id,
    }
    restlet = world.server.http.get("/app/site/hosting/restlet.nl", headers=auth)
    assert restlet.json() == {"account": world.realm, "channel": "restlet"}
    assert (world.audit().status, world.audit().channel) == ("Success", "restlet")
    assert oauth2.realm_of_bearer(f"Bearer {token}") == world.realm
    assert oauth2.realm_of_bearer("Bearer x.y.z") is None
    assert oauth2.realm_of_bearer('OAuth realm="1"') is None
    assert oauth2.is_bearer(f"Bearer {token}") and oauth2.is_bearer("bearer")
    assert not oauth2.is_bearer('OAuth realm="1"') and not oauth2.is_bearer(None)


def _check_401(world: World, response: httpx2.Response, detail: str, restlet: bool = False) -> None:
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith(f'Bearer realm="{world.realm}", error="invalid_token"')
    code = response.json()["error"]["code"] if restlet else None
    if restlet:
        assert code == "INVALID_LOGIN_ATTEMPT"
    else:
        assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    assert (world.audit().status, world.audit().detail) == ("Failure", detail)


def test_expired_access_token(world: World) -> None:
    token = world.access_token()
    world.server.clock.offset = 3601
    response = world.server.http.get(
        "/services/rest/probe", headers={"Authorization": f"Bearer {token}"}
    )
    _check_401(world, response, "AccessTokenExpired")


def test_revoked_certificate_blocks_its_tokens(world: World) -> None:
    token = world.access_token()
    _revoked(world)
    response = world.server.http.get(
        "/app/site/hosting/restlet.nl", headers={"Authorization": f"Bearer {token}"}
    )
    _check_401(world, response, "TokenBlocked", restlet=True)


def test_token_without_the_channel_scope(world: World) -> None:
    token = world.access_token(scope="rest_webservices")
    auth = {"Authorization": f"Bearer {token}"}
    assert world.server.http.get("/services/rest/probe", headers=auth).status_code == 200
    response = world.server.http.get("/app/site/hosting/restlet.nl", headers=auth)
    _check_401(world, response, "ScopeMismatched", restlet=True)


def test_tampered_token_and_malformed_header(world: World) -> None:
    head, claims, sig = world.access_token().split(".")
    forged = json.loads(unb64(claims)) | {"sub": "3;-5"}
    tampered = f"{head}.{b64(json.dumps(forged).encode())}.{sig}"
    response = world.server.http.get(
        "/services/rest/probe", headers={"Authorization": f"Bearer {tampered}"}
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]

    for header in ("Bearer", "Bearer abc", "Bearer a.b c.d"):
        r = world.server.http.get("/services/rest/probe", headers={"Authorization": header})
        assert r.status_code == 400, header
        assert 'error="invalid_request"' in r.headers["www-authenticate"]


def test_role_losing_rest_web_services_is_refused_on_rest(world: World) -> None:
    token = world.access_token()

    def drop(s: Any) -> None:
        role = s.get(Role, world.role_id)
        role.permissions = {**role.permissions, "restWebServices": 1}

    world.edit(drop)
    response = world.server.http.get(
        "/services/rest/probe", headers={"Authorization": f"Bearer {token}"}
    )
    _check_401(world, response, "EntityOrRoleDisabled")


# -- the admin routes -----------------------------------------------------------------------------


def test_admin_routes_set_up_m2m_from_scratch(server: Server) -> None:
    http = server.http
    realm = f"{next(_realms)}_SB1"
    with server.store.session() as s:
        account = accounts.create_account(s, realm, admin_password="correct horse battery").account
        new = integrations.create_integration(s, server.store.box, account, "M2M app")
        admin_email = s.scalars(select(Employee).where(Employee.account_pk == account.id)).one()
    base = f"/admin/api/accounts/{realm}/oauth2"
    key = {"X-Sandbox-Admin-Key": ADMIN_KEY}
    assert http.put(f"{base}/feature", json={"enabled": True}).status_code == 401

    assert http.put(f"{base}/feature", json={"enabled": True}, headers=key).json() == {
        "enabled": True
    }
    ec_key = ec.generate_private_key(ec.SECP384R1())
    pem = self_signed(ec_key, days=5 * 365)
    upload = {"integration": "M2M app", "entity": admin_email.email, "role": "Administrator"}
    early = http.post(f"{base}/m2m", json={**upload, "certificate": pem}, headers=key)
    assert early.status_code == 400 and early.json()["error"]["field"] == "integration"

    client = http.put(
        f"{base}/clients/M2M app",
        json={"client_credentials": True, "scopes": ["rest_webservices"]},
        headers=key,
    )
    assert client.json()["scopes"] == ["rest_webservices"]
    created = http.post(f"{base}/m2m", json={**upload, "certificate": pem}, headers=key)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["certificate_id"] == cert_id(pem) and out["algorithm"] == "EC"
    valid = dt.datetime.fromisoformat(out["valid_until"]) - dt.datetime.fromisoformat(
        out["valid_from"]
    )
    assert valid == dt.timedelta(days=730)  # clipped to two years
    again = http.post(f"{base}/m2m", json={**upload, "certificate": pem}, headers=key)
    assert again.status_code == 409

    # The Administrator role (3;-5 in Oracle's example) may use the mapping at once.
    now = int(time.time())
    claims = {
        "iss": new.consumer_key,
        "scope": "rest_webservices",
        "aud": server.url + TOKEN,
        "iat": now,
        "exp": now + 60,
    }
    header = {"typ": "JWT", "alg": "ES384", "kid": out["certificate_id"]}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    r, s_ = decode_dss_signature(ec_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA384())))
    assertion = f"{signing_input}.{b64(r.to_bytes(48, 'big') + s_.to_bytes(48, 'big'))}"
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": FORM_TYPE,
        "client_assertion": assertion,
    }
    assert http.post(TOKEN, data=form).status_code == 200

    revoke = http.post(f"{base}/m2m/{out['certificate_id']}/revoke", headers=key)
    assert revoke.text == "Successfully revoked"
    listed = http.get(f"{base}/m2m", headers=key).json()
    assert [c["revoked"] for c in listed] == [True]
    assert http.post(TOKEN, data=form).json() == {"error": "invalid_grant"}


def test_admin_refuses_weak_keys_private_keys_and_a_sixth_certificate(world: World) -> None:
    http = world.server.http
    base = f"/admin/api/accounts/{world.realm}/oauth2"
    key = {"X-Sandbox-Admin-Key": ADMIN_KEY}
    upload = {
        "integration": world.integration_id,
        "entity": world.employee_id,
        "role": world.role_id,
    }

    weak = self_signed(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    r = http.post(f"{base}/m2m", json={**upload, "certificate": weak}, headers=key)
    assert (r.status_code, r.json()["error"]["field"]) == (400, "certificate")

    private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    r = http.post(f"{base}/m2m", json={**upload, "certificate": private_pem}, headers=key)
    assert r.status_code == 400 and "private" in r.json()["error"]["message"] + str(r.json())
    assert private_pem.splitlines()[1] not in r.text

    for _ in range(4):  # the world already has one: five active in all
        pem = self_signed(ec.generate_private_key(ec.SECP256R1()))
        assert (
            http.post(f"{base}/m2m", json={**upload, "certificate": pem}, headers=key).status_code
            == 201
        )
    sixth = self_signed(ec.generate_private_key(ec.SECP256R1()))
    r = http.post(f"{base}/m2m", json={**upload, "certificate": sixth}, headers=key)
    assert r.status_code == 409 and "5 active" in r.json()["error"]["message"]


def test_no_secret_is_stored_or_echoed(world: World) -> None:
    token = world.access_token()
    world.post(_other_key(world))
    with world.server.store.session() as s:
        rows = s.scalars(select(OAuth2AccessToken)).all()
        audits = s.scalars(select(LoginAudit).where(LoginAudit.realm == world.realm)).all()
        stored = json.dumps(
            [[r.jti, r.token_sha256, r.scopes] for r in rows]
            + [[a.user, a.role, a.token_name, a.application, a.detail] for a in audits]
        )
    for secret in [*world.secrets_seen, world.client_id]:
        assert secret not in stored
    assert any(r.token_sha256 == hashlib.sha256(token.encode()).hexdigest() for r in rows)
    listed = world.server.http.get(
        f"/admin/api/accounts/{world.realm}/oauth2/m2m", headers={"X-Sandbox-Admin-Key": ADMIN_KEY}
    ).text
    assert world.client_id not in listed and "PRIVATE" not in listed


# -- schemathesis over the OAuth 2.0 routes -------------------------------------------------------


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_input_gives_a_server_error(world: World, mode: str) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error

    url = world.server.url
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = [op for op in ops if "oauth2" in op.path]
    assert len(ops) == 7, [op.path for op in ops]
    generation = GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE
    failures: list[str] = []
    for op in ops:

        @given(case=op.as_strategy(generation_mode=generation))
        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            params = case.path_parameters or {}
            if "account_id" in params and len(repr(case.body)) % 2:
                params["account_id"] = world.realm  # half the cases reach a real account
            case.call_and_validate(
                base_url=url,
                headers={"X-Sandbox-Admin-Key": ADMIN_KEY},
                checks=[not_a_server_error],
            )

        try:
            run()
        except Unsatisfiable:
            continue
        except Exception as exc:  # collect every failing operation, then report them all
            failures.append(f"{op.label}: {str(exc)[:600]}")
    assert not failures, "\n".join(failures)


def test_the_migrations_create_exactly_the_oauth2_tables(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = Store.open(tmp_path / "migrated")  # alembic upgrade head, ns0003 included
    try:
        with store.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        store.close()
    ours = [d for d in diffs if "oauth2" in repr(d) or "m2m" in repr(d)]
    assert not ours, ours
