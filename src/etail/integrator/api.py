"""The JSON API (``/api/v1``): bearer tokens, users, integrations, settings, iClients,
connections with Test and Save, audit log. Every body is a strict pydantic model; secrets are
write-only (requests may carry them, responses show ``******`` at most)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag
from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.crypto import MASK
from etail.integrator import app_settings, monitor
from etail.integrator.connection_tests import TestResult
from etail.integrator.connections import ConnectionService, JetForm, NetSuiteForm, test_saved
from etail.integrator.deps import (
    Principal,
    current_user,
    get_session,
    require,
    require_somewhere,
    user_service,
)
from etail.integrator.pages import get_integration, save_settings, visible_integrations
from etail.storage.audit import AuditLog
from etail.storage.connections import ConnectionRepository, public_config
from etail.storage.models import AuditEntry, Connection, Integration, User

router = APIRouter(prefix="/api/v1", tags=["integrator"])
_STRICT = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)
Text = Annotated[str, StringConstraints(max_length=254)]
Password = Annotated[str, StringConstraints(max_length=200)]
IdPath = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class TokenRequest(BaseModel):
    model_config = _STRICT
    email: Text
    password: Password = Field(json_schema_extra={"writeOnly": True, "format": "password"})


class TokenResponse(BaseModel):
    token: str
    expires_at: datetime
    user_id: str
    role: str


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    role: str
    disabled: bool
    grants: dict[str, str]
    last_login_at: datetime | None

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(
            id=u.id,
            email=u.email,
            name=u.name,
            role=u.role,
            disabled=u.disabled,
            grants={g.integration_id: g.access_level for g in u.grants},
            last_login_at=u.last_login_at,
        )


Role = Literal["administrator", "manage", "monitor", "tile"]
Grants = dict[Annotated[str, StringConstraints(max_length=40)], Literal["manage", "monitor"]]


class InvitationRequest(BaseModel):
    model_config = _STRICT
    email: Text
    role: Role
    grants: Grants = {}


class InvitationOut(BaseModel):
    id: str
    email: str
    role: str
    accept_path: str  # one-time link; shown only in this response


class AcceptRequest(BaseModel):
    model_config = _STRICT
    name: Annotated[str, StringConstraints(max_length=100)] = ""
    password: Password = Field(json_schema_extra={"writeOnly": True, "format": "password"})


class UserPatch(BaseModel):
    model_config = _STRICT
    role: Role | None = None
    grants: Grants | None = None
    disabled: bool | None = None


class IntegrationOut(BaseModel):
    id: str
    name: str
    connector: str | None
    version: str
    mode: str
    updated_at: datetime


class ConnectionOut(BaseModel):
    id: str
    name: str
    type: str
    integration_id: str | None
    status: Literal["Online", "Offline"]
    offline_reason: str | None
    iclient_id: str | None
    config: dict[str, Any]  # secrets appear only as "******"
    updated_at: datetime

    @classmethod
    def of(cls, c: Connection) -> ConnectionOut:
        return cls(
            id=c.id,
            name=c.name,
            type=c.type,
            integration_id=c.integration_id,
            status="Offline" if c.offline else "Online",
            offline_reason=c.offline_reason,
            iclient_id=c.iclient_id,
            config=public_config(c),
            updated_at=c.updated_at,
        )


class IClientOut(BaseModel):
    id: str
    name: str
    provider: str
    auth_kind: str
    is_global: bool
    consumer_key: str = MASK
    consumer_secret: str = MASK


class SaveResult(BaseModel):
    saved: bool
    connection: ConnectionOut
    test: TestResult


class AuditOut(BaseModel):
    id: int
    at: datetime
    user: str
    source: str
    action: str
    resource_type: str
    resource_id: str
    resource_name: str
    field: str
    old_value: str | None
    new_value: str | None

    @classmethod
    def of(cls, e: AuditEntry) -> AuditOut:
        return cls(
            id=e.id,
            at=e.at,
            user=e.user_email,
            source=e.source,
            action=e.action,
            resource_type=e.resource_type,
            resource_id=e.resource_id,
            resource_name=e.resource_name,
            field=e.field,
            old_value=e.old_value,
            new_value=e.new_value,
        )


# -- auth --------------------------------------------------------------------------------
@router.post("/auth/token", response_model=TokenResponse, responses={401: {}})
def create_token(
    request: Request, body: TokenRequest, session: Session = Depends(get_session, scope="function")
) -> Any:
    svc = user_service(request, session)
    from etail.integrator.users import SignInError

    try:
        user = svc.authenticate(body.email, body.password, source="API")
    except SignInError as exc:
        session.commit()  # keep the failure count
        return JSONResponse({"detail": str(exc)}, status_code=401)
    new = svc.open_session(user, kind="api")
    return TokenResponse(
        token=new.token, expires_at=new.expires_at, user_id=user.id, role=user.role
    )


@router.delete("/auth/token", status_code=204)
def delete_token(
    request: Request,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(current_user),
) -> Response:
    session.delete(who.web_session)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
def me(who: Principal = Depends(current_user)) -> UserOut:
    return UserOut.of(who.user)


# -- users -------------------------------------------------------------------------------
@router.get("/users", response_model=list[UserOut])
def list_users(
    request: Request,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> list[UserOut]:
    return [UserOut.of(u) for u in user_service(request, session).all()]


def _check_integrations(session: Session, grants: Mapping[str, str] | None) -> None:
    for integration_id in grants or {}:
        get_integration(session, integration_id)


@router.post("/invitations", response_model=InvitationOut, status_code=201)
def invite(
    request: Request,
    body: InvitationRequest,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> InvitationOut:
    _check_integrations(session, body.grants)
    svc = user_service(request, session)
    token = svc.invite(body.email, body.role, body.grants, actor=who.actor)
    return InvitationOut(
        id=svc.invitation(token).id,
        email=body.email,
        role=body.role,
        accept_path=f"/invitations/{token}",
    )


@router.delete("/invitations/{invitation_id}", status_code=204)
def cancel_invitation(
    request: Request,
    invitation_id: IdPath,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    user_service(request, session).cancel_invitation(invitation_id, actor=who.actor)
    return Response(status_code=204)


@router.post("/invitations/{token}/accept", response_model=UserOut, status_code=201)
def accept(
    request: Request,
    token: IdPath,
    body: AcceptRequest,
    session: Session = Depends(get_session, scope="function"),
) -> UserOut:
    return UserOut.of(
        user_service(request, session).accept(token, body.name, body.password, source="API")
    )


@router.patch("/users/{user_id}", response_model=UserOut)
def patch_user(
    request: Request,
    user_id: IdPath,
    body: UserPatch,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> UserOut:
    svc = user_service(request, session)
    user = svc.get(user_id)
    _check_integrations(session, body.grants)
    if body.role is not None or body.grants is not None:
        svc.set_role(user, body.role or user.role, body.grants, actor=who.actor)
    if body.disabled is not None:
        svc.set_disabled(user, body.disabled, actor=who.actor)
    return UserOut.of(user)


@router.delete("/users/{user_id}", status_code=204)
def delete_user(
    request: Request,
    user_id: IdPath,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    svc = user_service(request, session)
    svc.remove(svc.get(user_id), actor=who.actor)
    return Response(status_code=204)


# -- integrations and settings -----------------------------------------------------------
def _integration_out(i: Integration) -> IntegrationOut:
    return IntegrationOut(
        id=i.id,
        name=i.name,
        connector=i.connector,
        version=i.version,
        mode=i.mode,
        updated_at=i.updated_at,
    )


@router.get("/integrations", response_model=list[IntegrationOut])
def list_integrations(
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(current_user),
) -> list[IntegrationOut]:
    return [_integration_out(i) for i in visible_integrations(session, who)]


@router.get("/integrations/{integration_id}", response_model=IntegrationOut)
def show_integration(
    integration_id: IdPath,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("monitor")),
) -> IntegrationOut:
    return _integration_out(get_integration(session, integration_id))


@router.get(
    "/integrations/{integration_id}/settings", response_model=app_settings.IntegrationSettings
)
def get_settings(
    integration_id: IdPath,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("monitor")),
) -> app_settings.IntegrationSettings:
    return app_settings.load(get_integration(session, integration_id).settings)


@router.put(
    "/integrations/{integration_id}/settings",
    response_model=app_settings.IntegrationSettings,
)
def put_settings(
    integration_id: IdPath,
    body: app_settings.IntegrationSettings,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("manage")),
) -> app_settings.IntegrationSettings:
    """Replace the integration's settings (General and every flow group's section)."""
    integ = get_integration(session, integration_id)
    result = app_settings.load(integ.settings)
    for section in app_settings.SECTIONS:
        result = save_settings(session, integ, section, getattr(body, section).model_dump(), who)
    return result


# -- iClients and connections --------------------------------------------------------------
@router.get("/iclients", response_model=list[IClientOut])
def list_iclients(
    request: Request,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require_somewhere("manage")),
) -> list[IClientOut]:
    rows = ConnectionRepository(session, request.app.state.box).iclients()
    return [
        IClientOut(
            id=i.id, name=i.name, provider=i.provider, auth_kind=i.auth_kind, is_global=i.is_global
        )
        for i in rows
    ]


def _conn(session: Session, connection_id: str, who: Principal) -> Connection:
    conn = session.get(Connection, connection_id)
    if conn is None:
        raise HTTPException(404, "no such connection")
    who.ensure("manage", conn.integration_id)
    return conn


@router.get("/connections", response_model=list[ConnectionOut])
def list_connections(
    request: Request,
    integration_id: Annotated[str | None, Query(max_length=40)] = None,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require_somewhere("manage")),
) -> list[ConnectionOut]:
    rows = session.scalars(select(Connection).order_by(Connection.name))
    return [
        ConnectionOut.of(c)
        for c in rows
        if (integration_id is None or c.integration_id == integration_id)
        and who.allows("manage", c.integration_id)
    ]


@router.get("/connections/{connection_id}", response_model=ConnectionOut)
def show_connection(
    connection_id: IdPath,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require_somewhere("manage")),
) -> ConnectionOut:
    return ConnectionOut.of(_conn(session, connection_id, who))


def _form_type(value: Any) -> str:
    """The body's ``type``; when left out (it has a default), a body with ``api_user`` is Jet."""
    if isinstance(value, dict):
        return str(value.get("type") or ("jet" if "api_user" in value else "netsuite"))
    return str(getattr(value, "type", "netsuite"))


