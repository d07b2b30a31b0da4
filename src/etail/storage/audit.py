"""The audit log: who changed what, when, from where (celigo-jet §1.9).

Secrets appear only as "changed".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.storage.models import AuditEntry

CHANGED = "changed"
SOURCES = ("UI", "API", "CLI", "System", "Integration app")


@dataclass(frozen=True)
class Actor:
    """Who acts, and through which door (UI, API, CLI, System)."""

    user_id: str | None
    email: str
    source: str

    @classmethod
    def system(cls) -> Actor:
        return cls(None, "system", "System")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def event(
        self,
        actor: Actor,
        action: str,
        resource_type: str,
        resource_id: str = "",
        resource_name: str = "",
    ) -> None:
        """An event without field changes (sign in, test, install)."""
        self.session.add(self._entry(actor, action, resource_type, resource_id, resource_name))

    def changes(
        self,
        actor: Actor,
        action: str,
        resource_type: str,
        resource_id: str,
        resource_name: str,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        secret_fields: Iterable[str] = (),
    ) -> int:
        """One row per changed field; a secret field is recorded only as ``changed``."""
        secrets = set(secret_fields)
        count = 0
        for name in sorted(set(before) | set(after)):
            old, new = before.get(name), after.get(name)
            if old == new:
                continue
            entry = self._entry(actor, action, resource_type, resource_id, resource_name)
            entry.field = name
            if name in secrets:
                entry.old_value, entry.new_value = None, CHANGED
            else:
                entry.old_value, entry.new_value = _text(old), _text(new)
            self.session.add(entry)
            count += 1
        return count

    def _entry(self, actor: Actor, action: str, rtype: str, rid: str, rname: str) -> AuditEntry:
        return AuditEntry(
            user_id=actor.user_id,
            user_email=actor.email,
            source=actor.source,
            action=action,
            resource_type=rtype,
            resource_id=rid,
            resource_name=rname[:200],
        )

    def query(
        self,
        *,
        resource_type: str | None = None,
        resource_id: str | None = None,
        user: str | None = None,
        source: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
        if resource_type:
            stmt = stmt.where(AuditEntry.resource_type == resource_type)
        if resource_id:
            stmt = stmt.where(AuditEntry.resource_id == resource_id)
        if user:
            stmt = stmt.where(AuditEntry.user_email == user)
        if source:
            stmt = stmt.where(AuditEntry.source == source)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        if since:
            stmt = stmt.where(AuditEntry.at >= since)
        return list(self.session.scalars(stmt.limit(limit).offset(offset)))
