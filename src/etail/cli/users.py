"""``etail users ...``: the account owner, invitations, roles, disabling, unlocking."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from etail.errors import SettingsError
from etail.integrator.cli_support import cli_actor, database, out, print_json
from etail.integrator.users import UserService
from etail.storage.db import session_scope
from etail.storage.models import User

app = typer.Typer(no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _user_json(u: User) -> dict[str, object]:
    return {
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "disabled": u.disabled,
        "grants": {g.integration_id: g.access_level for g in u.grants},
        "locked_until": u.locked_until,
    }


def _find(svc: UserService, email: str) -> User:
    user = svc.by_email(email)
    if user is None:
        raise SettingsError(f"no user {email}", field="email", hint="see `etail users list`")
    return user


def _grants(values: list[str]) -> dict[str, str]:
    grants = {}
    for value in values:
        integration, sep, level = value.partition("=")
        if not sep:
            raise SettingsError(
                f"--grant {value!r} is not INTEGRATION_ID=manage|monitor", field="grant"
            )
        grants[integration.strip()] = level.strip()
    return grants


@app.command("create-owner")
def create_owner(
    email: Annotated[str, typer.Option(help="The owner's e-mail.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="ETAIL_OWNER_PASSWORD",
            help="Prompted when not given.",
        ),
    ] = "",
    json_: JsonOpt = False,
) -> None:
    """Create the account owner (only while the account has none)."""
    db = database()
    with session_scope(db.sessions) as s:
        user = UserService(s).create_owner(email, password, name, actor=cli_actor())
        data = _user_json(user)
    db.dispose()
    print_json(data) if json_ else out.print(f"owner {data['email']} created")


@app.command("list")
def list_users(json_: JsonOpt = False) -> None:
    """Users with role, integration access and status."""
    db = database()
    with session_scope(db.sessions) as s:
        svc = UserService(s)
        users = [_user_json(u) for u in svc.all()]
        pending = [
            {"email": i.email, "role": i.role, "expires_at": i.expires_at}
            for i in svc.pending_invitations()
        ]
    db.dispose()
    if json_:
        print_json({"users": users, "invitations": pending})
        return
    table = Table("E-mail", "Name", "Role", "Grants", "Status")
    for u in users:
        grants = ", ".join(f"{lvl}:{i}" for i, lvl in dict(u["grants"]).items())  # type: ignore[call-overload]
        table.add_row(
            str(u["email"]),
            str(u["name"]),
            str(u["role"]),
            grants,
            "disabled" if u["disabled"] else "active",
        )
    for p in pending:
        table.add_row(str(p["email"]), "", str(p["role"]), "", "invited")
    out.print(table)


@app.command("invite")
def invite(
    email: str,
    role: Annotated[str, typer.Option(help="administrator, manage, monitor or tile.")] = "monitor",
    grant: Annotated[
        list[str] | None, typer.Option(help="INTEGRATION_ID=manage|monitor (repeatable).")
    ] = None,
    base_url: Annotated[
        str, typer.Option(help="Where the integrator is served.")
    ] = "http://127.0.0.1:8000",
    json_: JsonOpt = False,
) -> None:
    """Invite a user; prints the one-time link to send them."""
    db = database()
    with session_scope(db.sessions) as s:
        token = UserService(s).invite(email, role, _grants(grant or []), actor=cli_actor())
    db.dispose()
    link = f"{base_url.rstrip('/')}/invitations/{token}"
    print_json({"email": email, "role": role, "link": link}) if json_ else out.print(
        f"invitation for {email} ({role}): {link}"
    )


@app.command("set-role")
def set_role(
    email: str,
    role: str,
    grant: Annotated[
        list[str] | None,
        typer.Option(help="INTEGRATION_ID=manage|monitor (repeatable; replaces the grants)."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Change a user's account role (and integration grants)."""
    db = database()
    with session_scope(db.sessions) as s:
        svc = UserService(s)
        user = _find(svc, email)
        svc.set_role(user, role, _grants(grant) if grant is not None else None, actor=cli_actor())
        data = _user_json(user)
    db.dispose()
    print_json(data) if json_ else out.print(f"{email}: role {role}")


def _set_disabled(email: str, disabled: bool) -> None:
    db = database()
    with session_scope(db.sessions) as s:
        svc = UserService(s)
        svc.set_disabled(_find(svc, email), disabled, actor=cli_actor())
    db.dispose()
    out.print(f"{email}: {'disabled' if disabled else 'enabled'}")


@app.command("disable")
def disable(email: str) -> None:
    """Block sign-in (the record stays); ends the user's sessions."""
    _set_disabled(email, True)


@app.command("enable")
def enable(email: str) -> None:
    """Allow sign-in again."""
    _set_disabled(email, False)


@app.command("unlock")
def unlock(email: str) -> None:
    """Lift a lockout after repeated failed sign-ins."""
    db = database()
    with session_scope(db.sessions) as s:
        user = _find(UserService(s), email)
        user.locked_until, user.failed_logins = None, 0
    db.dispose()
    out.print(f"{email}: unlocked")


@app.command("remove")
def remove(email: str) -> None:
    """Remove a user (not the owner)."""
    db = database()
    with session_scope(db.sessions) as s:
        svc = UserService(s)
        svc.remove(_find(svc, email), actor=cli_actor())
    db.dispose()
    out.print(f"{email}: removed")
