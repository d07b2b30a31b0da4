"""Jet Order to NetSuite Order Add, end to end over real HTTP against both sandboxes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from etail.connectors.flowspecs import ORDERS
from etail.engine.jobs import JobStatus
from etail.sandbox.netsuite.options import SandboxOptions

from .helpers import Env, close_env, make_env, rebuild

INVALID_SKU = "nonfulfillable - invalid merchant SKU"


def seed(env: Env, orders: int, seed: int) -> list[str]:
    """Seed orders; the ids of the new ones that are ready."""
    before = set(env.jet_orders())
    env.world.jet_admin.seed(orders=orders, skus=12, seed=seed, merchant_id=env.world.merchant_id)
    after = env.jet_orders()
    return [oid for oid, o in after.items() if oid not in before and o["status"] == "ready"]


def split(env: Env, ids: list[str]) -> tuple[list[str], list[str]]:
    """(orders whose SKUs all exist in NetSuite, orders with an unknown SKU)."""
    known = set(env.catalog_skus())
    jet = env.jet_orders()
    good, bad = [], []
    for oid in ids:
        skus = {i["merchant_sku"] for i in jet[oid]["order_items"]}
        (good if skus <= known else bad).append(oid)
    return good, bad


def assert_exactly_once_and_acknowledged(env: Env, good: list[str]) -> None:
    sos = env.sales_orders()
    jet = env.jet_orders()
    for oid in good:
        assert len(sos.get(oid, [])) == 1, (
            f"order {oid} is in NetSuite {len(sos.get(oid, []))} times"
        )
        order = jet[oid]
        assert order["status"] != "ready", oid
        assert order["acknowledgement_status"] == "accepted"
        assert order["alt_order_id"] == sos[oid][0]["tranid"]


def test_every_ready_order_is_in_netsuite_once_and_acknowledged(env: Env) -> None:
    ready = seed(env, 40, seed=101)
    good, bad = split(env, ready)
    assert len(good) >= 30
    job = env.run(ORDERS)
    assert job.status is JobStatus.COMPLETED
    assert job.counters.success == len(good)
    assert_exactly_once_and_acknowledged(env, good)
    # The sales order carries the Jet lines, by item, with the Jet order id as external id.
    so = env.sales_order(good[0])
    jet_lines = env.jet_order(good[0])["order_items"]
    assert so["externalId"] == good[0] and so["tranId"].startswith("SO")
    assert len(so["item"]["items"]) == len(jet_lines)
    # Unknown SKUs: rejected in Jet with invalid-SKU lines, and open errors with the reason.
    errors = {e.key: e for e in env.open_errors(ORDERS)}
    jet = env.jet_orders()
    for oid in bad:
        assert jet[oid]["acknowledgement_status"] == "rejected - item level error"
        assert errors[oid].step == "items"
        assert "UNKNOWN-" in errors[oid].error.message and INVALID_SKU in errors[oid].error.message
        assert oid not in env.sales_orders()


def test_rerun_and_runs_killed_midway_create_no_duplicate_and_lose_no_order(env: Env) -> None:
    ready = seed(env, 160, seed=202)
    good, _ = split(env, ready)

    # 1. A cooperative cancel after 10 records (the Cancel button).
    def stop_after_10(p: object) -> None:
        if getattr(p, "done", 0) >= 10:
            env.services.engine.cancel(getattr(p, "job_id"))

    job = env.run(ORDERS, progress=stop_after_10)
    assert job.status is JobStatus.CANCELED
    assert any(o["status"] == "ready" for o in env.jet_orders().values())

    # 2. A hard kill: the process dies mid-request (its task is cancelled); a new process
    #    recovers the stale job and runs again.
    async def killed() -> None:
        job = env.services.engine.request_run(ORDERS, triggered_by="test")
        done = asyncio.Event()

        def progress(p: object) -> None:
            if getattr(p, "done", 0) >= 12:
                done.set()

        task = asyncio.create_task(env.services.engine.execute(job.id, progress=progress))
        await asyncio.wait_for(done.wait(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(killed())
    rebuild(env)
    env.services.engine.recover_stale(timedelta(0))

    # 3. Run again, and once more: everything lands once.
    assert env.run(ORDERS).status is JobStatus.COMPLETED
    again = env.run(ORDERS)
    assert again.status is JobStatus.COMPLETED and again.counters.success == 0
    assert_exactly_once_and_acknowledged(env, good)
    assert all(len(v) == 1 for v in env.sales_orders().values())


def test_on_demand_import_of_chosen_order_ids(env: Env) -> None:
    sku = env.catalog_skus()[0]
    oid = env.world.jet_admin.create_order(
        env.world.merchant_id, [{"merchant_sku": sku, "quantity": 2}]
    )
    job = env.run(ORDERS, keys=[oid])
    assert job.counters.exported == 1 and job.counters.success == 1
    assert_exactly_once_and_acknowledged(env, [oid])
    line = env.sales_order(oid)["item"]["items"][0]
    assert line["quantity"] == 2 and line["custcol_jet_merchant_sku"] == sku


def test_with_a_fifth_of_netsuite_calls_failing_every_order_lands_once(tmp_path: Path) -> None:
    faults = SandboxOptions(
        fault_rate=0.2, fault_kinds=("5xx", "429", "timeout"), seed=7, stall_ms=150
    )
    env = make_env(tmp_path / "home", orders=0, ns_options=faults)
    try:
        ready = seed(env, 40, seed=303)
        good, _ = split(env, ready)
        job = env.run(ORDERS)
        assert job.status is JobStatus.COMPLETED
        stats = env.services.clients.netsuite().stats if env.services.clients else None
        assert stats is not None and stats.retries > 0  # faults did happen and were retried
        assert [e.key for e in env.open_errors(ORDERS) if e.key in good] == []
        assert_exactly_once_and_acknowledged(env, good)
    finally:
        close_env(env)


def test_order_ids_saved_for_on_demand_sync_are_imported_and_unknown_ids_are_errors(
    env: Env,
) -> None:
    sku = env.catalog_skus()[1]
    oid = env.world.jet_admin.create_order(
        env.world.merchant_id, [{"merchant_sku": sku, "quantity": 1}]
    )
    env.services.engine.save_settings(ORDERS, {"on_demand_order_ids": [oid, "0000nosuchorder"]})
    try:
        job = env.run(ORDERS)
    finally:
        env.services.engine.save_settings(ORDERS, {"on_demand_order_ids": []})
    assert job.status is JobStatus.COMPLETED
    assert_exactly_once_and_acknowledged(env, [oid])
    errors = {e.key: e for e in env.open_errors(ORDERS)}
    assert "Jet has no order 0000nosuchorder" in errors["0000nosuchorder"].error.message
