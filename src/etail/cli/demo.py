"""``etail demo``: the whole guide and the Jet - NetSuite flows, on this machine, from nothing.

On the embedded default (``$ETAIL_HOME``, SQLite) it starts the integrator and both sandboxes on
loopback ports, seeds Jet (orders, some with unknown SKUs, a catalog) and NetSuite (matching
inventory items), walks the guide's NetSuite steps A-D through the sandbox's admin API (the
Token ID and Secret are printed once, as NetSuite shows them once), installs the bundle with the
integrator's iClient keys, switches the integration's NetSuite connection to Token and tests it
(integrator steps 5-10), runs the flows with progress bars, prints a summary and leaves the pages
running until Ctrl-C. Every step is idempotent, so it runs again on the same ``ETAIL_HOME``.

The helpers here (:class:`World` and friends) are also what ``tests/flows`` and
``bench/flows.py`` use to stand the same world up on free ports.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etail.bootstrap import Services, build_services
from etail.connectors import flowspecs
from etail.engine.jobs import Job
from etail.engine.ports import Progress as JobProgress
from etail.engine.records import ErrorState
from etail.errors import SettingsError
from etail.httpserver import BackgroundServer
from etail.integrator.connection_tests import TestResult
from etail.integrator.connections import ConnectionService, JetForm, NetSuiteForm, test_saved
from etail.integrator.database import IntegratorDb, open_db
from etail.integrator.install import BUNDLE_APPLICATION, InstalledApp, find_installed
from etail.integrator.install import bundle_credentials as iclient_keys
from etail.sandbox.jet.adminclient import JetAdminClient
from etail.sandbox.netsuite.adminclient import AdminClient
from etail.sandbox.netsuite.options import SandboxOptions
from etail.settings import Settings, get_settings
from etail.storage.audit import Actor
from etail.storage.connections import ConnectionRepository
from etail.storage.db import session_scope

ACCOUNT = os.environ.get("ETAIL_NS_ACCOUNT", "1234567")
BUNDLE_ROLE = "Celigo eTail SmartConnectors"
ROLE_NAME = "Jet SmartConnector Role"
USER_NAME, USER_EMAIL = "Jet Integration User", "jet.integration@example.com"
MERCHANT = "etail-demo-merchant"
# Jet fulfillment node -> NetSuite location (Main Warehouse, East Coast DC).
NODES = {"etail-node-main": "1", "etail-node-east": "2"}
# Step B: "Add other permissions as needed" - the demo creates its items with this token too.
EXTRA_PERMISSIONS = {"inventoryItem": "full", "itemFulfillment": "full", "customer": "full"}
ORDER_FLOW_ORDER = (
    flowspecs.ORDERS,
    flowspecs.JET_CANCELS,
    flowspecs.FULFILLMENTS,
    flowspecs.NETSUITE_CANCELS,
    flowspecs.INVENTORY,
    flowspecs.PRICES,
    flowspecs.RETURNS,
)

Say = Callable[[str], None]


@dataclass(frozen=True)
class NewToken:
    """Step D's answer: shown once."""

    token_id: str = field(repr=False)
    token_secret: str = field(repr=False)


class Server(Protocol):
    """A running sandbox: in this process (``BackgroundServer``) or another one."""

    @property
    def url(self) -> str: ...
    def stop(self) -> None: ...


@dataclass
class World:
    """The integrator database, both sandboxes and their admin clients."""

    settings: Settings
    db: IntegratorDb
    installed: InstalledApp
    netsuite: Server
    jet: Server
    ns_admin: AdminClient
    jet_admin: JetAdminClient
    account_id: str = ACCOUNT
    merchant_id: str = MERCHANT
    integrator: BackgroundServer | None = None

    def close(self) -> None:
        self.ns_admin.close()
        self.jet_admin.close()
        for server in (self.integrator, self.jet, self.netsuite):
            if server is not None:
                server.stop()
        self.db.dispose()


