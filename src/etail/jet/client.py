"""``JetClient``: an async client for Jet's merchant API (celigo-jet.md §3).

* Auth: ``POST /token`` with ``{"user", "pass"}`` gives a bearer token; the client renews it
  shortly before ``expires_on`` and once more when a call answers 401 (AERO re-logs in on 401).
* Retries: 429 (after ``Retry-After``), 5xx and transport errors, with exponential backoff and
  jitter, at most ``max_retries`` times. Other 4xx are not retried.
* Paths are relative to the API root: ``base_url`` may be Jet's ``https://merchant-api.jet.com/api``
  or a sandbox origin such as ``http://127.0.0.1:8102`` (``/api`` is added when missing).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import httpx2
from pydantic import BaseModel, ValidationError

from etail.errors import CredentialsError, ExternalServiceError, TransientError
from etail.jet.models import (
    Acknowledgement,
    FulfillmentNode,
    Inventory,
    InventoryInfo,
    Order,
    Price,
    PriceInfo,
    Product,
    Refund,
    RefundRequest,
    Return,
    ReturnCompletion,
    Shipment,
    ShipmentItem,
    ShipmentMessage,
    Sku,
    Token,
)
from etail.jet.problems import error_for, unexpected

M = TypeVar("M", bound=BaseModel)
# Failures after which the server has not acted on the request: safe to send it again.
_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
_REFUSED_UP_FRONT = (429, 503)
# ``expires_on`` is on Jet's clock. A skew of our clock beyond this (read from the token
# answer's Date header, whole seconds) is corrected; smaller ones are covered by the renewal
# margin and the renewal on 401.
CLOCK_SKEW_IGNORED_S = 5.0
AUTHORIZED = "This message is authorized."
JET_API = "https://merchant-api.jet.com/api"


def _api_root(base_url: str) -> str:
    root = base_url.rstrip("/")
    return root if root.endswith("/api") else f"{root}/api"


def _seg(value: str) -> str:
    """One percent-encoded path segment (``completed by merchant`` → ``...%20by%20...``)."""
    return quote(value, safe="")


def _last_segment(url: str) -> str:
    return unquote(url.rstrip("/").rsplit("/", 1)[-1])


def _server_skew(resp: httpx2.Response) -> timedelta:
    """Jet's clock minus ours from the answer's ``Date`` header; zero when small or unknown."""
    try:
        server = parsedate_to_datetime(resp.headers.get("Date", ""))
    except (TypeError, ValueError):
        return timedelta(0)
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    skew = server - datetime.now(UTC)
    return skew if abs(skew.total_seconds()) > CLOCK_SKEW_IGNORED_S else timedelta(0)


class JetClient:
    """Async Jet merchant API client; ``async with JetClient(...) as jet: ...``."""

    def __init__(
        self,
        base_url: str,
        api_user: str,
        secret: str,
        *,
        max_retries: int = 4,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        backoff_s: float = 0.25,
        max_backoff_s: float = 8.0,
        max_retry_after_s: float = 60.0,
        renew_margin_s: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = _api_root(base_url)
        self.api_user = api_user
        self._secret = secret
        self.max_retries = max_retries
        self._backoff = (backoff_s, max_backoff_s, max_retry_after_s)
        self._renew_margin_s = renew_margin_s
        self._sleep = sleep
        self._http = httpx2.AsyncClient(
            base_url=self.base_url + "/", transport=transport, timeout=timeout
        )
        self._token: Token | None = None
        self._token_fetched: datetime | None = None
        self._skew = timedelta(0)  # Jet's clock minus ours, when beyond CLOCK_SKEW_IGNORED_S
        self._token_lock = asyncio.Lock()
        self.token_fetches = 0  # how many tokens this client obtained (observability, tests)

    def __repr__(self) -> str:
        return f"JetClient(base_url={self.base_url!r}, api_user={self.api_user!r}, secret=******)"

    async def __aenter__(self) -> JetClient:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- transport, token, retries ----------------------------------------------------------

    def _token_fresh(self) -> bool:
        if self._token is None or self._token_fetched is None:
            return False
        expires = self._token.expires_on
        lifetime = (expires - (self._token_fetched + self._skew)).total_seconds()
        margin = min(self._renew_margin_s, max(lifetime, 0.0) / 4)
        return datetime.now(UTC) + self._skew < expires - timedelta(seconds=margin)

    async def token(self, *, renew: bool = False, rejected: str | None = None) -> Token:
        """The current token, fetched from ``POST /token`` when missing, stale or ``renew``.

        ``rejected`` is a token a call just saw refused: it is renewed only if it is still the
        current one, so concurrent calls that all got 401 fetch one new token, not one each.
        """
        async with self._token_lock:
            stale_one = (
                rejected is not None
                and self._token is not None
                and (self._token.id_token == rejected)
            )
            if renew or stale_one or not self._token_fresh():
                self._token = await self._fetch_token()
                self._token_fetched = datetime.now(UTC)
                self.token_fetches += 1
            assert self._token is not None
            return self._token

    async def _fetch_token(self) -> Token:
        body = {"user": self.api_user, "pass": self._secret}
        resp = await self._send("POST", "token", json=body, auth=False)
        token = self._parse(Token, resp, "POST", "token")
        self._skew = _server_skew(resp)
        if token.expires_on.tzinfo is None:
            token = token.model_copy(update={"expires_on": token.expires_on.replace(tzinfo=UTC)})
        return token

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
        replayable: bool = True,
    ) -> httpx2.Response:
        """Send with token renewal and retries.

        ``replayable=False`` is for calls that add something each time they are applied
        (shipped messages accumulate, celigo-jet.md §3.2): they are sent again only when the
        server surely did not act (no connection, 401, 429, 503), never after a lost answer.
        """
        attempt, renewed = 0, False
        while True:
            headers, sent = {}, None
            if auth:
                token = await self.token()
                sent = token.id_token
                headers["Authorization"] = f"{token.token_type} {token.id_token}"
            try:
                resp = await self._http.request(
                    method, path, json=json, params=params, headers=headers
                )
            except httpx2.TransportError as exc:
                error: ExternalServiceError = TransientError(
                    f"Jet {method} /{path} failed: {type(exc).__name__} (no answer)"
                )
                if not replayable and not isinstance(exc, _NOT_SENT):
                    raise self._maybe_applied(error) from None
            else:
                if resp.status_code < 400:
                    return resp
                error = error_for(method, path, resp)
                if not auth and resp.status_code in (400, 401):
                    # Jet answered bad keys on /token with 400 (celigo-jet.md §3.1).
                    raise self._bad_keys(error)
                if resp.status_code == 401 and auth and not renewed:
                    renewed = True
                    await self.token(rejected=sent)
                    continue
                lost = resp.status_code >= 500 and resp.status_code not in _REFUSED_UP_FRONT
                if lost and not replayable:
                    raise self._maybe_applied(error)
            if not error.retryable or attempt >= self.max_retries:
                raise error
            await self._sleep(self._delay(attempt, error))
            attempt += 1

    @staticmethod
    def _maybe_applied(error: ExternalServiceError) -> TransientError:
        return TransientError(
            error.message, status=error.status, body=error.body,
            hint="Jet may have applied it: read the order before sending it again",
        )  # fmt: skip

    @staticmethod
    def _bad_keys(error: ExternalServiceError) -> ExternalServiceError:
        return CredentialsError(
            error.message, status=error.status, body=error.body,
            hint="check the Jet API user and secret key",
        )  # fmt: skip

    def _delay(self, attempt: int, error: ExternalServiceError) -> float:
        base, cap, retry_cap = self._backoff
        after = getattr(error, "retry_after", None)
        if after is not None:
            return float(min(after, retry_cap))
        return float(min(cap, base * 2**attempt) * (0.5 + random.random() / 2))

    @staticmethod
    def _parse(model: type[M], resp: httpx2.Response, method: str, path: str) -> M:
        try:
            return model.model_validate_json(resp.content)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "body"
            raise unexpected(method, path, f"a body that does not fit {model.__name__}: "
                             f"{where}: {problem['msg']}") from None  # fmt: skip

    async def _get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        resp = await self._send("GET", path, params=params)
        try:
            return resp.json()
        except ValueError:
            raise unexpected("GET", path, "a body that is not JSON") from None

    async def _get(self, model: type[M], path: str) -> M:
        return self._parse(model, await self._send("GET", path), "GET", path)

    async def _urls(self, path: str, key: str, params: dict[str, Any] | None = None) -> list[str]:
        body = await self._get_json(path, params)
        urls = body.get(key) if isinstance(body, dict) else None
        if not isinstance(urls, list):
            raise unexpected("GET", path, f"no '{key}' list")
        return [str(u) for u in urls]

    @staticmethod
    def _dump(body: BaseModel) -> Any:
        return body.model_dump(mode="json", exclude_none=True)

    # ---- auth ---------------------------------------------------------------------------------

    async def authcheck(self) -> bool:
        """True when ``GET /authcheck`` accepts our token (it answers a fixed JSON string)."""
        body = await self._get_json("authcheck")
        if body != AUTHORIZED:
            raise unexpected("GET", "authcheck", f"{body!r} instead of {AUTHORIZED!r}")
        return True

    # ---- orders (§3.2) ------------------------------------------------------------------------

    async def order_urls(
        self, status: str, *, fulfillment_node: str | None = None, is_cancelled: bool | None = None
    ) -> list[str]:
        """``GET /orders/{status}``: at most 1000 ``/orders/withoutShipmentDetail/<id>`` URLs."""
        params: dict[str, Any] = {}
        if fulfillment_node is not None:
            params["fulfillment_node"] = fulfillment_node
        if is_cancelled is not None:
            params["isCancelled"] = "true" if is_cancelled else "false"
        return await self._urls(f"orders/{_seg(status)}", "order_urls", params or None)

    async def order_ids(
        self, status: str, *, fulfillment_node: str | None = None, is_cancelled: bool | None = None
    ) -> list[str]:
        """The ``merchant_order_id`` of each order in ``status``."""
        urls = await self.order_urls(
            status, fulfillment_node=fulfillment_node, is_cancelled=is_cancelled
        )
        return [_last_segment(u) for u in urls]

    async def directed_cancel_ids(self) -> list[str]:
        """``GET /orders/directedCancel``: open orders Jet asked us to cancel (deprecated by
        Jet in Feb 2017; ``order_ids(status, is_cancelled=True)`` is the newer way)."""
        return [_last_segment(u) for u in await self._urls("orders/directedCancel", "order_urls")]

    async def order(self, merchant_order_id: str) -> Order:
        return await self._get(Order, f"orders/withoutShipmentDetail/{_seg(merchant_order_id)}")

    async def acknowledge(self, merchant_order_id: str, ack: Acknowledgement) -> None:
        path = f"orders/{_seg(merchant_order_id)}/acknowledge"
        await self._send("PUT", path, json=self._dump(ack))

    async def ship(self, merchant_order_id: str, shipment: ShipmentMessage) -> None:
        """Send a shipped message (shipments and/or cancel quantities); messages accumulate.

        After a lost answer (read timeout, 500, 502, 504) this raises ``TransientError``
        instead of sending again: read the order's ``shipments`` to see whether it arrived.
        """
        path = f"orders/{_seg(merchant_order_id)}/shipped"
        # Not replayed after a lost answer: a second copy would double the units shipped.
        await self._send("PUT", path, json=self._dump(shipment), replayable=False)

    async def cancel(self, order: Order, alt_shipment_id: str) -> None:
        """Cancel every unit not yet shipped or cancelled, through the shipped message (§3.2)."""
        done: dict[str, int] = {}
        for shipment in order.shipments:
            for item in shipment.shipment_items:
                units = item.response_shipment_sku_quantity + item.response_shipment_cancel_qty
                done[item.merchant_sku] = done.get(item.merchant_sku, 0) + units
        items = []
        for line in order.order_items:
            used = min(done.get(line.merchant_sku, 0), line.request_order_quantity)
            done[line.merchant_sku] = done.get(line.merchant_sku, 0) - used
            left = line.request_order_quantity - used
            if left > 0:
                items.append(
                    ShipmentItem(merchant_sku=line.merchant_sku, response_shipment_cancel_qty=left)
                )
        if items:
            message = ShipmentMessage(
                alt_order_id=order.alt_order_id,
                shipments=[Shipment(alt_shipment_id=alt_shipment_id, shipment_items=items)],
            )
            await self.ship(order.merchant_order_id, message)

    async def tag(self, merchant_order_id: str, tag: str) -> None:
        await self._send("PUT", f"orders/{_seg(merchant_order_id)}/tag", json={"tag": tag})

    async def orders_by_tag(self, status: str, tag: str, *, include: bool = True) -> list[str]:
        """Order ids in ``status`` with (``include``) or without the tag."""
        flag = "true" if include else "false"
        path = f"orders/{_seg(status)}/{_seg(tag)}/{flag}"
        return [_last_segment(u) for u in await self._urls(path, "order_urls")]

    # ---- merchant SKUs (§3.4) -----------------------------------------------------------------

    async def put_sku(self, sku: str, product: Product) -> None:
        await self._send("PUT", f"merchant-skus/{_seg(sku)}", json=self._dump(product))

    async def get_sku(self, sku: str) -> Sku:
        return await self._get(Sku, f"merchant-skus/{_seg(sku)}")

    async def list_skus(self, offset: int = 0, limit: int = 100) -> list[str]:
        """One page of merchant SKUs (the SKU codes, in Jet's order)."""
        params = {"offset": offset, "limit": limit}
        return [_last_segment(u) for u in await self._urls("merchant-skus", "sku_urls", params)]

    async def iter_skus(self, page_size: int = 100) -> AsyncIterator[str]:
        """Every merchant SKU, page by page, until a short page."""
        offset = 0
        while True:
            page = await self.list_skus(offset, page_size)
            for sku in page:
                yield sku
            if len(page) < page_size:
                return
            offset += page_size

    async def put_price(self, sku: str, price: Price) -> None:
        await self._send("PUT", f"merchant-skus/{_seg(sku)}/price", json=self._dump(price))

    async def get_price(self, sku: str) -> PriceInfo:
        return await self._get(PriceInfo, f"merchant-skus/{_seg(sku)}/price")

    async def patch_inventory(self, sku: str, inventory: Inventory) -> None:
        """Update the nodes named; other nodes keep their quantity."""
        path = f"merchant-skus/{_seg(sku)}/inventory"
        await self._send("PATCH", path, json=self._dump(inventory))

    async def put_inventory(self, sku: str, inventory: Inventory) -> None:
        """Replace the node list (the older verb)."""
        path = f"merchant-skus/{_seg(sku)}/inventory"
        await self._send("PUT", path, json=self._dump(inventory))

    async def get_inventory(self, sku: str) -> InventoryInfo:
        return await self._get(InventoryInfo, f"merchant-skus/{_seg(sku)}/inventory")

    async def archive_sku(self, sku: str, archived: bool = True) -> None:
        path = f"merchant-skus/{_seg(sku)}/status/archive"
        await self._send("PUT", path, json={"is_archived": archived})

    async def fulfillment_nodes(self) -> list[FulfillmentNode]:
        body = await self._get_json("setup/fulfillmentNodes")
        nodes = body.get("fulfillment_nodes") if isinstance(body, dict) else body
        if not isinstance(nodes, list):
            raise unexpected("GET", "setup/fulfillmentNodes", "no fulfillment node list")
        return [FulfillmentNode.model_validate(n) for n in nodes]

    # ---- returns and refunds (§3.3) -----------------------------------------------------------

    async def returns(self, status: str) -> list[str]:
        """Return ids in ``status`` (created, inprogress, ``completed by merchant``)."""
        urls = await self._urls(f"returns/{_seg(status)}", "return_urls")
        return [_last_segment(u) for u in urls]

    async def return_detail(self, return_id: str) -> Return:
        return await self._get(Return, f"returns/state/{_seg(return_id)}")

    async def complete_return(self, return_id: str, body: ReturnCompletion) -> None:
        await self._send("PUT", f"returns/{_seg(return_id)}/complete", json=self._dump(body))

    async def create_refund(
        self, merchant_order_id: str, alt_refund_id: str, body: RefundRequest
    ) -> str:
        """Create a refund; answers ``refund_authorization_id``. Safe to retry: the same
        ``alt_refund_id`` and body answer the same id."""
        path = f"refunds/{_seg(merchant_order_id)}/{_seg(alt_refund_id)}"
        resp = await self._send("POST", path, json=self._dump(body))
        try:
            return str(resp.json()["refund_authorization_id"])
        except (ValueError, KeyError, TypeError):
            raise unexpected("POST", path, "no refund_authorization_id") from None

    async def refunds(self, status: str) -> list[str]:
        """Refund ids in ``status`` (created, processing, accepted, rejected)."""
        urls = await self._urls(f"refunds/{_seg(status)}", "refund_urls")
        return [_last_segment(u) for u in urls]

    async def refund_state(self, refund_authorization_id: str) -> Refund:
        return await self._get(Refund, f"refunds/state/{_seg(refund_authorization_id)}")
