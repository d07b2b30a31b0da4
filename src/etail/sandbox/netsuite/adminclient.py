"""A small httpx2 client of the sandbox's admin JSON API (``/admin/api``).

Used by ``etail ns ... --url`` and by the demo. ``AdminClient.in_process(data_dir)`` runs the same
API in-process over the store in ``data_dir`` (``etail ns ... --data``), so both modes go through
one implementation of every rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx2

from etail.errors import ExternalServiceError, SettingsError, TransientError
from etail.sandbox.netsuite.admin.api import ADMIN_KEY_HEADER

Json = Any


class AdminClient:
    """``AdminClient(url, admin_key)``; every method returns the API's JSON answer."""

    def __init__(self, base_url: str, admin_key: str, *, http: httpx2.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = http or httpx2.Client(base_url=self.base_url, timeout=15.0)
        self._http.headers[ADMIN_KEY_HEADER] = admin_key
        self._on_close: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"AdminClient({self.base_url!r}, admin_key=******)"

    @classmethod
    def in_process(cls, data_dir: Path) -> AdminClient:
        """The admin API of the sandbox whose data folder is ``data_dir``, without a server."""
        from starlette.testclient import TestClient

        from etail.sandbox.netsuite.app import create_app
        from etail.sandbox.netsuite.store import read_admin_key

        app = create_app(Path(data_dir))
        base = "http://sandbox.local"
        http = TestClient(app, base_url=base, raise_server_exceptions=False)
        client = cls(base, read_admin_key(Path(data_dir)), http=http)
        client._on_close = app.state.store.close
        return client

    def close(self) -> None:
        self._http.close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- transport ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Json = None, **params: Any) -> Json:
        url = f"/admin/api{path}"
        try:
            resp = self._http.request(
                method, url, json=body, params={k: v for k, v in params.items() if v is not None}
            )
        except httpx2.TransportError as exc:
            raise TransientError(
                f"cannot reach the NetSuite sandbox at {self.base_url}: {type(exc).__name__}",
                hint="start it with `etail sandbox netsuite` or check --url",
            ) from None
        if resp.status_code < 400:
            return resp.json()
        raise _error(resp)

    def _by_name(self, account_id: str, collection: str, ref: str | int, field: str) -> str:
        """The path segment for a role, integration or token given by ID or name.

        Servers decode ``%2F`` before routing, so a name with a slash ("Sales/Ops") cannot
        travel in the path: its internal ID is looked up in the collection instead.
        """
        if isinstance(ref, int) or "/" not in ref:
            return _seg(ref)
        for item in self._call("GET", f"/accounts/{_seg(account_id)}/{collection}"):
            if item.get("name") == ref:
                return str(item["id"])
        raise SettingsError(
            f"{field} {ref!r} does not exist in account {account_id}",
            field=field,
            hint="give its internal ID or exact name (`etail ns ... list`)",
        )

    def _role(self, account_id: str, role: str | int) -> str:
        return self._by_name(account_id, "roles", role, "role")

    # ---- accounts and features ---------------------------------------------------------------

    def accounts(self) -> Json:
        return self._call("GET", "/accounts")

    def create_account(self, account_id: str, **fields: Any) -> Json:
        body = {"account_id": account_id, **{k: v for k, v in fields.items() if v is not None}}
        return self._call("POST", "/accounts", body)

    def account(self, account_id: str) -> Json:
        return self._call("GET", f"/accounts/{_seg(account_id)}")

    def set_feature(self, account_id: str, feature: str, enabled: bool) -> Json:
        path = f"/accounts/{_seg(account_id)}/features/{_seg(feature)}"
        return self._call("PUT", path, {"enabled": enabled})

    def install_bundle(self, account_id: str, consumer_key: str, consumer_secret: str) -> Json:
        body = {"consumer_key": consumer_key, "consumer_secret": consumer_secret}
        return self._call("POST", f"/accounts/{_seg(account_id)}/bundle", body)

    # ---- roles -------------------------------------------------------------------------------

    def roles(self, account_id: str) -> Json:
        return self._call("GET", f"/accounts/{_seg(account_id)}/roles")

    def role(self, account_id: str, role: str | int) -> Json:
        return self._call(
            "GET", f"/accounts/{_seg(account_id)}/roles/{self._role(account_id, role)}"
        )

    def clone_role(
        self, account_id: str, role: str | int, name: str, permissions: dict[str, str] | None = None
    ) -> Json:
        body = {"name": name, "permissions": permissions or {}}
        path = f"/accounts/{_seg(account_id)}/roles/{self._role(account_id, role)}/clone"
        return self._call("POST", path, body)

    def set_permissions(
        self, account_id: str, role: str | int, permissions: dict[str, str]
    ) -> Json:
        path = f"/accounts/{_seg(account_id)}/roles/{self._role(account_id, role)}"
        return self._call("PATCH", path, {"permissions": permissions})

    # ---- employees ---------------------------------------------------------------------------

    def employees(self, account_id: str) -> Json:
        return self._call("GET", f"/accounts/{_seg(account_id)}/employees")

    def employee(self, account_id: str, user: str | int) -> Json:
        return self._call("GET", f"/accounts/{_seg(account_id)}/employees/{_seg(user)}")

    def create_employee(
        self,
        account_id: str,
        name: str,
        email: str,
        roles: list[str | int] | None = None,
        password: str | None = None,
    ) -> Json:
        body: dict[str, Any] = {"name": name, "email": email, "roles": list(roles or [])}
        if password:
            body["password"] = password
        return self._call("POST", f"/accounts/{_seg(account_id)}/employees", body)

    def set_employee_inactive(self, account_id: str, user: str | int, inactive: bool) -> Json:
        path = f"/accounts/{_seg(account_id)}/employees/{_seg(user)}"
        return self._call("PATCH", path, {"inactive": inactive})

    def add_role(self, account_id: str, user: str | int, role: str | int) -> Json:
        path = f"/accounts/{_seg(account_id)}/employees/{_seg(user)}/roles"
        return self._call("POST", path, {"role": role})

    def remove_role(self, account_id: str, user: str | int, role: str | int) -> Json:
        role_seg = self._role(account_id, role)
        path = f"/accounts/{_seg(account_id)}/employees/{_seg(user)}/roles/{role_seg}"
        return self._call("DELETE", path)

    # ---- integration records -----------------------------------------------------------------

    def integrations(self, account_id: str) -> Json:
        return self._call("GET", f"/accounts/{_seg(account_id)}/integrations")

    def create_integration(
        self,
        account_id: str,
        name: str,
        *,
        description: str = "",
        tba: bool = True,
        state: str = "enabled",
    ) -> Json:
        body = {"name": name, "description": description, "tba": tba, "state": state}
        return self._call("POST", f"/accounts/{_seg(account_id)}/integrations", body)

    def update_integration(
        self,
        account_id: str,
        integration: str | int,
        *,
        state: str | None = None,
        tba: bool | None = None,
    ) -> Json:
        body = {k: v for k, v in {"state": state, "tba": tba}.items() if v is not None}
        ref = self._by_name(account_id, "integrations", integration, "integration")
        return self._call("PATCH", f"/accounts/{_seg(account_id)}/integrations/{ref}", body)

    # ---- access tokens -----------------------------------------------------------------------

    def tokens(self, account_id: str) -> Json:
        return self._call("GET", f"/accounts/{_seg(account_id)}/tokens")

    def create_token(
        self,
        account_id: str,
        application: str | int,
        user: str | int,
        role: str | int,
        *,
        name: str | None = None,
        inactive: bool = False,
    ) -> Json:
        body: dict[str, Any] = {
            "application": application,
            "user": user,
            "role": role,
            "inactive": inactive,
        }
        if name:
            body["name"] = name
        return self._call("POST", f"/accounts/{_seg(account_id)}/tokens", body)

    def token_action(self, account_id: str, token: str | int, action: str) -> Json:
        """``action`` is ``inactivate``, ``activate`` or ``revoke``."""
        ref = self._by_name(account_id, "tokens", token, "token")
        return self._call("POST", f"/accounts/{_seg(account_id)}/tokens/{ref}/{_seg(action)}")

    # ---- OAuth 2.0 client credentials (M2M), routes of etail.sandbox.netsuite.oauth2 ----------

    def set_oauth2_feature(self, account_id: str, enabled: bool) -> Json:
        path = f"/accounts/{_seg(account_id)}/oauth2/feature"
        return self._call("PUT", path, {"enabled": enabled})

    def configure_oauth2_client(
        self,
        account_id: str,
        integration: str | int,
        *,
        client_credentials: bool = True,
        scopes: list[str] | None = None,
    ) -> Json:
        ref = self._by_name(account_id, "integrations", integration, "integration")
        path = f"/accounts/{_seg(account_id)}/oauth2/clients/{ref}"
        body = {"client_credentials": client_credentials, "scopes": scopes or ["rest_webservices"]}
        return self._call("PUT", path, body)

    def m2m_certificates(self, account_id: str) -> Json:
        return self._call("GET", f"/accounts/{_seg(account_id)}/oauth2/m2m")

    def register_m2m_certificate(
        self,
        account_id: str,
        integration: str | int,
        entity: str | int,
        role: str | int,
        certificate_pem: str,
    ) -> Json:
        body = {
            "integration": integration,
            "entity": entity,
            "role": role,
            "certificate": certificate_pem,
        }
        return self._call("POST", f"/accounts/{_seg(account_id)}/oauth2/m2m", body)

    def revoke_m2m_certificate(self, account_id: str, certificate_id: str) -> str:
        path = f"/admin/api/accounts/{_seg(account_id)}/oauth2/m2m/{_seg(certificate_id)}/revoke"
        resp = self._http.post(path)
        if resp.status_code >= 400:
            raise _error(resp)
        return resp.text

    # ---- login audit trail -------------------------------------------------------------------

    def audit(self, account_id: str | None = None, limit: int = 200) -> Json:
        path = f"/accounts/{_seg(account_id)}/audit" if account_id else "/audit"
        return self._call("GET", path, limit=limit)