def open_world(
    settings: Settings,
    *,
    ns_options: SandboxOptions | None = None,
    jet_options: dict[str, Any] | None = None,
    fixed_ports: bool = False,
    account_id: str = ACCOUNT,
    servers: tuple[Server, Server] | None = None,
) -> World:
    """Start both sandboxes (data under ``$ETAIL_HOME``) and open the integrator database.

    ``servers`` (NetSuite, Jet) are sandboxes already running elsewhere on the data folders
    :func:`sandbox_dirs` names (the benchmark runs them in their own processes).
    """
    from etail.sandbox.jet.app import admin_key as jet_admin_key
    from etail.sandbox.netsuite.store import read_admin_key

    ns_dir, jet_dir = sandbox_dirs(settings)
    if servers is None:
        servers = _start_sandboxes(settings, ns_options, jet_options or {}, fixed_ports)
    ns, jet = servers
    db = open_db(settings)
    with session_scope(db.sessions) as session:
        installed = find_installed(session)
    assert installed is not None  # open_db installs the app
    return World(
        settings=settings,
        db=db,
        installed=installed,
        netsuite=ns,
        jet=jet,
        ns_admin=AdminClient(ns.url, read_admin_key(ns_dir)),
        jet_admin=JetAdminClient(jet.url, jet_admin_key(jet_dir)),
        account_id=account_id,
    )


def sandbox_dirs(settings: Settings) -> tuple[Path, Path]:
    """The data folders of the NetSuite and Jet sandboxes under ``$ETAIL_HOME`` (created)."""
    ns_dir, jet_dir = settings.home / "sandbox-netsuite", settings.home / "sandbox-jet"
    ns_dir.mkdir(parents=True, exist_ok=True)
    jet_dir.mkdir(parents=True, exist_ok=True)
    return ns_dir, jet_dir


def _start_sandboxes(
    settings: Settings,
    ns_options: SandboxOptions | None,
    jet_options: dict[str, Any],
    fixed_ports: bool,
) -> tuple[Server, Server]:
    from etail.sandbox.jet.app import create_app as jet_app
    from etail.sandbox.netsuite.app import create_app as netsuite_app

    ns_dir, jet_dir = sandbox_dirs(settings)
    ns_port = settings.netsuite_sandbox_port if fixed_ports else 0
    jet_port = settings.jet_sandbox_port if fixed_ports else 0
    ns = BackgroundServer(netsuite_app(ns_dir, ns_options), settings.host, ns_port).start()
    try:
        jet = BackgroundServer(jet_app(jet_dir, **jet_options), settings.host, jet_port).start()
    except BaseException:
        ns.stop()
        raise
    return ns, jet


# ---- NetSuite: steps A-D, then the connection ------------------------------------------------


def netsuite_steps(world: World, say: Say) -> NewToken:
    """The guide's steps A-D in the sandbox: TBA on, role cloned, user given it, token made."""
    admin, acct = world.ns_admin, world.account_id
    with session_scope(world.db.sessions) as session:
        keys = iclient_keys(session, world.db.box)
    if acct not in {a["account_id"] for a in admin.accounts()}:
        created = admin.create_account(acct, company_name="Demo Company")
        say(f"NetSuite sandbox: created account {acct}")
        if created.get("generated_password"):
            # Shown once, like NetSuite's own first login; the pages need it (Setup menu paths).
            say(
                "NetSuite sandbox pages sign-in (shown once): "
                f"{created['administrator']['email']} / {created['generated_password']}"
            )
    admin.install_bundle(acct, keys.consumer_key, keys.consumer_secret)
    say(f"Bundle installed: integration record '{BUNDLE_APPLICATION}' (iClient eTail NetSuite)")
    admin.set_feature(acct, "tba", True)
    say("A. Setup > Company > Enable Features > SuiteCloud: TOKEN-BASED AUTHENTICATION checked")
    role = next((r for r in admin.roles(acct) if r["name"] == ROLE_NAME), None)
    if role is None:
        role = admin.clone_role(acct, BUNDLE_ROLE, ROLE_NAME, EXTRA_PERMISSIONS)
    say(f"B. Manage Roles: '{BUNDLE_ROLE}' customized as '{ROLE_NAME}'")
    user = next((e for e in admin.employees(acct) if e["email"] == USER_EMAIL), None)
    if user is None:
        user = admin.create_employee(acct, USER_NAME, USER_EMAIL)
    if role["id"] not in {r.get("id") for r in user.get("roles", [])}:
        admin.add_role(acct, USER_EMAIL, role["id"])
    say(f"C. Manage Users: {USER_NAME} <{USER_EMAIL}> given role '{ROLE_NAME}'")
    new = admin.create_token(acct, BUNDLE_APPLICATION, USER_EMAIL, role["id"])
    say(f"D. Access Tokens > New: token '{new['token']['name']}' saved")
    return NewToken(new["token_id"], new["token_secret"])


