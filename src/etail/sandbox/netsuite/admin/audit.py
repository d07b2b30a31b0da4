"""The Login Audit Trail (Setup > Users/Roles > User Management > View Login Audit Trail)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.models import Account, LoginAudit


def list_audit(s: Session, account: Account | None = None, limit: int = 200) -> list[LoginAudit]:
    """Newest first; all accounts (and unknown realms) when ``account`` is None."""
    q = select(LoginAudit).order_by(LoginAudit.id.desc()).limit(max(1, min(limit, 5000)))
    if account is not None:
        q = q.where(LoginAudit.account_pk == account.id)
    return list(s.scalars(q))


StatusFilter = Literal["all", "Success", "Failure"]


def audit_page(
    s: Session, account: Account, *, page: int, per_page: int = 50, status: StatusFilter = "all"
) -> tuple[list[LoginAudit], int]:
    """One page of the account's trail, newest first, and the number of matching rows.

    NetSuite's own trail is a saved search with paging and a Status filter; after a busy run the
    failures are what a person looks for (Detail tells why each login failed).
    """
    where = [LoginAudit.account_pk == account.id]
    if status != "all":
        where.append(LoginAudit.status == status)
    total = s.scalar(select(func.count()).select_from(LoginAudit).where(*where)) or 0
    q = (
        select(LoginAudit)
        .where(*where)
        .order_by(LoginAudit.id.desc())
        .offset(max(0, page - 1) * per_page)
        .limit(per_page)
    )
    return list(s.scalars(q)), int(total)
