"""Access tokens (Setup > Users/Roles > Access Tokens; NS:bridgehead_4254081947)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.crypto import SecretBox
from etail.sandbox.netsuite.admin.credentials import digest, new_credential
from etail.sandbox.netsuite.admin.errors import AdminError, ConflictError, NotFoundError
from etail.sandbox.netsuite.models import AccessToken, Account, Employee, Integration, Role

# The guide's note after Save (seed guide, step D.8).
SHOWN_ONCE_NOTE = (
    "Token ID and Token Secret are only displayed once & cannot be retrieved again. "
    "We recommend that you save them in a secure location, such as a password manager "
    "application, if you need to reference them later. Or else you will need to go through "
    "these steps again."
)


def default_token_name(integration: Integration, employee: Employee, role: Role) -> str:
    # "a concatenation of Application Name, User, and Role"; the guide's form shows " - ".
    return f"{integration.name} - {employee.name} - {role.name}"


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    token_id: str  # shown once
    token_secret: str  # shown once


def create_token(
    s: Session,
    box: SecretBox,
    account: Account,
    integration: Integration,
    employee: Employee,
    role: Role,
    *,
    name: str | None = None,
    inactive: bool = False,
) -> NewToken:
    """Save an Access Token; the ID and secret are returned here once and never again."""
    if not integration.tba:
        raise AdminError(
            f"integration {integration.name!r} does not have Token-Based Authentication checked",
            field="application",
            hint="check the Token-Based Authentication box on the integration record",
        )
    if employee.inactive:
        raise AdminError(
            f"{employee.name} is inactive", field="user", hint="activate the employee first"
        )
    if role not in employee.roles:
        raise AdminError(
            f"role {role.name!r} is not one of {employee.name}'s roles",
            field="role",
            hint="add the role under Employee > Access > Roles first",
        )
    token_name = (name or "").strip() or default_token_name(integration, employee, role)
    token_id, secret = new_credential(), new_credential()
    tok = AccessToken(
        account_pk=account.id,
        integration=integration,
        employee=employee,
        role=role,
        name=token_name,
        token_sha256=digest(token_id),
        token_secret_enc=box.encrypt(secret),
        inactive=inactive,
        revoked=False,
    )
    s.add(tok)
    s.flush()
    return NewToken(tok, token_id, secret)


def list_tokens(s: Session, account: Account) -> list[AccessToken]:
    q = select(AccessToken).where(AccessToken.account_pk == account.id).order_by(AccessToken.id)
    return list(s.scalars(q))


def get_token(s: Session, account: Account, ref: int | str) -> AccessToken:
    q = select(AccessToken).where(AccessToken.account_pk == account.id)
    tok = None
    if isinstance(ref, int) or str(ref).isdigit():
        tok = s.scalar(q.where(AccessToken.id == int(ref)))
    if tok is None:
        tok = s.scalar(q.where(AccessToken.name == str(ref)))
    if tok is None:
        raise NotFoundError(
            f"access token {ref!r} does not exist in account {account.account_id}",
            field="token",
            hint="give its internal ID or name (`etail ns token list`)",
        )
    return tok


def find_by_token_id(s: Session, account: Account, token_id: str) -> AccessToken | None:
    return s.scalar(
        select(AccessToken).where(
            AccessToken.account_pk == account.id, AccessToken.token_sha256 == digest(token_id)
        )
    )


def set_inactive(s: Session, tok: AccessToken, inactive: bool) -> AccessToken:
    if tok.revoked:
        raise ConflictError(
            f"token {tok.name!r} is revoked; a revoked token cannot be edited",
            field="token",
            hint="create a new token",
        )
    tok.inactive = inactive
    s.flush()
    return tok


def revoke(s: Session, tok: AccessToken) -> AccessToken:
    """Permanently inactive, kept for audit (NS:bridgehead_4249078810)."""
    tok.revoked = True
    tok.inactive = True
    s.flush()
    return tok


TokenStatus = Literal["Active", "Inactive", "Revoked"]


def status(tok: AccessToken) -> TokenStatus:
    if tok.revoked:
        return "Revoked"
    return "Inactive" if tok.inactive else "Active"
