"""Merchants, their API keys and bearer tokens (celigo-jet.md §3.1).

A merchant has a merchant ID, fulfillment nodes and two key pairs: the *test* keys a new Jet
partner gets for Runway and the *live* keys (support.tradegecko.com 360000978279). Secrets are
stored as SHA-256 digests only: the sandbox never needs them back, and generated secrets carry
256 bits, so a digest is as strong as the secret. Comparisons use ``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select

from etail.sandbox.jet import db
from etail.sandbox.jet.problems import JetProblem, bad_field, unauthorized
from etail.sandbox.jet.store import JetStore

MASK = "******"
_DUMMY = hashlib.sha256(b"no such user").hexdigest()


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """One API user and its secret; the secret exists only in the answer that creates it."""

    kind: str
    api_user: str
    secret: str = field(repr=False)

    def public(self) -> dict[str, str]:
        return {"kind": self.kind, "api_user": self.api_user, "secret": MASK}


@dataclass(frozen=True)
class NodeSpec:
    node_id: str
    name: str
    zip_code: str = ""


@dataclass(frozen=True)
class NewMerchant:
    merchant_id: str
    name: str
    fulfillment_nodes: list[NodeSpec]
    test_key: ApiKey
    live_key: ApiKey


@dataclass(frozen=True)
class Caller:
    """Who a valid bearer token belongs to."""

    merchant_id: str
    api_user: str


def _node(spec: NodeSpec | str, i: int) -> NodeSpec:
    if isinstance(spec, NodeSpec):
        return spec
    return NodeSpec(node_id=spec, name=f"Fulfillment node {i + 1}")


def create_merchant(
    store: JetStore,
    *,
    name: str,
    merchant_id: str | None = None,
    fulfillment_nodes: Sequence[NodeSpec | str] = (),
    api_user: str | None = None,
    secret: str | None = None,
) -> NewMerchant:
    """Create a merchant with nodes (one made up if none given), test and live keys."""
    if not name.strip():
        raise bad_field("name", "must not be empty; give the merchant a display name")
    if secret is not None and len(secret) < 16:
        raise bad_field("secret", "must be at least 16 characters, or leave it out to generate one")
    merchant_id = merchant_id or secrets.token_hex(16)
    nodes = [_node(s, i) for i, s in enumerate(fulfillment_nodes)] or [
        NodeSpec(node_id=secrets.token_hex(16), name="Main warehouse", zip_code="12061")
    ]
    test_key = ApiKey(
        "test", api_user or secrets.token_hex(16), secret or secrets.token_urlsafe(32)
    )
    live_key = ApiKey("live", secrets.token_hex(16), secrets.token_urlsafe(32))
    now = store.now()
    with store.write_lock, store.engine.begin() as conn:
        if conn.scalar(
            select(db.merchants.c.merchant_id).where(db.merchants.c.merchant_id == merchant_id)
        ):
            raise JetProblem(
                400, f"merchant_id: merchant '{merchant_id}' exists; choose another id"
            )
        taken = conn.scalar(
            select(db.credentials.c.api_user).where(db.credentials.c.api_user == test_key.api_user)
        )
        if taken:
            raise bad_field("api_user", f"'{test_key.api_user}' is taken; choose another API user")
        used = {n.node_id for n in nodes}
        if conn.scalar(
            select(db.fulfillment_nodes.c.node_id).where(db.fulfillment_nodes.c.node_id.in_(used))
        ):
            raise bad_field("fulfillment_nodes", "a node id is already used by another merchant")
        conn.execute(
            insert(db.merchants), [{"merchant_id": merchant_id, "name": name, "created_at": now}]
        )
        conn.execute(
            insert(db.fulfillment_nodes),
            [
                {
                    "node_id": n.node_id,
                    "merchant_id": merchant_id,
                    "name": n.name,
                    "zip_code": n.zip_code,
                }
                for n in nodes
            ],
        )
        conn.execute(
            insert(db.credentials),
            [
                {
                    "api_user": k.api_user,
                    "merchant_id": merchant_id,
                    "kind": k.kind,
                    "secret_sha256": digest(k.secret),
                    "created_at": now,
                }
                for k in (test_key, live_key)
            ],
        )
    return NewMerchant(merchant_id, name, nodes, test_key, live_key)


def merchant_exists(store: JetStore, merchant_id: str) -> bool:
    with store.engine.connect() as conn:
        found = conn.scalar(
            select(db.merchants.c.merchant_id).where(db.merchants.c.merchant_id == merchant_id)
        )
    return found is not None


def list_merchants(store: JetStore) -> list[dict[str, object]]:
    """Merchants with nodes and API users; secrets appear only as the mask."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(db.merchants).order_by(db.merchants.c.created_at)).all()
        nodes = conn.execute(select(db.fulfillment_nodes)).all()
        keys = conn.execute(
            select(db.credentials.c.merchant_id, db.credentials.c.kind, db.credentials.c.api_user)
        ).all()
    return [
        {
            "merchant_id": m.merchant_id,
            "name": m.name,
            "fulfillment_nodes": [
                {"fulfillment_node_id": n.node_id, "name": n.name, "zip_code": n.zip_code}
                for n in nodes
                if n.merchant_id == m.merchant_id
            ],
            "keys": [
                {"kind": k.kind, "api_user": k.api_user, "secret": MASK}
                for k in keys
                if k.merchant_id == m.merchant_id
            ],
        }
        for m in rows
    ]


