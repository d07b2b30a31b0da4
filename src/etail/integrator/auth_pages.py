"""Sign-in, sign-out, the first-run owner page, invitation acceptance and the profile page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from etail.errors import SettingsError
from etail.integrator.deps import (
    SESSION_COOKIE,
    Principal,
    check_csrf,
    current_user,
    get_session,
    templates,
    user_service,
)
from etail.integrator.users import SignInError, UserService
from etail.storage.audit import Actor

router = APIRouter(include_in_schema=False)


def _safe_next(next_url: str | None) -> str:
    # Only same-site paths: an open redirect would let a link send a signed-in user anywhere.
    # Browsers read "/\\host" like "//host", so a backslash anywhere disqualifies the path too.
    if (
        next_url
        and next_url.startswith("/")
        and not next_url.startswith("//")
        and "\\" not in next_url
    ):
        return next_url
    return "/"


def _signed_in(response: Response, token: str, max_age: int) -> Response:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", max_age=max_age, path="/"
    )
    return response


def _start_session(svc: UserService, user_email: str, password: str, next_url: str) -> Response:
    user = svc.authenticate(user_email, password, source="UI")
    new = svc.open_session(user)
    return _signed_in(
        RedirectResponse(_safe_next(next_url), status_code=303),
        new.token,
        int(svc.idle.total_seconds()),
    )


@router.get("/signin")
def signin_page(
    request: Request, next: str = "/", session: Session = Depends(get_session, scope="function")
) -> Response:
    if user_service(request, session).count() == 0:
        return RedirectResponse("/setup", status_code=303)
    return templates.TemplateResponse(request, "signin.html", {"next": _safe_next(next)})


@router.post("/signin", dependencies=[Depends(check_csrf)])
def signin(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    svc = user_service(request, session)
    try:
        return _start_session(svc, email, password, next)
    except (SignInError, SettingsError) as exc:
        session.commit()  # keep the failure count even though we answer with an error
        return templates.TemplateResponse(
            request,
            "signin.html",
            {"next": _safe_next(next), "error": str(exc), "email": email},
            status_code=401,
        )


@router.post("/signout", dependencies=[Depends(check_csrf)])
def signout(
    request: Request,
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(current_user),
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    svc = user_service(request, session)
    svc.audit.event(who.actor, "sign out", "user", who.user.id, who.user.email)
    svc.close_session(token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/setup")
def setup_page(
    request: Request, session: Session = Depends(get_session, scope="function")
) -> Response:
    if user_service(request, session).count() > 0:
        return RedirectResponse("/signin", status_code=303)
    return templates.TemplateResponse(request, "setup.html", {})


@router.post("/setup", dependencies=[Depends(check_csrf)])
def setup(
    request: Request,
    email: str = Form(""),
    name: str = Form(""),
    password: str = Form(""),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    svc = user_service(request, session)
    if svc.count() > 0:
        return RedirectResponse("/signin", status_code=303)
    try:
        svc.create_owner(email, password, name, actor=Actor(None, email, "UI"))
        return _start_session(svc, email, password, "/")
    except (SettingsError, SignInError) as exc:
        return templates.TemplateResponse(
            request,
            "setup.html",
            {"error": str(exc), "email": email, "name": name},
            status_code=422,
        )


@router.get("/invitations/{token}")
def invitation_page(
    request: Request, token: str, session: Session = Depends(get_session, scope="function")
) -> Response:
    inv = user_service(request, session).invitation(token)
    return templates.TemplateResponse(
        request, "invitation.html", {"invitation": inv, "token": token}
    )


@router.post("/invitations/{token}", dependencies=[Depends(check_csrf)])
def accept_invitation(
    request: Request,
    token: str,
    name: str = Form(""),
    password: str = Form(""),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    svc = user_service(request, session)
    inv = svc.invitation(token)
    try:
        user = svc.accept(token, name, password, source="UI")
        return _start_session(svc, user.email, password, "/")
    except SettingsError as exc:
        return templates.TemplateResponse(
            request,
            "invitation.html",
            {"invitation": inv, "token": token, "error": str(exc)},
            status_code=422,
        )


@router.get("/profile")
def profile_page(request: Request, who: Principal = Depends(current_user)) -> Response:
    return templates.TemplateResponse(request, "profile.html", {})


@router.post("/profile/password", dependencies=[Depends(check_csrf)])
def change_password(
    request: Request,
    current: str = Form(""),
    new: str = Form(""),
    session: Session = Depends(get_session, scope="function"),
    who: Principal = Depends(current_user),
) -> Response:
    svc = user_service(request, session)
    try:
        svc.change_password(who.user, current, new, actor=who.actor)
    except (SettingsError, SignInError) as exc:
        return templates.TemplateResponse(
            request, "profile.html", {"error": str(exc)}, status_code=422
        )
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
