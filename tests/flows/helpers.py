"""Helpers of the flow tests: a whole world with both sandboxes over real HTTP, the integrator
database with the app installed, steps A-D done, connections on Token, a Jet merchant with a
catalog and the matching NetSuite items. Built with the same helpers as ``etail demo``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from etail.bootstrap import Services, build_services
from etail.cli import demo
from etail.sandbox.netsuite.options import SandboxOptions
from etail.settings import Settings

QUIET = Console(quiet=True)


@dataclass
class Env:
    world: demo.World
    services: Services

    # -- NetSuite --------------------------------------------------------------------------
    def ns(self, coro_fn: Any, *args: Any, **kw: Any) -> Any:
        """Run ``coro_fn(netsuite_client, ...)`` on the services' I/O loop."""
        assert self.services.io is not None and self.services.clients is not None
        client = self.services.clients

        async def call() -> Any:
            return await coro_fn(client.netsuite(), *args, **kw)

        return self.services.io.run(call(), timeout=60)

    def sales_orders(self) -> dict[str, list[dict[str, Any]]]:
        """externalId -> every NetSuite sales order carrying it (to count duplicates)."""

        async def rows(ns: Any) -> list[dict[str, Any]]:
            q = "SELECT id, tranid, externalid FROM transaction WHERE type = 'SalesOrd'"
            return [r async for r in ns.suiteql(q)]

        out: dict[str, list[dict[str, Any]]] = {}
        for row in self.ns(rows):
            out.setdefault(row["externalid"], []).append(row)
        return out

    def sales_order(self, merchant_order_id: str) -> dict[str, Any]:
        async def get(ns: Any) -> dict[str, Any]:
            return await ns.get("salesOrder", f"eid:{merchant_order_id}", expand=True)

        return self.ns(get)

    # -- Jet -------------------------------------------------------------------------------
    def jet_orders(self) -> dict[str, dict[str, Any]]:
        got = self.world.jet_admin.orders(merchant_id=self.world.merchant_id, limit=5000)
        return {o["merchant_order_id"]: o for o in got["orders"]}

    def jet_order(self, merchant_order_id: str) -> dict[str, Any]:
        return self.jet_orders()[merchant_order_id]

    def run(self, flow_id: str, **kw: Any) -> Any:
        return demo.run_flow(self.services, flow_id, **kw)

    def open_errors(self, flow_id: str) -> list[Any]:
        return demo.open_errors(self.services, flow_id)

    def catalog_skus(self) -> list[str]:
        return [c["merchant_sku"] for c in self.world.jet_admin.catalog(self.world.merchant_id)]


def make_env(
    home: Path, *, ns_options: SandboxOptions | None = None, orders: int, skus: int = 12
) -> Env:
    settings = Settings(home=home)
    world = demo.open_world(settings, ns_options=ns_options)
    try:
        services = demo.setup(world, QUIET, orders=orders, skus=skus)
    except BaseException:
        world.close()
        raise
    return Env(world, services)


def close_env(env: Env) -> None:
    env.services.close()
    env.world.close()


def rebuild(env: Env) -> None:
    """A fresh process's services over the same database (as a restarted worker would)."""
    env.services.close()
    env.services = build_services(env.world.settings)


def no_loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False