def node_ids(store: JetStore, merchant_id: str) -> list[str]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(db.fulfillment_nodes.c.node_id)
            .where(db.fulfillment_nodes.c.merchant_id == merchant_id)
            .order_by(db.fulfillment_nodes.c.node_id)
        ).all()
    return [r.node_id for r in rows]


def nodes(store: JetStore, merchant_id: str) -> list[dict[str, object]]:
    """Fulfillment nodes as ``GET /setup/fulfillmentNodes`` lists them."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(db.fulfillment_nodes)
            .where(db.fulfillment_nodes.c.merchant_id == merchant_id)
            .order_by(db.fulfillment_nodes.c.node_id)
        ).all()
    return [
        {
            "jet_fulfillment_node_id": r.node_id,
            "location_name": r.name,
            "time_zone": "Eastern Standard Time",
            "is_daylight_savings_enabled": True,
            "address_1": "",
            "city": "",
            "state": "",
            "zip_code": r.zip_code,
        }
        for r in rows
    ]


def issue_token(store: JetStore, user: str, password: str, lifetime_s: float) -> tuple[str, float]:
    """``POST /api/token``: a new opaque bearer token and its expiry (epoch seconds)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(db.credentials).where(db.credentials.c.api_user == user)).first()
    stored = row.secret_sha256 if row else _DUMMY
    # Compare digests in constant time whether or not the user exists.
    if not hmac.compare_digest(stored, digest(password)) or row is None:
        # Jet answered bad keys on /token with 400 and an "errors" list (celigo-jet.md §3.1).
        raise JetProblem(
            400,
            "user/pass: the API user or secret is not valid; "
            "copy both from the merchant's API keys",
        )
    token = secrets.token_urlsafe(32)
    expires_at = store.now() + lifetime_s
    with store.write_lock, store.engine.begin() as conn:
        conn.execute(db.tokens.delete().where(db.tokens.c.expires_at < store.now() - 3600))
        conn.execute(
            insert(db.tokens),
            [
                {
                    "token_sha256": digest(token),
                    "api_user": user,
                    "merchant_id": row.merchant_id,
                    "expires_at": expires_at,
                }
            ],
        )
    return token, expires_at


def verify_bearer(store: JetStore, authorization: str | None) -> Caller:
    """Check ``Authorization: <scheme> <token>``; the scheme word is matched in any case
    because Jet's clients sent ``bearer`` (celigo-jet.md §3.1)."""
    if not authorization:
        raise unauthorized(
            "Authorization header is missing; send 'Bearer <id_token>' from POST /api/token"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Authorization must be 'Bearer <id_token>'")
    key = digest(token.strip())
    known = store.token_cache.get(key)
    if known is None:
        with store.engine.connect() as conn:
            row = conn.execute(select(db.tokens).where(db.tokens.c.token_sha256 == key)).first()
        if row is None:
            raise unauthorized("the bearer token is not valid; get a new one from POST /api/token")
        known = (Caller(merchant_id=row.merchant_id, api_user=row.api_user), row.expires_at)
        store.remember_token(key, known)
    caller, expires_at = known
    if expires_at <= store.now():
        raise unauthorized("the bearer token has expired; get a new one from POST /api/token")
    return caller
