"""Records as NetSuite's REST service shows them (NS:section_1545141500, NS:section_1545142037).

References are ``{"links": [...], "id": "5", "refName": "..."}``; sublists and subrecords are
links only unless ``expandSubResources=true``, then ``{"links", "items": [...], ...}`` with line
numbers; dates are ``YYYY-MM-DD`` and timestamps ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from etail.sandbox.netsuite.records.models import RecordRow
from etail.sandbox.netsuite.records.schema import RECORD_TYPES, Field, RecordType
from etail.sandbox.netsuite.records.store import Lines, RecordStore

RECORD_PATH = "/services/rest/record/v1"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def self_link(href: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": href}]


class RecordView:
    """Renders records of one request (one base URL, one store for refNames)."""

    def __init__(self, store: RecordStore, base_url: str) -> None:
        self.store = store
        self.base = base_url.rstrip("/") + RECORD_PATH

    def href(self, rtype_name: str, rid: int | str, *rest: str) -> str:
        return "/".join([self.base, rtype_name, str(rid), *rest])

    @staticmethod
    def href_for(base_url: str, rtype_name: str, rid: int) -> str:
        return f"{base_url.rstrip('/')}{RECORD_PATH}/{rtype_name}/{rid}"

    def record(self, rtype: RecordType, row: RecordRow, *, expand: bool) -> dict[str, Any]:
        lines = self.store.lines(row)
        names = self.store.ref_names(self._refs(rtype, row.body, lines))
        out: dict[str, Any] = {"links": self_link(self.href(rtype.name, row.id)), "id": str(row.id)}
        out[rtype.created_name] = stamp(row.date_created)
        out["lastModifiedDate"] = stamp(row.last_modified)
        for key, value in row.body.items():
            spec = rtype.field(key)
            if spec is None:
                out[key] = value  # custom field
            elif spec.kind == "address":
                out[key] = self._subrecord(rtype, row, key, value, expand=expand)
            else:
                out[spec.name] = self.value(spec, value, names)
        for sub in rtype.sublists:
            out[sub.name] = self.sublist(rtype, row, sub.name, lines, names, expand=expand)
        return out

    def sublist(
        self,
        rtype: RecordType,
        row: RecordRow,
        name: str,
        lines: Lines,
        names: dict[tuple[str, int], str],
        *,
        expand: bool,
    ) -> dict[str, Any]:
        link = self.href(rtype.name, row.id, name)
        if not expand:
            return {"links": self_link(link)}
        sub = rtype.sublist(name)
        items = []
        for line in lines.get(name, []):
            shown: dict[str, Any] = {"links": []}
            for key, value in line.items():
                spec = sub.field(key) if sub else None
                shown[key] = value if spec is None else self.value(spec, value, names)
            items.append(shown)
        return {
            "links": self_link(link),
            "items": items,
            "totalResults": len(items),
            "count": len(items),
            "hasMore": False,
            "offset": 0,
        }

    def _subrecord(
        self, rtype: RecordType, row: RecordRow, name: str, value: Any, *, expand: bool
    ) -> dict[str, Any]:
        link = self_link(self.href(rtype.name, row.id, name))
        return {"links": link, **value} if expand else {"links": link}

    def value(self, spec: Field, value: Any, names: dict[tuple[str, int], str]) -> Any:
        if spec.kind == "ref":
            target = self._target(spec, value, names)
            ref: dict[str, Any] = {"links": [], "id": str(value)}
            if target in RECORD_TYPES:
                ref["links"] = self_link(self.href(target, value))
            ref["refName"] = names.get((target, value), str(value))
            return ref
        if spec.kind == "enum":
            return {"id": value, "refName": spec.choices.get(value, value)}
        return value

    @staticmethod
    def _target(spec: Field, value: int, names: dict[tuple[str, int], str]) -> str:
        for target in spec.targets:
            if (target, value) in names:
                return target
        return spec.targets[0]

    def _refs(self, rtype: RecordType, body: dict[str, Any], lines: Lines) -> set[tuple[str, int]]:
        wanted: set[tuple[str, int]] = set()
        for spec in rtype.fields:
            if spec.kind == "ref" and isinstance(body.get(spec.name), int):
                wanted.update((t, body[spec.name]) for t in spec.targets)
        for sub in rtype.sublists:
            for spec in sub.fields:
                if spec.kind != "ref":
                    continue
                for line in lines.get(sub.name, []):
                    if isinstance(line.get(spec.name), int):
                        wanted.update((t, line[spec.name]) for t in spec.targets)
        return wanted
