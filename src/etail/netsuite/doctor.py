"""``diagnose``: find out why a TBA login fails, in the order a person would check.

NetSuite answers every TBA failure with the same generic 401 and shows the real reason only in
its Login Audit Trail (netsuite-tba.md §1.8, §3.4). So the doctor checks what it can from the
outside first (account spelling, derived realm and hosts, credential formats, clock skew against
the server's ``Date`` header), then makes one signed call and explains the answer in plain words.
It never raises: every failure becomes a failed check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx2

from etail.errors import (
    CredentialsError,
    EtailError,
    PermissionDeniedError,
    RecordNotFoundError,
    TransientError,
)
from etail.netsuite.accounts import AccountId, Environment
from etail.netsuite.client import NetSuiteClient
from etail.netsuite.credentials import TBACredentials
from etail.netsuite.problems import INVALID_LOGIN_CAUSES, LOGIN_AUDIT_TRAIL

Status = Literal["ok", "warn", "fail", "skip"]
MAX_SKEW = 300.0
"""NetSuite rejects timestamps more than 5 minutes off its clock (InvalidTimestamp)."""
WARN_SKEW = 60.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str


@dataclass(slots=True)
class Diagnosis:
    """The checks in order, plus advice lines for a person when something failed."""

    checks: list[Check] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    def add(self, name: str, status: Status, detail: str) -> Status:
        self.checks.append(Check(name, status, detail))
        return status


async def diagnose(
    account: str,
    credentials: TBACredentials | None,
    *,
    environment: Environment | None = None,
    base_url: str | None = None,
    missing: Sequence[str] = (),
    transport: httpx2.AsyncBaseTransport | None = None,
    timeout: float = 10.0,
    clock: Callable[[], float] = time.time,
) -> Diagnosis:
    """Run every check; ``missing`` names credential settings the caller could not find."""
    report = Diagnosis()
    parsed = _check_account(report, account, environment)
    if parsed is not None:
        _check_hosts(report, parsed, base_url)
    _check_credentials(report, credentials, missing)
    if parsed is None:
        report.add("clock", "skip", "skipped: no valid account ID")
        report.add("signed call", "skip", "skipped: no valid account ID")
        return report
    target = base_url or parsed.rest_base_url
    reachable = await _check_clock(report, target, transport, timeout, clock)
    if credentials is None:
        report.add("signed call", "skip", "skipped: credentials incomplete")
    elif not reachable:
        report.add("signed call", "skip", "skipped: the server could not be reached")
    else:
        await _check_signed_call(report, parsed, credentials, base_url, transport, timeout)
    return report


def _check_account(
    report: Diagnosis, raw: str, environment: Environment | None
) -> AccountId | None:
    try:
        parsed = AccountId.parse(raw, environment)
    except EtailError as exc:
        report.add("account ID", "fail", str(exc))
        return None
    report.add("account ID", "ok", f"{parsed.realm} ({parsed.environment.value})")
    return parsed


def _check_hosts(report: Diagnosis, account: AccountId, base_url: str | None) -> None:
    report.add("realm", "ok", f'realm="{account.realm}" in the Authorization header')
    if base_url:
        report.add("hosts", "ok", f"local stand-in at {base_url} (realm kept: {account.realm})")
        return
    report.add("hosts", "ok", f"REST {account.rest_base_url}, RESTlets {account.restlet_base_url}")


def _check_credentials(
    report: Diagnosis, credentials: TBACredentials | None, missing: Sequence[str]
) -> None:
    if credentials is None:
        names = ", ".join(missing) or "the credentials"
        report.add("credentials", "fail", f"not set: {names}")
        return
    warnings = credentials.check_formats()
    if warnings:
        report.add("credentials", "warn", "; ".join(warnings))
    else:
        report.add("credentials", "ok", "four values of 64 lower-case hex characters")


async def _check_clock(
    report: Diagnosis,
    url: str,
    transport: httpx2.AsyncBaseTransport | None,
    timeout: float,
    clock: Callable[[], float],
) -> bool:
    # An unsigned request: any answer carries the server's Date header.
    try:
        async with httpx2.AsyncClient(transport=transport, timeout=timeout) as http:
            response = await http.get(url.rstrip("/") + "/")
    except httpx2.TransportError as exc:
        report.add("clock", "fail", f"cannot reach {url}: {type(exc).__name__}: {exc}")
        report.advice.append(
            f"Nothing answered at {url}. Check the address (--base-url for a local sandbox), "
            "the network and any proxy; for a real account check the account ID."
        )
        return False
    return _judge_skew(report, response.headers.get("Date"), clock())


def _judge_skew(report: Diagnosis, date_header: str | None, now: float) -> bool:
    try:
        server = parsedate_to_datetime(date_header).timestamp() if date_header else None
    except (TypeError, ValueError):
        server = None
    if server is None:
        report.add("clock", "warn", "the server sent no usable Date header; skew unknown")
        return True
    skew = now - server
    # The Date header has one-second resolution, so a skew under 2 s is noise.
    side = "ahead of" if skew > 0 else "behind"
    detail = (
        "in step with the server (within 2 s)"
        if abs(skew) < 2
        else f"this machine is {abs(skew):.0f} s {side} the server"
    )
    if abs(skew) > MAX_SKEW:
        report.add("clock", "fail", detail + " (NetSuite allows 300 s)")
        report.advice.append(
            "Set this machine's clock right (enable NTP): NetSuite refuses "
            "timestamps more than 5 minutes off (InvalidTimestamp)."
        )
    else:
        report.add("clock", "warn" if abs(skew) > WARN_SKEW else "ok", detail)
    return True


async def _check_signed_call(
    report: Diagnosis,
    account: AccountId,
    credentials: TBACredentials,
    base_url: str | None,
    transport: httpx2.AsyncBaseTransport | None,
    timeout: float,
) -> None:
    client = NetSuiteClient(
        account, credentials, base_url=base_url, max_retries=0, timeout=timeout, transport=transport
    )
    async with client:
        try:
            info = await _cheap_call(client)
        except CredentialsError as exc:
            report.add(
                "signed call", "fail", f"{exc.status} {exc.code or 'INVALID_LOGIN'}: login refused"
            )
            report.advice.append("NetSuite refused the login. Usual causes, most likely first:")
            report.advice.extend(f"{n}. {cause}" for n, cause in enumerate(INVALID_LOGIN_CAUSES, 1))
            report.advice.append(
                f"NetSuite shows the real reason in {LOGIN_AUDIT_TRAIL}: Use Advanced Search, add "
                "the Detail, Token-based Access Token Name and Token-based Application Name "
                "columns."
            )
        except PermissionDeniedError as exc:
            report.add("signed call", "fail", f"logged in, but {exc.message}")
            report.advice.append(
                "The token works but its role lacks a permission: edit the role at "
                "Setup > Users/Roles > Manage Roles."
            )
        except TransientError as exc:
            report.add("signed call", "fail", exc.message)
            report.advice.append("NetSuite did not complete the call; try again in a minute.")
        except EtailError as exc:
            report.add("signed call", "fail", exc.message)
        else:
            report.add("signed call", "ok", info)


async def _cheap_call(client: NetSuiteClient) -> str:
    # Token info names the entity and role; where it is not served (404), read one record page.
    try:
        info = await client.token_info()
    except RecordNotFoundError:
        await client.request("GET", client.record_url("customer"), params={"limit": 1})
        return "GET customer?limit=1 accepted the signature"
    who = ", ".join(f"{k}={v}" for k, v in info.items() if isinstance(v, str | int))
    return f"token info: {who}" if who else "token info accepted the signature"


__all__ = ["MAX_SKEW", "Check", "Diagnosis", "diagnose"]
