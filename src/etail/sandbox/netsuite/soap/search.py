"""Basic SOAP searches: ``CustomerSearchBasic``, ``TransactionSearchBasic`` (sales orders) and
``ItemSearchBasic`` (inventory items), or their ``...Search`` wrappers with a ``basic`` child.

Criteria are ``platformCore:Search*Field`` elements with an ``operator`` attribute and
``searchValue`` children (netsuite-oauth2-soap.md §5.5). Served: text fields (``is``, ``isNot``,
``contains``, ``doesNotContain``, ``startsWith``, ``empty``, ``notEmpty``; ``equalTo`` for
text-number fields such as ``otherRefNum``), booleans, ``internalId`` / ``externalId`` /
``entity`` (``anyOf``, ``noneOf``), dates (``on``, ``before``, ``after``, ``onOrBefore``,
``onOrAfter``, ``within``) and a transaction's ``type`` (``_salesOrder``). Text matches ignore
case, as NetSuite's do. Anything else is named in a clear error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree.ElementTree import Element

from etail.sandbox.netsuite.records.models import RecordRow
from etail.sandbox.netsuite.records.store import RecordStore
from etail.sandbox.netsuite.soap.codec import SOAP_TYPES, SoapType
from etail.sandbox.netsuite.soap.envelope import Envelope, children, local, text_of

Match = Callable[[RecordRow], bool]

_BASIC = {t.search_basic: t for t in SOAP_TYPES.values()}
_TEXT = {
    "customer": ("entityId", "companyName", "email", "phone", "firstName", "lastName"),
    "salesOrder": ("tranId", "otherRefNum", "memo", "email"),
    "inventoryItem": ("itemId", "displayName", "upcCode"),
}
_BOOLEAN = ("isInactive", "isPerson")
_DATES = {"lastModifiedDate": "last_modified", "dateCreated": "date_created", "tranDate": ""}
_TEXT_OPS: dict[str, Callable[[str, list[str]], bool]] = {
    "is": lambda v, w: v == w[0],
    "equalTo": lambda v, w: v == w[0],
    "isNot": lambda v, w: v != w[0],
    "contains": lambda v, w: w[0] in v,
    "doesNotContain": lambda v, w: w[0] not in v,
    "startsWith": lambda v, w: v.startswith(w[0]),
    "empty": lambda v, w: v == "",
    "notEmpty": lambda v, w: v != "",
}
_DATE_OPS: dict[str, Callable[[date, list[date]], bool]] = {
    "on": lambda v, w: v == w[0],
    "before": lambda v, w: v < w[0],
    "after": lambda v, w: v > w[0],
    "onOrBefore": lambda v, w: v <= w[0],
    "onOrAfter": lambda v, w: v >= w[0],
    "within": lambda v, w: len(w) > 1 and w[0] <= v <= w[1],
}


class SearchError(Exception):
    """A search the sandbox cannot run: code and message for ``statusDetail``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Found:
    soap: SoapType
    ids: list[int]


def run(envelope: Envelope, record: Element, store: RecordStore) -> Found:
    """Internal IDs of the records matching every criterion, in internal-ID order."""
    st, basic = _basic(envelope, record)
    matches = [_criterion(st, field) for field in basic]
    rows = store.all(st.rtype)
    return Found(st, [row.id for row in rows if all(m(row) for m in matches)])


def _basic(envelope: Envelope, record: Element) -> tuple[SoapType, Element]:
    resolved = envelope.xsi_type(record)
    name = resolved[1] if resolved else ""
    if name.endswith("Search") and f"{name}Basic" in _BASIC:
        inner = next(children(record, "basic"), None)
        return _BASIC[f"{name}Basic"], inner if inner is not None else Element("basic")
    if name in _BASIC:
        return _BASIC[name], record
    served = ", ".join(sorted(_BASIC))
    raise SearchError(
        "INVALID_SEARCH",
        f"searchRecord xsi:type {name or '(none)'!r} is not served; use one of {served}.",
    )


def _criterion(st: SoapType, field: Element) -> Match:
    name = local(field.tag)
    operator = field.get("operator", "")
    values = list(children(field, "searchValue"))
    words = [text_of(v).lower() for v in values]
    if name in ("internalId", "externalId", "entity"):
        return _multi(name, operator, values)
    if name == "type" and st.rtype.name == "salesOrder":
        wanted = {w.lstrip("_").lower() for w in words}
        keep = "salesorder" in wanted
        return lambda _row: keep if operator != "noneOf" else not keep
    if name in _BOOLEAN:
        flag = (words or ["true"])[0] in ("true", "1")
        return lambda row: bool(row.body.get(name, False)) == flag
    if name in _DATES:
        return _dates(name, operator, words)
    if name in _TEXT[st.rtype.name]:
        op = _TEXT_OPS.get(operator)
        if op is None or (not words and operator not in ("empty", "notEmpty")):
            raise _bad_operator(name, operator, _TEXT_OPS)
        return lambda row: op(_text(row, name), words)
    served = [*_TEXT[st.rtype.name], *_BOOLEAN, *_DATES, "internalId", "externalId"]
    raise SearchError(
        "INVALID_SRCH_FIELD",
        f"{st.search_basic} field {name!r} is not searchable in the sandbox; use one of "
        f"{', '.join(served)}.",
    )


def _text(row: RecordRow, name: str) -> str:
    if name == "tranId":
        return (row.tran_id or "").lower()
    return str(row.body.get(name) or "").lower()


def _multi(name: str, operator: str, values: list[Element]) -> Match:
    if operator not in ("anyOf", "noneOf"):
        raise _bad_operator(name, operator, ("anyOf", "noneOf"))
    attr = "externalId" if name == "externalId" else "internalId"
    wanted = {str(v.get(attr) or text_of(v)) for v in values}

    def value(row: RecordRow) -> str:
        if name == "internalId":
            return str(row.id)
        if name == "externalId":
            return str(row.external_id or "")
        return str(row.body.get("entity", ""))

    if operator == "anyOf":
        return lambda row: value(row) in wanted
    return lambda row: value(row) not in wanted


def _dates(name: str, operator: str, words: list[str]) -> Match:
    op = _DATE_OPS.get(operator)
    if op is None or not words:
        raise _bad_operator(name, operator, _DATE_OPS)
    try:
        bounds = [date.fromisoformat(w[:10]) for w in words]
    except ValueError:
        raise SearchError(
            "INVALID_SRCH_CRITERIA",
            f"{name}: searchValue must be an xsd:dateTime such as 2026-11-29T00:00:00Z.",
        ) from None

    def value(row: RecordRow) -> date | None:
        column = _DATES[name]
        if column:
            moment: datetime = getattr(row, column)
            return moment.date()
        raw = row.body.get(name)
        return date.fromisoformat(raw) if isinstance(raw, str) else None

    def match(row: RecordRow) -> bool:
        found = value(row)
        return found is not None and op(found, bounds)

    return match


def _bad_operator(name: str, operator: str, allowed: Iterable[str]) -> SearchError:
    return SearchError(
        "INVALID_SRCH_OPERATOR",
        f"{name}: operator {operator or '(none)'!r} is not served here (or lacks a searchValue);"
        f" use one of {', '.join(allowed)}.",
    )
