"""Admin pages of the sandbox (``/app``), following the guide's menu paths (steps A-D).

Setup > Company > Enable Features; Setup > Users/Roles > Manage Roles (Customize), Manage Users
(Employee > Edit > Access > Roles > Save > Confirmation), Access Tokens > New, Manage Access
Tokens, User Management > View Login Audit Trail; Setup > Integration > Manage Integrations.

Only an active employee holding the Administrator role signs in. Every form carries a CSRF
token tied to the signed session cookie; every route checks the signed-in administrator.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.middleware.sessions import SessionMiddleware

from etail.sandbox.netsuite import oauth2
from etail.sandbox.netsuite.admin import (
    accounts,
    audit,
    employees,
    integrations,
    roles,
    tokens,
)
from etail.sandbox.netsuite.admin.errors import AdminError
from etail.sandbox.netsuite.context import Level
from etail.sandbox.netsuite.deps import SessionDep, get_store
from etail.sandbox.netsuite.models import Account, Employee
from etail.sandbox.netsuite.oauth2_models import OAuth2Client
from etail.sandbox.netsuite.store import Store, private_file

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(prefix="/app", include_in_schema=False)
LEVELS = ["none", "view", "create", "edit", "full"]
MAX_UPLOAD = 20_000  # bytes of an uploaded certificate
SCOPE_LABELS = {"restlets": "RESTLETS", "rest_webservices": "REST WEB SERVICES",
                "suite_analytics": "SUITEANALYTICS CONNECT"}  # fmt: skip


class SignInRequired(Exception):
    """No signed-in administrator: the handler redirects to the sign-in page."""


class CsrfError(Exception):
    """A form came without the session's CSRF token."""


def install(app: FastAPI, store: Store) -> None:
    """Session cookie, static files and the page-specific exception handlers."""
    secret = private_file(store.data_dir / "session.key", lambda: secrets.token_urlsafe(32))
    app.add_middleware(
        SessionMiddleware, secret_key=secret, session_cookie="ns_sandbox", same_site="lax"
    )
    app.mount("/app/static", StaticFiles(directory=str(HERE / "static")), name="ns-static")

    async def sign_in(request: Request, _exc: Exception) -> Response:
        return RedirectResponse(f"/app/login?next={request.url.path}", status_code=303)

    async def csrf(request: Request, _exc: Exception) -> Response:
        return _error_page(
            request, "The form expired. Go back, reload the page and try again.", 403
        )

    app.add_exception_handler(SignInRequired, sign_in)
    app.add_exception_handler(CsrfError, csrf)


def admin_error_page(request: Request, exc: AdminError) -> Response:
    return _error_page(request, str(exc), exc.status)


def _error_page(request: Request, message: str, status: int) -> Response:
    ctx = {"message": message, "back": request.headers.get("referer", "/app/center")}
    return render(request, "error.html", ctx, status=status)


# ---- session, CSRF, rendering ---------------------------------------------------------------


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's (compare_digest)."""
    items: list[tuple[str, str | UploadFile]] = []
    async with request.form(max_files=2) as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):  # a certificate: small text, read and closed here
                value = (await value.read(MAX_UPLOAD)).decode("utf-8", "replace")
            items.append((key, value))
    checked = FormData(items)
    sent = str(checked.get("csrf_token", ""))
    if not sent or not hmac.compare_digest(sent, str(request.session.get("csrf", ""))):
        raise CsrfError
    return checked


FormDep = Annotated[FormData, Depends(checked_form)]
StoreDep = Annotated[Store, Depends(get_store)]


class PageUser:
    """The signed-in administrator and the account of the session."""

    def __init__(self, account: Account, employee: Employee) -> None:
        self.account = account
        self.employee = employee


def page_user(request: Request, s: SessionDep) -> PageUser:
    acct_id, uid = request.session.get("acct"), request.session.get("uid")
    if not acct_id or not uid:
        raise SignInRequired
    account = accounts.find_account(s, str(acct_id))
    emp = employees.find_employee(s, account, int(uid)) if account else None
    if account is None or emp is None or not _is_admin(emp):
        request.session.clear()
        raise SignInRequired
    # Plain values for the page header: an error page renders after a rollback.
    request.state.page_header = {
        "me": emp.name,
        "company": account.company_name,
        "account_id": account.account_id,
    }
    return PageUser(account, emp)


UserDep = Annotated[PageUser, Depends(page_user)]


def _is_admin(emp: Employee) -> bool:
    return not emp.inactive and any(r.is_administrator for r in emp.roles)


