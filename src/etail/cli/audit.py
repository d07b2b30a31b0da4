"""``etail audit``: the audit log (who, when, source, resource, field, old -> new)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from etail.integrator.cli_support import database, out, print_json
from etail.storage.audit import AuditLog
from etail.storage.db import session_scope


def command(
    resource_type: Annotated[
        str | None, typer.Option(help="connection, user, integration...")
    ] = None,
    resource_id: Annotated[str | None, typer.Option(help="One resource's id.")] = None,
    user: Annotated[str | None, typer.Option(help="E-mail of the acting user.")] = None,
    source: Annotated[str | None, typer.Option(help="UI, API, CLI or System.")] = None,
    action: Annotated[str | None, typer.Option(help="create, update, test, sign in...")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the audit log, newest first. Secrets appear only as "changed"."""
    db = database()
    with session_scope(db.sessions) as s:
        rows = [
            {
                "id": e.id,
                "at": e.at,
                "user": e.user_email,
                "source": e.source,
                "action": e.action,
                "resource_type": e.resource_type,
                "resource_id": e.resource_id,
                "resource_name": e.resource_name,
                "field": e.field,
                "old_value": e.old_value,
                "new_value": e.new_value,
            }
            for e in AuditLog(s).query(
                resource_type=resource_type,
                resource_id=resource_id,
                user=user,
                source=source,
                action=action,
                limit=limit,
            )
        ]
    db.dispose()
    if json_:
        print_json(rows)
        return
    table = Table("Time", "User", "Source", "Resource", "Action", "Field", "Old", "New")
    for r in rows:
        table.add_row(
            f"{r['at']:%Y-%m-%d %H:%M:%S}",
            str(r["user"]),
            str(r["source"]),
            f"{r['resource_type']} {r['resource_name']}",
            str(r["action"]),
            str(r["field"]),
            str(r["old_value"] or ""),
            str(r["new_value"] or ""),
        )
    out.print(table)
