"""Bodies of the admin JSON API: strict pydantic models (no coercion, no unknown fields).

Secrets appear in exactly two answers, once each: a new integration record's consumer key and
secret, and a new access token's ID and secret. Every other answer masks or omits them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from etail.sandbox.netsuite.admin import tokens
from etail.sandbox.netsuite.context import Level
from etail.sandbox.netsuite.models import (
    AccessToken,
    Account,
    Employee,
    Integration,
    LoginAudit,
    Role,
)

LevelName = Literal["none", "view", "create", "edit", "full"]
Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", examples=["0" * 64])]
Ref = Annotated[str, Field(min_length=1, max_length=300)] | Annotated[int, Field(ge=1)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]


class In(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- requests -------------------------------------------------------------------------------


class AccountCreate(In):
    account_id: Annotated[
        str, Field(pattern=r"^(?:TSTDRV)?[0-9]{1,12}(?:_(?:SB[0-9]{1,2}|RP))?$", max_length=40)
    ]
    company_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    service_tier: Literal["standard", "premium", "enterprise"] = "standard"
    suitecloud_plus: Annotated[int, Field(ge=0, le=100)] = 0
    admin_email: (
        Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)] | None
    ) = None
    admin_password: Annotated[str, Field(min_length=8, max_length=200)] | None = None


class FeatureSet(In):
    enabled: bool


class BundleInstall(In):
    consumer_key: Hex64
    consumer_secret: Hex64


class RoleClone(In):
    name: Name
    permissions: dict[str, LevelName] = {}


class RolePermissions(In):
    permissions: dict[str, LevelName]


class EmployeeCreate(In):
    name: Name
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]
    roles: list[Ref] = []
    password: Annotated[str, Field(min_length=8, max_length=200)] | None = None


class EmployeeUpdate(In):
    inactive: bool


class EmployeeRoleAdd(In):
    role: Ref


class IntegrationCreate(In):
    name: Name
    description: Annotated[str, Field(max_length=1000)] = ""
    tba: bool = True
    state: Literal["enabled", "blocked"] = "enabled"


class IntegrationUpdate(In):
    state: Literal["enabled", "blocked"] | None = None
    tba: bool | None = None


class TokenCreate(In):
    application: Ref
    user: Ref
    role: Ref
    name: Annotated[str, Field(max_length=300)] | None = None
    inactive: bool = False


# ---- answers --------------------------------------------------------------------------------


class FeaturesOut(Out):
    tba: bool
    rest: bool
    soap: bool


class AccountOut(Out):
    account_id: str
    company_name: str
    service_tier: str
    suitecloud_plus: int
    concurrency_limit: int
    features: FeaturesOut

    @classmethod
    def of(cls, a: Account) -> AccountOut:
        return cls(
            account_id=a.account_id,
            company_name=a.company_name,
            service_tier=a.service_tier,
            suitecloud_plus=a.suitecloud_plus,
            concurrency_limit=a.concurrency_limit,
            features=FeaturesOut(tba=a.feature_tba, rest=a.feature_rest, soap=a.feature_soap),
        )


class RoleRef(Out):
    id: int
    name: str


class RoleOut(Out):
    id: int
    name: str
    locked: bool
    bundle_id: str | None
    is_administrator: bool
    permissions: dict[str, LevelName]

    @classmethod
    def of(cls, r: Role) -> RoleOut:
        perms: dict[str, LevelName] = {k: level_name(v) for k, v in sorted(r.levels().items())}
        return cls(
            id=r.id,
            name=r.name,
            locked=r.locked,
            bundle_id=r.bundle_id,
            is_administrator=r.is_administrator,
            permissions=perms,
        )


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored one is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def level_name(level: Level) -> LevelName:
    names: dict[Level, LevelName] = {
        Level.NONE: "none",
        Level.VIEW: "view",
        Level.CREATE: "create",
        Level.EDIT: "edit",
        Level.FULL: "full",
    }
    return names[level]


class EmployeeOut(Out):
    id: int
    name: str
    email: str
    inactive: bool
    roles: list[RoleRef]

    @classmethod
    def of(cls, e: Employee) -> EmployeeOut:
        return cls(
            id=e.id,
            name=e.name,
            email=e.email,
            inactive=e.inactive,
            roles=[RoleRef(id=r.id, name=r.name) for r in e.roles],
        )


class NewAccountOut(Out):
    account: AccountOut
    administrator: EmployeeOut
    generated_password: str | None = Field(
        default=None, description="Shown once when no admin_password was given."
    )


class IntegrationOut(Out):
    id: int
    name: str
    description: str
    application_id: str
    state: str
    tba: bool
    bundle_id: str | None
    consumer_key: str = "******"  # write-only: never shown again after creation

    @classmethod
    def of(cls, i: Integration) -> IntegrationOut:
        return cls(
            id=i.id,
            name=i.name,
            description=i.description,
            application_id=i.application_id,
            state=i.state,
            tba=i.tba,
            bundle_id=i.bundle_id,
        )


class NewIntegrationOut(Out):
    integration: IntegrationOut
    consumer_key: str
    consumer_secret: str
    note: str = "The consumer key and secret are shown only once."


class BundleOut(Out):
    role: RoleOut
    integration: IntegrationOut


class TokenOut(Out):
    id: int
    name: str
    application: str
    application_id: int
    user: str
    user_id: int
    role: str
    role_id: int
    status: tokens.TokenStatus
    created_at: datetime

    @classmethod
    def of(cls, t: AccessToken) -> TokenOut:
        return cls(
            id=t.id,
            name=t.name,
            application=t.integration.name,
            application_id=t.integration_id,
            user=t.employee.email,
            user_id=t.employee_id,
            role=t.role.name,
            role_id=t.role_id,
            status=tokens.status(t),
            created_at=utc(t.created_at),
        )


class NewTokenOut(Out):
    token: TokenOut
    token_id: str
    token_secret: str
    note: str = tokens.SHOWN_ONCE_NOTE


class AuditOut(Out):
    id: int
    at: datetime
    realm: str
    user: str
    role: str
    token_name: str
    application: str
    status: str
    detail: str
    channel: str
    ip_address: str

    @classmethod
    def of(cls, a: LoginAudit) -> AuditOut:
        return cls(
            id=a.id,
            at=utc(a.at),
            realm=a.realm,
            user=a.user,
            role=a.role,
            token_name=a.token_name,
            application=a.application,
            status=a.status,
            detail=a.detail,
            channel=a.channel,
            ip_address=a.ip_address,
        )


class ErrorOut(Out):
    code: str
    message: str
    field: str | None = None


class ErrorBody(Out):
    error: ErrorOut
