"""FastAPI dependencies of the Jet sandbox: the store, the caller behind a bearer token, and the
admin key check."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from etail.sandbox.jet.merchants import Caller, verify_bearer
from etail.sandbox.jet.options import JetOptions
from etail.sandbox.jet.problems import JetProblem
from etail.sandbox.jet.store import JetStore

ADMIN_HEADER = "X-Sandbox-Admin-Key"


def get_store(request: Request) -> JetStore:
    store: JetStore = request.app.state.store
    return store


def get_options(request: Request) -> JetOptions:
    options: JetOptions = request.app.state.options
    return options


def get_caller(
    store: Annotated[JetStore, Depends(get_store)],
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
    return verify_bearer(store, authorization)


def require_admin(
    request: Request,
    key: Annotated[str | None, Header(alias=ADMIN_HEADER)] = None,
) -> None:
    expected: str = request.app.state.admin_key
    if not key or not hmac.compare_digest(key.encode(), expected.encode()):
        raise JetProblem(
            401,
            f"{ADMIN_HEADER}: missing or wrong; use the key in <data>/jet-admin.key",
        )


StoreDep = Annotated[JetStore, Depends(get_store)]
CallerDep = Annotated[Caller, Depends(get_caller)]
OptionsDep = Annotated[JetOptions, Depends(get_options)]
