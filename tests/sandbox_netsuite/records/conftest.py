"""Fixtures for the record routes: a real server over a temp SQLite, the caller overridden.

Most tests here check record behaviour, so TBA is replaced by a settable ``Caller`` (the TBA path
itself is covered in ``test_tba_records.py`` with real signed requests).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

import etail.sandbox.netsuite.records.models  # noqa: F401  (registers the record tables)
from etail.httpserver import BackgroundServer
from etail.sandbox.netsuite import deps
from etail.sandbox.netsuite.context import Caller, Level
from etail.sandbox.netsuite.db import Base
from etail.sandbox.netsuite.records.routes import router

ALL = {
    "customer": Level.FULL,
    "salesOrder": Level.FULL,
    "inventoryItem": Level.FULL,
    "itemFulfillment": Level.FULL,
    "cashSale": Level.FULL,
    "returnAuthorization": Level.FULL,
    "customerRefund": Level.FULL,
    "restWebServices": Level.FULL,
    "loginUsingAccessTokens": Level.FULL,
}
REALM = "1234567_SB1"


def caller(permissions: dict[str, Level] | None = None, account: str = REALM) -> Caller:
    return Caller(account, 1, 3, 7, "rest", dict(ALL if permissions is None else permissions))


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


@dataclass
class Records:
    """A served record router: ``http`` talks to it, ``who`` is the caller of every request."""

    url: str
    http: httpx2.Client
    app: FastAPI
    who: Caller = field(default_factory=caller)

    def create(self, rtype: str, body: dict[str, Any]) -> str:
        r = self.http.post(f"/services/rest/record/v1/{rtype}", json=body)
        assert r.status_code == 204, r.text
        return r.headers["location"].rsplit("/", 1)[1]

    def get(self, rtype: str, rid: str, **params: str) -> dict[str, Any]:
        r = self.http.get(f"/services/rest/record/v1/{rtype}/{rid}", params=params)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


def build_app(db: Path | str, holder: list[Caller]) -> FastAPI:
    """The record router on a SQLite file (a Path) or any database URL (a str)."""
    if isinstance(db, Path):
        engine = create_engine(f"sqlite:///{db}", connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _pragmas)
    else:
        engine = create_engine(db)
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)

    def session() -> Iterator[Session]:
        with sessions() as s:
            yield s
            s.commit()

    def who(_request: Request) -> Caller:
        return holder[0]

    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[deps.get_session] = session
    app.dependency_overrides[deps.rest_caller] = who
    app.dependency_overrides[deps.restlet_caller] = who
    return app


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FastAPI, list[Caller]]]:
    holder = [caller()]
    app = build_app(tmp_path_factory.mktemp("records") / "ns.db", holder)
    with BackgroundServer(app) as srv:
        yield srv.url, app, holder


_accounts = iter(range(2000001, 9999999))


@pytest.fixture
def records(served: tuple[str, FastAPI, list[Caller]]) -> Iterator[Records]:
    """A fresh account on the module's server (records of other tests stay invisible)."""
    url, app, holder = served
    holder[0] = caller(account=f"{next(_accounts)}_SB1")
    with httpx2.Client(base_url=url, timeout=30) as http:
        rec = Records(url, http, app, holder[0])
        yield rec


def use(records: Records, served: tuple[str, FastAPI, list[Caller]], who: Caller) -> None:
    served[2][0] = who
    records.who = who