def flash(request: Request, text: str, kind: str = "confirmation") -> None:
    request.session.setdefault("flash", []).append([kind, text])


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    base = {
        "csrf": csrf_token(request),
        "flashes": request.session.pop("flash", []),
        "hdr": getattr(request.state, "page_header", None),
    }
    resp = templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
    resp.headers["Cache-Control"] = "no-store"  # credentials pages must not be cached
    return resp


def go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "T", "true", "1")


# ---- sign-in --------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = "/app/center") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": ""})


@router.post("/login")
def login(request: Request, form: FormDep, s: SessionDep) -> Response:
    account_id = str(form.get("account", "")).strip()
    email = str(form.get("email", "")).strip().lower()
    account = accounts.find_account(s, account_id)
    emp = employees.find_employee(s, account, email) if account and email else None
    ok = (
        emp is not None
        and accounts.verify_password(emp, str(form.get("password", "")))
        and _is_admin(emp)
    )
    if not ok or account is None or emp is None:
        ctx = {"next": _safe_next(str(form.get("next", ""))), "error": "Invalid login attempt."}
        return render(request, "login.html", ctx, status=401)
    request.session.clear()
    request.session.update(acct=account.account_id, uid=emp.id, csrf=secrets.token_urlsafe(24))
    return go(_safe_next(str(form.get("next", ""))))


def _safe_next(path: str) -> str:
    # Only local page paths: never an open redirect.
    return path if path.startswith("/app/") and not path.startswith("//") else "/app/center"


@router.post("/logout")
def logout(request: Request, _form: FormDep) -> Response:
    request.session.clear()
    return go("/app/login")


@router.get("/center")
def center(request: Request, user: UserDep) -> Response:
    return render(request, "center.html", {"account": user.account})


# ---- Setup > Company > Enable Features ------------------------------------------------------


@router.get("/setup/company/enable-features")
def features_page(request: Request, user: UserDep, s: SessionDep) -> Response:
    features = {**accounts.features(user.account)}
    features["oauth2"] = oauth2.feature_enabled(s, user.account.id)
    return render(request, "features.html", {"features": features})


@router.post("/setup/company/enable-features")
def features_save(request: Request, user: UserDep, form: FormDep, s: SessionDep) -> Response:
    for feature in accounts.FEATURES:
        accounts.set_feature(s, user.account, feature, _checked(form, f"feature_{feature}"))
    oauth2.set_feature(s, user.account, _checked(form, "feature_oauth2"))
    flash(request, "Your changes have been saved.")
    return go("/app/setup/company/enable-features")


# ---- Setup > Users/Roles > Manage Roles -----------------------------------------------------


@router.get("/setup/roles")
def roles_page(request: Request, user: UserDep, s: SessionDep) -> Response:
    return render(request, "roles.html", {"roles": roles.list_roles(s, user.account)})


def _role_ctx(role: Any) -> dict[str, Any]:
    levels = role.levels()
    perms = [
        (key, label, LEVELS[levels.get(key, Level.NONE)])
        for key, label in roles.PERMISSION_KEYS.items()
    ]
    return {"role": role, "perms": perms, "levels": LEVELS}


@router.get("/setup/roles/{role_id}")
def role_page(request: Request, role_id: int, user: UserDep, s: SessionDep) -> Response:
    return render(request, "role.html", _role_ctx(roles.get_role(s, user.account, role_id)))


@router.post("/setup/roles/{role_id}")
def role_save(
    request: Request, role_id: int, user: UserDep, form: FormDep, s: SessionDep
) -> Response:
    role = roles.get_role(s, user.account, role_id)
    roles.set_permissions(s, role, _posted_levels(form))
    flash(request, f"Role {role.name} has been saved.")
    return go(f"/app/setup/roles/{role.id}")


def _posted_levels(form: FormData) -> dict[str, object]:
    return {k: str(form.get(f"perm_{k}", "none")) for k in roles.PERMISSION_KEYS}


@router.get("/setup/roles/{role_id}/customize")
def customize_page(request: Request, role_id: int, user: UserDep, s: SessionDep) -> Response:
    role = roles.get_role(s, user.account, role_id)
    return render(request, "customize.html", {**_role_ctx(role), "name": f"{role.name} (copy)"})


@router.post("/setup/roles/{role_id}/customize")
def customize_save(
    request: Request, role_id: int, user: UserDep, form: FormDep, s: SessionDep
) -> Response:
    source = roles.get_role(s, user.account, role_id)
    name = str(form.get("name", ""))
    clone = roles.clone_role(s, user.account, source, name, _posted_levels(form))
    flash(request, f"Role {clone.name} has been saved.")
    return go(f"/app/setup/roles/{clone.id}")


