"""Roles (Setup > Users/Roles > Manage Roles): list, Customize (clone), edit permissions."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.admin.errors import AdminError, ConflictError, NotFoundError
from etail.sandbox.netsuite.context import RECORD_PERMISSIONS, SETUP_PERMISSIONS, Level
from etail.sandbox.netsuite.models import Account, Role

PERMISSION_KEYS: dict[str, str] = {**RECORD_PERMISSIONS, **SETUP_PERMISSIONS}


def list_roles(s: Session, account: Account) -> list[Role]:
    return list(s.scalars(select(Role).where(Role.account_pk == account.id).order_by(Role.id)))


def find_role(s: Session, account: Account, ref: str | int) -> Role | None:
    q = select(Role).where(Role.account_pk == account.id)
    if isinstance(ref, int) or str(ref).isdigit():
        return s.scalar(q.where(Role.id == int(ref)))
    return s.scalar(q.where(Role.name == ref))


def get_role(s: Session, account: Account, ref: str | int) -> Role:
    role = find_role(s, account, ref)
    if role is None:
        raise NotFoundError(
            f"role {ref!r} does not exist in account {account.account_id}",
            field="role",
            hint="give its internal ID or exact name (`etail ns role list`)",
        )
    return role


def parse_levels(permissions: Mapping[str, object]) -> dict[str, Level]:
    """Validate permission keys and levels (names like "full" or numbers 0-4)."""
    out: dict[str, Level] = {}
    for key, raw in permissions.items():
        if key not in PERMISSION_KEYS:
            raise AdminError(
                f"permission {key!r} is unknown",
                field=f"permissions.{key}",
                hint=f"use one of {', '.join(PERMISSION_KEYS)}",
            )
        out[key] = _level(key, raw)
    return out


def _level(key: str, raw: object) -> Level:
    if isinstance(raw, Level):
        return raw
    if isinstance(raw, str) and raw.upper() in Level.__members__:
        return Level[raw.upper()]
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 4:
        return Level(raw)
    raise AdminError(
        f"permission level {raw!r} for {key} is invalid",
        field=f"permissions.{key}",
        hint="use none, view, create, edit or full",
    )


def clone_role(
    s: Session,
    account: Account,
    source: Role,
    name: str,
    permissions: Mapping[str, object] | None = None,
) -> Role:
    """Customize: a new, editable role with the source's permissions plus ``permissions``."""
    name = name.strip()
    if not name:
        raise AdminError("the new role needs a name", field="name")
    if find_role(s, account, name) is not None:
        raise ConflictError(f"a role named {name!r} already exists", field="name")
    merged = {k: int(v) for k, v in source.levels().items()}
    merged.update({k: int(v) for k, v in parse_levels(permissions or {}).items()})
    clone = Role(
        account_pk=account.id,
        name=name,
        locked=False,
        bundle_id=None,
        is_administrator=False,
        permissions=merged,
    )
    s.add(clone)
    s.flush()
    return clone


def set_permissions(s: Session, role: Role, permissions: Mapping[str, object]) -> Role:
    """Set levels on an unlocked role; NONE removes the permission."""
    if role.locked:
        raise ConflictError(
            f"role {role.name!r} is locked and cannot be edited",
            field="role",
            hint="Customize it (clone under a new name) and edit the copy",
        )
    merged = dict(role.permissions)
    for key, level in parse_levels(permissions).items():
        if level is Level.NONE:
            merged.pop(key, None)
        else:
            merged[key] = int(level)
    role.permissions = merged  # reassign: JSON columns do not track in-place changes
    s.flush()
    return role
