"""Pages: home with integration tiles, the integration's Settings, users, audit log, iClients."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.errors import SettingsError
from etail.integrator import app_settings
from etail.integrator.deps import (
    Principal,
    check_csrf,
    current_user,
    get_session,
    require,
    require_somewhere,
    templates,
    user_service,
)
from etail.integrator.roles import INVITABLE_ROLES, integration_access
from etail.integrator.settings_form import form_fields, parse_section
from etail.storage.audit import AuditLog
from etail.storage.connections import ConnectionRepository
from etail.storage.models import Connection, Integration

router = APIRouter(include_in_schema=False)


def visible_integrations(session: Session, who: Principal) -> list[Integration]:
    rows = session.scalars(select(Integration).order_by(Integration.name))
    return [i for i in rows if integration_access(who.user, i.id) is not None]


def get_integration(session: Session, integration_id: str) -> Integration:
    integ = session.get(Integration, integration_id)
    if integ is None:
        raise HTTPException(404, "no such integration")
    return integ


@router.get("/")
def home(
    request: Request,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(current_user),
) -> Response:
    tiles = []
    for integ in visible_integrations(session, who):
        conns = list(
            session.scalars(select(Connection).where(Connection.integration_id == integ.id))
        )
        tiles.append(
            {
                "integration": integ,
                "offline": [c for c in conns if c.offline],
                "connections": len(conns),
            }
        )
    return templates.TemplateResponse(request, "home.html", {"tiles": tiles})


@router.get("/integrations/{integration_id}")
def integration_root(integration_id: str, who: Principal = Depends(require("monitor"))) -> Response:
    return RedirectResponse(f"/integrations/{integration_id}/settings", status_code=303)


@router.get("/integrations/{integration_id}/settings")
def settings_root(integration_id: str, who: Principal = Depends(require("monitor"))) -> Response:
    return RedirectResponse(f"/integrations/{integration_id}/settings/general", status_code=303)


def _settings_page(
    request: Request,
    integ: Integration,
    section: str,
    who: Principal,
    error: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    if section not in app_settings.SECTIONS:
        raise HTTPException(404, "no such settings section")
    current = app_settings.load(integ.settings)
    label, model = app_settings.SECTIONS[section]
    values: BaseModel = getattr(current, section)
    return templates.TemplateResponse(
        request,
        "integration_settings.html",
        {
            "integration": integ,
            "section": section,
            "label": label,
            "sections": app_settings.SECTIONS,
            "fields": form_fields(model, values),
            "can_edit": who.allows("manage", integ.id),
            "error": error,
            "saved": saved,
            "tab": "settings",
        },
        status_code=status,
    )


@router.get("/integrations/{integration_id}/settings/{section}")
def settings_section(
    request: Request,
    integration_id: str,
    section: str,
    saved: int = 0,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("monitor")),
) -> Response:
    integ = get_integration(session, integration_id)
    return _settings_page(request, integ, section, who, saved=bool(saved))


@router.post(
    "/integrations/{integration_id}/settings/{section}", dependencies=[Depends(check_csrf)]
)
async def save_settings_section(
    request: Request,
    integration_id: str,
    section: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("manage")),
) -> Response:
    integ = get_integration(session, integration_id)
    if section not in app_settings.SECTIONS:
        raise HTTPException(404, "no such settings section")
    form = await request.form()
    try:
        values = parse_section(app_settings.SECTIONS[section][1], form)
        save_settings(session, integ, section, values, who)
    except SettingsError as exc:
        return _settings_page(request, integ, section, who, error=str(exc), status=422)
    return RedirectResponse(f"/integrations/{integ.id}/settings/{section}?saved=1", status_code=303)


def save_settings(
    session: Session, integ: Integration, section: str, values: dict[str, Any], who: Principal
) -> app_settings.IntegrationSettings:
    before = app_settings.load(integ.settings)
    after = app_settings.update_section(before, section, values)
    old, new = getattr(before, section).model_dump(), getattr(after, section).model_dump()
    AuditLog(session).changes(
        who.actor,
        "update",
        "integration",
        integ.id,
        integ.name,
        {f"settings.{section}.{k}": v for k, v in old.items()},
        {f"settings.{section}.{k}": v for k, v in new.items()},
    )
    integ.settings = after.model_dump(mode="json")
    return after


@router.get("/integrations/{integration_id}/audit")
def integration_audit(
    request: Request,
    integration_id: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    integ = get_integration(session, integration_id)
    ids = [
        integ.id,
        *[c.id for c in ConnectionRepository(session, request.app.state.box).connections(integ.id)],
    ]
    entries = [e for rid in ids for e in AuditLog(session).query(resource_id=rid, limit=500)]
    entries.sort(key=lambda e: e.id, reverse=True)
    return templates.TemplateResponse(
        request, "audit.html", {"entries": entries, "integration": integ, "tab": "audit"}
    )


@router.get("/audit")
def audit_page(
    request: Request,
    resource_type: str = "",
    source: str = "",
    user: str = "",
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    entries = AuditLog(session).query(
        resource_type=resource_type or None, source=source or None, user=user or None, limit=500
    )
    return templates.TemplateResponse(
        request,
        "audit.html",
        {
            "entries": entries,
            "integration": None,
            "filters": {"resource_type": resource_type, "source": source, "user": user},
        },
    )


@router.get("/iclients")
def iclients_page(
    request: Request,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require_somewhere("manage")),
) -> Response:
    rows = ConnectionRepository(session, request.app.state.box).iclients()
    return templates.TemplateResponse(request, "iclients.html", {"iclients": rows})


# -- users -------------------------------------------------------------------------------
@router.get("/users")
def users_page(
    request: Request,
    invited: str = "",
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    svc = user_service(request, session)
    integrations = list(session.scalars(select(Integration).order_by(Integration.name)))
    invite_url = str(request.base_url).rstrip("/") + f"/invitations/{invited}" if invited else None
    return templates.TemplateResponse(
        request,
        "users.html",
        {
            "users": svc.all(),
            "pending": svc.pending_invitations(),
            "roles": INVITABLE_ROLES,
            "integrations": integrations,
            "invite_url": invite_url,
        },
    )


def _grants_from_form(form: Any, integrations: list[Integration]) -> dict[str, str]:
    grants = {}
    for integ in integrations:
        level = form.get(f"grant_{integ.id}", "")
        if level in ("manage", "monitor"):
            grants[integ.id] = level
    return grants


@router.post("/users/invite", dependencies=[Depends(check_csrf)])
async def invite_user(
    request: Request,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    form = await request.form()
    integrations = list(session.scalars(select(Integration)))
    token = user_service(request, session).invite(
        str(form.get("email", "")),
        str(form.get("role", "")),
        _grants_from_form(form, integrations),
        actor=who.actor,
    )
    # The one-time link is shown once to the inviter (no e-mail server in the embedded default).
    return RedirectResponse(f"/users?invited={token}", status_code=303)


@router.post("/invitations/{invitation_id}/cancel", dependencies=[Depends(check_csrf)])
def cancel_invitation(
    request: Request,
    invitation_id: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    user_service(request, session).cancel_invitation(invitation_id, actor=who.actor)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/role", dependencies=[Depends(check_csrf)])
async def change_role(
    request: Request,
    user_id: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    form = await request.form()
    svc = user_service(request, session)
    integrations = list(session.scalars(select(Integration)))
    svc.set_role(
        svc.get(user_id),
        str(form.get("role", "")),
        _grants_from_form(form, integrations),
        actor=who.actor,
    )
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/disable", dependencies=[Depends(check_csrf)])
def disable_user(
    request: Request,
    user_id: str,
    disabled: str = Form("1"),
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    svc = user_service(request, session)
    svc.set_disabled(svc.get(user_id), disabled == "1", actor=who.actor)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/delete", dependencies=[Depends(check_csrf)])
def delete_user(
    request: Request,
    user_id: str,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(require("administrator")),
) -> Response:
    svc = user_service(request, session)
    svc.remove(svc.get(user_id), actor=who.actor)
    return RedirectResponse("/users", status_code=303)