# ---- Setup > Users/Roles > Manage Users -----------------------------------------------------


@router.get("/setup/users")
def users_page(request: Request, user: UserDep, s: SessionDep) -> Response:
    ctx = {"employees": employees.list_employees(s, user.account)}
    return render(request, "users.html", ctx)


@router.post("/setup/users")
def user_create(request: Request, user: UserDep, form: FormDep, s: SessionDep) -> Response:
    emp = employees.create_employee(
        s, user.account, str(form.get("name", "")), str(form.get("email", ""))
    )
    flash(request, f"Employee {emp.name} has been saved.")
    return go(f"/app/setup/users/{emp.id}")


@router.get("/setup/users/{emp_id}")
def employee_page(request: Request, emp_id: int, user: UserDep, s: SessionDep) -> Response:
    emp = employees.get_employee(s, user.account, emp_id)
    return render(request, "employee.html", {"emp": emp})


@router.get("/setup/users/{emp_id}/edit")
def employee_edit(request: Request, emp_id: int, user: UserDep, s: SessionDep) -> Response:
    emp = employees.get_employee(s, user.account, emp_id)
    ctx = {"emp": emp, "all_roles": roles.list_roles(s, user.account)}
    return render(request, "employee_edit.html", ctx)


@router.post("/setup/users/{emp_id}/edit")
def employee_save(
    request: Request, emp_id: int, user: UserDep, form: FormDep, s: SessionDep
) -> Response:
    emp = employees.get_employee(s, user.account, emp_id)
    if emp.id == user.employee.id and _checked(form, "inactive"):
        raise AdminError("you cannot inactivate yourself", field="inactive")
    employees.set_inactive(s, emp, _checked(form, "inactive"))
    for raw in form.getlist("remove_role"):
        employees.remove_role(s, emp, roles.get_role(s, user.account, str(raw)))
    added = str(form.get("add_role", ""))
    if added:
        employees.add_role(s, emp, roles.get_role(s, user.account, added))
    flash(request, "Employee record has been saved.")  # the guide's Confirmation (step C.7)
    return go(f"/app/setup/users/{emp.id}")


# ---- Setup > Integration > Manage Integrations ----------------------------------------------


@router.get("/setup/integrations")
def integrations_page(request: Request, user: UserDep, s: SessionDep) -> Response:
    found = integrations.list_integrations(s, user.account)
    return render(request, "integrations.html", {"integrations": found})


@router.get("/setup/integrations/new")
def integration_new(request: Request, user: UserDep) -> Response:
    return render(request, "integration_new.html", {})


@router.post("/setup/integrations/new")
def integration_create(
    request: Request, user: UserDep, form: FormDep, s: SessionDep, store: StoreDep
) -> Response:
    new = integrations.create_integration(
        s,
        store.box,
        user.account,
        str(form.get("name", "")),
        description=str(form.get("description", "")),
        tba=_checked(form, "tba"),
        state=str(form.get("state", "enabled")),
    )
    return render(request, "integration_saved.html", {"new": new})


@router.get("/setup/integrations/{integ_id}")
def integration_page(request: Request, integ_id: int, user: UserDep, s: SessionDep) -> Response:
    integ = integrations.get_integration(s, user.account, integ_id)
    client = s.get(OAuth2Client, integ.id)
    ctx = {
        "integ": integ,
        "m2m": bool(client and client.client_credentials),
        "scopes": [(x, SCOPE_LABELS[x], bool(client and x in client.scopes)) for x in SCOPE_LABELS],
    }
    return render(request, "integration.html", ctx)


@router.post("/setup/integrations/{integ_id}")
def integration_save(
    request: Request, integ_id: int, user: UserDep, form: FormDep, s: SessionDep
) -> Response:
    integ = integrations.get_integration(s, user.account, integ_id)
    integrations.update_integration(
        s, integ, state=str(form.get("state", integ.state)), tba=_checked(form, "tba")
    )
    scopes = [x for x in SCOPE_LABELS if _checked(form, f"scope_{x}")]
    m2m = _checked(form, "m2m")
    if m2m or scopes or s.get(OAuth2Client, integ.id) is not None:
        oauth2.configure_client(s, integ, client_credentials=m2m, scopes=scopes)
    flash(request, f"Integration {integ.name} has been saved.")
    return go("/app/setup/integrations")


# ---- Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup --


