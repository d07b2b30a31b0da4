"""Composition root: builds the services of one process from settings.

``build_services(settings)`` reads the integrator database (the installed Jet - NetSuite
integration, its NetSuite and Jet connections, its Settings), builds the HTTP clients (lazily,
on one I/O loop), the seven Jet - NetSuite flows, the SQL stores and the engine's
:class:`~etail.engine.service.FlowService`. The CLI, the flow pages, the workers and the demo call
it; ``Services.close()`` releases the clients, the I/O thread and the database engine::

    services = build_services(get_settings(), queue=InlineQueue())
    job = services.engine.request_run("jet-order-to-netsuite-order")
    await services.engine.execute(job.id)
    services.close()

Credentials are decrypted only inside the client factories (``ConnectionRepository``), when a
flow first calls NetSuite or Jet, so a connection fixed in the integrator is used by the next
process without further ado, and a NetSuite connection still on Basic auth makes the job stop
with the connection error that tells the fix (scope ``connection``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from etail.connectors.clients import Clients
from etail.connectors.flowspecs import GROUPS, FlowContext, build_flows
from etail.connectors.ioloop import IOLoop
from etail.connectors.jet_api import JetApi, JetClientApi
from etail.connectors.settings import IntegrationSettings
from etail.crypto import SecretBox
from etail.engine.flows import FlowRegistry
from etail.engine.ports import JobQueue
from etail.engine.service import FlowService
from etail.jet import JetClient
from etail.netsuite import AccountId, Environment, NetSuiteClient, TBACredentials
from etail.settings import Settings
from etail.storage.connections import ConnectionRepository, JetConfig, NetSuiteConfig
from etail.storage.db import make_engine, session_factory, session_scope, upgrade
from etail.storage.flow_store import sql_stores
from etail.storage.models import Connection, Integration

CONNECTOR = "jet-netsuite"  # the integration app id the integrator installs (integrator.install)
SETTINGS_TTL = 2.0  # seconds a read of the integration's settings is reused


@dataclass
class Services:
    """Everything a process needs to list, run and watch flows."""

    flows: FlowRegistry
    engine: FlowService
    db_engine: Engine
    integration_id: str | None = None
    clients: Clients | None = None
    io: IOLoop | None = None
    _owns_db: bool = field(default=False, repr=False)

    def close(self) -> None:
        """Close the HTTP clients on their loop, stop the I/O thread, dispose the DB engine."""
        if self.io is not None:
            self.io.close(self.clients.aclose if self.clients else None)
        if self._owns_db:
            self.db_engine.dispose()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_services(
    settings: Settings,
    *,
    queue: JobQueue | None = None,
    db_engine: Engine | None = None,
) -> Services:
    """The flows of the installed Jet - NetSuite integration over the integrator database."""
    owns = db_engine is None
    if db_engine is None:
        upgrade(settings.integrator_db_url)
        db_engine = make_engine(settings.integrator_db_url)
    stores = sql_stores(db_engine)
    registry = FlowRegistry()
    engine = FlowService(registry, stores, queue=queue)
    services = Services(flows=registry, engine=engine, db_engine=db_engine, _owns_db=owns)
    wiring = _Wiring.load(db_engine, settings)
    if wiring is None:  # the integration is not installed yet: no flows
        return services
    io = IOLoop()
    clients = Clients(wiring.netsuite_client, wiring.jet_client, fulfillment_node=wiring.node)
    # Only what a person saved on the flow overlays the integration's Settings (the flow's
    # defaults are a snapshot of those Settings taken when the flows were built).
    source = SettingsSource(wiring.read_settings, lambda fid: engine.config(fid).settings)
    ctx = FlowContext(
        clients=clients,
        io=io,
        settings_for=source.for_flow,
        state=stores.state,
        integration_id=wiring.integration_id,
        concurrency=wiring.concurrency,
        secrets=wiring.secrets,
    )
    for flow in build_flows(ctx):
        registry.add(flow)
    services.integration_id = wiring.integration_id
    services.clients, services.io = clients, io
    return services


class SettingsSource:
    """Current settings of each flow: the integration's Settings, with the flow's own saved
    values over its group (``FlowService.save_settings``); re-read at most every ``ttl`` s."""

    def __init__(
        self,
        read_integration: Callable[[], dict[str, Any]],
        read_flow: Callable[[str], dict[str, Any]],
        ttl: float = SETTINGS_TTL,
    ) -> None:
        self._read_integration = read_integration
        self._read_flow = read_flow
        self._ttl = ttl
        self._cache: dict[str, tuple[float, IntegrationSettings]] = {}
        self._lock = threading.Lock()

    def for_flow(self, flow_id: str) -> Callable[[], IntegrationSettings]:
        return lambda: self.get(flow_id)

    def get(self, flow_id: str) -> IntegrationSettings:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(flow_id)
            if hit is not None and now - hit[0] < self._ttl:
                return hit[1]
        raw = dict(self._read_integration())
        group = GROUPS.get(flow_id)
        if group is not None:
            overrides = _flow_overrides(self._read_flow, flow_id)
            raw[group] = {**(raw.get(group) or {}), **overrides}
        value = IntegrationSettings.from_mapping(raw)
        with self._lock:
            self._cache[flow_id] = (now, value)
        return value


def _flow_overrides(read_flow: Callable[[str], dict[str, Any]], flow_id: str) -> dict[str, Any]:
    try:
        return dict(read_flow(flow_id))
    except Exception:  # the flow is not registered yet while the registry is being built
        return {}


@dataclass
class _Wiring:
    """The installed integration's ids and the factories of its clients."""

    db_engine: Engine
    box: SecretBox
    integration_id: str
    netsuite_connection_id: str
    jet_connection_id: str
    concurrency: int
    node: str | None

    @classmethod
    def load(cls, db_engine: Engine, settings: Settings) -> _Wiring | None:
        box = SecretBox.from_key_file(settings.key_file, settings.secret_keys)
        with session_scope(session_factory(db_engine)) as session:
            integ = session.scalars(
                select(Integration).where(Integration.connector == CONNECTOR)
            ).first()
            if integ is None:
                return None
            conns = {
                c.type: c
                for c in session.scalars(
                    select(Connection).where(Connection.integration_id == integ.id)
                )
            }
            ns, jet = conns.get("netsuite"), conns.get("jet")
            if ns is None or jet is None:
                return None
            return cls(
                db_engine=db_engine,
                box=box,
                integration_id=integ.id,
                netsuite_connection_id=ns.id,
                jet_connection_id=jet.id,
                concurrency=int(ns.config.get("concurrency") or 5),
                node=str(jet.config.get("fulfillment_node") or "") or None,
            )

    def _netsuite_config(self) -> NetSuiteConfig:
        with session_scope(session_factory(self.db_engine)) as session:
            return ConnectionRepository(session, self.box).netsuite_config(
                self.netsuite_connection_id
            )

    def _jet_config(self) -> JetConfig:
        with session_scope(session_factory(self.db_engine)) as session:
            return ConnectionRepository(session, self.box).jet_config(self.jet_connection_id)

    def netsuite_client(self) -> NetSuiteClient:
        cfg = self._netsuite_config().require_token()
        creds = TBACredentials(
            consumer_key=cfg.consumer_key,
            consumer_secret=cfg.consumer_secret,
            token_id=cfg.token_id,
            token_secret=cfg.token_secret,
        )
        env = None if cfg.environment == "local" else Environment(cfg.environment)
        account = AccountId.parse(cfg.account_id, env)
        return NetSuiteClient(account, creds, base_url=cfg.base_url, concurrency=cfg.concurrency)

    def jet_client(self) -> JetApi:
        cfg = self._jet_config()
        node = cfg.fulfillment_node or None
        return JetClientApi(JetClient(cfg.base_url, cfg.api_user, cfg.secret), node)

    def read_settings(self) -> dict[str, Any]:
        with session_scope(session_factory(self.db_engine)) as session:
            integ = session.get(Integration, self.integration_id)
            return dict(integ.settings or {}) if integ is not None else {}

    def secrets(self) -> Iterable[str]:
        """Values masked out of every stored error message."""
        try:
            ns, jet = self._netsuite_config(), self._jet_config()
        except Exception:
            return []
        return [ns.consumer_secret, ns.token_secret, ns.token_id, jet.secret]


__all__ = ["CONNECTOR", "Services", "SettingsSource", "build_services"]
