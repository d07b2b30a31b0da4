"""What the flows ask of Jet, as JSON in and JSON out.

:class:`JetApi` is the narrow surface the flow steps use; :class:`JetClientApi` implements it
over ``etail.jet.JetClient`` (typed models on the wire side, plain JSON here so the mappings
stay pure functions of dictionaries).
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from etail.jet import (
    Acknowledgement,
    Inventory,
    JetClient,
    Price,
    ReturnCompletion,
    ShipmentMessage,
)

Json = dict[str, Any]


class JetApi(Protocol):
    """The Jet merchant API calls the Jet - NetSuite flows make (celigo-jet.md §3)."""

    fulfillment_node: str | None

    async def order_ids(self, status: str, *, is_cancelled: bool | None = None) -> list[str]: ...
    async def order(self, merchant_order_id: str) -> Json: ...
    async def acknowledge(self, merchant_order_id: str, body: Json) -> None: ...
    async def ship(self, merchant_order_id: str, body: Json) -> None: ...
    async def patch_inventory(self, sku: str, body: Json) -> None: ...
    async def put_price(self, sku: str, body: Json) -> None: ...
    async def return_ids(self, status: str) -> list[str]: ...
    async def return_detail(self, return_id: str) -> Json: ...
    async def complete_return(self, return_id: str, body: Json) -> None: ...
    async def aclose(self) -> None: ...


def as_json(value: Any) -> Any:
    """A pydantic model (or a list of them) as plain JSON; other values unchanged."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


class JetClientApi:
    """:class:`JetApi` over ``etail.jet.JetClient``."""

    def __init__(self, client: JetClient, fulfillment_node: str | None = None) -> None:
        self.client = client
        self.fulfillment_node = fulfillment_node

    async def order_ids(self, status: str, *, is_cancelled: bool | None = None) -> list[str]:
        ids = await self.client.order_ids(status, is_cancelled=is_cancelled)
        return [str(x) for x in ids]

    async def order(self, merchant_order_id: str) -> Json:
        return dict(as_json(await self.client.order(merchant_order_id)))

    async def acknowledge(self, merchant_order_id: str, body: Json) -> None:
        await self.client.acknowledge(merchant_order_id, Acknowledgement.model_validate(body))

    async def ship(self, merchant_order_id: str, body: Json) -> None:
        await self.client.ship(merchant_order_id, ShipmentMessage.model_validate(body))

    async def patch_inventory(self, sku: str, body: Json) -> None:
        await self.client.patch_inventory(sku, Inventory.model_validate(body))

    async def put_price(self, sku: str, body: Json) -> None:
        await self.client.put_price(sku, Price.model_validate(body))

    async def return_ids(self, status: str) -> list[str]:
        urls = await self.client.returns(status)
        return [str(u).rstrip("/").rsplit("/", 1)[-1] for u in as_json(urls)]

    async def return_detail(self, return_id: str) -> Json:
        return dict(as_json(await self.client.return_detail(return_id)))

    async def complete_return(self, return_id: str, body: Json) -> None:
        await self.client.complete_return(return_id, ReturnCompletion.model_validate(body))

    async def aclose(self) -> None:
        await self.client.aclose()