@router.get("/setup/m2m")
def m2m_page(request: Request, user: UserDep, s: SessionDep) -> Response:
    account = user.account
    ctx = {
        "certs": oauth2.list_certificates(s, account),
        "apps": integrations.list_integrations(s, account),
        "users": [e for e in employees.list_employees(s, account) if not e.inactive],
        "roles": roles.list_roles(s, account),
        "feature": oauth2.feature_enabled(s, account.id),
    }
    return render(request, "m2m.html", ctx)


@router.post("/setup/m2m")
def m2m_create(request: Request, user: UserDep, form: FormDep, s: SessionDep) -> Response:
    account = user.account
    pem = str(form.get("certificate_pem", "")).strip() or str(form.get("certificate_file", ""))
    if not pem:
        raise AdminError("a certificate is required", field="certificate", hint="paste the PEM")
    integ = integrations.get_integration(s, account, str(form.get("application", "")))
    row = oauth2.register_certificate(
        s, account, integ, str(form.get("entity", "")), str(form.get("role", "")), pem
    )
    flash(request, f"Certificate {row.certificate_id} has been saved.")
    return go("/app/setup/m2m")


@router.post("/setup/m2m/{cert_id}/revoke")
def m2m_revoke(
    request: Request, cert_id: str, user: UserDep, form: FormDep, s: SessionDep
) -> Response:
    row = oauth2.revoke_certificate(s, user.account, cert_id)
    flash(request, f"Certificate {row.certificate_id} has been revoked.")
    return go("/app/setup/m2m")


# ---- Setup > Users/Roles > Access Tokens ----------------------------------------------------


@router.get("/setup/access-tokens")
def tokens_page(request: Request, user: UserDep, s: SessionDep) -> Response:
    found = tokens.list_tokens(s, user.account)
    return render(request, "tokens.html", {"tokens": found, "status": tokens.status})


def _token_form_ctx(s: Session, account: Account) -> dict[str, Any]:
    apps = [i for i in integrations.list_integrations(s, account) if i.tba]
    users = [e for e in employees.list_employees(s, account) if not e.inactive]
    return {"apps": apps, "users": users, "roles": roles.list_roles(s, account)}


@router.get("/setup/access-tokens/new")
def token_new(request: Request, user: UserDep, s: SessionDep) -> Response:
    return render(request, "token_new.html", _token_form_ctx(s, user.account))


@router.post("/setup/access-tokens/new")
def token_create(
    request: Request, user: UserDep, form: FormDep, s: SessionDep, store: StoreDep
) -> Response:
    for name, label in (("application", "APPLICATION NAME"), ("user", "USER"), ("role", "ROLE")):
        if not form.get(name):
            raise AdminError(f"{label} is required", field=name, hint=f"select a {label}")
    account = user.account
    integ = integrations.get_integration(s, account, str(form["application"]))
    emp = employees.get_employee(s, account, str(form["user"]))
    role = roles.get_role(s, account, str(form["role"]))
    name = str(form.get("name", "")).strip()
    if name.endswith(" -"):  # the form's unfinished pre-fill
        name = ""
    new = tokens.create_token(
        s, store.box, account, integ, emp, role, name=name, inactive=_checked(form, "inactive")
    )
    return render(request, "token_saved.html", {"new": new, "note": tokens.SHOWN_ONCE_NOTE})


@router.post("/setup/access-tokens/{token_id}/{action}")
def token_action(
    request: Request, token_id: int, action: str, user: UserDep, form: FormDep, s: SessionDep
) -> Response:
    tok = tokens.get_token(s, user.account, token_id)
    if action == "revoke":
        tokens.revoke(s, tok)
    elif action in ("inactivate", "activate"):
        tokens.set_inactive(s, tok, action == "inactivate")
    else:
        raise AdminError(f"unknown action {action!r}", field="action")
    flash(request, f"Access token {tok.name} is now {tokens.status(tok)}.")
    return go("/app/setup/access-tokens")


# ---- Setup > Users/Roles > User Management > View Login Audit Trail -------------------------


AUDIT_PAGE_SIZE = 50


@router.get("/setup/login-audit-trail")
def audit_page(
    request: Request, user: UserDep, s: SessionDep, page: int = 1, status: str = "all"
) -> Response:
    wanted = cast(audit.StatusFilter, status if status in ("Success", "Failure") else "all")
    page = max(1, page)
    rows, total = audit.audit_page(
        s, user.account, page=page, per_page=AUDIT_PAGE_SIZE, status=wanted
    )
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    context = {"rows": rows, "total": total, "page": min(page, pages), "pages": pages}
    return render(request, "audit.html", {**context, "status": wanted})
