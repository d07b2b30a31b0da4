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
flow first calls NetSuite or Jet, and a NetSuite connection still on Basic auth makes the job
stop with the connection error that tells the fix (scope ``connection``). The auth type of the
NetSuite connection picks the credentials: Token (TBA) or OAuth 2.0 client credentials (M2M).

Connections Offline pause their flows (celigo-jet.md §1.4): a ``CredentialsError`` from NetSuite
or Jet takes the connection Offline (``ConnectionRepository.record_failure``); the engine's gate
(:meth:`ConnectionWatch.pause_reason`) then holds queued runs, skips scheduled ones and says why.
When the integrator's re-check or a Save brings it back Online, :meth:`Services.connection_changed`
(an ``app.state.connection_listeners`` entry) rebuilds the clients and resumes the flows. Other
processes (Celery workers) see a saved connection at their next job: the watch compares the
connection rows with those the clients were built from and rebuilds them when they differ.

With ``ETAIL_QUEUE=celery`` every worker's NetSuite client holds its requests inside one
Redis-kept budget per account (``etail.queue.netsuite_budget.SharedBudget``), so the workers of a
connection together stay under its concurrency limit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx2
from sqlalchemy import Engine, select

from etail.connectors.clients import Clients
from etail.connectors.flowspecs import GROUPS, FlowContext, build_flows
from etail.connectors.ioloop import IOLoop
from etail.connectors.jet_api import JetApi, JetClientApi, Json
from etail.connectors.settings import IntegrationSettings
from etail.crypto import SecretBox
from etail.engine.flows import FlowRegistry
from etail.engine.ports import JobQueue
from etail.engine.service import FlowService
from etail.errors import CredentialsError, SettingsError
from etail.jet import JetClient
from etail.netsuite import AccountId, Environment, NetSuiteClient, TBACredentials
from etail.netsuite.client import QueryParams
from etail.netsuite.limits import ConcurrencyLimiter
from etail.netsuite.oauth2 import M2MCredentials
from etail.settings import Settings
from etail.storage.connections import ConnectionRepository, JetConfig, NetSuiteConfig
from etail.storage.db import make_engine, session_factory, session_scope, upgrade
from etail.storage.flow_store import sql_stores
from etail.storage.models import Connection, Integration

