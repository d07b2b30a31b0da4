"""Fixtures: a real NetSuite sandbox, the integrator over real HTTP, users, steps A-D."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from etail.httpserver import BackgroundServer
from etail.integrator.app import create_app
from etail.integrator.install import bundle_credentials, find_installed
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.sandbox.netsuite.app import create_app as netsuite_app
from etail.sandbox.netsuite.store import read_admin_key
from etail.settings import Settings
from etail.storage.db import session_scope

APP = "eTail Connectors (Token-Based Auth)"
BUNDLE_ROLE = "Celigo eTail SmartConnectors"
OWNER = ("owner@example.com", "Owner-Pass-123")
_numbers = itertools.count(2000001)


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> Iterator[None]:
    """Real argon2id with small parameters: the hash is still checked, just faster."""
    from argon2 import PasswordHasher

    from etail.integrator.users import use_hasher

    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    use_hasher(previous)


@dataclass
class NetSuiteSandbox:
    url: str
    admin: AdminClient
    admin_key: str


@pytest.fixture(scope="session")
def netsuite_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetSuiteSandbox]:
    data = tmp_path_factory.mktemp("ns-sandbox")
    with BackgroundServer(netsuite_app(data)) as srv:
        key = read_admin_key(data)
        admin = AdminClient(srv.url, key)
        yield NetSuiteSandbox(srv.url, admin, key)
        admin.close()


@dataclass
class Tokens:
    realm: str
    token_id: str
    token_secret: str
    internal_id: int
    role_id: int = 0


@dataclass
class Integrator:
    url: str
    settings: Settings
    integration_id: str
    netsuite_id: str
    jet_id: str
    iclient_id: str
    app: Any = None

    def session(self) -> Any:
        """A committed-on-exit session on the app's own database (no second migration run)."""
        return session_scope(self.app.state.sessions)

    @property
    def box(self) -> Any:
        return self.app.state.box

    def client(self, **kw: Any) -> httpx2.Client:
        return httpx2.Client(base_url=self.url, timeout=30.0, **kw)


def start_integrator(home: Path, admin_keys: dict[str, str]) -> tuple[BackgroundServer, Integrator]:
    settings = Settings(home=home)
    app = create_app(settings, sandbox_admin_keys=admin_keys)
    with session_scope(app.state.sessions) as s:
        inst = find_installed(s)
    assert inst is not None
    srv = BackgroundServer(app).start()
    return srv, Integrator(
        srv.url,
        settings,
        inst.integration_id,
        inst.netsuite_connection_id,
        inst.jet_connection_id,
        inst.iclient_id,
        app=app,
    )


@pytest.fixture
def integrator(tmp_path: Path, netsuite_sandbox: NetSuiteSandbox) -> Iterator[Integrator]:
    srv, info = start_integrator(
        tmp_path / "home", {netsuite_sandbox.url: netsuite_sandbox.admin_key}
    )
    try:
        yield info
    finally:
        srv.stop()


def steps_a_to_d(integ: Integrator, ns: NetSuiteSandbox, realm: str | None = None) -> Tokens:
    """The guide's NetSuite steps A-D through the sandbox's admin API, with our bundle keys."""
    realm = realm or f"{next(_numbers)}_SB1"
    with integ.session() as s:
        creds = bundle_credentials(s, integ.box)
    ns.admin.create_account(realm)
    ns.admin.install_bundle(realm, creds.consumer_key, creds.consumer_secret)
    ns.admin.set_feature(realm, "tba", True)  # A
    role = ns.admin.clone_role(realm, BUNDLE_ROLE, "eTail Integration Role")  # B
    ns.admin.create_employee(realm, "Jane Doe", "jane@example.com")
    ns.admin.add_role(realm, "jane@example.com", role["id"])  # C
    new = ns.admin.create_token(realm, APP, "jane@example.com", role["id"])  # D
    return Tokens(realm, new["token_id"], new["token_secret"], new["token"]["id"], role["id"])


def all_routes(app: Any) -> list[tuple[str, set[str]]]:
    """(path, methods) of every HTTP route, included routers flattened (FastAPI keeps included
    routers as nodes; their effective routes carry the full path)."""
    found: list[tuple[str, set[str]]] = []
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            found += [(c.path, set(c.methods or ())) for c in route.effective_route_contexts()]
        elif getattr(route, "methods", None):
            found.append((route.path, set(route.methods)))
    return found


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def browser_owner(integ: Integrator) -> httpx2.Client:
    """A cookie client signed in as the owner, created on the first-run page."""
    c = integ.client(follow_redirects=True)
    page = c.get("/setup")
    r = c.post(
        "/setup",
        data={
            "csrf_token": csrf_of(page.text),
            "email": OWNER[0],
            "name": "Olivia Owner",
            "password": OWNER[1],
        },
    )
    assert r.status_code == 200 and "Jet - NetSuite" in r.text
    return c


def api_token(integ: Integrator, email: str, password: str) -> dict[str, str]:
    with integ.client() as c:
        r = c.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def owner_api(integ: Integrator) -> httpx2.Client:
    """An API client authenticated as the owner (created on the first-run page)."""
    browser_owner(integ).close()
    return integ.client(headers=api_token(integ, *OWNER))


@pytest.fixture
def api(integrator: Integrator) -> Iterator[httpx2.Client]:
    """The owner's API client (the owner is created on the first-run page)."""
    with owner_api(integrator) as client:
        yield client


def invite_and_accept(
    integ: Integrator,
    owner: httpx2.Client,
    email: str,
    role: str,
    grants: dict[str, str] | None = None,
    password: str = "User-Pass-1234",
) -> dict[str, str]:
    r = owner.post(
        "/api/v1/invitations", json={"email": email, "role": role, "grants": grants or {}}
    )
    assert r.status_code == 201, r.text
    with integ.client() as c:
        r2 = c.post(
            r.json()["accept_path"].replace("/invitations", "/api/v1/invitations") + "/accept",
            json={"name": email.split("@")[0], "password": password},
        )
    assert r2.status_code == 201, r2.text
    return api_token(integ, email, password)


def netsuite_body(sandbox_url: str, tokens: Tokens, iclient_id: str, **over: Any) -> dict[str, Any]:
    body = {
        "type": "netsuite",
        "auth_type": "token",
        "environment": "local",
        "base_url": sandbox_url,
        "account_id": tokens.realm,
        "token_id": tokens.token_id,
        "token_secret": tokens.token_secret,
        "iclient_id": iclient_id,
        "concurrency": 5,
    }
    body.update(over)
    return body
