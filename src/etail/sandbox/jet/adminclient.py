"""A small synchronous client for the sandbox's admin API (setup without a UI: CLI, demo, tests).

Errors come back as ``etail.errors`` classes carrying Jet's ``errors`` messages; the admin key
never appears in a message or repr.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx2

from etail.errors import (
    CredentialsError,
    ExternalServiceError,
    RecordNotFoundError,
    RecordRejectedError,
    TransientError,
)

ADMIN_HEADER = "X-Sandbox-Admin-Key"


class JetAdminClient:
    """``JetAdminClient(base_url, admin_key)``; use as a context manager or call ``close()``."""

    def __init__(
        self,
        base_url: str,
        admin_key: str,
        *,
        timeout: float = 120.0,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx2.Client(
            base_url=self.base_url,
            headers={ADMIN_HEADER: admin_key},
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"JetAdminClient(base_url={self.base_url!r}, admin_key=******)"

    def __enter__(self) -> JetAdminClient:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            resp = self._http.request(method, path, **kw)
        except httpx2.TransportError as exc:
            raise TransientError(
                f"Jet sandbox at {self.base_url} did not answer {method} {path}: "
                f"{type(exc).__name__}"
            ) from exc
        if resp.status_code < 400:
            return resp.json() if resp.content else None
        raise _error(method, path, resp)

    def create_merchant(
        self,
        name: str,
        *,
        merchant_id: str | None = None,
        fulfillment_nodes: list[dict[str, str]] | None = None,
        api_user: str | None = None,
        secret: str | None = None,
    ) -> dict[str, Any]:
        """Create a merchant; the answer holds its test and live keys (secrets shown once)."""
        body: dict[str, Any] = {"name": name, "fulfillment_nodes": fulfillment_nodes or []}
        for key, value in (
            ("merchant_id", merchant_id),
            ("api_user", api_user),
            ("secret", secret),
        ):
            if value is not None:
                body[key] = value
        return dict(self._call("POST", "/admin/merchants", json=body))

    def merchants(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/admin/merchants")["merchants"])

    def seed(
        self,
        *,
        orders: int,
        skus: int,
        seed: int,
        merchant_id: str = "jet-sandbox-merchant",
        now: float | None = None,
    ) -> dict[str, Any]:
        """Run ``etail.sandbox.jet.seed.seed`` on the server; answers the report summary."""
        body: dict[str, Any] = {"orders": orders, "skus": skus, "seed": seed}
        body["merchant_id"] = merchant_id
        if now is not None:
            body["now"] = now
        return dict(self._call("POST", "/admin/seed", json=body))

    def catalog(self, merchant_id: str) -> list[dict[str, Any]]:
        """SKU, title, price and quantity per node of every catalog item."""
        return list(self._call("GET", f"/admin/merchants/{merchant_id}/catalog")["catalog"])

    def create_order(self, merchant_id: str, lines: list[dict[str, Any]], **fields: Any) -> str:
        """Place a test order; lines: ``{"merchant_sku", "quantity", "price"?, "title"?}``."""
        body = {"lines": lines, **fields}
        return str(
            self._call("POST", f"/admin/merchants/{merchant_id}/orders", json=body)[
                "merchant_order_id"
            ]
        )

    def orders(
        self, *, merchant_id: str | None = None, status: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        """Orders in full (newest first) and counts per status."""
        params: dict[str, Any] = {"limit": limit}
        if merchant_id:
            params["merchant_id"] = merchant_id
        if status:
            params["status"] = status
        return dict(self._call("GET", "/admin/orders", params=params))

    def request_cancel(self, merchant_order_id: str) -> None:
        """Jet asks the merchant to cancel (``jet_requested_directed_cancel``)."""
        self._call("POST", f"/admin/orders/{merchant_order_id}/directed-cancel")

    def open_return(self, merchant_order_id: str, items: list[dict[str, Any]] | None = None) -> str:
        """Open a return on a shipped order; items: ``{"order_item_id", "quantity", "reason"}``."""
        answer = self._call(
            "POST", f"/admin/orders/{merchant_order_id}/returns", json={"items": items}
        )
        return str(answer["merchant_return_authorization_id"])

    def set_refund_status(self, refund_authorization_id: str, status: str) -> None:
        self._call(
            "PUT",
            f"/admin/refunds/{refund_authorization_id}/status",
            json={"refund_status": status},
        )


def _error(method: str, path: str, resp: httpx2.Response) -> ExternalServiceError:
    try:
        messages = resp.json().get("errors") or []
    except ValueError:
        messages = []
    detail = "; ".join(str(m) for m in messages) or resp.reason_phrase
    message = f"Jet sandbox admin {method} {path} failed with {resp.status_code}: {detail}"
    kw: dict[str, Any] = {"status": resp.status_code, "body": messages}
    if resp.status_code == 401:
        return CredentialsError(message, hint="check the admin key in <data>/jet-admin.key", **kw)
    if resp.status_code == 404:
        return RecordNotFoundError(message, **kw)
    if resp.status_code in (400, 409, 422):
        return RecordRejectedError(message, **kw)
    if resp.status_code >= 500 or resp.status_code == 429:
        return TransientError(message, **kw)
    return ExternalServiceError(message, **kw)