CONNECTOR = "jet-netsuite"  # the integration app id the integrator installs (integrator.install)
SETTINGS_TTL = 2.0  # seconds a read of the integration's settings is reused
STATUS_TTL = 1.0  # seconds a read of the connections' Online/Offline status is reused
log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a process needs to list, run and watch flows."""

    flows: FlowRegistry
    engine: FlowService
    db_engine: Engine
    integration_id: str | None = None
    clients: Clients | None = None
    io: IOLoop | None = None
    watch: ConnectionWatch | None = None
    _owns_db: bool = field(default=False, repr=False)

    def connection_changed(self, connection_id: str, online: bool) -> None:
        """A connection was saved or changed status (``app.state.connection_listeners``).

        One of ours: the clients are built again with what was saved, and when it is Online
        the paused flows resume (their queued runs are submitted; schedules fire again).
        """
        if self.watch is None or not self.watch.owns(connection_id):
            return
        self.watch.changed(connection_id)
        if online:
            self.engine.resume()

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
    wiring = _Wiring.load(db_engine, settings)
    if wiring is None:  # the integration is not installed yet: no flows
        engine = FlowService(registry, stores, queue=queue)
        return Services(flows=registry, engine=engine, db_engine=db_engine, _owns_db=owns)
    clients = Clients(wiring.netsuite_client, wiring.jet_client, fulfillment_node=wiring.node)
    watch = ConnectionWatch(wiring, clients)
    wiring.on_refused = watch.refused
    engine = FlowService(registry, stores, queue=queue, gate=watch.pause_reason)
    services = Services(
        flows=registry, engine=engine, db_engine=db_engine, watch=watch, _owns_db=owns
    )
    io = IOLoop()
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


def celery_queue(settings: Settings) -> JobQueue | None:
    """``ETAIL_QUEUE=celery``: a queue sending job ids to ``etail jobs worker`` processes over
    ``ETAIL_BROKER_URL``; ``None`` for the default ``inline`` (jobs run in this process)."""
    kind = settings.queue.strip().lower()
    if kind == "inline":
        return None
    if kind != "celery":
        raise SettingsError(
            f"ETAIL_QUEUE must be inline or celery, got {settings.queue!r}",
            field="ETAIL_QUEUE",
            hint="inline runs flows in the serving process; celery sends them to "
            "`etail jobs worker` processes through ETAIL_BROKER_URL",
        )
    from etail.queue.celery import CeleryQueue, make_celery

    return CeleryQueue(make_celery(settings.broker_url))


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


class ConnectionWatch:
    """The Online/Offline state of the integration's NetSuite and Jet connections, for the
    engine's gate; takes a connection Offline on a credentials error; rebuilds the clients
    when a connection's saved values change."""

    def __init__(self, wiring: _Wiring, clients: Clients, ttl: float = STATUS_TTL) -> None:
        self.wiring = wiring
        self.clients = clients
        self.ttl = ttl
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._status: dict[str, tuple[bool, str, str]] = {}  # id -> (offline, reason, print)
        self._built: dict[str, str] = {}  # id -> fingerprint the current client was built from

    def owns(self, connection_id: str) -> bool:
        return connection_id in self.wiring.labels

    def pause_reason(self, flow_id: str) -> str | None:
        """Every flow of the integration uses both connections: Offline pauses them all."""
        status = self._current()
        for conn_id, label in self.wiring.labels.items():
            offline, reason, _ = status.get(conn_id, (False, "", ""))
            if offline:
                return f"{label} connection Offline — {reason or 'see its page'}"
        return None

    def refused(self, connection_id: str, exc: CredentialsError) -> None:
        """A call was refused for its credentials: the connection goes Offline."""
        try:
            with session_scope(session_factory(self.wiring.db_engine)) as session:
                repo = ConnectionRepository(session, self.wiring.box)
                if repo.record_failure(connection_id, exc):
                    log.warning("%s connection went Offline", self.wiring.labels[connection_id])
        finally:
            self.invalidate()

    def changed(self, connection_id: str) -> None:
        """Saved or re-checked: build the client again, read the status again."""
        self.clients.reset(
            netsuite=connection_id == self.wiring.netsuite_connection_id,
            jet=connection_id == self.wiring.jet_connection_id,
        )
        with self._lock:
            self._built.pop(connection_id, None)
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._read_at = float("-inf")

    def _current(self) -> dict[str, tuple[bool, str, str]]:
        now = time.monotonic()
        with self._lock:
            if now - self._read_at < self.ttl:
                return self._status
        status = self.wiring.read_status()
        with self._lock:
            self._status, self._read_at = status, now
            stale = [
                cid for cid, (_, _, fp) in status.items() if self._built.setdefault(cid, fp) != fp
            ]
            for cid in stale:
                self._built[cid] = status[cid][2]
        for cid in stale:  # saved by another process: this one's clients are out of date
            self.clients.reset(
                netsuite=cid == self.wiring.netsuite_connection_id,
                jet=cid == self.wiring.jet_connection_id,
            )
        return status


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
    settings: Settings | None = None
    on_refused: Callable[[str, CredentialsError], None] | None = None

    @property
    def labels(self) -> dict[str, str]:
        return {self.netsuite_connection_id: "NetSuite", self.jet_connection_id: "Jet"}

    def read_status(self) -> dict[str, tuple[bool, str, str]]:
        """id -> (Offline, reason, fingerprint of the saved values) of both connections."""
        out: dict[str, tuple[bool, str, str]] = {}
        with session_scope(session_factory(self.db_engine)) as session:
            for conn_id in self.labels:
                conn = session.get(Connection, conn_id)
                if conn is None:
                    continue
                saved = json.dumps(
                    [conn.config, conn.secrets, conn.iclient_id], sort_keys=True, default=str
                )
                print_ = hashlib.sha256(saved.encode()).hexdigest()
                out[conn_id] = (bool(conn.offline), conn.offline_reason or "", print_)
        return out

    def _refused(self, connection_id: str) -> Callable[[CredentialsError], None]:
        def tell(exc: CredentialsError) -> None:
            if self.on_refused is not None:
                try:
                    self.on_refused(connection_id, exc)
                except Exception as failure:  # the job still stops with the original error
                    log.error("could not mark the connection Offline: %s", type(failure).__name__)

        return tell

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
                settings=settings,
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
        cfg = self._netsuite_config()
        creds = _credentials(cfg)
        env = None if cfg.environment == "local" else Environment(cfg.environment)
        account = AccountId.parse(cfg.account_id, env)
        return WatchedNetSuiteClient(
            account,
            creds,
            base_url=cfg.base_url,
            concurrency=cfg.concurrency,
            limiter=self._shared_budget(account.realm, cfg.concurrency),
            on_refused=self._refused(self.netsuite_connection_id),
        )

    def _shared_budget(self, realm: str, limit: int) -> ConcurrencyLimiter | None:
        """With Celery workers, one budget per account kept in the broker's Redis."""
        if self.settings is None or self.settings.queue.strip().lower() != "celery":
            return None
        from etail.queue.netsuite_budget import SharedBudget

        return SharedBudget.from_url(self.settings.broker_url, realm, limit)

    def jet_client(self) -> JetApi:
        cfg = self._jet_config()
        node = cfg.fulfillment_node or None
        api = JetClientApi(JetClient(cfg.base_url, cfg.api_user, cfg.secret), node)
        return WatchedJet(api, self._refused(self.jet_connection_id))

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


