"""Rules of the admin objects, at the service layer (no HTTP)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.admin import accounts, employees, integrations, roles, tokens
from etail.sandbox.netsuite.admin.credentials import HEX64, digest
from etail.sandbox.netsuite.admin.errors import AdminError, ConflictError
from etail.sandbox.netsuite.context import Level
from etail.sandbox.netsuite.models import Integration
from etail.sandbox.netsuite.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path)
    yield s
    s.close()


@pytest.fixture
def s(store: Store) -> Iterator[Session]:
    with store.session() as session:
        yield session


@pytest.mark.parametrize(
    ("tier", "plus", "limit"),
    [("standard", 0, 5), ("premium", 0, 15), ("enterprise", 0, 20), ("standard", 1, 15),
     ("premium", 5, 65)],
)  # fmt: skip
def test_concurrency_limit_from_tier_and_licences(
    s: Session, tier: str, plus: int, limit: int
) -> None:
    new = accounts.create_account(s, "1234567", service_tier=tier, suitecloud_plus=plus)
    assert new.account.concurrency_limit == limit
    assert new.account.feature_tba is False  # off on a new account
    assert new.generated_password


@pytest.mark.parametrize("bad", ["1234567-sb1", "1234567_sb1", "abc", "", "1234567_SB"])
def test_account_id_must_be_the_realm_spelling(s: Session, bad: str) -> None:
    with pytest.raises(AdminError) as err:
        accounts.create_account(s, bad)
    assert err.value.field == "account_id" and "1234567_SB1" in str(err.value)


def test_bundle_role_is_locked_and_customize_gives_an_editable_copy(
    s: Session, store: Store
) -> None:
    acct = accounts.create_account(s, "1234567_SB1").account
    bundle = accounts.install_bundle(s, store.box, acct, "a" * 64, "b" * 64)
    assert bundle.role.locked and bundle.role.levels()["salesOrder"] is Level.FULL
    assert bundle.role.levels()["inventoryItem"] is Level.VIEW
    with pytest.raises(ConflictError, match="Customize"):
        roles.set_permissions(s, bundle.role, {"customer": "full"})
    clone = roles.clone_role(s, acct, bundle.role, "eTail Role", {"customer": "full"})
    assert not clone.locked and clone.levels()["customer"] is Level.FULL
    assert clone.levels()["salesOrder"] is Level.FULL
    roles.set_permissions(s, clone, {"customer": "none"})
    assert "customer" not in clone.permissions
    with pytest.raises(ConflictError):
        roles.clone_role(s, acct, bundle.role, "eTail Role")
    with pytest.raises(AdminError, match="unknown"):
        roles.set_permissions(s, clone, {"noSuchPermission": "full"})
    with pytest.raises(AdminError, match="none, view"):
        roles.set_permissions(s, clone, {"customer": "admin"})


def test_bundle_credentials_are_digests_and_reinstall_updates_them(
    s: Session, store: Store
) -> None:
    acct = accounts.create_account(s, "1234567_SB1").account
    ck, cs = secrets.token_hex(32), secrets.token_hex(32)
    integ = accounts.install_bundle(s, store.box, acct, ck, cs).integration
    assert integ.consumer_key_sha256 == digest(ck) and cs not in integ.consumer_secret_enc
    assert store.box.decrypt(integ.consumer_secret_enc) == cs
    ck2 = secrets.token_hex(32)
    again = accounts.install_bundle(s, store.box, acct, ck2, cs).integration
    assert again.id == integ.id and integrations.find_by_consumer_key(s, acct, ck2) is again
    assert integrations.find_by_consumer_key(s, acct, ck) is None
    with pytest.raises(AdminError, match="64 lower-case hex"):
        accounts.install_bundle(s, store.box, acct, ck.upper(), cs)


def test_new_integration_credentials_are_64_hex_and_returned_once(s: Session, store: Store) -> None:
    acct = accounts.create_account(s, "1234567").account
    new = integrations.create_integration(s, store.box, acct, "My App")
    assert HEX64.match(new.consumer_key) and HEX64.match(new.consumer_secret)
    stored: Integration = new.integration
    assert new.consumer_key not in repr(stored.__dict__)
    assert new.consumer_secret not in repr(stored.__dict__)


def test_token_role_must_be_one_of_the_users_roles_and_revoke_is_final(
    s: Session, store: Store
) -> None:
    acct = accounts.create_account(s, "1234567_SB1").account
    bundle = accounts.install_bundle(s, store.box, acct, "a" * 64, "b" * 64)
    jane = employees.create_employee(s, acct, "Jane Doe", "Jane@Example.com")
    assert jane.email == "jane@example.com"
    with pytest.raises(AdminError, match="not one of Jane Doe's roles"):
        tokens.create_token(s, store.box, acct, bundle.integration, jane, bundle.role)
    employees.add_role(s, jane, bundle.role)
    new = tokens.create_token(s, store.box, acct, bundle.integration, jane, bundle.role)
    assert new.token.name == (
        "eTail Connectors (Token-Based Auth) - Jane Doe - Celigo eTail SmartConnectors"
    )
    assert HEX64.match(new.token_id) and HEX64.match(new.token_secret)
    assert tokens.find_by_token_id(s, acct, new.token_id) is new.token
    tokens.revoke(s, new.token)
    assert tokens.status(new.token) == "Revoked"
    with pytest.raises(ConflictError, match="revoked"):
        tokens.set_inactive(s, new.token, False)


def test_last_administrator_keeps_the_administrator_role(s: Session) -> None:
    new = accounts.create_account(s, "1234567")
    admin_role = new.administrator.roles[0]
    with pytest.raises(ConflictError, match="last Administrator"):
        employees.remove_role(s, new.administrator, admin_role)
    other = employees.create_employee(s, new.account, "Second Admin", "two@example.com")
    employees.add_role(s, other, admin_role)
    employees.remove_role(s, new.administrator, admin_role)
    assert admin_role not in new.administrator.roles


def test_duplicate_employee_email_is_refused(s: Session) -> None:
    acct = accounts.create_account(s, "1234567").account
    employees.create_employee(s, acct, "Jane", "jane@example.com")
    with pytest.raises(ConflictError):
        employees.create_employee(s, acct, "Other Jane", "JANE@example.com")
    with pytest.raises(AdminError, match="e-mail"):
        employees.create_employee(s, acct, "No Mail", "not-an-email")
