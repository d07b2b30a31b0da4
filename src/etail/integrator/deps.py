"""FastAPI dependencies shared by every integrator router (ours and the flows pages).

    from etail.integrator.deps import Principal, require, check_csrf, templates, get_session

    @router.get("/integrations/{integration_id}/flows")
    def flows(request: Request, who: Principal = Depends(require("monitor"))): ...

    @router.post("/integrations/{integration_id}/flows/{flow_id}/run",
                 dependencies=[Depends(check_csrf)])
    def run(who: Principal = Depends(require("monitor"))): ...

Pages authenticate with the session cookie (unauthenticated -> redirect to /signin), the JSON API
under ``/api/`` with ``Authorization: Bearer <token>`` (unauthenticated -> 401). ``require(level)``
checks the account role, or the grant on the integration when the path has ``{integration_id}``.
Every form POST must depend on :func:`check_csrf` and render ``{{ csrf_field() }}``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.orm import Session, sessionmaker

from etail.crypto import SecretBox
from etail.integrator.app_settings import SECTIONS
from etail.integrator.roles import Access, allows, parse_level
from etail.integrator.users import UserService, same_token
from etail.settings import Settings
from etail.storage.audit import Actor
from etail.storage.models import User, WebSession

SESSION_COOKIE = "etail_session"
CSRF_COOKIE = "etail_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TEMPLATES_DIR = Path(__file__).with_name("templates")


class SignInRequired(Exception):
    """A page needs a signed-in user; the app turns this into a redirect to /signin."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass
class Principal:
    """The signed-in user of one request and the door they came through."""

    user: User
    web_session: WebSession
    source: str  # "UI" for pages, "API" for the JSON API

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.email, self.source)

    def allows(self, level: str | Access, integration_id: str | None = None) -> bool:
        needed = parse_level(level) if isinstance(level, str) else level
        return allows(self.user, needed, integration_id)

    def ensure(self, level: str | Access, integration_id: str | None = None) -> None:
        """403 unless the user holds ``level`` (on ``integration_id`` when given)."""
        if not self.allows(level, integration_id):
            raise HTTPException(403, "your role does not allow this")


# -- application services ----------------------------------------------------------------
def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def secret_box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.box
    return box


def get_session(request: Request) -> Iterator[Session]:
    """One database session per request, committed when the handler returns normally.

    Depend on it as ``Depends(get_session, scope="function")`` so the commit happens before
    the response is sent (a client must see its write in its next request).
    """
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        yield session
        session.commit()
    finally:
        # close() rolls back an unfinished transaction without expiring loaded objects, so an
        # error page can still show the signed-in user after a failed request.
        session.close()


def user_service(request: Request, session: Session) -> UserService:
    hours = app_settings(request).session_hours
    return UserService(session, idle=timedelta(hours=hours))


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_principal(
    request: Request, session: Session = Depends(get_session, scope="function")
) -> Principal | None:
    api = is_api(request)
    token = _bearer(request) if api else request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = user_service(request, session).resolve_session(token)
    if found is None:
        return None
    user, row = found
    if (row.kind == "api") != api:
        return None  # a browser cookie is no API token, and the other way round
    principal = Principal(user, row, "API" if api else "UI")
    request.state.principal = principal
    return principal


def current_user(principal: Principal | None = Depends(optional_principal)) -> Principal:
    """The signed-in user, else a redirect to sign-in (pages) or 401 (API)."""
    return principal or _unauthenticated()


def _unauthenticated() -> Principal:
    raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})


def require(level: str) -> Callable[..., Principal]:
    """Dependency: the signed-in user holding ``level`` (owner, administrator, manage, monitor).

    When the route's path has ``{integration_id}``, a per-integration grant counts too.
    """
    needed = parse_level(level)

    def dependency(request: Request, who: Principal = Depends(current_user)) -> Principal:
        integration_id = request.path_params.get("integration_id")
        if not allows(who.user, needed, integration_id):
            raise HTTPException(403, f"this needs the {level} role")
        return who

    dependency.__name__ = f"require_{level}"
    return dependency


def require_somewhere(level: str) -> Callable[..., Principal]:
    """Dependency: the user holds ``level`` account-wide or on at least one integration.

    For routes addressing a resource whose integration is known only after loading it; the
    route then calls ``who.ensure(level, resource.integration_id)``.
    """
    needed = parse_level(level)

    def dependency(who: Principal = Depends(current_user)) -> Principal:
        grants = [allows(who.user, needed, g.integration_id) for g in who.user.grants]
        if not (allows(who.user, needed) or any(grants)):
            raise HTTPException(403, f"this needs the {level} role")
        return who

    dependency.__name__ = f"require_somewhere_{level}"
    return dependency


# -- CSRF --------------------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    """The token a form must send back: the session's, or the pre-sign-in cookie's."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is not None:
        return principal.web_session.csrf
    token: str | None = getattr(request.state, "anon_csrf", None)
    return token or request.cookies.get(CSRF_COOKIE) or ""


def ensure_anon_csrf(request: Request) -> str:
    """Give an anonymous visitor a double-submit CSRF cookie (set by the app's middleware)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_anon_csrf = token
    request.state.anon_csrf = token
    return token


async def check_csrf(
    request: Request,
    principal: Principal | None = Depends(optional_principal),
) -> None:
    """403 unless the form field (or X-CSRF-Token header) matches this visitor's token.

    Resolves the signed-in user first: a signed-in form carries the session's token.
    """
    expected = csrf_token(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not same_token(sent, expected):
        raise HTTPException(403, "the form expired or came from elsewhere; reload the page")


# -- templates ---------------------------------------------------------------------------
def _base_context(request: Request) -> dict[str, Any]:
    principal: Principal | None = getattr(request.state, "principal", None)
    token = csrf_token(request)
    return {
        "principal": principal,
        "current_user": principal.user if principal else None,
        "csrf_token": token,
        "csrf_field": lambda: Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, token
        ),
    }


templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[_base_context])
templates.env.globals["MASK"] = "******"
templates.env.globals["settings_sections"] = lambda: SECTIONS
