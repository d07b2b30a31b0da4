"""Routes: the token endpoint, the JWKS, the admin API and ``install`` (the wiring)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from etail.sandbox.netsuite.admin import accounts, integrations
from etail.sandbox.netsuite.admin.api import require_admin_key
from etail.sandbox.netsuite.deps import SessionDep, addressed_url, get_store
from etail.sandbox.netsuite.oauth2.bearer import (
    _audit,
    bearer_caller,
    bearer_rejected_response,
    options_of,
)
from etail.sandbox.netsuite.oauth2.common import (
    ASSERTION_TYPE,
    KEYS_PATH,
    TOKEN_PATH,
    Attempt,
    BearerRejected,
    OAuth2Options,
    TokenRefused,
)
from etail.sandbox.netsuite.oauth2.issuer import (
    TokenIssuer,
    public_key,
    read_form,
)
from etail.sandbox.netsuite.oauth2.jose import (
    _b64encode,
)
from etail.sandbox.netsuite.oauth2.setup import (
    _aware,
    configure_client,
    list_certificates,
    register_certificate,
    revoke_certificate,
    set_feature,
)
from etail.sandbox.netsuite.oauth2_models import (
    M2MCertificate,
    OAuth2SigningKey,
)
from etail.sandbox.netsuite.store import Store

# -- routes ---------------------------------------------------------------------------------------

router = APIRouter(tags=["oauth2"])


def _issue(store: Store, options: OAuth2Options, form: dict[str, str], url: str, ip: str) -> Any:
    at = Attempt(channel="oauth2")
    try:
        with store.session() as s:
            body = TokenIssuer(store.box, options).issue(s, form, url, at)
    except TokenRefused as exc:
        at.detail = exc.detail
        if at.account_pk is not None:  # an attempt that names no account has no trail to go to
            _audit(store, at, False, ip)
        return exc, at.realm
    _audit(store, at, True, ip)
    return body, at.realm


_TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": '{"error": "invalid_request" | "invalid_grant" | "invalid_scope" | …}'},
    401: {"description": '{"error": "invalid_client"}'},
}
_FORM_BODY = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "client_assertion_type": {"type": "string", "enum": [ASSERTION_TYPE]},
                        "client_assertion": {"type": "string"},
                    },
                    "required": ["grant_type", "client_assertion_type", "client_assertion"],
                }
            }
        },
        "required": True,
    }
}


@router.post(TOKEN_PATH, responses=_TOKEN_RESPONSES, openapi_extra=_FORM_BODY)
async def token(request: Request) -> JSONResponse:
    """The client-credentials token endpoint (NS:section_162755359851)."""
    body = await request.body()
    ip = request.client.host if request.client else ""
    store, options = get_store(request), options_of(request.app)
    try:
        form = read_form(body, request.headers.get("content-type", ""))
    except TokenRefused as exc:
        return _token_error(exc, "")
    url = addressed_url(request).partition("?")[0]
    result, realm = await run_in_threadpool(_issue, store, options, form, url, ip)
    if isinstance(result, TokenRefused):
        return _token_error(result, realm)
    # RFC 6749 §5.1: token responses are never cached.
    return JSONResponse(result, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _token_error(exc: TokenRefused, realm: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if exc.status == 401:  # invalid_client comes with a Basic challenge (NS:subsect_158521832417)
        headers["WWW-Authenticate"] = f'Basic realm="{realm}"'
    return JSONResponse({"error": exc.error}, status_code=exc.status, headers=headers)


@router.get(KEYS_PATH)
def keys(s: SessionDep, request: Request) -> dict[str, list[dict[str, str]]]:
    """NetSuite's token-signing public keys as a JWK set (§1.8)."""
    options, box = options_of(request.app), get_store(request).box
    out: list[dict[str, str]] = []
    for kid in s.scalars(select(OAuth2SigningKey.kid).order_by(OAuth2SigningKey.id)):
        key = public_key(s, box, kid, options)
        if key is None:
            continue
        numbers = key.public_numbers()
        out.append(
            {
                "kty": "RSA",
                "kid": kid,
                "use": "sig",
                "alg": "PS256",
                "n": _b64encode(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": _b64encode(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
            }
        )
    return {"keys": out}


# -- admin API (X-Sandbox-Admin-Key, like the rest of /admin/api) ----------------------------------


class _In(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


ScopeName = Literal["restlets", "rest_webservices", "suite_analytics"]
Ref = Annotated[str, Field(min_length=1, max_length=300)] | Annotated[int, Field(ge=1)]


class FeatureIn(_In):
    enabled: bool


class ClientIn(_In):
    client_credentials: bool
    scopes: list[ScopeName] = Field(default_factory=list, max_length=3)


class ClientOut(BaseModel):
    integration_id: int
    client_credentials: bool
    scopes: list[str]


class CertificateIn(_In):
    integration: Ref
    entity: Ref
    role: Ref
    certificate: Annotated[str, Field(min_length=1, max_length=20000)]


class CertificateOut(BaseModel):
    certificate_id: str
    integration_id: int
    application: str
    entity_id: int
    entity: str
    role_id: int
    role: str
    algorithm: str
    valid_from: datetime
    valid_until: datetime
    revoked: bool

    @classmethod
    def of(cls, c: M2MCertificate) -> CertificateOut:
        return cls(
            certificate_id=c.certificate_id,
            integration_id=c.integration_id,
            application=c.integration.name,
            entity_id=c.employee_id,
            entity=c.employee.email,
            role_id=c.role_id,
            role=c.role.name,
            algorithm=c.key_type,
            valid_from=_aware(c.valid_from),
            valid_until=_aware(c.valid_until),
            revoked=c.revoked,
        )


admin_router = APIRouter(
    prefix="/admin/api/accounts/{account_id}",
    dependencies=[Depends(require_admin_key)],
    tags=["oauth2 admin"],
)


@admin_router.put("/oauth2/feature")
def put_feature(account_id: str, body: FeatureIn, s: SessionDep) -> FeatureIn:
    """Enable Features > SuiteCloud > Manage Authentication > OAuth 2.0."""
    feature = set_feature(s, accounts.get_account(s, account_id), body.enabled)
    return FeatureIn(enabled=feature.enabled)


@admin_router.put("/oauth2/clients/{integration}")
def put_client(account_id: str, integration: str, body: ClientIn, s: SessionDep) -> ClientOut:
    """The integration record's OAuth 2.0 boxes: M2M grant and scopes."""
    account = accounts.get_account(s, account_id)
    integ = integrations.get_integration(s, account, integration)
    client = configure_client(
        s, integ, client_credentials=body.client_credentials, scopes=body.scopes
    )
    return ClientOut(
        integration_id=integ.id,
        client_credentials=client.client_credentials,
        scopes=list(client.scopes),
    )


@admin_router.get("/oauth2/m2m")
def get_certificates(account_id: str, s: SessionDep) -> list[CertificateOut]:
    """The OAuth 2.0 Client Credentials (M2M) Setup list."""
    return [CertificateOut.of(c) for c in list_certificates(s, accounts.get_account(s, account_id))]


@admin_router.post("/oauth2/m2m", status_code=201)
def post_certificate(account_id: str, body: CertificateIn, s: SessionDep) -> CertificateOut:
    """Create New: upload a public certificate for (integration record, entity, role)."""
    account = accounts.get_account(s, account_id)
    integ = integrations.get_integration(s, account, body.integration)
    row = register_certificate(s, account, integ, body.entity, body.role, body.certificate)
    return CertificateOut.of(row)


@admin_router.post("/oauth2/m2m/{certificate_id}/revoke")
def post_revoke(account_id: str, certificate_id: str, s: SessionDep) -> PlainTextResponse:
    """Revoke (answers like NetSuite's rotation endpoint: text ``Successfully revoked``)."""
    revoke_certificate(s, accounts.get_account(s, account_id), certificate_id)
    return PlainTextResponse("Successfully revoked")


# -- wiring ---------------------------------------------------------------------------------------


def is_bearer(authorization: str | None) -> bool:
    """Whether an ``Authorization`` header uses the Bearer scheme (OAuth 2.0, not TBA)."""
    return authorization is not None and authorization.split(" ", 1)[0].lower() == "bearer"


def install(app: FastAPI, options: OAuth2Options | None = None) -> None:
    """Add the token endpoint, the JWKS, the admin routes and the bearer error handler.

    ``app.state.bearer_caller`` becomes :func:`bearer_caller`, so ``deps.rest_caller`` can hand a
    Bearer request over without importing this module (which imports ``deps``).
    """
    app.state.oauth2 = options or OAuth2Options()
    app.state.bearer_caller = bearer_caller
    app.include_router(router)
    app.include_router(admin_router)

    async def rejected(_r: Request, exc: Exception) -> Response:
        assert isinstance(exc, BearerRejected)
        return bearer_rejected_response(exc)

    app.add_exception_handler(BearerRejected, rejected)
