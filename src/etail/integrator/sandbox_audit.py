"""Read a local NetSuite sandbox's Login Audit Trail through its admin API (for Test failures)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from etail.sandbox.netsuite.adminclient import AdminClient

# The sandbox stamps the attempt a moment after we started the Test; allow for clock rounding.
SLACK = timedelta(seconds=2)


def _newest_failure(rows: list[dict[str, Any]], realm: str, since: datetime) -> str | None:
    for row in rows:  # newest first
        at = datetime.fromisoformat(str(row.get("at", "")).replace("Z", "+00:00"))
        if at.tzinfo is None:
            at = at.replace(tzinfo=since.tzinfo)
        if at < since - SLACK:
            return None
        if row.get("status") == "Failure" and str(row.get("realm", "")).upper() == realm.upper():
            detail = row.get("detail")
            return str(detail) if detail else None
    return None


def _read(base_url: str, admin_key: str, realm: str, since: datetime) -> str | None:
    with AdminClient(base_url, admin_key) as client:
        rows = client.audit(limit=50)
    return _newest_failure(list(rows), realm, since)


async def latest_failure_detail(
    base_url: str, admin_key: str, realm: str, since: datetime
) -> str | None:
    """The Detail of the newest failed login for ``realm`` at or after ``since``, if any."""
    return await asyncio.to_thread(_read, base_url, admin_key, realm, since)