ConnectionBody = Annotated[
    Annotated[NetSuiteForm, Tag("netsuite")] | Annotated[JetForm, Tag("jet")],
    Discriminator(_form_type),
    Body(),
]


@router.post("/connections/{connection_id}/test", response_model=TestResult)
async def test_unsaved(
    request: Request,
    connection_id: IdPath,
    body: ConnectionBody,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require_somewhere("manage")),
) -> TestResult:
    """Test the given (unsaved) values: one signed call; nothing is stored."""
    conn = _conn(session, connection_id, who)
    svc = ConnectionService(session, request.app.state.box, request.app.state.sandbox_admin_keys)
    return await svc.test(conn, body, who.actor)


@router.put(
    "/connections/{connection_id}",
    response_model=SaveResult,
    responses={409: {"model": SaveResult}},
)
async def save_connection(
    request: Request,
    connection_id: IdPath,
    body: ConnectionBody,
    force: bool = False,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require_somewhere("manage")),
) -> Any:
    """Replace the connection. Tests first; a failed test answers 409 unless ``force=true``."""
    conn = _conn(session, connection_id, who)
    svc = ConnectionService(session, request.app.state.box, request.app.state.sandbox_admin_keys)
    outcome = await svc.save(conn, body, who.actor, force=force)
    result = SaveResult(saved=outcome.saved, connection=ConnectionOut.of(conn), test=outcome.test)
    if not outcome.saved:
        return JSONResponse(result.model_dump(mode="json"), status_code=409)
    monitor.committed_change(request.app, session, conn.id, outcome.test.ok)
    return result


