"""The integrator web app: pages and the JSON API (``/api/v1``, OpenAPI at ``/api/openapi.json``).

``create_app(settings)`` migrates the database, makes sure the Jet - NetSuite app and its iClient
are installed, and starts the background re-check of Offline connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from etail.errors import EtailError, ExternalServiceError, SettingsError
from etail.integrator import (
    api,
    auth_pages,
    connection_pages,
    flow_pages,
    monitor,
    pages,
)
from etail.integrator.database import open_db
from etail.integrator.deps import CSRF_COOKIE, SignInRequired, ensure_anon_csrf, is_api, templates
from etail.settings import Settings, get_settings

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).with_name("static")


def create_app(
    settings: Settings | None = None,
    *,
    sandbox_admin_keys: Mapping[str, str] | None = None,
    recheck_interval_s: float = 300.0,
) -> FastAPI:
    """Build the app. ``sandbox_admin_keys`` maps a local NetSuite sandbox base URL to its admin
    key, so a failed Test can show that sandbox's Login Audit Trail Detail."""
    settings = settings or get_settings()
    db = open_db(settings)
    engine, sessions, box = db.engine, db.sessions, db.box

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _start_flows(app)
        task = asyncio.create_task(monitor.run_forever(app, recheck_interval_s))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            flow_pages.shutdown(app)
            engine.dispose()

    app = FastAPI(
        title="etail integrator",
        version="1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.box = box
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.sandbox_admin_keys = dict(sandbox_admin_keys or {})
    app.state.connection_listeners = []  # callables (connection_id, online: bool) -> None
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for router in (
        auth_pages.router,
        pages.router,
        connection_pages.router,
        api.router,
        flow_pages.router,
    ):
        app.include_router(router)
    _install_handlers(app)
    app.middleware("http")(_security_middleware)
    return app


def _start_flows(app: FastAPI) -> None:
    """Start the flow runner and scheduler with the app, so schedules run without a visitor.

    A failure here must not keep the pages down (a person may be fixing the very connection
    the flows need); the flows pages build the engine again on first use.
    """
    try:
        flow_pages.startup(app)
    except Exception as exc:
        log.error("flows did not start: %s", type(exc).__name__)


async def _security_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    if not is_api(request):
        ensure_anon_csrf(request)
    response = await call_next(request)
    new_token = getattr(request.state, "new_anon_csrf", None)
    if new_token:
        response.set_cookie(CSRF_COOKIE, new_token, httponly=True, samesite="strict")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.url.path.startswith("/api/docs"):
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"
        )
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    return templates.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


# The tags of the connection body's union (api.ConnectionBody) are no field a person can fix.
_UNION_TAGS = {"netsuite", "jet"}


def _field_name(loc: Sequence[object]) -> str:
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        parts = parts[1:]
        if parts[:1] and parts[0] in _UNION_TAGS:
            parts = parts[1:]
    return ".".join(parts)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _signin(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/signin?next={quote(exc.next_url, safe='')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        if exc.status_code == 401:
            return RedirectResponse(
                f"/signin?next={quote(request.url.path, safe='')}", status_code=303
            )
        return _error_page(
            request,
            exc.status_code,
            "Not allowed"
            if exc.status_code == 403
            else "Not found"
            if exc.status_code == 404
            else "Error",
            str(exc.detail),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"field": _field_name(e.get("loc", ())), "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        if is_api(request):
            return JSONResponse({"detail": "invalid input", "errors": problems}, status_code=422)
        text = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return _error_page(request, 422, "Invalid input", text)

    @app.exception_handler(EtailError)
    async def _etail(request: Request, exc: EtailError) -> Response:
        status = (
            422
            if isinstance(exc, SettingsError)
            else 502
            if isinstance(exc, ExternalServiceError)
            else 400
        )
        body = {"detail": exc.message, "hint": exc.hint, "field": getattr(exc, "field", None)}
        if is_api(request):
            return JSONResponse(body, status_code=status)
        return _error_page(request, status, "Cannot do that", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Log the type only: an exception's text might quote a value we must not log.
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        if is_api(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return HTMLResponse("<h1>Internal error</h1>", status_code=500)
