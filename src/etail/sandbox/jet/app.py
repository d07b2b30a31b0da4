"""The Jet sandbox as a FastAPI app: Jet's merchant API under ``/api``, admin JSON under
``/admin``, a read-only order page at ``/``.

Every error answers Jet's shape ``{"errors": [...]}`` (celigo-jet.md §3.1): bad bodies are 400
naming the field (not FastAPI's 422), unknown paths 404, and the rate limiter and fault injector
sit in front of ``/api`` as a plain ASGI layer.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from etail.sandbox.jet.options import FaultInjector, JetOptions, RateLimiter, fault_problem
from etail.sandbox.jet.problems import JetProblem
from etail.sandbox.jet.routes import admin, auth, orders, pages, returns, setup, skus
from etail.sandbox.jet.store import JetStore

ADMIN_KEY_FILE = "jet-admin.key"


def admin_key(data_dir: Path) -> str:
    """The admin key in ``<data>/jet-admin.key``, created with mode 0600 on first use."""
    path = data_dir / ADMIN_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


class ApiGate:
    """Rate limit, then fault injection, for every ``/api`` request."""

    def __init__(self, app: ASGIApp, options: JetOptions) -> None:
        self.app = app
        self.limiter = RateLimiter(options.rate_limit_per_s) if options.rate_limit_per_s else None
        self.faults = FaultInjector(options)
        self.fault_delay_s = options.fault_delay_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        problem = self.limiter.check() if self.limiter else None
        kind = None if problem else self.faults.draw()
        if kind == "timeout":
            await asyncio.sleep(self.fault_delay_s)
        if kind:
            problem = fault_problem(kind)
        if problem is None:
            await self.app(scope, receive, send)
            return
        await _problem_response(problem)(scope, receive, send)


def _problem_response(problem: JetProblem) -> JSONResponse:
    return JSONResponse(problem.body(), status_code=problem.status, headers=problem.headers)


def _field_path(loc: Sequence[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    messages = []
    for err in exc.errors():
        msg = str(err.get("msg", "is not valid"))
        where = _field_path(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            # pydantic puts the character offset in ``loc``; the field to fix is the body.
            msg, where = "is not valid JSON; send a JSON object", "body"
        messages.append(f"{where}: {msg}")
    return JSONResponse({"errors": messages}, status_code=400)


async def _on_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JetProblem)
    return _problem_response(exc)


async def _on_http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        {"errors": [str(exc.detail)]}, status_code=exc.status_code, headers=exc.headers
    )


def create_app(
    data_dir: Path,
    *,
    token_lifetime_s: int = 3600,
    ready_delay_s: float = 0.0,
    rate_limit_per_s: float | None = None,
    fault_rate: float = 0.0,
    fault_kinds: Sequence[str] = ("5xx",),
    seed: int | None = None,
    fault_delay_s: float = 5.0,
) -> FastAPI:
    """Build the sandbox over ``<data_dir>/jet.db`` (migrated on start)."""
    options = JetOptions(
        token_lifetime_s=token_lifetime_s,
        ready_delay_s=ready_delay_s,
        rate_limit_per_s=rate_limit_per_s,
        fault_rate=fault_rate,
        fault_kinds=tuple(fault_kinds),
        seed=seed,
        fault_delay_s=fault_delay_s,
    )
    store = JetStore(data_dir)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="Jet merchant API sandbox",
        version="1.0",
        description="A local stand-in for Jet's merchant API (celigo-jet.md §3).",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.options = options
    app.state.admin_key = admin_key(data_dir)
    for router in (auth.router, orders.router, skus.router, returns.router, setup.router):
        app.include_router(router)
    app.include_router(admin.router)
    app.include_router(pages.router)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(JetProblem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_middleware(ApiGate, options=options)
    return app