def connection_repo(world: World, session: Any) -> ConnectionRepository:
    return ConnectionRepository(session, world.db.box)


def netsuite_connection_ok(world: World) -> TestResult:
    """Test the saved NetSuite connection (one signed call)."""
    with session_scope(world.db.sessions) as session:
        repo = connection_repo(world, session)
        conn = repo.get(world.installed.netsuite_connection_id)
        result: TestResult = asyncio.run(test_saved(repo, conn, {}))
        return result


def switch_to_token(world: World, token: NewToken) -> TestResult:
    """Integrator steps 5-10: Authentication Type Token, Environment, Account ID, Token ID and
    Secret, iClient eTail NetSuite, Test, Save."""
    with session_scope(world.db.sessions) as session:
        service = ConnectionService(session, world.db.box)
        conn = service.repo.get(world.installed.netsuite_connection_id)
        form = NetSuiteForm(
            auth_type="token",
            environment="local",
            base_url=world.netsuite.url,
            account_id=world.account_id,
            token_id=token.token_id,
            token_secret=token.token_secret,
            iclient_id=world.installed.iclient_id,
            concurrency=5,
        )
        outcome = asyncio.run(service.save(conn, form, Actor.system()))
    if not outcome.saved:
        raise SettingsError(
            f"the NetSuite connection test failed: {outcome.test.message} "
            f"{outcome.test.answer or ''} {outcome.test.detail or ''}".strip(),
            field="netsuite connection",
            hint=outcome.test.fix,
        )
    return outcome.test


def point_netsuite_here(world: World) -> None:
    """After a restart the sandbox may listen on another port: keep the saved URL current."""
    with session_scope(world.db.sessions) as session:
        conn = connection_repo(world, session).get(world.installed.netsuite_connection_id)
        if conn.config.get("base_url") != world.netsuite.url:
            conn.config = {**conn.config, "environment": "local", "base_url": world.netsuite.url}


def connect_netsuite(world: World, say: Say) -> NewToken | None:
    """Reuse a working token connection, else do steps A-D and switch to Token."""
    point_netsuite_here(world)
    with session_scope(world.db.sessions) as session:
        saved = connection_repo(world, session).netsuite_config(
            world.installed.netsuite_connection_id
        )
    if saved.auth_type == "token" and saved.account_id == world.account_id:
        result = netsuite_connection_ok(world)
        if result.ok:
            say("NetSuite connection: Token, tested: " + result.message)
            return None
    token = netsuite_steps(world, say)
    result = switch_to_token(world, token)
    say(f"NetSuite connection switched to Token; Test: {result.message}; saved")
    return token


# ---- Jet: merchant, connection, seed ---------------------------------------------------------


