"""SuiteTalk operations over the sandbox's record store (netsuite-oauth2-soap.md §5.5).

``get``, ``add``, ``update``, ``upsert``, ``delete``, ``search``, ``searchMoreWithId`` and
``getServerTime`` for customer, salesOrder and inventoryItem. Writes go through the same
``BodyChecker`` and ``RecordStore`` as REST, one transaction per operation. A record that cannot
be read or written is not a fault: it answers HTTP 200 with ``status isSuccess="false"`` and a
``statusDetail`` (code and message), as NetSuite does (NS:section_N3536574).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from sqlalchemy.orm import Session

from etail.sandbox.netsuite.context import RECORD_PERMISSIONS, Caller, Level
from etail.sandbox.netsuite.records.problems import Problem
from etail.sandbox.netsuite.records.routes import unit_of_work
from etail.sandbox.netsuite.records.store import DuplicateExternalIdError, RecordStore
from etail.sandbox.netsuite.records.validation import BodyChecker
from etail.sandbox.netsuite.records.views import RecordView
from etail.sandbox.netsuite.soap import search as criteria
from etail.sandbox.netsuite.soap.codec import SoapType, decode, encode, soap_type, type_of_record
from etail.sandbox.netsuite.soap.envelope import (
    Envelope,
    EnvelopeError,
    child,
    namespace,
    tag,
    text,
    text_of,
)

# RecordType enum values NetSuite uses in RecordRef/@type (coreTypes.xsd).
NOT_FOUND = ("RCRD_DSNT_EXIST", "That record does not exist.")
# REST codes of the shared validation, as SOAP names them (faultTypes.xsd StatusDetailCodeType).
_CODES = {
    "NONEXISTENT_ID": "RCRD_DSNT_EXIST",
    "INVALID_CONTENT": "INVALID_FLD_VALUE",
    "DUP_RCRD": "DUP_RCRD",
    "INSUFFICIENT_PERMISSION": "INSUFFICIENT_PERMISSION",
}
DEFAULT_PAGE_SIZE = 1000
MIN_PAGE_SIZE, MAX_PAGE_SIZE = 5, 1000  # searchPreferences pageSize (NS:section_N3523074)
KEPT_SEARCHES = 200


class RecordError(Exception):
    """One record-level failure: becomes ``statusDetail type="ERROR"``, never a fault."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Call:
    """One operation: the envelope, the verified caller, the store session, the path version."""

    envelope: Envelope
    caller: Caller
    session: Session
    version: str
    base_url: str

    @property
    def store(self) -> RecordStore:
        return RecordStore(self.session, self.caller.account_id)

    @property
    def core(self) -> str:
        return namespace("core", "platform", self.version)

    @property
    def messages(self) -> str:
        return namespace("messages", "platform", self.version)


@dataclass
class _Search:
    account: str
    soap: SoapType
    ids: list[int]
    page_size: int
    body_only: bool


_searches: OrderedDict[str, _Search] = OrderedDict()
_searches_lock = threading.Lock()


# ---- responses -----------------------------------------------------------------------------


def status(error: RecordError | None = None) -> str:
    if error is None:
        return '<platformCore:status isSuccess="true"/>'
    detail = tag(
        "platformCore:statusDetail",
        text("platformCore:code", error.code) + text("platformCore:message", error.message),
        {"type": "ERROR"},
    )
    return tag("platformCore:status", detail, {"isSuccess": "false"})


def _wrap(call: Call, name: str, content: str) -> str:
    attrs = {"xmlns": call.messages, "xmlns:platformCore": call.core}
    return tag(f"{name}Response", content, attrs)


def _base_ref(st: SoapType, internal_id: int, external_id: str | None) -> str:
    attrs = {"internalId": str(internal_id)}
    if external_id:
        attrs["externalId"] = external_id
    attrs |= {"type": st.rtype.name, "xsi:type": "platformCore:RecordRef"}
    return tag("baseRef", "", attrs)


# ---- helpers -----------------------------------------------------------------------------


def _require(caller: Caller, st: SoapType, level: Level) -> None:
    if not caller.allows(st.rtype.name, level):
        raise RecordError(
            "INSUFFICIENT_PERMISSION",
            f"Permission Violation: You need the '{level.name.title()} "
            f"{RECORD_PERMISSIONS[st.rtype.name]}' permission to access this record. "
            "Please contact your account administrator.",
        )


def _from_problem(problem: Problem) -> RecordError:
    if problem.code == "NONEXISTENT_ID":
        return RecordError(*NOT_FOUND)
    where = f" (field {problem.error_path})" if problem.error_path else ""
    # The shared validation suggests a REST header for unknown fields; SOAP has no such header.
    detail = problem.detail.replace(", or send X-NetSuite-PropertyNameValidation: ignore", "")
    return RecordError(_CODES.get(problem.code, problem.code), f"{detail}{where}")


