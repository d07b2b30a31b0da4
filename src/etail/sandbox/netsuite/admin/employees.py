"""Employees (Setup > Users/Roles > Manage Users) and their Access > Roles."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.admin.credentials import password_hasher
from etail.sandbox.netsuite.admin.errors import AdminError, ConflictError, NotFoundError
from etail.sandbox.netsuite.models import Account, Employee, Role

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def list_employees(s: Session, account: Account) -> list[Employee]:
    q = select(Employee).where(Employee.account_pk == account.id).order_by(Employee.id)
    return list(s.scalars(q))


def find_employee(s: Session, account: Account, ref: str | int) -> Employee | None:
    """By internal ID or by e-mail (case-insensitive)."""
    q = select(Employee).where(Employee.account_pk == account.id)
    if isinstance(ref, int) or str(ref).isdigit():
        return s.scalar(q.where(Employee.id == int(ref)))
    return s.scalar(q.where(Employee.email == str(ref).lower()))


def get_employee(s: Session, account: Account, ref: str | int) -> Employee:
    emp = find_employee(s, account, ref)
    if emp is None:
        raise NotFoundError(
            f"employee {ref!r} does not exist in account {account.account_id}",
            field="user",
            hint="give the internal ID or e-mail (`etail ns user list`)",
        )
    return emp


def create_employee(
    s: Session,
    account: Account,
    name: str,
    email: str,
    *,
    roles: list[Role] | None = None,
    password: str | None = None,
) -> Employee:
    name, email = name.strip(), email.strip().lower()
    if not name:
        raise AdminError("employee name is required", field="name")
    if not EMAIL.match(email):
        raise AdminError(
            f"{email!r} is not an e-mail address", field="email", hint="e.g. jane@example.com"
        )
    if find_employee(s, account, email) is not None:
        raise ConflictError(f"an employee with e-mail {email} already exists", field="email")
    emp = Employee(
        account_pk=account.id,
        name=name,
        email=email,
        inactive=False,
        password_hash=password_hasher.hash(password) if password else None,
        roles=list(roles or []),
    )
    s.add(emp)
    s.flush()
    return emp


def set_inactive(s: Session, emp: Employee, inactive: bool) -> Employee:
    emp.inactive = inactive
    s.flush()
    return emp


def add_role(s: Session, emp: Employee, role: Role) -> Employee:
    if role.account_pk != emp.account_pk:
        raise AdminError("the role belongs to another account", field="role")
    if role not in emp.roles:
        emp.roles.append(role)
    s.flush()
    return emp


def remove_role(s: Session, emp: Employee, role: Role) -> Employee:
    """Tokens on the role stay but cannot log in until it returns (NS:bridgehead_4249078810)."""
    if role not in emp.roles:
        raise AdminError(f"{emp.name} does not have the role {role.name!r}", field="role")
    if role.is_administrator and not any(
        r.is_administrator for e in _admins(s, emp.account_pk) if e.id != emp.id for r in e.roles
    ):
        raise ConflictError(
            "the account's last Administrator keeps the Administrator role", field="role"
        )
    emp.roles.remove(role)
    s.flush()
    return emp


def _admins(s: Session, account_pk: int) -> list[Employee]:
    q = select(Employee).where(Employee.account_pk == account_pk, Employee.inactive.is_(False))
    return [e for e in s.scalars(q) if any(r.is_administrator for r in e.roles)]