@router.post("/connections/{connection_id}/ping", response_model=TestResult)
async def ping(
    request: Request,
    connection_id: IdPath,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require_somewhere("manage")),
) -> TestResult:
    """Test the saved connection and update its Online/Offline status."""
    conn = _conn(session, connection_id, who)
    repo = ConnectionRepository(session, request.app.state.box)
    result = await test_saved(repo, conn, request.app.state.sandbox_admin_keys)
    if monitor.record_result(repo, conn.id, result):
        monitor.committed_change(request.app, session, conn.id, result.ok)
    return result


# -- audit -------------------------------------------------------------------------------
@router.get("/audit", response_model=list[AuditOut])
def audit(
    session: Session = Depends(get_session, scope="function"),
    resource_type: Annotated[str | None, Query(max_length=30)] = None,
    resource_id: Annotated[str | None, Query(max_length=40)] = None,
    user: Annotated[str | None, Query(max_length=254)] = None,
    source: Annotated[str | None, Query(max_length=20)] = None,
    action: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    who: Principal = Depends(require("administrator")),
) -> list[AuditOut]:
    rows = AuditLog(session).query(
        resource_type=resource_type,
        resource_id=resource_id,
        user=user,
        source=source,
        action=action,
        limit=limit,
        offset=offset,
    )
    return [AuditOut.of(e) for e in rows]
