"""The NetSuite sandbox as one FastAPI app: web services, admin API, pages.

``create_app(data_dir)`` opens (and migrates) ``<data>/netsuite.db`` and serves, for every
account on it, NetSuite's paths (``/services/rest/...`` records and SuiteQL, RESTlets,
``/rest/tokeninfo``, ``/rest/datacenterurls``), the admin JSON API under ``/admin/api`` and the
admin pages under ``/app``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from etail.sandbox.netsuite import oauth2, pages, soap, tokeninfo
from etail.sandbox.netsuite.admin import api as admin_api
from etail.sandbox.netsuite.admin.errors import AdminError
from etail.sandbox.netsuite.deps import InvalidLogin
from etail.sandbox.netsuite.governance import GovernanceMiddleware
from etail.sandbox.netsuite.models import Account
from etail.sandbox.netsuite.options import SandboxOptions
from etail.sandbox.netsuite.problems import invalid_login_response
from etail.sandbox.netsuite.records.routes import router as records_router
from etail.sandbox.netsuite.store import Store
from etail.sandbox.netsuite.tba import TbaVerifier

# Sync work (TBA verification, record writes) is pure Python plus short SQLite calls: threads
# add no parallelism under the GIL, but each SQLite call hands the GIL away and waits up to the
# 5 ms switch interval to get it back while other request threads run. With Starlette's 40
# threads, five concurrent signed upserts served fewer per second (~68/s) than one at a time
# (~89/s); with one thread they serve as many (~89/s). Latency and governance are async and
# never wait for this thread, so concurrent slots still overlap their latency.
SYNC_THREADS = 1


class AccountLimits:
    """``realm -> concurrency limit`` for the governor (which caches it briefly itself)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __call__(self, realm: str) -> int | None:
        with self._store.session() as s:
            account = s.scalar(select(Account).where(Account.account_id == realm))
            return account.concurrency_limit if account else None


def create_app(data_dir: Path, options: SandboxOptions | None = None) -> FastAPI:
    """The sandbox app over the store in ``data_dir`` (created and migrated if needed)."""
    store = Store.open(Path(data_dir))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # This server's loop runs its sync routes and dependencies SYNC_THREADS at a time.
        anyio.to_thread.current_default_thread_limiter().total_tokens = SYNC_THREADS
        yield
        store.close()

    app = FastAPI(
        title="etail NetSuite sandbox",
        version="1.0",
        description="NetSuite-compatible server: TBA, REST records, SuiteQL, admin API.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.verifier = TbaVerifier(store.box)
    app.state.options = options or SandboxOptions()
    app.include_router(records_router)
    app.include_router(tokeninfo.router)
    app.include_router(soap.router)  # SuiteTalk SOAP with TBA (docs/soap.md)
    app.include_router(admin_api.router)
    app.include_router(pages.router)
    oauth2.install(app)  # OAuth 2.0 client credentials (M2M): token endpoint, JWKS, admin routes
    _add_handlers(app)
    pages.install(app, store)
    app.add_middleware(GovernanceMiddleware, limit_for=AccountLimits(store), options=options)
    # Outside the governor: tells it the account of a SOAP request (its tokenPassport).
    app.add_middleware(soap.SoapRealmMiddleware)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/app/center", status_code=303)

    return app


def _add_handlers(app: FastAPI) -> None:
    async def invalid_login(_r: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidLogin)
        return invalid_login_response(exc.channel)

    async def admin_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, AdminError)
        if request.url.path.startswith("/app"):
            return pages.admin_error_page(request, exc)
        body = {"error": {"code": type(exc).__name__, "message": str(exc), "field": exc.field}}
        return JSONResponse(body, status_code=exc.status)

    async def conflict(_r: Request, _exc: Exception) -> JSONResponse:
        body = {"error": {"code": "ConflictError", "message": "the change clashes with a record"}}
        return JSONResponse(body, status_code=409)

    handlers: dict[type[Exception], Callable[[Request, Exception], Any]] = {
        InvalidLogin: invalid_login,
        AdminError: admin_error,
        IntegrityError: conflict,
    }
    for exc_type, handler in handlers.items():
        app.add_exception_handler(exc_type, handler)
