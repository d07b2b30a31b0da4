"""Reading NetSuite for the flows that start there: changed records, sublists, Jet orders.

Delta exports ask NetSuite for records modified since the last completed run, less a safety lag
(Celigo's "Lag for next flow run", celigo-jet.md §2.3): our clock and NetSuite's may differ and
a record saved while the last run was reading must not be missed. Re-reading a record is safe
because every step that follows is idempotent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from etail.connectors.clients import Clients
from etail.connectors.mappings.common import Json
from etail.engine.records import Page, Record
from etail.errors import RecordNotFoundError

LAG = timedelta(minutes=5)
JET_CHANNEL_FIELD = "custbody_etail_channel"


def since_filter(since: datetime | None) -> str | None:
    """``q`` for records modified at or after ``since`` minus the lag (None: everything)."""
    if since is None:
        return None
    moment = (since.astimezone(UTC) - LAG).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f'lastModifiedDate ON_OR_AFTER "{moment}"'


async def changed_ids(
    clients: Clients, record_type: str, since: datetime | None, page_size: int = 1000
) -> AsyncIterator[str]:
    """Internal ids of ``record_type`` records changed since ``since``, streamed page by page."""
    q = since_filter(since)
    async for item in clients.netsuite().list(record_type, q=q, page_size=page_size):
        yield str(item["id"])


async def id_pages(
    ids: AsyncIterator[str], source: str, page_size: int = 50
) -> AsyncIterator[Page]:
    """Pages of records holding just ``{"id": ...}``; the first step reads the record."""
    chunk: list[Record] = []
    index = 0
    async for rid in ids:
        chunk.append(Record(key=rid, data={"id": rid}, source=source))
        if len(chunk) == page_size:
            yield Page.of(chunk, index)
            chunk, index = [], index + 1
    if chunk:
        yield Page.of(chunk, index)


def lines(record: Json, sublist: str = "item") -> list[Json]:
    value = record.get(sublist)
    items = value.get("items") if isinstance(value, dict) else None
    return [x for x in items or [] if isinstance(x, dict)]


def ref_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value["id"]) if value.get("id") is not None else None
    return None if value in (None, "") else str(value)


def is_jet_order(sales_order: Json, channel: str) -> bool:
    """A sales order this integration created (eTail Channel = Jet and a Jet order id)."""
    return sales_order.get(JET_CHANNEL_FIELD) == channel and bool(sales_order.get("externalId"))


async def sales_order_by_jet_id(clients: Clients, merchant_order_id: str) -> Json | None:
    """The sales order of a Jet order (external id), with its lines; None when there is none."""
    try:
        return await clients.netsuite().get("salesOrder", f"eid:{merchant_order_id}", expand=True)
    except RecordNotFoundError:
        return None