def _seg(value: str | int) -> str:
    """One path segment, quoted whole (a name with "/" goes by ID: see ``_by_name``)."""
    return quote(str(value), safe="")


def _error(resp: httpx2.Response) -> Exception:
    try:
        err = resp.json().get("error") or {}
    except ValueError:
        err = {}
    if resp.status_code == 422:
        detail = resp.json().get("detail", [])
        first = detail[0] if detail else {}
        field = ".".join(str(p) for p in first.get("loc", [])[1:]) or None
        return SettingsError(
            f"{field or 'request'} is invalid: {first.get('msg', 'rejected')}",
            field=field,
            hint="see `etail ns <command> --help` for the accepted values",
        )
    if resp.status_code < 500 and err:
        return SettingsError(str(err.get("message", resp.reason_phrase)), field=err.get("field"))
    return ExternalServiceError(
        f"the sandbox answered {resp.status_code} {resp.reason_phrase}",
        status=resp.status_code,
        body=resp.text[:500],
    )


@dataclass(frozen=True)
class GuideResult:
    """What the guide's steps A-D hand to the integrator's connection (Token ID and Secret)."""

    account_id: str
    role_id: int
    employee_id: int
    token_id: str = field(repr=False)
    token_secret: str = field(repr=False)


def run_steps_a_to_d(
    admin: AdminClient,
    account_id: str,
    *,
    consumer_key: str,
    consumer_secret: str,
    role_name: str = "eTail Integration Role",
    user_name: str = "eTail Integration",
    user_email: str = "etail-integration@example.com",
) -> GuideResult:
    """Bundle install, then steps A-D of the guide, creating what is missing (for demos).

    A: enable Token-Based Authentication; B: Customize "Celigo eTail SmartConnectors" as
    ``role_name``; C: give the role to ``user_email``; D: a new access token for
    "eTail Connectors (Token-Based Auth)". Each run issues a fresh token.
    """
    existing = {a["account_id"] for a in admin.accounts()}
    if account_id not in existing:
        admin.create_account(account_id)
    admin.install_bundle(account_id, consumer_key, consumer_secret)
    admin.set_feature(account_id, "tba", True)
    roles = {r["name"]: r for r in admin.roles(account_id)}
    role = roles.get(role_name) or admin.clone_role(
        account_id, "Celigo eTail SmartConnectors", role_name
    )
    users = {u["email"]: u for u in admin.employees(account_id)}
    user = users.get(user_email.lower()) or admin.create_employee(account_id, user_name, user_email)
    if role["id"] not in {r["id"] for r in user["roles"]}:
        admin.add_role(account_id, user["id"], role["id"])
    new = admin.create_token(
        account_id, "eTail Connectors (Token-Based Auth)", user["id"], role["id"]
    )
    return GuideResult(account_id, role["id"], user["id"], new["token_id"], new["token_secret"])
