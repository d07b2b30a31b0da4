"""Strict checking of REST record bodies, with NetSuite's ``o:errorPath`` for every mistake.

A body is checked against ``schema`` before anything is written; references are resolved through
a callback so the checker stays free of SQL. ``null`` clears a field and ``{"items": null}`` or
``null`` clears a sublist (NS:section_1545142173, NS:section_1545295601). Read-only fields, ``id``
and ``links`` are ignored, so a body read with GET can be sent back. Unknown fields are refused
unless the request says ``X-NetSuite-PropertyNameValidation: ignore`` or ``warning``
(NS:section_156570709583; the sandbox defaults to ``error`` to catch mapping mistakes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from etail.sandbox.netsuite.records.problems import Problem, invalid_content
from etail.sandbox.netsuite.records.schema import (
    ADDRESS_FIELDS_ALL,
    Field,
    RecordType,
    Sublist,
)

Resolver = Callable[[tuple[str, ...], Mapping[str, Any], str], int]
"""(target types, reference object, error path) -> internal id, or raise a Problem."""

_CUSTOM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,98}$")
_IGNORED = {"links", "id", "refname", "createddate", "datecreated", "lastmodifieddate"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_CUSTOM_TEXT = 4000
MAX_LINES = 1000


@dataclass
class SublistChange:
    lines: list[dict[str, Any]] | None  # None clears the sublist


@dataclass
class Changes:
    body: dict[str, Any] = field(default_factory=dict)  # value None clears the field
    sublists: dict[str, SublistChange] = field(default_factory=dict)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class BodyChecker:
    """Checks one request body for one record type."""

    def __init__(self, rtype: RecordType, resolve: Resolver, *, strict_names: bool = True) -> None:
        self.rtype = rtype
        self.resolve = resolve
        self.strict_names = strict_names

    def check(self, data: object) -> Changes:
        if not isinstance(data, dict):
            raise invalid_content(
                f"The request body must be a JSON object with the fields of a "
                f"{self.rtype.name} record, not {_type_name(data)}.",
                "",
            )
        changes = Changes()
        for name, value in data.items():
            self._check_entry(changes, name, value)
        return changes

    def _check_entry(self, changes: Changes, name: str, value: Any) -> None:
        spec = self.rtype.field(name)
        if spec is not None:
            if not spec.readonly:
                changes.body[spec.name] = (
                    None if value is None else scalar(spec, value, spec.name, self.resolve)
                )
            return
        sub = self.rtype.sublist(name)
        if sub is not None:
            changes.sublists[sub.name] = self._sublist(sub, value)
            return
        if name.lower().startswith(self.rtype.custom_prefix):
            changes.body[name.lower()] = custom(name, value, name)
            return
        if name.lower() in _IGNORED or not self.strict_names:
            return
        raise unknown_field(self.rtype.name, name, name)

    def _sublist(self, sub: Sublist, value: Any) -> SublistChange:
        if value is None:
            return SublistChange(None)
        if not isinstance(value, dict):
            raise invalid_content(
                f'Sublist {sub.name!r} must be an object {{"items": [...]}}, '
                f"not {_type_name(value)}.",
                sub.name,
            )
        extra = [k for k in value if k not in ("items", "links")]
        if extra:
            raise invalid_content(
                f"Sublist {sub.name!r} takes only 'items'; remove {extra[0]!r}.",
                f"{sub.name}.{extra[0]}",
            )
        items = value.get("items")
        if items is None:
            return SublistChange(None)
        if not isinstance(items, list):
            raise invalid_content(
                f"'{sub.name}.items' must be an array of lines, not {_type_name(items)}.",
                f"{sub.name}.items",
            )
        if len(items) > MAX_LINES:
            raise invalid_content(
                f"A sublist holds at most {MAX_LINES} lines.", f"{sub.name}.items"
            )
        return SublistChange([self._line(sub, i, line) for i, line in enumerate(items)])

    def _line(self, sub: Sublist, index: int, line: Any) -> dict[str, Any]:
        base = f"{sub.name}.items[{index}]"
        if not isinstance(line, dict):
            raise invalid_content(
                f"Each line of {sub.name!r} must be an object, not {_type_name(line)}.", base
            )
        out: dict[str, Any] = {}
        for name, value in line.items():
            path = f"{base}.{name}"
            spec = sub.field(name)
            if spec is not None and (not spec.readonly or spec.name == sub.key):
                out[spec.name] = None if value is None else scalar(spec, value, path, self.resolve)
            elif spec is not None:
                continue
            elif name.lower().startswith(sub.custom_prefix):
                out[name.lower()] = custom(name, value, path)
            elif name.lower() not in _IGNORED and self.strict_names:
                raise unknown_field(f"{self.rtype.name}.{sub.name}", name, path)
        return out


def unknown_field(where: str, name: str, path: str) -> Problem:
    return invalid_content(
        f"Unknown field {name!r} on {where}. Check the spelling against "
        "docs/netsuite-sandbox-records.md, or send X-NetSuite-PropertyNameValidation: ignore.",
        path,
    )


def _wrong(spec: Field, value: Any, path: str, expected: str) -> Problem:
    return invalid_content(
        f"Invalid value for field {spec.name!r}: expected {expected}, got {_type_name(value)}.",
        path,
    )


def scalar(spec: Field, value: Any, path: str, resolve: Resolver) -> Any:
    """The stored form of one non-null field value, or a Problem naming ``path``."""
    kind = spec.kind
    if kind == "text":
        if not isinstance(value, str):
            raise _wrong(spec, value, path, "a string")
        if len(value) > spec.max_length:
            raise invalid_content(
                f"Field {spec.name!r} is longer than {spec.max_length} characters.", path
            )
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**53:
            raise _wrong(spec, value, path, "an integer")
        return value
    if kind == "float":
        return _number(spec, value, path)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _wrong(spec, value, path, "true or false")
        return value
    if kind == "date":
        return _date(spec, value, path)
    if kind == "ref":
        return _ref(spec, value, path, resolve)
    if kind == "freeref":
        return _freeref(spec, value, path)
    if kind == "enum":
        return _enum(spec, value, path)
    return _address(spec, value, path)


def _number(spec: Field, value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(spec, value, path, "a number")
    number = float(value)
    if not math.isfinite(number) or abs(number) > 1e15:
        raise invalid_content(f"Field {spec.name!r} is out of range.", path)
    return number


def _date(spec: Field, value: Any, path: str) -> str:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise invalid_content(
        f'Invalid date for field {spec.name!r}: use YYYY-MM-DD, e.g. "2026-11-29".', path
    )


def _ref(spec: Field, value: Any, path: str, resolve: Resolver) -> int:
    if isinstance(value, dict):
        ref = {k: v for k, v in value.items() if k not in ("links", "refName")}
        keys = set(ref)
        if keys == {"id"} and isinstance(ref["id"], str | int) and not isinstance(ref["id"], bool):
            return resolve(spec.targets, ref, path)
        if keys == {"externalId"} and isinstance(ref["externalId"], str):
            return resolve(spec.targets, ref, path)
    raise invalid_content(
        f'Invalid reference in field {spec.name!r}: send {{"id": "<internal id>"}} or '
        f'{{"externalId": "<external id>"}} of a {" or ".join(spec.targets)}.',
        path,
    )


def _freeref(spec: Field, value: Any, path: str) -> dict[str, str]:
    if isinstance(value, dict):
        ref = {k: v for k, v in value.items() if k != "links"}
        ok = ref and set(ref) <= {"id", "refName"}
        ok = ok and all(isinstance(v, str | int) and not isinstance(v, bool) for v in ref.values())
        if ok:
            rid, name = ref.get("id"), ref.get("refName")
            text_id = str(rid if rid is not None else name)[:100]
            return {"id": text_id, "refName": str(name if name is not None else rid)[:200]}
    raise invalid_content(
        f'Invalid reference in field {spec.name!r}: send {{"id": ...}} and/or {{"refName": ...}}.',
        path,
    )


def _enum(spec: Field, value: Any, path: str) -> str:
    chosen = value.get("id") if isinstance(value, dict) else value
    if isinstance(chosen, str):
        for key, label in spec.choices.items():
            if chosen.lower() in (key.lower(), label.lower()):
                return key
    allowed = ", ".join(f"{k} ({v})" for k, v in spec.choices.items())
    raise invalid_content(f"Invalid value for field {spec.name!r}: use one of {allowed}.", path)


def _address(spec: Field, value: Any, path: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _wrong(spec, value, path, "an address object")
    out: dict[str, str] = {}
    for key, text in value.items():
        if key == "links":
            continue
        if key not in ADDRESS_FIELDS_ALL:
            raise invalid_content(
                f"Unknown address field {key!r}; use {', '.join(ADDRESS_FIELDS_ALL)}.",
                f"{path}.{key}",
            )
        if text is None:
            continue
        if not isinstance(text, str) or len(text) > 300:
            raise invalid_content(
                f"Address field {key!r} must be a string of at most 300 characters.",
                f"{path}.{key}",
            )
        out[key] = text
    return out


def custom(name: str, value: Any, path: str) -> Any:
    """A custom field (custbody_, custentity_, custitem_, custcol_) holds one scalar."""
    if not _CUSTOM_NAME.match(name.lower()):
        raise invalid_content(
            f"Invalid custom field id {name!r}: use lower-case letters, digits and '_'.", path
        )
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_CUSTOM_TEXT:
            raise invalid_content(
                f"Custom field {name!r} is longer than {MAX_CUSTOM_TEXT} characters.", path
            )
        return value
    if isinstance(value, int | float) and math.isfinite(value) and abs(value) <= 1e15:
        return value
    raise invalid_content(
        f"Custom field {name!r} takes a string, number or boolean, not {_type_name(value)}.",
        path,
    )
