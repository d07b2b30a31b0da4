"""Integration records (Setup > Integration > Manage Integrations; netsuite-tba.md §4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.crypto import SecretBox
from etail.sandbox.netsuite.admin.credentials import digest, new_credential
from etail.sandbox.netsuite.admin.errors import AdminError, ConflictError, NotFoundError
from etail.sandbox.netsuite.models import Account, Integration

STATES = ("enabled", "blocked")


def new_application_id() -> str:
    # NetSuite shows a non-editable upper-case GUID as the Application ID.
    return str(uuid.uuid4()).upper()


@dataclass(frozen=True)
class NewIntegration:
    integration: Integration
    consumer_key: str  # shown once
    consumer_secret: str  # shown once


def create_integration(
    s: Session,
    box: SecretBox,
    account: Account,
    name: str,
    *,
    description: str = "",
    tba: bool = True,
    state: str = "enabled",
) -> NewIntegration:
    """A record with fresh 64-hex consumer credentials, returned once (NS:bridgehead_4249032125)."""
    name = name.strip()
    if not name:
        raise AdminError("integration name is required", field="name")
    _check_state(state)
    if find_integration(s, account, name) is not None:
        raise ConflictError(f"an integration record named {name!r} already exists", field="name")
    key, secret = new_credential(), new_credential()
    integ = Integration(
        account_pk=account.id,
        name=name,
        description=description,
        application_id=new_application_id(),
        state=state,
        tba=tba,
        consumer_key_sha256=digest(key),
        consumer_secret_enc=box.encrypt(secret),
    )
    s.add(integ)
    s.flush()
    return NewIntegration(integ, key, secret)


def _check_state(state: str) -> None:
    if state not in STATES:
        raise AdminError(
            f"state {state!r} is unknown", field="state", hint="use enabled or blocked"
        )


def list_integrations(s: Session, account: Account) -> list[Integration]:
    q = select(Integration).where(Integration.account_pk == account.id).order_by(Integration.id)
    return list(s.scalars(q))


def find_integration(s: Session, account: Account, ref: str | int) -> Integration | None:
    """By internal ID (int or digit string) or by exact name."""
    q = select(Integration).where(Integration.account_pk == account.id)
    if isinstance(ref, int) or str(ref).isdigit():
        return s.scalar(q.where(Integration.id == int(ref)))
    return s.scalar(q.where(Integration.name == ref))


def get_integration(s: Session, account: Account, ref: str | int) -> Integration:
    integ = find_integration(s, account, ref)
    if integ is None:
        raise NotFoundError(
            f"integration record {ref!r} does not exist in account {account.account_id}",
            field="integration",
            hint="give its internal ID or exact name (`etail ns integration list`)",
        )
    return integ


def update_integration(
    s: Session, integ: Integration, *, state: str | None = None, tba: bool | None = None
) -> Integration:
    if state is not None:
        _check_state(state)
        integ.state = state
    if tba is not None:
        integ.tba = tba
    s.flush()
    return integ


def find_by_consumer_key(s: Session, account: Account, consumer_key: str) -> Integration | None:
    return s.scalar(
        select(Integration).where(
            Integration.account_pk == account.id,
            Integration.consumer_key_sha256 == digest(consumer_key),
        )
    )