def _ref_key(ref: Element) -> str:
    if ref.get("internalId"):
        return str(ref.get("internalId"))
    if ref.get("externalId"):
        return f"eid:{ref.get('externalId')}"
    raise RecordError(
        "INVALID_KEY_OR_REF", "The reference names neither an internalId nor an externalId."
    )


def _ref_type(ref: Element) -> SoapType:
    name = ref.get("type") or ""
    st = soap_type(name)
    if st is None:
        raise RecordError(
            "INVALID_RCRD_TYPE",
            f"The record type {name!r} is not served by the sandbox over SOAP; use customer, "
            "salesOrder or inventoryItem.",
        )
    return st


def _shown(
    call: Call, st: SoapType, row_id: int, *, body_only: bool = False, element: str = "record"
) -> str:
    store = call.store
    row = store.find(st.rtype, str(row_id))
    view = RecordView(store, call.base_url).record(st.rtype, row, expand=True)
    return encode(st, view, call.version, body_only=body_only, element=element)


def _operand(call: Call, field: str) -> Element:
    found = child(call.envelope.operation, field)
    if found is None:
        raise EnvelopeError(f"{call.envelope.operation_name} needs a {field!r} element")
    return found


# ---- operations ----------------------------------------------------------------------------


def get(call: Call) -> str:
    ref = _operand(call, "baseRef")
    try:
        st = _ref_type(ref)
        _require(call.caller, st, Level.VIEW)
        row = call.store.lookup(st.rtype.name, _ref_key(ref))
        if row is None:
            raise RecordError(*NOT_FOUND)
        content = status() + _shown(call, st, row.id)
    except RecordError as error:
        content = status(error)
    return _wrap(call, "get", tag("readResponse", content))


def _write(call: Call, name: str, act: Callable[[], tuple[SoapType, int, str | None]]) -> str:
    """Run ``act`` in one transaction; ``DuplicateExternalIdError`` goes up to upsert's retry."""
    try:
        with unit_of_work(call.session):
            st, rid, eid = act()
        content = status() + _base_ref(st, rid, eid)
    except RecordError as error:
        content = status(error)
    except Problem as problem:
        content = status(_from_problem(problem))
    return _wrap(call, name, tag("writeResponse", content))


def _record(call: Call) -> tuple[SoapType, Element]:
    record = _operand(call, "record")
    return type_of_record(call.envelope, record), record


def add(call: Call) -> str:
    st, record = _record(call)

    def act() -> tuple[SoapType, int, str | None]:
        _require(call.caller, st, Level.CREATE)
        if record.get("internalId"):
            raise RecordError("INVALID_KEY_OR_REF", "add takes no internalId; NetSuite sets it.")
        body, _ = decode(st.rtype, record)
        store = call.store
        changes = BodyChecker(st.rtype, store.resolve).check(body)
        try:
            row = store.create(st.rtype, changes)
        except DuplicateExternalIdError:
            raise _duplicate(st, str(body.get("externalId"))) from None
        return st, row.id, row.external_id

    return _write(call, "add", act)


def update(call: Call) -> str:
    st, record = _record(call)

    def act() -> tuple[SoapType, int, str | None]:
        _require(call.caller, st, Level.EDIT)
        key = _ref_key(record)
        store = call.store
        row = store.lookup(st.rtype.name, key)
        if row is None:
            raise RecordError(*NOT_FOUND)
        body, replace = decode(st.rtype, record)
        if key.startswith("eid:"):
            body.pop("externalId", None)  # it addressed the record; keep it as it is
        changes = BodyChecker(st.rtype, store.resolve).check(body)
        try:
            store.update(st.rtype, row, changes, replace)
        except DuplicateExternalIdError:
            raise _duplicate(st, str(body.get("externalId"))) from None
        return st, row.id, row.external_id

    return _write(call, "update", act)


def upsert(call: Call) -> str:
    """Keyed by type + externalId; an internalId is refused (NS:article_0807093604)."""
    st, record = _record(call)
    external_id = record.get("externalId") or ""

    def act() -> tuple[SoapType, int, str | None]:
        _require(call.caller, st, Level.EDIT)
        if record.get("internalId") or not external_id:
            raise RecordError(
                "INVALID_KEY_OR_REF",
                "upsert is keyed by externalId: send the record with externalId and without "
                "internalId.",
            )
        body, replace = decode(st.rtype, record)
        store = call.store
        changes = BodyChecker(st.rtype, store.resolve).check(body)
        row = store.lookup(st.rtype.name, f"eid:{external_id}")
        if row is None:  # DuplicateExternalIdError here: a concurrent upsert won the insert
            row = store.create(st.rtype, changes)
        else:
            store.update(st.rtype, row, changes, replace)
        return st, row.id, row.external_id

    for attempt in range(2):  # the retry finds the winner's record and updates it
        try:
            return _write(call, "upsert", act)
        except DuplicateExternalIdError:
            if attempt:
                return _wrap(
                    call, "upsert", tag("writeResponse", status(_duplicate(st, external_id)))
                )
    raise AssertionError("unreachable")  # pragma: no cover


