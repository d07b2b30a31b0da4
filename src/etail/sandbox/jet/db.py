"""The Jet sandbox's SQLite database: tables, engine with the project's pragmas, migrations.

Orders keep the fields that queries filter on (status, node, tag, dates) in columns and the rest
of Jet's order object in a JSON document, so the seed can bulk-insert 100,000 orders in seconds
and order detail is one primary-key read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)

metadata = MetaData()

merchants = Table(
    "merchants",
    metadata,
    Column("merchant_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
)

fulfillment_nodes = Table(
    "fulfillment_nodes",
    metadata,
    Column("node_id", String(64), primary_key=True),
    Column("merchant_id", ForeignKey("merchants.merchant_id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("zip_code", String(16), nullable=False, default=""),
)

credentials = Table(
    "credentials",
    metadata,
    Column("api_user", String(128), primary_key=True),
    Column("merchant_id", ForeignKey("merchants.merchant_id"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # "test" or "live" (Jet Runway keys vs live keys)
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("api_user", ForeignKey("credentials.api_user"), nullable=False),
    Column("merchant_id", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("merchant_order_id", String(64), primary_key=True),
    Column("merchant_id", ForeignKey("merchants.merchant_id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("exception_state", String(64)),
    Column("fulfillment_node", String(64), nullable=False),
    Column("placed_at", Float, nullable=False),
    Column("ready_at", Float, nullable=False),
    Column("acknowledged_at", Float),
    Column("acknowledgement_status", String(64)),
    Column("alt_order_id", String(128)),
    Column("directed_cancel", Boolean, nullable=False, default=False),
    Column("has_shipments", Boolean, nullable=False, default=False),
    Column("tag", String(128)),
    Column("doc", Text, nullable=False),
    Column("shipments", Text, nullable=False, default="[]"),
    Index("ix_orders_merchant_status", "merchant_id", "status", "placed_at"),
)

skus = Table(
    "skus",
    metadata,
    Column("merchant_id", ForeignKey("merchants.merchant_id"), primary_key=True),
    Column("merchant_sku", String(128), primary_key=True),
    Column("merchant_sku_id", String(64), nullable=False),
    Column("doc", Text, nullable=False),
    Column("price", Float),
    Column("node_prices", Text, nullable=False, default="[]"),
    Column("inventory", Text, nullable=False, default="[]"),
    Column("archived", Boolean, nullable=False, default=False),
    Column("sku_last_update", Float, nullable=False),
    Column("price_last_update", Float),
    Column("inventory_last_update", Float),
)

returns = Table(
    "returns",
    metadata,
    Column("return_id", String(64), primary_key=True),
    Column("merchant_id", ForeignKey("merchants.merchant_id"), nullable=False),
    Column("merchant_order_id", ForeignKey("orders.merchant_order_id"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_returns_merchant_status", "merchant_id", "status", "created_at"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("refund_authorization_id", String(64), primary_key=True),
    Column("merchant_id", ForeignKey("merchants.merchant_id"), nullable=False),
    Column("merchant_order_id", ForeignKey("orders.merchant_order_id"), nullable=False),
    Column("alt_refund_id", String(128), nullable=False),
    Column("status", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("doc", Text, nullable=False),
    UniqueConstraint("merchant_order_id", "alt_refund_id", name="uq_refunds_order_alt"),
)

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # docs/architecture.md: every SQLite connection sets these three pragmas.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(db_file: Path) -> Engine:
    """An engine on ``db_file`` with the pragmas set on every connection."""
    db_file.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{db_file}",
        connect_args={"check_same_thread": False},
        pool_size=20,
        max_overflow=20,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the database to the newest revision of the ``jet`` Alembic tree."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
