"""The verifier without HTTP: Oracle's published example, the ±300 s edge, header parsing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.admin import accounts, employees, roles, tokens
from etail.sandbox.netsuite.admin.credentials import digest
from etail.sandbox.netsuite.store import Store
from etail.sandbox.netsuite.tba import (
    LoginAttempt,
    LoginRejected,
    SignedRequest,
    TbaVerifier,
    parse_authorization,
)

# Inputs A of netsuite-tba.md §7 (NS:section_1534941088) and the documented header (§1.2).
CK = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4"
CS = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5"
TOKEN = "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc"
TSEC = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295"
TS = 1508242306
URL = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"
ORACLE_HEADER = (
    'OAuth realm="123456", oauth_token="' + TOKEN + '", oauth_consumer_key="' + CK + '", '
    'oauth_nonce="fjaLirsIcCGVZWzBX0pg", oauth_timestamp="1508242306", '
    'oauth_signature_method="HMAC-SHA256", oauth_version="1.0", '
    'oauth_signature="B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"'
)


@pytest.fixture
def oracle(tmp_path: Path) -> Iterator[tuple[Store, Session]]:
    """Account 123456 holding Oracle's example integration and token."""
    store = Store.open(tmp_path)
    with store.session() as s:
        acct = accounts.create_account(s, "123456", admin_password="x" * 12).account
        accounts.set_feature(s, acct, "tba", True)
        bundle = accounts.install_bundle(s, store.box, acct, CK, CS)
        role = roles.clone_role(s, acct, bundle.role, "Integration")
        emp = employees.create_employee(s, acct, "Jane Doe", "jane@example.com", roles=[role])
        tok = tokens.create_token(s, store.box, acct, bundle.integration, emp, role).token
        tok.token_sha256, tok.token_secret_enc = digest(TOKEN), store.box.encrypt(TSEC)
    with store.session() as s:
        yield store, s
    store.close()


def verify(store: Store, s: Session, now: float, header: str = ORACLE_HEADER) -> str:
    verifier = TbaVerifier(store.box, clock=lambda: now)
    req = SignedRequest("GET", URL, {"authorization": header})
    try:
        verifier.verify(s, req, LoginAttempt(channel="rest"))
    except LoginRejected as exc:
        return exc.detail
    return "ok"


def test_oracle_published_example_verifies(oracle: tuple[Store, Session]) -> None:
    assert verify(*oracle, now=TS) == "ok"


def test_timestamp_window_is_300_seconds_each_way(oracle: tuple[Store, Session]) -> None:
    store, s = oracle
    assert verify(store, s, now=TS + 301) == "InvalidTimestamp"
    assert verify(store, s, now=TS - 301) == "InvalidTimestamp"
    assert verify(store, s, now=TS - 300) == "ok"
    assert verify(store, s, now=TS + 300) == "NonceUsed"  # same nonce+timestamp again


def test_a_changed_signature_byte_is_invalid(oracle: tuple[Store, Session]) -> None:
    bad = ORACLE_HEADER.replace("B5OIWzn", "B5OIWzm")
    assert verify(*oracle, now=TS, header=bad) == "InvalidSignature"


def test_realm_case_matters(oracle: tuple[Store, Session]) -> None:
    store, s = oracle
    with store.session() as s2:
        accounts.create_account(s2, "654321_SB1", admin_password="x" * 12)
    lower = ORACLE_HEADER.replace('realm="123456"', 'realm="654321_sb1"')
    assert verify(store, s, now=TS, header=lower) == "InvalidAccount"


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "MissingTokenPassportRequiredFields"),
        ("Bearer abc", "MissingTokenPassportRequiredFields"),
        ('OAuth realm="1", realm="2"', "parameter_rejected"),
        ('OAuth oauth_nonce=""', "parameter_rejected"),
        ("OAuth oauth_nonce", "parameter_rejected"),
        ('OAuth limit="10"', "parameter_rejected"),
    ],
)
def test_header_parsing(header: str | None, detail: str) -> None:
    with pytest.raises(LoginRejected) as err:
        parse_authorization(header)
    assert err.value.detail == detail


def test_header_values_are_percent_decoded() -> None:
    got = parse_authorization('OAuth realm="1234567_SB1", oauth_signature="a%2Bb%3D"')
    assert got == {"realm": "1234567_SB1", "oauth_signature": "a+b="}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_header_is_parsed_or_rejected_never_crashes(raw: str) -> None:
    try:
        parsed = parse_authorization("OAuth " + raw)
    except LoginRejected as exc:
        assert exc.detail in {"parameter_rejected", "MissingTokenPassportRequiredFields"}
    else:
        assert all(k == "realm" or k.startswith("oauth_") for k in parsed)
