"""Fixtures: one real sandbox server per module, a fresh account per test, steps A-D helpers."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI

from etail.httpserver import BackgroundServer
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.sandbox.netsuite.app import create_app
from etail.sandbox.netsuite.context import Caller
from etail.sandbox.netsuite.deps import rest_caller
from etail.sandbox.netsuite.store import read_admin_key

APP = "eTail Connectors (Token-Based Auth)"
BUNDLE_ROLE = "Celigo eTail SmartConnectors"
_numbers = itertools.count(1000001)


def add_probe(app: FastAPI) -> None:
    """A REST web-services route guarded by rest_caller, standing in for any record route."""

    @app.api_route("/services/rest/probe/{rest:path}", methods=["GET", "POST", "PUT"])
    def probe(rest: str, caller: Caller = Depends(rest_caller)) -> dict[str, Any]:
        return {"account": caller.account_id, "path": rest, "role": caller.role_id}


@dataclass
class Sandbox:
    url: str
    data_dir: Path
    admin: AdminClient
    app: FastAPI


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    data = tmp_path_factory.mktemp("netsuite-data")
    app = create_app(data)
    add_probe(app)
    with BackgroundServer(app) as srv:
        client = AdminClient(srv.url, read_admin_key(data))
        yield Sandbox(srv.url, data, client, app)
        client.close()


@dataclass
class Setup:
    """Everything steps A-D produce: the realm and the four TBA credentials."""

    realm: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str
    role_id: int
    user: str
    token: dict[str, Any]


def steps_a_to_d(admin: AdminClient, realm: str | None = None) -> Setup:
    """The guide's steps A-D through the admin API, on a fresh account."""
    realm = realm or f"{next(_numbers)}_SB1"
    admin.create_account(realm, admin_password="correct horse battery")
    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    admin.install_bundle(realm, ck, cs)
    admin.set_feature(realm, "tba", True)  # A
    role = admin.clone_role(realm, BUNDLE_ROLE, "eTail Integration Role")  # B
    admin.create_employee(realm, "Jane Doe", "jane@example.com")
    admin.add_role(realm, "jane@example.com", role["id"])  # C
    new = admin.create_token(realm, APP, "jane@example.com", role["id"])  # D
    return Setup(
        realm,
        ck,
        cs,
        new["token_id"],
        new["token_secret"],
        role["id"],
        "jane@example.com",
        new["token"],
    )
