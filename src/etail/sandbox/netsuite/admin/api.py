"""The admin JSON API (``/admin/api``): every admin object of the guide's steps A-D.

Protected by the sandbox's admin key (``X-Sandbox-Admin-Key``, compared in constant time);
the CLI's ``--url`` mode and ``adminclient.AdminClient`` speak it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.admin import (
    accounts,
    audit,
    employees,
    integrations,
    roles,
    tokens,
)
from etail.sandbox.netsuite.admin.errors import AdminError
from etail.sandbox.netsuite.admin.schemas import (
    AccountCreate,
    AccountOut,
    AuditOut,
    BundleInstall,
    BundleOut,
    EmployeeCreate,
    EmployeeOut,
    EmployeeRoleAdd,
    EmployeeUpdate,
    ErrorBody,
    FeatureSet,
    IntegrationCreate,
    IntegrationOut,
    IntegrationUpdate,
    NewAccountOut,
    NewIntegrationOut,
    NewTokenOut,
    RoleClone,
    RoleOut,
    RolePermissions,
    TokenCreate,
    TokenOut,
)
from etail.sandbox.netsuite.deps import SessionDep, get_store
from etail.sandbox.netsuite.models import Account
from etail.sandbox.netsuite.store import Store

ADMIN_KEY_HEADER = "X-Sandbox-Admin-Key"
_key_header = APIKeyHeader(name=ADMIN_KEY_HEADER, auto_error=False)


class AdminKeyError(AdminError):
    status = 401


def require_admin_key(
    request: Request, key: Annotated[str | None, Security(_key_header)] = None
) -> None:
    if not get_store(request).check_admin_key(key):
        raise AdminKeyError(
            "the admin key is missing or wrong",
            field=ADMIN_KEY_HEADER,
            hint="send the key from <data>/admin.key (or ETAIL_NS_ADMIN_KEY)",
        )


_errors: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody},
    401: {"model": ErrorBody},
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
}
router = APIRouter(
    prefix="/admin/api", dependencies=[Depends(require_admin_key)], responses=_errors
)
StoreDep = Annotated[Store, Depends(get_store)]


def _account(s: Session, account_id: str) -> Account:
    return accounts.get_account(s, account_id)


# ---- accounts and features ------------------------------------------------------------------


@router.get("/accounts", tags=["accounts"])
def list_accounts(s: SessionDep) -> list[AccountOut]:
    return [AccountOut.of(a) for a in accounts.list_accounts(s)]


@router.post("/accounts", status_code=201, tags=["accounts"])
def create_account(body: AccountCreate, s: SessionDep) -> NewAccountOut:
    new = accounts.create_account(
        s,
        body.account_id,
        company_name=body.company_name,
        service_tier=body.service_tier,
        suitecloud_plus=body.suitecloud_plus,
        admin_email=body.admin_email,
        admin_password=body.admin_password,
    )
    return NewAccountOut(
        account=AccountOut.of(new.account),
        administrator=EmployeeOut.of(new.administrator),
        generated_password=new.generated_password,
    )


@router.get("/accounts/{account_id}", tags=["accounts"])
def get_account(account_id: str, s: SessionDep) -> AccountOut:
    return AccountOut.of(_account(s, account_id))


@router.put("/accounts/{account_id}/features/{feature}", tags=["accounts"])
def set_feature(account_id: str, feature: str, body: FeatureSet, s: SessionDep) -> AccountOut:
    """Setup > Company > Enable Features > SuiteCloud: ``tba``, ``rest`` or ``soap``."""
    return AccountOut.of(accounts.set_feature(s, _account(s, account_id), feature, body.enabled))


@router.post("/accounts/{account_id}/bundle", tags=["accounts"])
def install_bundle(
    account_id: str, body: BundleInstall, s: SessionDep, store: StoreDep
) -> BundleOut:
    bundle = accounts.install_bundle(
        s, store.box, _account(s, account_id), body.consumer_key, body.consumer_secret
    )
    return BundleOut(
        role=RoleOut.of(bundle.role), integration=IntegrationOut.of(bundle.integration)
    )


# ---- roles ----------------------------------------------------------------------------------


@router.get("/accounts/{account_id}/roles", tags=["roles"])
def list_roles(account_id: str, s: SessionDep) -> list[RoleOut]:
    return [RoleOut.of(r) for r in roles.list_roles(s, _account(s, account_id))]


@router.get("/accounts/{account_id}/roles/{role}", tags=["roles"])
def get_role(account_id: str, role: str, s: SessionDep) -> RoleOut:
    return RoleOut.of(roles.get_role(s, _account(s, account_id), role))


@router.post("/accounts/{account_id}/roles/{role}/clone", status_code=201, tags=["roles"])
def clone_role(account_id: str, role: str, body: RoleClone, s: SessionDep) -> RoleOut:
    """Customize: copy the role under a new name, with extra permission levels."""
    account = _account(s, account_id)
    source = roles.get_role(s, account, role)
    return RoleOut.of(roles.clone_role(s, account, source, body.name, body.permissions))


@router.patch("/accounts/{account_id}/roles/{role}", tags=["roles"])
def set_permissions(account_id: str, role: str, body: RolePermissions, s: SessionDep) -> RoleOut:
    target = roles.get_role(s, _account(s, account_id), role)
    return RoleOut.of(roles.set_permissions(s, target, body.permissions))


# ---- employees ------------------------------------------------------------------------------


@router.get("/accounts/{account_id}/employees", tags=["employees"])
def list_employees(account_id: str, s: SessionDep) -> list[EmployeeOut]:
    return [EmployeeOut.of(e) for e in employees.list_employees(s, _account(s, account_id))]


@router.post("/accounts/{account_id}/employees", status_code=201, tags=["employees"])
def create_employee(account_id: str, body: EmployeeCreate, s: SessionDep) -> EmployeeOut:
    account = _account(s, account_id)
    role_list = [roles.get_role(s, account, r) for r in body.roles]
    emp = employees.create_employee(
        s, account, body.name, body.email, roles=role_list, password=body.password
    )
    return EmployeeOut.of(emp)


@router.get("/accounts/{account_id}/employees/{user}", tags=["employees"])
def get_employee(account_id: str, user: str, s: SessionDep) -> EmployeeOut:
    return EmployeeOut.of(employees.get_employee(s, _account(s, account_id), user))


@router.patch("/accounts/{account_id}/employees/{user}", tags=["employees"])
def update_employee(account_id: str, user: str, body: EmployeeUpdate, s: SessionDep) -> EmployeeOut:
    emp = employees.get_employee(s, _account(s, account_id), user)
    return EmployeeOut.of(employees.set_inactive(s, emp, body.inactive))


@router.post("/accounts/{account_id}/employees/{user}/roles", tags=["employees"])
def add_employee_role(
    account_id: str, user: str, body: EmployeeRoleAdd, s: SessionDep
) -> EmployeeOut:
    """Employee > Edit > Access > Roles: add a role."""
    account = _account(s, account_id)
    emp = employees.get_employee(s, account, user)
    return EmployeeOut.of(employees.add_role(s, emp, roles.get_role(s, account, body.role)))


@router.delete("/accounts/{account_id}/employees/{user}/roles/{role}", tags=["employees"])
def remove_employee_role(account_id: str, user: str, role: str, s: SessionDep) -> EmployeeOut:
    account = _account(s, account_id)
    emp = employees.get_employee(s, account, user)
    return EmployeeOut.of(employees.remove_role(s, emp, roles.get_role(s, account, role)))


# ---- integration records --------------------------------------------------------------------


@router.get("/accounts/{account_id}/integrations", tags=["integrations"])
def list_integrations(account_id: str, s: SessionDep) -> list[IntegrationOut]:
    found = integrations.list_integrations(s, _account(s, account_id))
    return [IntegrationOut.of(i) for i in found]


@router.post("/accounts/{account_id}/integrations", status_code=201, tags=["integrations"])
def create_integration(
    account_id: str, body: IntegrationCreate, s: SessionDep, store: StoreDep
) -> NewIntegrationOut:
    """The consumer key and secret are in this answer only."""
    new = integrations.create_integration(
        s,
        store.box,
        _account(s, account_id),
        body.name,
        description=body.description,
        tba=body.tba,
        state=body.state,
    )
    return NewIntegrationOut(
        integration=IntegrationOut.of(new.integration),
        consumer_key=new.consumer_key,
        consumer_secret=new.consumer_secret,
    )


@router.patch("/accounts/{account_id}/integrations/{integration}", tags=["integrations"])
def update_integration(
    account_id: str, integration: str, body: IntegrationUpdate, s: SessionDep
) -> IntegrationOut:
    integ = integrations.get_integration(s, _account(s, account_id), integration)
    return IntegrationOut.of(
        integrations.update_integration(s, integ, state=body.state, tba=body.tba)
    )


# ---- access tokens --------------------------------------------------------------------------


@router.get("/accounts/{account_id}/tokens", tags=["tokens"])
def list_tokens(account_id: str, s: SessionDep) -> list[TokenOut]:
    return [TokenOut.of(t) for t in tokens.list_tokens(s, _account(s, account_id))]


@router.post("/accounts/{account_id}/tokens", status_code=201, tags=["tokens"])
def create_token(account_id: str, body: TokenCreate, s: SessionDep, store: StoreDep) -> NewTokenOut:
    """Access Tokens > New. The Token ID and Token Secret are in this answer only."""
    account = _account(s, account_id)
    new = tokens.create_token(
        s,
        store.box,
        account,
        integrations.get_integration(s, account, body.application),
        employees.get_employee(s, account, body.user),
        roles.get_role(s, account, body.role),
        name=body.name,
        inactive=body.inactive,
    )
    return NewTokenOut(
        token=TokenOut.of(new.token), token_id=new.token_id, token_secret=new.token_secret
    )


@router.post("/accounts/{account_id}/tokens/{token}/inactivate", tags=["tokens"])
def inactivate_token(account_id: str, token: str, s: SessionDep) -> TokenOut:
    tok = tokens.get_token(s, _account(s, account_id), token)
    return TokenOut.of(tokens.set_inactive(s, tok, True))


@router.post("/accounts/{account_id}/tokens/{token}/activate", tags=["tokens"])
def activate_token(account_id: str, token: str, s: SessionDep) -> TokenOut:
    tok = tokens.get_token(s, _account(s, account_id), token)
    return TokenOut.of(tokens.set_inactive(s, tok, False))


@router.post("/accounts/{account_id}/tokens/{token}/revoke", tags=["tokens"])
def revoke_token(account_id: str, token: str, s: SessionDep) -> TokenOut:
    """Permanent: a revoked token never works again."""
    tok = tokens.get_token(s, _account(s, account_id), token)
    return TokenOut.of(tokens.revoke(s, tok))


# ---- login audit trail ----------------------------------------------------------------------


@router.get("/accounts/{account_id}/audit", tags=["audit"])
def account_audit(
    account_id: str, s: SessionDep, limit: Annotated[int, Query(ge=1, le=5000)] = 200
) -> list[AuditOut]:
    return [AuditOut.of(a) for a in audit.list_audit(s, _account(s, account_id), limit)]


@router.get("/audit", tags=["audit"])
def server_audit(
    s: SessionDep, limit: Annotated[int, Query(ge=1, le=5000)] = 200
) -> list[AuditOut]:
    """Every attempt on this server, unknown realms included."""
    return [AuditOut.of(a) for a in audit.list_audit(s, None, limit)]
