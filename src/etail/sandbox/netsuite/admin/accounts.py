"""Accounts, their features (Setup > Company > Enable Features) and the integrator's bundle."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from etail.crypto import SecretBox
from etail.sandbox.netsuite.admin.credentials import digest, password_hasher, require_hex64
from etail.sandbox.netsuite.admin.errors import AdminError, ConflictError, NotFoundError
from etail.sandbox.netsuite.admin.integrations import new_application_id
from etail.sandbox.netsuite.context import RECORD_PERMISSIONS, SETUP_PERMISSIONS, Level
from etail.sandbox.netsuite.models import TIER_LIMITS, Account, Employee, Integration, Role

Feature = Literal["tba", "rest", "soap"]
FEATURES: dict[Feature, str] = {
    "tba": "Token-Based Authentication",
    "rest": "REST Web Services",
    "soap": "SOAP Web Services",
}

# Account IDs: production 1234567, sandboxes 1234567_SB1, Release Preview 1234567_RP,
# test drives TSTDRV1234567 -- upper case with "_" is the realm spelling (netsuite-tba.md §1.1).
ACCOUNT_ID = re.compile(r"^(?:TSTDRV)?[0-9]{1,12}(?:_(?:SB[0-9]{1,2}|RP))?$")

ADMINISTRATOR = "Administrator"
BUNDLE_ID = "20038"  # Celigo integrator.io bundle (netsuite-tba.md §4)
BUNDLE_ROLE = "Celigo eTail SmartConnectors"
BUNDLE_INTEGRATION = "eTail Connectors (Token-Based Auth)"

# The bundle role's permissions, as the issue lists them (Celigo publishes no list, §4).
BUNDLE_PERMISSIONS: dict[str, Level] = {
    "salesOrder": Level.FULL,
    "customer": Level.EDIT,
    "itemFulfillment": Level.EDIT,
    "cashSale": Level.EDIT,
    "returnAuthorization": Level.EDIT,
    "customerRefund": Level.EDIT,
    "inventoryItem": Level.VIEW,
    "loginUsingAccessTokens": Level.FULL,
    "restWebServices": Level.FULL,
    "soapWebServices": Level.FULL,
    "suiteAnalyticsWorkbook": Level.EDIT,
}


@dataclass(frozen=True)
class NewAccount:
    account: Account
    administrator: Employee
    generated_password: str | None  # shown once when the caller gave none


def validate_account_id(account_id: str) -> str:
    if not ACCOUNT_ID.match(account_id):
        raise AdminError(
            f"account ID {account_id!r} is not a NetSuite account ID",
            field="account_id",
            hint="use the realm spelling: digits, optionally _SB<n> or _RP, upper case "
            "(e.g. 1234567_SB1)",
        )
    return account_id


def create_account(
    s: Session,
    account_id: str,
    *,
    company_name: str | None = None,
    service_tier: str = "standard",
    suitecloud_plus: int = 0,
    admin_email: str | None = None,
    admin_password: str | None = None,
) -> NewAccount:
    """A new account with TBA off, its Administrator role and an Administrator employee."""
    validate_account_id(account_id)
    if service_tier not in TIER_LIMITS:
        raise AdminError(
            f"service tier {service_tier!r} is unknown",
            field="service_tier",
            hint=f"choose one of {', '.join(TIER_LIMITS)}",
        )
    if not 0 <= suitecloud_plus <= 100:
        raise AdminError(
            "SuiteCloud Plus licences must be between 0 and 100", field="suitecloud_plus"
        )
    if s.scalar(select(Account).where(Account.account_id == account_id)) is not None:
        raise ConflictError(f"account {account_id} already exists", field="account_id")
    account = Account(
        account_id=account_id,
        company_name=company_name or f"Company {account_id}",
        service_tier=service_tier,
        suitecloud_plus=suitecloud_plus,
        feature_tba=False,
        feature_rest=True,
        feature_soap=True,
    )
    s.add(account)
    s.flush()
    admin_role = Role(
        account_pk=account.id,
        name=ADMINISTRATOR,
        locked=True,
        is_administrator=True,
        permissions={k: int(Level.FULL) for k in (*RECORD_PERMISSIONS, *SETUP_PERMISSIONS)},
    )
    generated = None if admin_password else secrets.token_urlsafe(12)
    password = admin_password or generated
    assert password is not None
    email = admin_email or f"admin@{account_id.lower().replace('_', '-')}.example.com"
    admin = Employee(
        account_pk=account.id,
        name=ADMINISTRATOR,
        email=email,
        inactive=False,
        password_hash=password_hasher.hash(password),
        roles=[admin_role],
    )
    s.add_all([admin_role, admin])
    s.flush()
    return NewAccount(account, admin, generated)


def list_accounts(s: Session) -> list[Account]:
    return list(s.scalars(select(Account).order_by(Account.id)))


def find_account(s: Session, account_id: str) -> Account | None:
    return s.scalar(select(Account).where(Account.account_id == account_id))


def get_account(s: Session, account_id: str) -> Account:
    account = find_account(s, account_id)
    if account is None:
        raise NotFoundError(
            f"account {account_id!r} does not exist on this sandbox",
            field="account_id",
            hint="create it with `etail ns account create` (the ID is case-sensitive)",
        )
    return account


def set_feature(s: Session, account: Account, feature: str, enabled: bool) -> Account:
    if feature not in FEATURES:
        raise AdminError(
            f"feature {feature!r} is unknown",
            field="feature",
            hint=f"choose one of {', '.join(FEATURES)}",
        )
    setattr(account, f"feature_{feature}", enabled)
    s.flush()
    return account


def features(account: Account) -> dict[str, bool]:
    return {
        "tba": account.feature_tba,
        "rest": account.feature_rest,
        "soap": account.feature_soap,
    }


def verify_password(employee: Employee, password: str) -> bool:
    """argon2 check; a user without a password cannot sign in to the pages."""
    if not employee.password_hash:
        return False
    try:
        return password_hasher.verify(employee.password_hash, password)
    except Exception:  # argon2 raises VerifyMismatchError and friends
        return False


@dataclass(frozen=True)
class Bundle:
    role: Role
    integration: Integration


def install_bundle(
    s: Session, box: SecretBox, account: Account, consumer_key: str, consumer_secret: str
) -> Bundle:
    """Install (or update) the integrator's bundle: the locked role and the integration record.

    The consumer key and secret belong to the integrator's "eTail NetSuite" iClient, so they are
    given here rather than generated. Re-installing updates them (a bundle update).
    """
    require_hex64(consumer_key, "consumer_key")
    require_hex64(consumer_secret, "consumer_secret")
    role = s.scalar(select(Role).where(Role.account_pk == account.id, Role.name == BUNDLE_ROLE))
    if role is None:
        role = Role(
            account_pk=account.id,
            name=BUNDLE_ROLE,
            locked=True,
            bundle_id=BUNDLE_ID,
            is_administrator=False,
            permissions={k: int(v) for k, v in BUNDLE_PERMISSIONS.items()},
        )
        s.add(role)
    integ = s.scalar(
        select(Integration).where(
            Integration.account_pk == account.id, Integration.name == BUNDLE_INTEGRATION
        )
    )
    if integ is None:
        integ = Integration(
            account_pk=account.id,
            name=BUNDLE_INTEGRATION,
            description="Installed by the Celigo integrator.io bundle",
            application_id=new_application_id(),
            state="enabled",
            tba=True,
            bundle_id=BUNDLE_ID,
        )
        s.add(integ)
    elif integ.bundle_id != BUNDLE_ID:
        raise ConflictError(
            f"an integration record named {BUNDLE_INTEGRATION!r} exists and is not the bundle's",
            field="consumer_key",
            hint="rename that integration record first",
        )
    integ.consumer_key_sha256 = digest(consumer_key)
    integ.consumer_secret_enc = box.encrypt(consumer_secret)
    s.flush()
    return Bundle(role, integ)
