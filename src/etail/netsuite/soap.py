"""``SoapClient``: SuiteTalk SOAP with a TBA ``tokenPassport`` (netsuite-oauth2-soap.md §5).

SOAP has no OAuth 2.0, so TBA stays its way in (§6.2). Each HTTP attempt carries a **new**
passport -- new nonce, new timestamp, new signature -- also on a retry (NS:section_1509544929:
"even with retry logic"). Answers are parsed with defusedxml; faults and record-level errors
become ``etail.errors`` classes:

* ``Invalid login attempt.`` / ``Ambiguous authentication`` (``invalidCredentialsFault``) →
  ``CredentialsError`` (the reason is in NetSuite's Login Audit Trail);
* ``WS_REQUEST_BLOCKED`` (``exceededConcurrentRequestLimitFault``) → ``RateLimitedError``,
  retried with backoff;
* ``insufficientPermissionFault`` or ``statusDetail`` ``INSUFFICIENT_PERMISSION`` →
  ``PermissionDeniedError``; ``RCRD_DSNT_EXIST`` → ``RecordNotFoundError``; any other
  ``statusDetail`` error → ``RecordRejectedError``; other faults and 5xx → ``TransientError``.

Records go in and come out as plain dicts: scalars are element text, ``{"internalId": ...}`` or
``{"externalId": ...}`` is a ``RecordRef``, a list under ``<name>List`` is a sublist (``itemList``
lines are ``item`` elements), and any other dict is a nested element (an address).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

import httpx2
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from etail.errors import (
    CredentialsError,
    ExternalServiceError,
    PermissionDeniedError,
    RateLimitedError,
    RecordNotFoundError,
    RecordRejectedError,
    SettingsError,
    TransientError,
    UnexpectedResponseError,
)
from etail.netsuite.accounts import AccountId
from etail.netsuite.credentials import TBACredentials
from etail.netsuite.limits import InFlightLimit, limit_for
from etail.netsuite.passport import DEFAULT_SOAP_VERSION, token_passport
from etail.netsuite.problems import LOGIN_AUDIT_TRAIL
from etail.netsuite.retries import RetryPolicy

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_VERSION = re.compile(r"^\d{4}_[12]$")
_SEARCH_PAGE = (5, 1000)
_MAX_PAGES = 1000
Sleep = Callable[[float], Awaitable[None]]
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Kind:
    xsd_type: str
    module: str
    group: str
    search_basic: str
    search_type: str | None = None  # TransactionSearchBasic/type value


# The record types spoken over SOAP, with their schema (§5.2) and basic search type (§5.5).
KINDS: dict[str, _Kind] = {
    "customer": _Kind("Customer", "relationships", "lists", "CustomerSearchBasic"),
    "salesOrder": _Kind(
        "SalesOrder", "sales", "transactions", "TransactionSearchBasic", "_salesOrder"
    ),
    "inventoryItem": _Kind("InventoryItem", "accounting", "lists", "ItemSearchBasic"),
}


def _ns(module: str, group: str, version: str) -> str:
    return f"urn:{module}_{version}.{group}.webservices.netsuite.com"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kind(record_type: str) -> _Kind:
    kind = KINDS.get(record_type)
    if kind is None:
        raise SettingsError(
            f"record_type {record_type!r} is not spoken over SOAP by this client",
            field="record_type",
            hint=f"use one of {', '.join(KINDS)}, or the REST client for other types",
        )
    return kind


class SoapClient:
    """Async SuiteTalk SOAP client for one account (or a local sandbox at ``base_url``).

    Args:
        account: the account; its realm is the passport's ``account`` and its host is
            ``<host prefix>.suitetalk.api.netsuite.com`` unless ``base_url`` is given.
        credentials: the four TBA values.
        base_url: a local stand-in (``http://127.0.0.1:8101``); the account stays the same.
        version: the endpoint ``NetSuitePort_<version>``, e.g. ``2025_2``.
        concurrency: the account's limit, shared with REST clients of the same realm.
        max_retries: retries on ``WS_REQUEST_BLOCKED``, 5xx and transport errors.

    Example:
        >>> async with SoapClient("1234567_SB1", creds) as soap:  # doctest: +SKIP
        ...     ref = await soap.upsert("customer", "CID-1", {"companyName": "Ada"})
    """

    def __init__(
        self,
        account: AccountId | str,
        credentials: TBACredentials,
        *,
        base_url: str | None = None,
        version: str = DEFAULT_SOAP_VERSION,
        concurrency: int | None = None,
        max_retries: int = 4,
        timeout: float = 60.0,
        transport: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.account = account if isinstance(account, AccountId) else AccountId.parse(account)
        if not _VERSION.match(version):
            raise SettingsError(
                f"version {version!r} is not a SuiteTalk endpoint version",
                field="version",
                hint="write it like 2025_2 (NetSuitePort_2025_2)",
            )
        self.version = version
        self.credentials = credentials
        base = _checked_base_url(base_url) if base_url else self.account.rest_base_url
        self.url = f"{base}/services/NetSuitePort_{version}"
        self.limiter: InFlightLimit = limit_for(self.account.realm, concurrency)
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self.passports_sent = 0
        self._sleep: Sleep = sleep or asyncio.sleep
        self._http = httpx2.AsyncClient(
            timeout=timeout, transport=transport, headers={"User-Agent": "etail-netsuite/0.1"}
        )

    def __repr__(self) -> str:
        return f"SoapClient(realm={self.account.realm!r}, url={self.url!r})"

    async def __aenter__(self) -> SoapClient:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- operations ------------------------------------------------------------------------

    async def get(
        self,
        record_type: str,
        internal_id: str | int | None = None,
        *,
        external_id: str | None = None,
    ) -> Record:
        """One record by internal or external ID (``get`` with a ``baseRef``)."""
        ref = self._ref(record_type, internal_id, external_id)
        result = await self.call("get", f"<msg:baseRef {ref}/>", idempotent=True)
        self._raise_status(result, "get", record_type)
        record = _first(result, "record")
        if record is None:
            raise UnexpectedResponseError("NetSuite answered get without a record", body=None)
        return _record(record)

    async def add(
        self, record_type: str, fields: Mapping[str, Any], *, external_id: str | None = None
    ) -> str:
        """Create a record; returns its internal ID. Not resent after an ambiguous failure."""
        record = self._record_xml(record_type, fields, external_id=external_id)
        result = await self.call("add", record, idempotent=False)
        return self._written(result, "add", record_type)

    async def update(
        self,
        record_type: str,
        fields: Mapping[str, Any],
        *,
        internal_id: str | int | None = None,
        external_id: str | None = None,
    ) -> str:
        """Change the given fields of a record named by internal or external ID."""
        if internal_id is None and external_id is None:
            raise SettingsError("update needs internal_id or external_id", field="internal_id")
        record = self._record_xml(
            record_type, fields, internal_id=internal_id, external_id=external_id
        )
        result = await self.call("update", record, idempotent=False)
        return self._written(result, "update", record_type)

    async def upsert(self, record_type: str, external_id: str, fields: Mapping[str, Any]) -> str:
        """Create or update by external ID (NS:article_0807093604); returns the internal ID."""
        if not external_id:
            raise SettingsError("upsert needs an external_id", field="external_id")
        record = self._record_xml(record_type, fields, external_id=external_id)
        result = await self.call("upsert", record, idempotent=True)
        return self._written(result, "upsert", record_type)

    async def delete(
        self,
        record_type: str,
        internal_id: str | int | None = None,
        *,
        external_id: str | None = None,
    ) -> None:
        ref = self._ref(record_type, internal_id, external_id)
        result = await self.call("delete", f"<msg:baseRef {ref}/>", idempotent=True)
        self._raise_status(result, "delete", record_type)

    async def get_server_time(self) -> datetime:
        result = await self.call("getServerTime", "", idempotent=True)
        self._raise_status(result, "getServerTime", "")
        found = _first(result, "serverTime")
        raw = (found.text or "").strip() if found is not None else ""
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise UnexpectedResponseError(
                f"NetSuite answered getServerTime with {raw!r}", body=raw
            ) from None

    async def search(
        self,
        record_type: str,
        criteria: Mapping[str, tuple[str, Any]] | None = None,
        *,
        page_size: int = 1000,
        body_fields_only: bool = True,
    ) -> AsyncIterator[Record]:
        """Every record matching a basic search, all pages (``search`` then ``searchMoreWithId``).

        ``criteria`` maps a field to ``(operator, value)``: ``{"email": ("contains", "ex.com"),
        "externalId": ("anyOf", ["A", "B"]), "isInactive": ("is", False)}``.
        """
        if not _SEARCH_PAGE[0] <= page_size <= _SEARCH_PAGE[1]:
            raise SettingsError(
                f"page_size must be between {_SEARCH_PAGE[0]} and {_SEARCH_PAGE[1]}",
                field="page_size",
            )
        kind = _kind(record_type)
        prefs = (
            f'<msg:searchPreferences xmlns:msg="{self._messages}">'
            f"<msg:bodyFieldsOnly>{str(body_fields_only).lower()}</msg:bodyFieldsOnly>"
            f"<msg:pageSize>{page_size}</msg:pageSize></msg:searchPreferences>"
        )
        body = self._search_xml(kind, criteria or {})
        result = await self.call("search", body, idempotent=True, extra_header=prefs)
        for page in range(_MAX_PAGES):
            self._raise_status(result, "search", record_type)
            for record in _all(result, "record"):
                yield _record(record)
            total_pages = int(_text(result, "totalPages") or 1)
            if page + 2 > total_pages:
                return
            more = (
                f"<msg:searchId>{escape(_text(result, 'searchId'))}</msg:searchId>"
                f"<msg:pageIndex>{page + 2}</msg:pageIndex>"
            )
            result = await self.call("searchMoreWithId", more, idempotent=True)

    # -- the one request path ----------------------------------------------------------------

    async def call(
        self, operation: str, body_xml: str, *, idempotent: bool, extra_header: str = ""
    ) -> Element:
        """Send one operation with retries; a fresh passport each attempt. Returns the Body."""
        retries = 0
        while True:
            outcome = await self._attempt(operation, body_xml, extra_header)
            if isinstance(outcome, Element):
                return outcome
            if not self.retry.should_retry(outcome, retries, resendable=idempotent):
                raise outcome
            retry_after = outcome.retry_after if isinstance(outcome, RateLimitedError) else None
            delay = self.retry.delay(retries, retry_after)
            retries += 1
            await self._sleep(delay)

    async def _attempt(
        self, operation: str, body_xml: str, extra_header: str
    ) -> Element | ExternalServiceError:
        passport = token_passport(self.account, self.credentials)  # never reused (§5.4)
        self.passports_sent += 1
        envelope = (
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:xsi="{XSI}">'
            f"<soapenv:Header>{passport.to_xml(self.version)}{extra_header}</soapenv:Header>"
            f'<soapenv:Body><msg:{operation} xmlns:msg="{self._messages}">{body_xml}'
            f"</msg:{operation}></soapenv:Body></soapenv:Envelope>"
        )
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{operation}"'}
        async with self.limiter:
            try:
                response = await self._http.post(
                    self.url, content=envelope.encode(), headers=headers
                )
            except httpx2.TransportError as exc:
                return TransientError(
                    f"NetSuite SOAP at {urlsplit(self.url).netloc} could not be reached for "
                    f"{operation} ({type(exc).__name__}: {exc})",
                    hint="check the network or the base URL; the call can be retried",
                )
        return _outcome(response, operation, self.account.realm)

    # -- building ----------------------------------------------------------------------------

    @property
    def _messages(self) -> str:
        return _ns("messages", "platform", self.version)

    @property
    def _core(self) -> str:
        return _ns("core", "platform", self.version)

    def _ref(self, record_type: str, internal_id: str | int | None, external_id: str | None) -> str:
        _kind(record_type)
        if (internal_id is None) == (external_id is None):
            raise SettingsError(
                "give exactly one of internal_id and external_id", field="internal_id"
            )
        key = "internalId" if internal_id is not None else "externalId"
        value = str(internal_id if internal_id is not None else external_id)
        return (
            f"{key}={quoteattr(value)} type={quoteattr(record_type)} "
            f'xsi:type="core:RecordRef" xmlns:core="{self._core}"'
        )

    def _record_xml(
        self,
        record_type: str,
        fields: Mapping[str, Any],
        *,
        internal_id: str | int | None = None,
        external_id: str | None = None,
    ) -> str:
        kind = _kind(record_type)
        attrs = (
            f'xsi:type="r:{kind.xsd_type}" xmlns:r="{_ns(kind.module, kind.group, self.version)}"'
        )
        if internal_id is not None:
            attrs += f" internalId={quoteattr(str(internal_id))}"
        if external_id is not None:
            attrs += f" externalId={quoteattr(external_id)}"
        inner = "".join(_field_xml(name, value) for name, value in fields.items())
        return f"<msg:record {attrs}>{inner}</msg:record>"

    def _search_xml(self, kind: _Kind, criteria: Mapping[str, tuple[str, Any]]) -> str:
        common = _ns("common", "platform", self.version)
        parts = []
        if kind.search_type:
            parts.append(("type", ("anyOf", [kind.search_type])))
        parts.extend(criteria.items())
        inner = "".join(_criterion_xml(name, op, value) for name, (op, value) in parts)
        return (
            f'<msg:searchRecord xsi:type="c:{kind.search_basic}" xmlns:c="{common}" '
            f'xmlns:core="{self._core}">{inner}</msg:searchRecord>'
        )

    # -- reading -----------------------------------------------------------------------------

    def _written(self, result: Element, operation: str, record_type: str) -> str:
        self._raise_status(result, operation, record_type)
        ref = _first(result, "baseRef")
        if ref is None or not ref.get("internalId"):
            raise UnexpectedResponseError(f"NetSuite answered {operation} without a baseRef")
        return str(ref.get("internalId"))

    def _raise_status(self, result: Element, operation: str, record_type: str) -> None:
        status = _first(result, "status")
        if status is None or status.get("isSuccess", "").lower() == "true":
            return
        code = _text(status, "code") or "UNEXPECTED_ERROR"
        message = _text(status, "message") or "(no message)"
        what = f"NetSuite refused {operation} of {record_type or 'the request'}: {code} {message}"
        if code == "RCRD_DSNT_EXIST":
            raise RecordNotFoundError(what, code=code, status=200)
        if code == "INSUFFICIENT_PERMISSION":
            raise PermissionDeniedError(
                what, code=code, status=200, hint="give the token's role the permission named"
            )
        raise RecordRejectedError(what, code=code, status=200)


def _field_xml(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):
        keys = set(value)
        if keys and keys <= {"internalId", "externalId", "type"}:
            attrs = " ".join(f"{k}={quoteattr(str(v))}" for k, v in value.items())
            return f"<r:{name} {attrs}/>"
        inner = "".join(_field_xml(k, v) for k, v in value.items())
        return f"<r:{name}>{inner}</r:{name}>"
    if isinstance(value, list | tuple):
        line = name[:-4] if name.endswith("List") else name
        lines = "".join(_field_xml(line, item) for item in value)
        return f'<r:{name} replaceAll="true">{lines}</r:{name}>'
    return f"<r:{name}>{escape(_scalar(value))}</r:{name}>"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00"
    return str(value)


def _criterion_xml(name: str, operator: str, value: Any) -> str:
    if name in ("internalId", "externalId", "entity"):
        key = "externalId" if name == "externalId" else "internalId"
        values = value if isinstance(value, list | tuple) else [value]
        refs = "".join(f"<core:searchValue {key}={quoteattr(str(v))}/>" for v in values)
        kind = 'xsi:type="core:SearchMultiSelectField"'
        return f"<c:{name} operator={quoteattr(operator)} {kind}>{refs}</c:{name}>"
    values = value if isinstance(value, list | tuple) else [value]
    shown = "".join(f"<core:searchValue>{escape(_scalar(v))}</core:searchValue>" for v in values)
    return f"<c:{name} operator={quoteattr(operator)}>{shown}</c:{name}>"


def _first(root: Element, name: str) -> Element | None:
    return next((e for e in root.iter() if _local(e.tag) == name), None)


def _all(root: Element, name: str) -> list[Element]:
    return [e for e in root.iter() if _local(e.tag) == name]


def _text(root: Element, name: str) -> str:
    found = _first(root, name)
    return (found.text or "").strip() if found is not None else ""


def _record(element: Element) -> Record:
    out: Record = {k: v for k, v in element.attrib.items() if k in ("internalId", "externalId")}
    for field in element:
        out[_local(field.tag)] = _value(field)
    return out


def _value(element: Element) -> Any:
    name = _local(element.tag)
    if len(element) == 0:
        if element.get("internalId") or element.get("externalId"):
            return {k: v for k, v in element.attrib.items() if k in ("internalId", "externalId")}
        return (element.text or "").strip()
    if name.endswith("List") and name != "customFieldList":
        return [_record(line) for line in element]
    if name == "customFieldList":
        return {f.get("scriptId", ""): _text(f, "value") for f in element if f.get("scriptId")}
    shown: Record = {k: v for k, v in element.attrib.items() if k in ("internalId", "externalId")}
    for part in element:
        shown[_local(part.tag)] = _value(part)
    return shown


def _parse(response: httpx2.Response) -> Element | None:
    try:
        root: Element = fromstring(response.content, forbid_dtd=True)
    except (SyntaxError, DefusedXmlException):
        return None
    return root


def _outcome(
    response: httpx2.Response, operation: str, realm: str
) -> Element | ExternalServiceError:
    root = _parse(response)
    body = next((e for e in root if _local(e.tag) == "Body"), None) if root is not None else None
    fault = _first(body, "Fault") if body is not None else None
    if response.is_success and body is not None and fault is None:
        return body
    if fault is None:
        kind = TransientError if response.status_code >= 500 else UnexpectedResponseError
        return kind(
            f"NetSuite answered SOAP {operation} with HTTP {response.status_code} and no SOAP body",
            status=response.status_code,
            body=response.text[:2000],
        )
    return _fault_error(fault, response.status_code, operation, realm)


def _fault_error(fault: Element, status: int, operation: str, realm: str) -> ExternalServiceError:
    message = _text(fault, "faultstring")
    detail = _first(fault, "detail")
    element = _local(detail[0].tag) if detail is not None and len(detail) else ""
    code = (_text(detail, "code") if detail is not None else "") or element or None
    kind, hint = _classify(_text(fault, "faultcode"), element, code or "", message, realm)
    what = f"NetSuite SOAP {operation} failed: {message}"
    return kind(what, status=status, code=code, body=message, hint=hint)


def _classify(
    faultcode: str, element: str, code: str, message: str, realm: str
) -> tuple[type[ExternalServiceError], str | None]:
    """The error class and the fix for one fault (netsuite-oauth2-soap.md §5.6)."""
    if "Ambiguous authentication" in message:
        return CredentialsError, (
            "send only the tokenPassport header: no applicationInfo, passport or session cookie"
        )
    if element == "invalidCredentialsFault" or "Invalid login attempt" in message:
        return CredentialsError, (
            f"the reason is in NetSuite's Login Audit Trail ({LOGIN_AUDIT_TRAIL}) for account "
            f"{realm}"
        )
    if code == "WS_REQUEST_BLOCKED" or element == "exceededConcurrentRequestLimitFault":
        return RateLimitedError, None
    if element == "insufficientPermissionFault":
        return PermissionDeniedError, "give the token's role the permission named"
    if faultcode.endswith("Client") or element not in ("unexpectedErrorFault", ""):
        return UnexpectedResponseError, None  # our request is wrong: resending cannot help
    return TransientError, "NetSuite failed unexpectedly; the call can be retried"


def _checked_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"base_url {base_url!r} is not an absolute http(s) URL",
            field="base_url",
            hint="e.g. http://127.0.0.1:8101 for the local NetSuite sandbox",
        )
    return base_url.rstrip("/")


__all__ = ["KINDS", "SoapClient"]
