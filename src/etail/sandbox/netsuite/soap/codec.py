"""SOAP records to and from the sandbox's REST shapes (netsuite-oauth2-soap.md §5.5).

The SOAP service writes through the same validation and store as REST: a SOAP ``record`` is
turned into the REST JSON body it means (``BodyChecker`` then checks it with NetSuite's error
paths), and a stored record is shown by ``RecordView`` and turned into SOAP elements. Field names
are the same in both services for the fields the sandbox models; sublists are ``<name>List``
elements holding one element per line (``itemList/item``, ``locationsList/locations``), and
custom fields travel in ``customFieldList`` (``StringCustomFieldRef`` ... with ``scriptId``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from etail.sandbox.netsuite.records.schema import (
    CUSTOMER,
    INVENTORY_ITEM,
    SALES_ORDER,
    Field,
    RecordType,
    Sublist,
)
from etail.sandbox.netsuite.soap.envelope import (
    XSI,
    Envelope,
    EnvelopeError,
    child,
    local,
    namespace,
    tag,
    text,
    text_of,
)


@dataclass(frozen=True)
class SoapType:
    """How one record type is named in SuiteTalk (XSD type, schema module, search type)."""

    rtype: RecordType
    xsd_type: str  # e.g. "Customer"
    module: str  # e.g. "relationships"
    group: str  # "lists" or "transactions"
    prefix: str  # the conventional alias, e.g. "listRel" (§5.2)
    search_basic: str  # e.g. "CustomerSearchBasic" (platformCommon)

    def ns(self, version: str) -> str:
        return namespace(self.module, self.group, version)


_TYPES = (
    SoapType(CUSTOMER, "Customer", "relationships", "lists", "listRel", "CustomerSearchBasic"),
    SoapType(
        SALES_ORDER, "SalesOrder", "sales", "transactions", "tranSales", "TransactionSearchBasic"
    ),
    SoapType(INVENTORY_ITEM, "InventoryItem", "accounting", "lists", "listAcct", "ItemSearchBasic"),
)
SOAP_TYPES: dict[str, SoapType] = {t.rtype.name: t for t in _TYPES}
_BY_XSD = {t.xsd_type: t for t in SOAP_TYPES.values()}
_TRUE, _FALSE = ("true", "1"), ("false", "0")
_CUSTOM_KINDS = {
    "BooleanCustomFieldRef": "boolean",
    "LongCustomFieldRef": "integer",
    "DoubleCustomFieldRef": "float",
}


def soap_type(name: str) -> SoapType | None:
    """By RecordType enum value (``customer``, ``salesOrder``), as in a ``RecordRef type``."""
    return SOAP_TYPES.get(name)


def type_of_record(envelope: Envelope, record: Element) -> SoapType:
    """The type a ``record`` element names with ``xsi:type`` (resolved through its prefixes)."""
    resolved = envelope.xsi_type(record)
    if resolved is None:
        raise EnvelopeError("the record element has no xsi:type; say e.g. xsi:type='q1:Customer'")
    uri, name = resolved
    found = _BY_XSD.get(name)
    if found is None or not uri.startswith(f"urn:{found.module}_"):
        served = ", ".join(sorted(_BY_XSD))
        raise EnvelopeError(f"xsi:type {name!r} in {uri} is not served; use one of {served}")
    return found


# ---- SOAP -> REST JSON -------------------------------------------------------------------


def decode(rtype: RecordType, record: Element) -> tuple[dict[str, Any], set[str]]:
    """The REST body a SOAP record means, and the sublists it replaces (``replaceAll``)."""
    body: dict[str, Any] = {}
    replace: set[str] = set()
    if record.get("externalId"):
        body["externalId"] = record.get("externalId")
    for element in record:
        name = local(element.tag)
        sub = rtype.sublist(name[:-4]) if name.endswith("List") else None
        if name == "customFieldList":
            body.update(_custom_fields(element))
        elif sub is not None:
            body[sub.name] = {"items": [_line(sub, line) for line in element]}
            # replaceAll defaults to true for keyed-less sublists such as itemList (XSD).
            if element.get("replaceAll", "true").lower() in _TRUE:
                replace.add(sub.name)
        else:
            spec = rtype.field(name)
            body[spec.name if spec else name] = _value(spec, element) if spec else text_of(element)
    return body, replace


def _line(sub: Sublist, line: Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for element in line:
        name = local(element.tag)
        if name == "customFieldList":
            out.update(_custom_fields(element))
            continue
        spec = sub.field(name)
        out[spec.name if spec else name] = _value(spec, element) if spec else text_of(element)
    return out


def _value(spec: Field, element: Element) -> Any:
    raw = text_of(element)
    kind = spec.kind
    if kind == "ref":
        if element.get("internalId"):
            return {"id": element.get("internalId")}
        if element.get("externalId"):
            return {"externalId": element.get("externalId")}
        return raw  # the checker names the field and the right shape
    if kind == "freeref":
        ref = {"id": element.get("internalId"), "refName": text_of(child(element, "name"))}
        return {k: v for k, v in ref.items() if v}
    if kind == "address":
        return {local(c.tag): text_of(c) for c in element}
    if kind == "date":
        return raw[:10]  # xsd:dateTime -> the date REST stores
    return _scalar(kind, raw)


def _scalar(kind: str, raw: str) -> Any:
    try:
        if kind == "integer":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        return raw  # the checker says "expected a number"
    if kind == "boolean":
        low = raw.lower()
        return True if low in _TRUE else False if low in _FALSE else raw
    return raw


def _custom_fields(element: Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in element:
        script_id = field.get("scriptId") or field.get("internalId") or ""
        value = child(field, "value")
        kind = (field.get(f"{{{XSI}}}type") or "").rpartition(":")[2]
        out[script_id] = _scalar(_CUSTOM_KINDS.get(kind, "text"), text_of(value))
    return out


# ---- REST JSON -> SOAP -------------------------------------------------------------------


def encode(
    st: SoapType,
    shown: dict[str, Any],
    version: str,
    *,
    body_only: bool = False,
    element: str = "record",
) -> str:
    """A ``<record>`` element (``element`` names it) for a record as ``RecordView`` shows it."""
    p = st.prefix
    rtype = st.rtype
    attrs = {
        "internalId": str(shown["id"]),
        "xsi:type": f"{p}:{st.xsd_type}",
        f"xmlns:{p}": st.ns(version),
        "xmlns:platformCore": namespace("core", "platform", version),
    }
    if shown.get("externalId"):
        attrs["externalId"] = str(shown["externalId"])
    parts: list[str] = []
    custom: dict[str, Any] = {}
    for key, value in shown.items():
        if key in ("links", "id", "externalId") or value is None:
            continue
        sub = rtype.sublist(key)
        spec = rtype.field(key)
        if sub is not None:
            if not body_only:
                parts.append(_sublist(p, sub, value))
        elif spec is not None:
            parts.append(_field(p, spec, value))
        elif key in (rtype.created_name, "lastModifiedDate"):
            parts.append(text(f"{p}:{key}", value))
        else:
            custom[key] = value
    if custom:
        parts.append(_custom_list(p, custom))
    return tag(element, "".join(parts), attrs)


def _field(p: str, spec: Field, value: Any) -> str:
    name = f"{p}:{spec.name}"
    if spec.kind in ("ref", "freeref") and isinstance(value, dict):
        ref_name = text("platformCore:name", value.get("refName", ""))
        return tag(name, ref_name, {"internalId": str(value.get("id", ""))})
    if spec.kind == "enum" and isinstance(value, dict):
        return text(name, value.get("refName", value.get("id", "")))
    if spec.kind == "address" and isinstance(value, dict):
        inner = "".join(text(f"{p}:{k}", v) for k, v in value.items() if k != "links")
        return tag(name, inner)
    if spec.kind == "boolean":
        return text(name, "true" if value else "false")
    if spec.kind == "date":
        return text(name, f"{value}T00:00:00.000Z")
    return text(name, value)


def _sublist(p: str, sub: Sublist, value: Any) -> str:
    lines = value.get("items", []) if isinstance(value, dict) else []
    shown = []
    for line in lines:
        inner = ""
        for key, item in line.items():
            spec = sub.field(key)
            if key == "links" or item is None:
                continue
            inner += _field(p, spec, item) if spec else text(f"{p}:{key}", item)
        shown.append(tag(f"{p}:{sub.name}", inner))
    return tag(f"{p}:{sub.name}List", "".join(shown), {"replaceAll": "false"})


def _custom_list(p: str, custom: dict[str, Any]) -> str:
    fields = []
    for script_id, value in custom.items():
        kind = (
            "BooleanCustomFieldRef"
            if isinstance(value, bool)
            else "LongCustomFieldRef"
            if isinstance(value, int)
            else "DoubleCustomFieldRef"
            if isinstance(value, float)
            else "StringCustomFieldRef"
        )
        shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
        fields.append(
            tag(
                "platformCore:customField",
                f"<platformCore:value>{escape(shown)}</platformCore:value>",
                {"scriptId": script_id, "xsi:type": f"platformCore:{kind}"},
            )
        )
    return tag(f"{p}:customFieldList", "".join(fields))
