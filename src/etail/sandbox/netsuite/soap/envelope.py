"""SOAP 1.1 envelopes of SuiteTalk: reading requests, writing answers (netsuite-oauth2-soap.md §5).

Requests are parsed with defusedxml (no DTD, no entities, no external references). Every client
spells namespaces and prefixes its own way (zeep's ``ns0:``, Oracle's ``ns:``, hand-written
peers with none), so headers and their children are found by **local name** and an ``xsi:type``
QName is resolved through the prefixes in scope where it is written (§5.4, §5.5).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Versions served at /services/NetSuitePort_<version> (NS:section_N3413913 lists 2024_2..2025_2
# as supported; 2023_2 and 2024_1 are kept for older clients such as netsuitesdk's default).
VERSIONS = ("2023_2", "2024_1", "2024_2", "2025_1", "2025_2")
MAX_ENVELOPE = 10 * 1024 * 1024


class EnvelopeError(Exception):
    """The request is not a SOAP envelope we can read; the message says what is wrong."""


def namespace(module: str, group: str, version: str) -> str:
    """``urn:<module>_<version>.<group>.webservices.netsuite.com`` (§5.2)."""
    return f"urn:{module}_{version}.{group}.webservices.netsuite.com"


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def ns_of(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


@dataclass
class Envelope:
    """A parsed request: its header elements and the operation element of the body."""

    headers: list[Element]
    operation: Element
    prefixes: dict[int, dict[str, str]] = field(default_factory=dict)  # id(element) -> in scope

    @property
    def operation_name(self) -> str:
        return local(self.operation.tag)

    def header_named(self, name: str) -> list[Element]:
        return [h for h in self.headers if local(h.tag) == name]

    def xsi_type(self, element: Element) -> tuple[str, str] | None:
        """``(namespace, local name)`` of the element's ``xsi:type``, resolved where written."""
        raw = element.get(f"{{{XSI}}}type")
        if raw is None:
            return None
        prefix, _, name = raw.rpartition(":")
        scope = self.prefixes.get(id(element), {})
        uri = scope.get(prefix)
        if uri is None:
            raise EnvelopeError(
                f"xsi:type {raw!r} uses the prefix {prefix!r}, which is not declared"
                if prefix
                else f"xsi:type {raw!r} has no prefix and no default namespace is declared"
            )
        return uri, name


def parse(data: bytes) -> Envelope:
    """Parse a request body; ``EnvelopeError`` when it is not a usable SOAP 1.1 envelope."""
    if len(data) > MAX_ENVELOPE:
        raise EnvelopeError(f"the request is larger than {MAX_ENVELOPE} bytes")
    if not data.strip():
        raise EnvelopeError("the request body is empty; send a SOAP 1.1 envelope")
    root, prefixes = _read(data)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise EnvelopeError(
            f"the document element is {local(root.tag)!r} in {ns_of(root.tag) or 'no namespace'}; "
            f"send a SOAP 1.1 Envelope ({SOAP_ENV})"
        )
    header = root.find(f"{{{SOAP_ENV}}}Header")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) == 0:
        raise EnvelopeError("the envelope has no Body with an operation element")
    if len(body) > 1:
        raise EnvelopeError("the Body holds more than one element; send one operation per request")
    return Envelope(list(header) if header is not None else [], body[0], prefixes)


def _read(data: bytes) -> tuple[Element, dict[int, dict[str, str]]]:
    """The tree, plus the prefixes in scope at each element that carries an ``xsi:type``."""
    stack: list[dict[str, str]] = []
    pending: dict[str, str] = {}
    prefixes: dict[int, dict[str, str]] = {}
    root: Element | None = None
    try:
        for event, item in iterparse(
            io.BytesIO(data), events=("start-ns", "start", "end"), forbid_dtd=True
        ):
            if event == "start-ns":
                pending[item[0]] = item[1]
                continue
            if event == "end":
                stack.pop()
                continue
            scope = {**stack[-1], **pending} if stack else dict(pending)
            pending = {}
            stack.append(scope)
            root = item if root is None else root
            if f"{{{XSI}}}type" in item.attrib:
                prefixes[id(item)] = scope
    except DefusedXmlException as exc:
        raise EnvelopeError(f"DTDs and entities are not accepted ({type(exc).__name__})") from None
    except SyntaxError as exc:  # ParseError
        raise EnvelopeError(f"the request is not well-formed XML: {exc}") from None
    assert root is not None
    return root, prefixes


def children(element: Element, name: str) -> Iterator[Element]:
    return (c for c in element if local(c.tag) == name)


def child(element: Element, name: str) -> Element | None:
    return next(children(element, name), None)


def text_of(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


# ---- writing -------------------------------------------------------------------------------


def tag(name: str, content: str = "", attrs: dict[str, str] | None = None) -> str:
    """``<name a="...">content</name>``; ``content`` is already XML, attributes are escaped."""
    attributes = "".join(f" {k}={quoteattr(v)}" for k, v in (attrs or {}).items())
    if not content:
        return f"<{name}{attributes}/>"
    return f"<{name}{attributes}>{content}</{name}>"


def text(name: str, value: object, attrs: dict[str, str] | None = None) -> str:
    return tag(name, escape(str(value)), attrs)


def document(body: str, header: str = "") -> bytes:
    """A full response envelope around ``body`` (and an optional ``header``)."""
    head = f"<soapenv:Header>{header}</soapenv:Header>" if header else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="{XSI}">{head}<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>'
    ).encode()