def delete(call: Call) -> str:
    ref = _operand(call, "baseRef")

    def act() -> tuple[SoapType, int, str | None]:
        st = _ref_type(ref)
        _require(call.caller, st, Level.FULL)
        store = call.store
        row = store.lookup(st.rtype.name, _ref_key(ref))
        if row is None:
            raise RecordError(*NOT_FOUND)
        rid, eid = row.id, row.external_id
        store.delete(st.rtype, row)
        return st, rid, eid

    return _write(call, "delete", act)


def get_server_time(call: Call) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    result = status() + text("platformCore:serverTime", now)
    return _wrap(call, "getServerTime", tag("platformCore:getServerTimeResult", result))


def search(call: Call) -> str:
    record = _operand(call, "searchRecord")
    page_size, body_only = _preferences(call)
    try:
        found = criteria.run(call.envelope, record, call.store)
        _require(call.caller, found.soap, Level.VIEW)
        kept = _Search(call.caller.account_id, found.soap, found.ids, page_size, body_only)
        search_id = _keep(kept)
        return _page(call, "search", kept, search_id, 1)
    except criteria.SearchError as error:
        failed = RecordError(error.code, error.message)
        return _wrap(call, "search", tag("platformCore:searchResult", status(failed)))
    except RecordError as error:
        return _wrap(call, "search", tag("platformCore:searchResult", status(error)))


def search_more_with_id(call: Call) -> str:
    search_id = text_of(_operand(call, "searchId"))
    raw_index = text_of(_operand(call, "pageIndex"))
    with _searches_lock:
        kept = _searches.get(search_id)
    try:
        if kept is None or kept.account != call.caller.account_id:
            raise RecordError("INVALID_SEARCH", f"The search {search_id!r} is unknown or expired.")
        if not raw_index.isdigit() or int(raw_index) < 1:
            raise RecordError("INVALID_PAGE_INDEX", "pageIndex must be a whole number from 1.")
        return _page(call, "searchMoreWithId", kept, search_id, int(raw_index))
    except RecordError as error:
        return _wrap(call, "searchMoreWithId", tag("platformCore:searchResult", status(error)))


def _preferences(call: Call) -> tuple[int, bool]:
    prefs = call.envelope.header_named("searchPreferences")
    if not prefs:
        return DEFAULT_PAGE_SIZE, True
    raw_size = text_of(child(prefs[0], "pageSize"))
    size = int(raw_size) if raw_size.isdigit() else DEFAULT_PAGE_SIZE
    body_only = text_of(child(prefs[0], "bodyFieldsOnly")).lower() not in ("false", "0")
    return max(MIN_PAGE_SIZE, min(MAX_PAGE_SIZE, size)), body_only


def _keep(search: _Search) -> str:
    search_id = f"WEBSERVICES_{search.account}_{secrets.token_hex(12)}"
    with _searches_lock:  # operations run in the server's worker threads
        _searches[search_id] = search
        while len(_searches) > KEPT_SEARCHES:  # bounded memory: the oldest searches expire
            _searches.popitem(last=False)
    return search_id


def _page(call: Call, name: str, kept: _Search, search_id: str, index: int) -> str:
    total = len(kept.ids)
    pages = max(1, -(-total // kept.page_size))
    if index > pages:
        raise RecordError("INVALID_PAGE_INDEX", f"pageIndex {index} is beyond the {pages} pages.")
    chosen = kept.ids[(index - 1) * kept.page_size : index * kept.page_size]
    records = "".join(
        _shown(call, kept.soap, rid, body_only=kept.body_only, element="platformCore:record")
        for rid in chosen
    )
    result = (
        status()
        + text("platformCore:totalRecords", total)
        + text("platformCore:pageSize", kept.page_size)
        + text("platformCore:totalPages", pages)
        + text("platformCore:pageIndex", index)
        + text("platformCore:searchId", search_id)
        + tag("platformCore:recordList", records)
    )
    return _wrap(call, name, tag("platformCore:searchResult", result))


def _duplicate(st: SoapType, external_id: str) -> RecordError:
    return RecordError(
        "DUP_RCRD",
        f"This record already exists: a {st.rtype.name} with externalId {external_id!r}. Use "
        "upsert or update instead.",
    )


OPERATIONS: dict[str, Callable[[Call], str]] = {
    "get": get,
    "add": add,
    "update": update,
    "upsert": upsert,
    "delete": delete,
    "search": search,
    "searchMoreWithId": search_more_with_id,
    "getServerTime": get_server_time,
}
