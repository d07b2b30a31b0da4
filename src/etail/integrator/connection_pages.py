"""The guide's path as pages: Settings > Connections > edit pencil > form > Test > Save."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from etail.errors import SettingsError
from etail.integrator import monitor
from etail.integrator.connection_tests import TestResult
from etail.integrator.connections import (
    AUTH_TYPES,
    ENVIRONMENTS,
    ConnectionForm,
    ConnectionService,
    JetForm,
    NetSuiteForm,
    test_saved,
)
from etail.integrator.deps import Principal, check_csrf, get_session, require, templates
from etail.integrator.pages import get_integration
from etail.storage.connections import ConnectionRepository, public_config
from etail.storage.models import Connection

router = APIRouter(include_in_schema=False)
BASE = "/integrations/{integration_id}/connections"


def _service(request: Request, session: Session) -> ConnectionService:
    return ConnectionService(session, request.app.state.box, request.app.state.sandbox_admin_keys)


def _connection(session: Session, integration_id: str, connection_id: str) -> Connection:
    conn = session.get(Connection, connection_id)
    if conn is None or conn.integration_id != integration_id:
        raise HTTPException(404, "no such connection in this integration")
    return conn


def form_from(conn: Connection, form: Any) -> ConnectionForm:
    """The posted HTML form as a connection body (the same model the API validates)."""

    def text(name: str, default: str = "") -> str:
        value = form.get(name)
        return value if isinstance(value, str) else default

    try:
        if conn.type == "netsuite":
            return NetSuiteForm.model_validate(
                {
                    "name": text("name") or None,
                    "auth_type": text("auth_type"),
                    "environment": text("environment"),
                    "base_url": text("base_url") or None,
                    "account_id": text("account_id"),
                    "token_id": text("token_id"),
                    "token_secret": text("token_secret"),
                    "iclient_id": text("iclient_id") or None,
                    "concurrency": text("concurrency", "5"),
                    "email": text("email"),
                    "password": text("password"),
                    "role_id": text("role_id"),
                    "client_id": text("client_id"),
                    "certificate_id": text("certificate_id"),
                    "private_key": text("private_key"),
                },
                strict=False,
            )
        return JetForm.model_validate(
            {
                "name": text("name") or None,
                "base_url": text("base_url"),
                "api_user": text("api_user"),
                "secret": text("secret"),
                "merchant_id": text("merchant_id"),
                "fulfillment_node": text("fulfillment_node"),
            },
            strict=False,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"{field}: {first['msg']}", field=field) from None


def _edit_page(
    request: Request,
    session: Session,
    conn: Connection,
    *,
    values: dict[str, Any] | None = None,
    result: TestResult | None = None,
    error: str | None = None,
    confirm: bool = False,
    status: int = 200,
) -> Response:
    repo = ConnectionRepository(session, request.app.state.box)
    shown = public_config(conn)
    shown.update({"name": conn.name, "iclient_id": conn.iclient_id})
    if values:
        shown.update(values)
    for secret in ("token_id", "token_secret", "password", "secret", "private_key"):
        shown[secret] = ""  # write-only: never sent back to the browser, re-entered on each edit
    return templates.TemplateResponse(
        request,
        "connection_edit.html",
        {
            "integration": get_integration(session, conn.integration_id or ""),
            "conn": conn,
            "values": shown,
            "iclients": repo.iclients("netsuite"),
            "environments": ENVIRONMENTS,
            "auth_types": AUTH_TYPES,
            "result": result,
            "error": error,
            "confirm": confirm,
            "tab": "connections",
            "stored_secrets": sorted(conn.secrets),
        },
        status_code=status,
    )


def _posted_values(form: Any) -> dict[str, Any]:
    keep = (
        "name",
        "auth_type",
        "environment",
        "base_url",
        "account_id",
        "iclient_id",
        "concurrency",
        "email",
        "role_id",
        "api_user",
        "merchant_id",
        "fulfillment_node",
        "client_id",
        "certificate_id",
    )
    return {k: form.get(k) for k in keep if isinstance(form.get(k), str)}


@router.get(BASE)
def connections_page(
    request: Request,
    integration_id: str,
    saved: str = "",
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("manage")),
) -> Response:
    integ = get_integration(session, integration_id)
    conns = ConnectionRepository(session, request.app.state.box).connections(integ.id)
    return templates.TemplateResponse(
        request,
        "connections.html",
        {"integration": integ, "connections": conns, "saved": saved, "tab": "connections"},
    )


@router.get(BASE + "/{connection_id}/edit")
def edit_page(
    request: Request,
    integration_id: str,
    connection_id: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("manage")),
) -> Response:
    return _edit_page(request, session, _connection(session, integration_id, connection_id))


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post(BASE + "/{connection_id}/test", dependencies=[Depends(check_csrf)])
async def test_connection(
    request: Request,
    integration_id: str,
    connection_id: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("manage")),
) -> Response:
    conn = _connection(session, integration_id, connection_id)
    form = await request.form()
    try:
        result = await _service(request, session).test(conn, form_from(conn, form), who.actor)
    except SettingsError as exc:
        result = TestResult(ok=False, message="Check the form.", answer=str(exc))
    if _wants_json(request):
        return JSONResponse(result.model_dump())
    return _edit_page(request, session, conn, values=_posted_values(form), result=result)


@router.post(BASE + "/{connection_id}/edit", dependencies=[Depends(check_csrf)])
async def save_connection(
    request: Request,
    integration_id: str,
    connection_id: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("manage")),
) -> Response:
    conn = _connection(session, integration_id, connection_id)
    form = await request.form()
    force = form.get("force") == "1"
    try:
        outcome = await _service(request, session).save(
            conn, form_from(conn, form), who.actor, force=force
        )
    except SettingsError as exc:
        return _edit_page(
            request, session, conn, values=_posted_values(form), error=str(exc), status=422
        )
    if not outcome.saved:
        # Celigo asks before saving a connection whose test failed; the secrets are re-entered.
        return _edit_page(
            request,
            session,
            conn,
            values=_posted_values(form),
            result=outcome.test,
            confirm=True,
            status=409,
        )
    monitor.committed_change(request.app, session, conn.id, outcome.test.ok)
    return RedirectResponse(
        f"/integrations/{integration_id}/connections?saved={conn.id}", status_code=303
    )


@router.post(BASE + "/{connection_id}/ping", dependencies=[Depends(check_csrf)])
async def ping_connection(
    request: Request,
    integration_id: str,
    connection_id: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("manage")),
) -> Response:
    conn = _connection(session, integration_id, connection_id)
    repo = ConnectionRepository(session, request.app.state.box)
    result = await test_saved(repo, conn, request.app.state.sandbox_admin_keys)
    if monitor.record_result(repo, conn.id, result):
        monitor.committed_change(request.app, session, conn.id, result.ok)
    return RedirectResponse(f"/integrations/{integration_id}/connections", status_code=303)