def _credentials(cfg: NetSuiteConfig) -> TBACredentials | M2MCredentials:
    """The connection's auth type picks the credentials (docs/oauth2.md: the third auth type)."""
    if cfg.auth_type == "oauth2":
        m2m = cfg.require_oauth2()
        return M2MCredentials(
            client_id=m2m.client_id,
            certificate_id=m2m.certificate_id,
            private_key_pem=m2m.private_key,
        )
    tba = cfg.require_token()
    return TBACredentials(
        consumer_key=tba.consumer_key,
        consumer_secret=tba.consumer_secret,
        token_id=tba.token_id,
        token_secret=tba.token_secret,
    )


Refused = Callable[[CredentialsError], None]


class WatchedNetSuiteClient(NetSuiteClient):
    """A NetSuite client that reports a refused login (to take its connection Offline)."""

    def __init__(self, *args: Any, on_refused: Refused, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._on_refused = on_refused

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: QueryParams | None = None,
        json: Any = None,
        headers: Any = None,
        idempotent: bool | None = None,
    ) -> httpx2.Response:
        try:
            return await super().request(
                method, url, params=params, json=json, headers=headers, idempotent=idempotent
            )
        except CredentialsError as exc:
            self._on_refused(exc)
            raise


class WatchedJet:
    """The Jet API of the flows, reporting refused credentials (to take the connection
    Offline)."""

    def __init__(self, api: JetApi, on_refused: Refused) -> None:
        self.api = api
        self._on_refused = on_refused

    async def _guard(self, call: Any) -> Any:
        try:
            return await call
        except CredentialsError as exc:
            self._on_refused(exc)
            raise

    async def order_ids(self, status: str, *, is_cancelled: bool | None = None) -> list[str]:
        ids: list[str] = await self._guard(self.api.order_ids(status, is_cancelled=is_cancelled))
        return ids

    async def order(self, merchant_order_id: str) -> Json:
        got: Json = await self._guard(self.api.order(merchant_order_id))
        return got

    async def acknowledge(self, merchant_order_id: str, body: Json) -> None:
        await self._guard(self.api.acknowledge(merchant_order_id, body))

    async def ship(self, merchant_order_id: str, body: Json) -> None:
        await self._guard(self.api.ship(merchant_order_id, body))

    async def patch_inventory(self, sku: str, body: Json) -> None:
        await self._guard(self.api.patch_inventory(sku, body))

    async def put_price(self, sku: str, body: Json) -> None:
        await self._guard(self.api.put_price(sku, body))

    async def return_ids(self, status: str) -> list[str]:
        ids: list[str] = await self._guard(self.api.return_ids(status))
        return ids

    async def return_detail(self, return_id: str) -> Json:
        got: Json = await self._guard(self.api.return_detail(return_id))
        return got

    async def complete_return(self, return_id: str, body: Json) -> None:
        await self._guard(self.api.complete_return(return_id, body))

    async def aclose(self) -> None:
        await self.api.aclose()

    def __getattr__(self, name: str) -> Any:  # anything else the flows read (fulfillment_node)
        return getattr(self.api, name)


__all__ = [
    "CONNECTOR",
    "ConnectionWatch",
    "Services",
    "SettingsSource",
    "WatchedJet",
    "WatchedNetSuiteClient",
    "build_services",
    "celery_queue",
]