def connect_jet(world: World, say: Say) -> None:
    """A Jet merchant with our API user, and the Jet connection pointing at it."""
    with session_scope(world.db.sessions) as session:
        saved = connection_repo(world, session).jet_config(world.installed.jet_connection_id)
    known = {m["merchant_id"] for m in world.jet_admin.merchants()}
    if saved.merchant_id in known and saved.secret:
        world.merchant_id = saved.merchant_id
        if saved.base_url != world.jet.url + "/api":  # the sandbox moved to another port
            _save_jet(
                world, saved.api_user, saved.secret, saved.merchant_id, saved.fulfillment_node
            )
        return
    suffix = "" if MERCHANT not in known else f"-{secrets.token_hex(3)}"
    merchant_id = MERCHANT + suffix  # a merchant whose secret we lost is left alone
    api_user, secret = f"demo-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    nodes = [n + suffix for n in NODES]
    world.jet_admin.create_merchant(
        "etail demo merchant",
        merchant_id=merchant_id,
        fulfillment_nodes=[{"fulfillment_node_id": n, "name": n} for n in nodes],
        api_user=api_user,
        secret=secret,
    )
    world.merchant_id = merchant_id
    _save_jet(world, api_user, secret, merchant_id, nodes[0])
    say(f"Jet connection: merchant {merchant_id}, tested and saved")


def _save_jet(world: World, api_user: str, secret: str, merchant_id: str, node: str) -> None:
    form = JetForm(
        base_url=world.jet.url + "/api",
        api_user=api_user,
        secret=secret,
        merchant_id=merchant_id,
        fulfillment_node=node,
    )
    with session_scope(world.db.sessions) as session:
        service = ConnectionService(session, world.db.box)
        conn = service.repo.get(world.installed.jet_connection_id)
        outcome = asyncio.run(service.save(conn, form, Actor.system()))
    if not outcome.saved:
        raise SettingsError(f"the Jet connection test failed: {outcome.test.message}", field="jet")


def current_merchant(world: World) -> str:
    with session_scope(world.db.sessions) as session:
        return (
            connection_repo(world, session)
            .jet_config(world.installed.jet_connection_id)
            .merchant_id
        )


def seed_jet(world: World, orders: int, skus: int, seed: int) -> dict[str, Any]:
    """Seed orders (and, the first time, the catalog) for the connection's merchant."""
    world.merchant_id = current_merchant(world) or world.merchant_id
    return world.jet_admin.seed(orders=orders, skus=skus, seed=seed, merchant_id=world.merchant_id)


def integration_settings(world: World, values: dict[str, Any]) -> None:
    """Merge ``values`` (section -> fields) into the integration's stored Settings."""
    from etail.integrator import app_settings
    from etail.storage.models import Integration

    with session_scope(world.db.sessions) as session:
        integ = session.get(Integration, world.installed.integration_id)
        assert integ is not None
        current = app_settings.load(integ.settings)
        for section, fields in values.items():
            merged = {**current.model_dump()[section], **fields}
            current = app_settings.update_section(current, section, merged)
        integ.settings = current.model_dump()


def demo_settings(world: World) -> None:
    integration_settings(
        world,
        {
            "general": {"subsidiary_id": "1", "location_id": "1"},
            "inventory": {"location_node_map": {v: k for k, v in NODES.items()}},
            "fulfillment": {"carrier_map": {"UPS Ground": "UPS", "FedEx Ground": "FedEx"}},
        },
    )


# ---- NetSuite items matching the Jet catalog --------------------------------------------------


def item_body(item: dict[str, Any]) -> dict[str, Any]:
    quantities = item.get("quantities") or {}
    return {
        "itemId": item["merchant_sku"],
        "displayName": str(item.get("product_title") or item["merchant_sku"])[:200],
        "basePrice": float(item.get("price") or 0),
        "locations": {
            "items": [
                {"location": {"id": loc}, "quantityOnHand": int(quantities.get(node, 0))}
                for node, loc in NODES.items()
            ]
        },
    }


async def _create_items(services: Services, catalog: list[dict[str, Any]]) -> int:
    assert services.clients is not None
    ns = services.clients.netsuite()
    gate = asyncio.Semaphore(5)

    async def one(item: dict[str, Any]) -> None:
        async with gate:
            await ns.upsert("inventoryItem", item["merchant_sku"], item_body(item))

    await asyncio.gather(*(one(i) for i in catalog))
    return len(catalog)


def create_items(services: Services, catalog: list[dict[str, Any]]) -> int:
    """Upsert a NetSuite inventory item per Jet catalog SKU (itemId = SKU)."""
    assert services.io is not None
    return services.io.run(_create_items(services, catalog))


