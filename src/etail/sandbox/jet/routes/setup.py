"""Fulfillment nodes: ``/api/setup/fulfillmentNodes`` (AERO), ``/api/fulfillment-nodes`` (JPY)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from etail.sandbox.jet import merchants
from etail.sandbox.jet.deps import CallerDep, StoreDep
from etail.sandbox.jet.problems import not_found
from etail.sandbox.jet.schemas import JetErrors

router = APIRouter(prefix="/api", tags=["fulfillment nodes"], responses={401: {"model": JetErrors}})


@router.get("/setup/fulfillmentNodes", response_model=dict[str, list[dict[str, Any]]])
def setup_nodes(caller: CallerDep, store: StoreDep) -> dict[str, list[dict[str, object]]]:
    return {"fulfillment_nodes": merchants.nodes(store, caller.merchant_id)}


@router.get("/fulfillment-nodes", response_model=dict[str, list[str]])
def node_urls(caller: CallerDep, store: StoreDep) -> dict[str, list[str]]:
    ids = merchants.node_ids(store, caller.merchant_id)
    return {"fulfillment_nodes": [f"/fulfillment-nodes/{i}" for i in ids]}


@router.get("/fulfillment-nodes/{node_id}", response_model=dict[str, Any])
def node(node_id: str, caller: CallerDep, store: StoreDep) -> dict[str, object]:
    for item in merchants.nodes(store, caller.merchant_id):
        if item["jet_fulfillment_node_id"] == node_id:
            return item
    raise not_found("fulfillment node", node_id)
