"""Background re-check of Offline connections (celigo-jet.md §1.4: pinged several times an hour).

A connection goes Offline when its calls fail with a credentials error (the flow runner calls
``ConnectionRepository.set_offline``) or when it is saved despite a failed Test. The re-check
tests each Offline connection with its stored credentials; when one passes it goes Online and the
listeners in ``app.state.connection_listeners`` are told, so paused flows can resume. They are
also told when a person saves a connection (new credentials) and when a Re-check changes its
status (:func:`committed_change`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy.orm import Session

from etail.integrator.connection_tests import TestResult
from etail.integrator.connections import test_saved
from etail.storage.audit import Actor, AuditLog
from etail.storage.connections import ConnectionRepository
from etail.storage.db import session_scope

log = logging.getLogger(__name__)
Listener = Callable[[str, bool], None]


async def recheck_offline(app: FastAPI) -> list[tuple[str, bool]]:
    """Test every Offline connection once; returns (connection id, now online) pairs."""
    outcomes: list[tuple[str, bool]] = []
    with session_scope(app.state.sessions) as session:
        repo = ConnectionRepository(session, app.state.box)
        for conn_id in repo.offline_ids():
            conn = repo.get(conn_id)
            result = await test_saved(repo, conn, app.state.sandbox_admin_keys)
            if result.ok:
                repo.set_online(conn_id)
                AuditLog(session).changes(
                    Actor.system(),
                    "update",
                    "connection",
                    conn.id,
                    conn.name,
                    {"status": "Offline"},
                    {"status": "Online"},
                )
            else:
                repo.set_offline(conn_id, result.reason())
            outcomes.append((conn_id, result.ok))
    for conn_id, online in outcomes:
        if online:
            notify(app, conn_id, True)
    return outcomes


def record_result(repo: ConnectionRepository, connection_id: str, result: TestResult) -> bool:
    """Online after a passed test, Offline with the reason after a failed one; True if changed."""
    if result.ok:
        return repo.set_online(connection_id)
    return repo.set_offline(connection_id, result.reason())


def committed_change(app: FastAPI, session: Session, connection_id: str, online: bool) -> None:
    """A person saved a connection or its status changed: commit, then tell the listeners.

    Committed first so a listener that reads the connection (to rebuild a client with the new
    credentials, or to resume flows) sees what was saved.
    """
    session.commit()
    notify(app, connection_id, online)


def notify(app: FastAPI, connection_id: str, online: bool) -> None:
    listeners: list[Listener] = app.state.connection_listeners
    for listener in listeners:
        try:
            listener(connection_id, online)
        except Exception as exc:  # one broken listener must not stop the others
            log.error("connection listener failed: %s", type(exc).__name__)


async def run_forever(app: FastAPI, interval_s: float) -> None:
    """Re-check on a fixed interval until cancelled (the app's lifespan cancels it)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await recheck_offline(app)
        except Exception as exc:
            log.error("offline re-check failed: %s", type(exc).__name__)