# ---- running flows ---------------------------------------------------------------------------


def run_flow(
    services: Services,
    flow_id: str,
    *,
    keys: Iterable[str] = (),
    progress: Callable[[JobProgress], None] | None = None,
) -> Job:
    """Queue a run of ``flow_id`` and execute it here; the finished job."""
    job = services.engine.request_run(flow_id, triggered_by="demo", keys=tuple(keys))
    return asyncio.run(services.engine.execute(job.id, progress=progress))


def run_all(
    services: Services, console: Console, flow_ids: Iterable[str] = ORDER_FLOW_ORDER
) -> list[Job]:
    """Run flows one after another with a Rich progress bar each."""
    jobs = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("[green]{task.fields[ok]} ok[/] [red]{task.fields[err]} errors[/]"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console) as bars:
        for flow_id in flow_ids:
            name = services.flows.get(flow_id).name
            task = bars.add_task(name, total=None, ok=0, err=0)

            def update(p: JobProgress, task: Any = task) -> None:
                bars.update(task, completed=p.done, total=max(p.exported, p.done) or None,
                            ok=p.success, err=p.errors)  # fmt: skip

            jobs.append(run_flow(services, flow_id, progress=update))
            bars.update(task, total=max(jobs[-1].counters.exported, 1),
                        completed=max(jobs[-1].counters.exported, 1))  # fmt: skip
    return jobs


def fulfil_some(services: Services, share: float = 0.3, limit: int = 50) -> int:
    """Play the warehouse: ship a share of the imported Jet orders in NetSuite, with tracking."""
    assert services.io is not None and services.clients is not None
    return services.io.run(_fulfil_some(services, share, limit))


async def _fulfil_some(services: Services, share: float, limit: int) -> int:
    assert services.clients is not None
    ns = services.clients.netsuite()
    rows = [
        r
        async for r in ns.suiteql(
            "SELECT id, tranid FROM transaction WHERE type = 'SalesOrd' AND status = 'B' "
            "ORDER BY id"
        )
    ]
    picked = rows[:: max(int(1 / share), 1)][:limit]
    for n, row in enumerate(picked):
        await ns.transform(
            "salesOrder", row["id"], "itemFulfillment",
            {"shipMethod": {"refName": "UPS Ground"}, "shipStatus": {"id": "C"},
             "package": {"items": [{"packageTrackingNumber": f"1ZDEMO{int(row['id']):08d}{n}"}]}},
        )  # fmt: skip
    return len(picked)


def open_returns(world: World, limit: int = 2) -> int:
    """Play the customer: open a return on a few orders Jet saw shipped by this run."""
    shipped = world.jet_admin.orders(merchant_id=world.merchant_id, status="complete", limit=50)
    opened = 0
    for order in shipped["orders"]:
        alt = str(order.get("alt_order_id") or "")
        if opened >= limit or not alt.startswith("SO") or not order.get("shipments"):
            continue
        if any(s.get("alt_shipment_id", "").startswith("ns-if-") for s in order["shipments"]):
            world.jet_admin.open_return(order["merchant_order_id"])
            opened += 1
    return opened


# ---- summary ---------------------------------------------------------------------------------


def open_errors(services: Services, flow_id: str | None = None) -> list[Any]:
    return services.engine.stores.errors.find(flow_id=flow_id, state=ErrorState.OPEN, limit=1000)


