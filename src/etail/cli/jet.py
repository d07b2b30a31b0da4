"""``etail jet``: seed the Jet sandbox, create merchants, list orders and the catalog.

Each command works on a data folder directly (``--data``, default ``$ETAIL_HOME/sandbox-jet``)
or on a running sandbox (``--url``) through its admin API; the admin key then comes from
``--admin-key``/``ETAIL_JET_ADMIN_KEY`` or the key file of the data folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etail.cli.sandbox_jet import DataOpt, default_data_dir
from etail.errors import SettingsError
from etail.sandbox.jet.adminclient import JetAdminClient
from etail.sandbox.jet.seed import DEFAULT_MERCHANT_ID

app = typer.Typer(no_args_is_help=True)
merchant_app = typer.Typer(no_args_is_help=True, help="Jet merchants: API keys, nodes.")
app.add_typer(merchant_app, name="merchant")
console = Console()

UrlOpt = Annotated[
    str | None, typer.Option("--url", help="A running sandbox, e.g. http://127.0.0.1:8102.")
]
KeyOpt = Annotated[
    str | None,
    typer.Option("--admin-key", envvar="ETAIL_JET_ADMIN_KEY", help="Admin key for --url."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
MerchantOpt = Annotated[str, typer.Option("--merchant-id", help="Merchant ID.")]


@contextmanager
def _admin(url: str, data: Path | None, key: str | None) -> Iterator[JetAdminClient]:
    if key is None:
        key_file = (data or default_data_dir()) / "jet-admin.key"
        if not key_file.exists():
            raise SettingsError(
                f"no admin key: {key_file} does not exist",
                field="--admin-key",
                hint="pass --admin-key, set ETAIL_JET_ADMIN_KEY, or --data of the running sandbox",
            )
        key = key_file.read_text().strip()
    with JetAdminClient(url, key) as admin:
        yield admin


def _store(data: Path | None) -> Any:
    from etail.sandbox.jet.store import JetStore

    return JetStore(data or default_data_dir())


def _check_target(data: Path | None, url: str | None) -> None:
    if data is not None and url is not None:
        raise SettingsError("give --data or --url, not both", field="--url")


@app.command("seed")
def seed_command(
    orders: Annotated[int, typer.Option("--orders", min=0, help="How many orders.")] = 100,
    skus: Annotated[int, typer.Option("--skus", min=0, help="How many catalog SKUs.")] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same data.")] = 1,
    merchant_id: MerchantOpt = DEFAULT_MERCHANT_ID,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a catalog and realistic orders (the same for the same seed)."""
    _check_target(data, url)
    columns = (TextColumn("seeding orders"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=as_json) as bar:
        task = bar.add_task("seed", total=orders)
        if url:
            with _admin(url, data, admin_key) as admin:
                summary = admin.seed(orders=orders, skus=skus, seed=seed, merchant_id=merchant_id)
            new = summary.pop("new_merchant", None)
        else:
            from etail.sandbox.jet.seed import seed as run_seed

            report = run_seed(
                _store(data), orders=orders, skus=skus, seed=seed, merchant_id=merchant_id,
                progress=lambda done: bar.update(task, completed=done),
            )  # fmt: skip
            summary = report.summary()
            new = _merchant_json(report.new_merchant) if report.new_merchant else None
        bar.update(task, completed=orders)
    if as_json:
        typer.echo(json.dumps(summary | {"new_merchant": new}, indent=2))
        return
    rate = summary["orders"] / summary["seconds"] if summary["seconds"] else 0.0
    console.print(
        f"{summary['orders']} orders ({summary['lines']} lines, {summary['unknown_sku_lines']} "
        f"for unknown SKUs, {summary['directed_cancels']} cancel requests, {summary['returns']} "
        f"returns) and {summary['skus']} SKUs for {summary['merchant_id']} "
        f"in {summary['seconds']:.2f} s ({rate:,.0f} orders/s); digest {summary['digest'][:12]}"
    )
    if new:
        _print_keys(new)


def _merchant_json(made: Any) -> dict[str, Any]:
    return {
        "merchant_id": made.merchant_id,
        "name": made.name,
        "fulfillment_nodes": [
            {"fulfillment_node_id": n.node_id, "name": n.name, "zip_code": n.zip_code}
            for n in made.fulfillment_nodes
        ],
        "test_key": {"api_user": made.test_key.api_user, "secret": made.test_key.secret},
        "live_key": {"api_user": made.live_key.api_user, "secret": made.live_key.secret},
    }


def _print_keys(merchant: dict[str, Any]) -> None:
    console.print(f"[bold]New merchant {merchant['merchant_id']}[/] — keys are shown only now:")
    for kind in ("test_key", "live_key"):
        key = merchant[kind]
        console.print(f"  {kind}: API user {key['api_user']}  secret {key['secret']}")
    nodes = ", ".join(n["fulfillment_node_id"] for n in merchant["fulfillment_nodes"])
    console.print(f"  fulfillment nodes: {nodes}")


@merchant_app.command("create")
def merchant_create(
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    merchant_id: Annotated[str | None, typer.Option("--merchant-id", help="[generated]")] = None,
    node: Annotated[
        list[str] | None,
        typer.Option("--node", help="Fulfillment node ID[:name]; repeat for several [one made]."),
    ] = None,
    api_user: Annotated[
        str | None, typer.Option("--api-user", help="Test API user [generated].")
    ] = None,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a merchant with test and live API keys (secrets shown once)."""
    _check_target(data, url)
    nodes = [
        dict(zip(("fulfillment_node_id", "name"), n.split(":", 1), strict=False))
        for n in node or []
    ]
    if url:
        with _admin(url, data, admin_key) as admin:
            made = admin.create_merchant(
                name, merchant_id=merchant_id, fulfillment_nodes=nodes, api_user=api_user
            )
    else:
        from etail.sandbox.jet.merchants import NodeSpec, create_merchant
        from etail.sandbox.jet.problems import JetProblem

        specs = [
            NodeSpec(n["fulfillment_node_id"], n.get("name", "Fulfillment node")) for n in nodes
        ]
        try:
            created = create_merchant(
                _store(data), name=name, merchant_id=merchant_id, fulfillment_nodes=specs,
                api_user=api_user,
            )  # fmt: skip
        except JetProblem as exc:
            raise SettingsError(str(exc)) from exc
        made = _merchant_json(created)
    if as_json:
        typer.echo(json.dumps(made, indent=2))
    else:
        _print_keys(made)


@merchant_app.command("list")
def merchant_list(
    data: DataOpt = None, url: UrlOpt = None, admin_key: KeyOpt = None, as_json: JsonOpt = False
) -> None:
    """Merchants with their nodes and API users (secrets masked)."""
    _check_target(data, url)
    if url:
        with _admin(url, data, admin_key) as admin:
            found = admin.merchants()
    else:
        from etail.sandbox.jet.merchants import list_merchants

        found = list_merchants(_store(data))
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    table = Table("Merchant ID", "Name", "Fulfillment nodes", "API users")
    for m in found:
        table.add_row(
            m["merchant_id"], m["name"],
            "\n".join(n["fulfillment_node_id"] for n in m["fulfillment_nodes"]),
            "\n".join(f"{k['api_user']} ({k['kind']})" for k in m["keys"]),
        )  # fmt: skip
    console.print(table)


@app.command("orders")
def orders_command(
    status: Annotated[
        str | None,
        typer.Option("--status", help="created, ready, acknowledged, inprogress, complete."),
    ] = None,
    merchant_id: Annotated[str | None, typer.Option("--merchant-id", help="[all]")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Orders, newest first, with counts per status."""
    _check_target(data, url)
    if url:
        with _admin(url, data, admin_key) as admin:
            answer = admin.orders(merchant_id=merchant_id, status=status, limit=limit)
        found, counts = answer["orders"], answer["counts"]
    else:
        from etail.sandbox.jet import orders
        from etail.sandbox.jet.problems import JetProblem

        store = _store(data)
        try:
            found = orders.summaries(store, merchant_id, status, limit=limit)
        except JetProblem as exc:
            raise SettingsError(str(exc), field="--status") from exc
        counts = orders.counts(store, merchant_id)
    if as_json:
        typer.echo(json.dumps({"orders": found, "counts": counts}, indent=2))
        return
    table = Table("Reference", "merchant_order_id", "Status", "Placed", "Buyer", "Lines", "Total",
                  "Ack", title=" · ".join(f"{k} {v}" for k, v in counts.items()))  # fmt: skip
    for o in found:
        price = o["order_totals"]["item_price"]
        total = sum(
            price[k] for k in ("base_price", "item_tax", "item_shipping_cost", "item_shipping_tax")
        )
        table.add_row(
            o["reference_order_id"], o["merchant_order_id"],
            o["status"] + (f" ({o['exception_state']})" if o["exception_state"] else ""),
            (o["order_placed_date"] or "")[:16], o["buyer"]["name"], str(len(o["order_items"])),
            f"{total:.2f}", o["acknowledgement_status"] or "-",
        )  # fmt: skip
    console.print(table)


@app.command("catalog")
def catalog_command(
    merchant_id: MerchantOpt = DEFAULT_MERCHANT_ID,
    data: DataOpt = None,
    url: UrlOpt = None,
    admin_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The merchant's SKUs with title, price and quantity per node."""
    _check_target(data, url)
    if url:
        with _admin(url, data, admin_key) as admin:
            items = admin.catalog(merchant_id)
    else:
        from etail.sandbox.jet.catalog import catalog

        items = catalog(_store(data), merchant_id)
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    table = Table("SKU", "Title", "Price", "Quantity per node")
    for i in items:
        qty = ", ".join(f"{n[:8]}…={q}" for n, q in i["quantities"].items())
        table.add_row(i["merchant_sku"], i["product_title"] or "", f"{i['price'] or 0:.2f}", qty)
    console.print(table)
