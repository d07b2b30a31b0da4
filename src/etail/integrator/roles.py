"""Account roles and per-integration grants (celigo-jet.md §1.2).

owner > administrator > manage > monitor. A "tile" user has no account-wide level, only manage or
monitor on chosen integrations; any user may also hold a higher grant on one integration than
their account role (the common hybrid: account monitor + manage on one integration).
"""

from __future__ import annotations

from enum import IntEnum

from etail.errors import SettingsError
from etail.storage.models import User


class Access(IntEnum):
    MONITOR = 1
    MANAGE = 2
    ADMINISTRATOR = 3
    OWNER = 4


ACCOUNT_ROLES: dict[str, Access | None] = {
    "owner": Access.OWNER,
    "administrator": Access.ADMINISTRATOR,
    "manage": Access.MANAGE,
    "monitor": Access.MONITOR,
    "tile": None,
}
GRANT_LEVELS = {"manage": Access.MANAGE, "monitor": Access.MONITOR}
INVITABLE_ROLES = ("administrator", "manage", "monitor", "tile")


def parse_level(name: str) -> Access:
    try:
        return Access[name.upper()]
    except KeyError:
        raise SettingsError(
            f"unknown access level {name!r}",
            field="permission",
            hint="one of owner, administrator, manage, monitor",
        ) from None


def check_role(role: str) -> str:
    if role not in ACCOUNT_ROLES:
        raise SettingsError(
            f"unknown role {role!r}", field="role", hint=f"one of {', '.join(ACCOUNT_ROLES)}"
        )
    return role


def check_grant(level: str) -> str:
    if level not in GRANT_LEVELS:
        raise SettingsError(
            f"unknown integration access level {level!r}",
            field="access_level",
            hint="manage or monitor",
        )
    return level


def account_access(user: User) -> Access | None:
    """The user's level on account-wide resources (None for tile-only users)."""
    return ACCOUNT_ROLES.get(user.role)


def integration_access(user: User, integration_id: str | None) -> Access | None:
    """The user's level on one integration: the higher of the account role and the grant."""
    levels = [lvl for lvl in [account_access(user)] if lvl is not None]
    for grant in user.grants:
        if grant.integration_id == integration_id:
            levels.append(GRANT_LEVELS[grant.access_level])
    return max(levels) if levels else None


def allows(user: User, needed: Access, integration_id: str | None = None) -> bool:
    if integration_id is not None:
        have = integration_access(user, integration_id)
    else:
        have = account_access(user)
    return have is not None and have >= needed