def print_summary(console: Console, world: World, services: Services, jobs: list[Job]) -> None:
    table = Table(title="Flows run")
    for col in ("Flow", "Status", "Exported", "Success", "Ignored", "Errors", "Seconds"):
        table.add_column(col)
    for job in jobs:
        c = job.counters
        seconds = job.duration.total_seconds() if job.duration else 0.0
        table.add_row(services.flows.get(job.flow_id).name, job.status.value, str(c.exported),
                      str(c.success), str(c.ignored), str(c.errors), f"{seconds:.1f}")  # fmt: skip
    console.print(table)
    orders_job = next((j for j in jobs if j.flow_id == flowspecs.ORDERS), None)
    if orders_job is not None:
        c = orders_job.counters
        console.print(f"[bold]Orders imported into NetSuite and acknowledged in Jet: {c.success}[/]"
                      f" of {c.exported} ready; not imported: {c.errors} (see errors)")  # fmt: skip
    counts = world.jet_admin.orders(merchant_id=world.merchant_id, limit=1).get("counts", {})
    console.print(f"Jet orders by status: {counts}")
    errors = open_errors(services)
    console.print(f"[bold]Open errors: {len(errors)}[/] (retry or resolve them on the pages or "
                  "with `etail errors`)")  # fmt: skip
    shown = Table(show_header=True, header_style="bold red")
    for col in ("Flow", "Record", "Step", "Reason"):
        shown.add_column(col, overflow="fold")
    for entry in errors[:20]:
        flow = services.flows.get(entry.flow_id).name if entry.flow_id in services.flows else ""
        shown.add_row(flow, entry.key, entry.step, entry.error.message)
    if errors:
        console.print(shown)


# ---- the command -----------------------------------------------------------------------------


def command(
    no_serve: bool = typer.Option(False, "--no-serve", help="Exit after the summary."),
    orders: int = typer.Option(200, "--orders", min=1, max=100_000, help="Jet orders to seed."),
    skus: int = typer.Option(40, "--skus", min=1, max=10_000, help="Catalog size."),
) -> None:
    """Run the guide and the Jet - NetSuite flows end to end on this machine."""
    console = Console()
    settings = get_settings()
    world = open_world(settings, fixed_ports=True)
    services: Services | None = None
    try:
        services = setup(world, console, orders=orders, skus=skus)
        jobs = run_all(services, console, (flowspecs.ORDERS, flowspecs.JET_CANCELS))
        shipped = fulfil_some(services)
        console.print(f"Warehouse: {shipped} sales orders fulfilled in NetSuite with tracking")
        jobs += run_all(services, console, (flowspecs.FULFILLMENTS,))
        returned = open_returns(world)
        console.print(f"Jet: {returned} customers opened a return on a shipped order")
        jobs += run_all(services, console, ORDER_FLOW_ORDER[3:])
        print_summary(console, world, services, jobs)
        if not no_serve:
            serve(world, console)
    finally:
        if services is not None:
            services.close()
        world.close()


def setup(world: World, console: Console, *, orders: int, skus: int) -> Services:
    say = console.print
    console.print(f"NetSuite sandbox: {world.netsuite.url}   Jet sandbox: {world.jet.url}")
    token = connect_netsuite(world, say)
    if token is not None:
        console.print("[bold yellow]Token ID and Token Secret (shown once - save them now):[/]")
        console.print(f"  Token ID:     {token.token_id}")
        console.print(f"  Token Secret: {token.token_secret}")
    connect_jet(world, say)
    demo_settings(world)
    report = seed_jet(world, orders, skus, seed=int(time.time()))
    console.print(
        f"Jet: seeded {report['orders']} orders ({report['unknown_sku_lines']} lines with "
        f"unknown SKUs, {report['directed_cancels']} cancel requests)"
    )
    services = build_services(world.settings)
    catalog = world.jet_admin.catalog(world.merchant_id)
    console.print(f"NetSuite: {create_items(services, catalog)} inventory items match the catalog")
    return services


def serve(world: World, console: Console) -> None:
    from etail.integrator.app import create_app

    settings = world.settings
    world.integrator = BackgroundServer(create_app(settings), settings.host, settings.port).start()
    console.print(f"[bold]Integrator:[/] {world.integrator.url}  (first visit creates the owner)")
    console.print(f"NetSuite sandbox pages: {world.netsuite.url}/app/login")
    console.print(f"Jet sandbox orders page: {world.jet.url}/")
    console.print("Press Ctrl-C to stop.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        console.print("stopping")


__all__ = ["NewToken", "World", "command", "open_world", "run_flow", "setup"]
