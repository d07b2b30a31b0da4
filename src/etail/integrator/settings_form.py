"""Render an app-settings section as form fields and read it back (pydantic model driven)."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from etail.errors import SettingsError


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    help: str
    kind: str  # checkbox | select | mapping | list | number | text
    value: Any
    options: tuple[str, ...] = ()


def _kind(annotation: Any) -> tuple[str, tuple[str, ...]]:
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return "checkbox", ()
    if origin is typing.Literal:
        return "select", tuple(str(a) for a in typing.get_args(annotation))
    if origin is dict:
        return "mapping", ()
    if origin is list:
        return "list", ()
    if annotation is int:
        return "number", ()
    return "text", ()


def form_fields(model: type[BaseModel], values: BaseModel) -> list[FormField]:
    out = []
    for name, info in model.model_fields.items():
        kind, options = _kind(info.annotation)
        value = getattr(values, name)
        if kind == "mapping":
            value = "\n".join(f"{k} = {v}" for k, v in value.items())
        elif kind == "list":
            value = ", ".join(value)
        out.append(
            FormField(name, info.title or name, info.description or "", kind, value, options)
        )
    return out


def _mapping(text: str, field: str) -> dict[str, str]:
    result = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SettingsError(
                f"{field}: line {number} is not 'name = value'",
                field=field,
                hint="write one pair per line, e.g. Standard = 4",
            )
        result[key.strip()] = value.strip()
    return result


def parse_section(model: type[BaseModel], form: Mapping[str, Any]) -> dict[str, Any]:
    """Form values -> a dict for ``app_settings.update_section`` (validated there)."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        kind, _ = _kind(info.annotation)
        raw = form.get(name)
        text = raw if isinstance(raw, str) else ""
        if kind == "checkbox":
            data[name] = raw is not None and text not in ("", "0", "off", "false")
        elif kind == "mapping":
            data[name] = _mapping(text, name)
        elif kind == "list":
            data[name] = [p.strip() for p in text.split(",") if p.strip()]
        elif kind == "number":
            try:
                data[name] = int(text)
            except ValueError:
                raise SettingsError(f"{name} must be a whole number", field=name) from None
        else:
            data[name] = text.strip()
    return data
