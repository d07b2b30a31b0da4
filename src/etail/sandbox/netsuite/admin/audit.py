"""The Login Audit Trail (Setup > Users/Roles > User Management > View Login Audit Trail)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.models import Account, LoginAudit


def list_audit(s: Session, account: Account | None = None, limit: int = 200) -> list[LoginAudit]:
    """Newest first; all accounts (and unknown realms) when ``account`` is None."""
    q = select(LoginAudit).order_by(LoginAudit.id.desc()).limit(max(1, min(limit, 5000)))
    if account is not None:
        q = q.where(LoginAudit.account_pk == account.id)
    return list(s.scalars(q))
