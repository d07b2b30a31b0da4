"""Helpers shared by the mappings: money, external ids, field-mapping rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from etail.errors import MappingError

Json = dict[str, Any]

CENT = Decimal("0.01")
# NetSuite external ids may hold letters, digits, "_" and "-" only (netsuite-tba.md §5).
_EID_OK = re.compile(r"^[A-Za-z0-9_-]{1,250}$")
_EID_BAD = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class FieldMapping:
    """One row of a flow's Mapping as shown in the app: source field -> target field, and how."""

    source: str
    target: str
    rule: str = ""


def money(value: Any, field: str) -> Decimal:
    """A non-negative amount from JSON, rounded to cents; the error names the field."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise MappingError(f"{field} must be an amount, got {value!r}", field=field)
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise MappingError(f"{field} must be an amount, got {value!r}", field=field) from exc
    if not amount.is_finite() or amount < 0:
        raise MappingError(f"{field} must be a non-negative amount, got {value!r}", field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def as_float(amount: Decimal) -> float:
    """JSON number for NetSuite and Jet (both take plain numbers with two decimals)."""
    return float(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def quantity(value: Any, field: str) -> int:
    """A whole, non-negative quantity; the error names the field."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise MappingError(f"{field} must be a whole number, got {value!r}", field=field)
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise MappingError(f"{field} must be a whole number, got {value!r}", field=field) from exc
    if number != number.to_integral_value() or number < 0:
        raise MappingError(f"{field} must be a whole number >= 0, got {value!r}", field=field)
    return int(number)


def external_id(value: Any, field: str) -> str:
    """A value used verbatim as a NetSuite external id; refuse what NetSuite cannot address."""
    text = str(value or "").strip()
    if not _EID_OK.match(text):
        raise MappingError(
            f"{field} {text!r} cannot be a NetSuite external id",
            field=field,
            hint="NetSuite external ids allow letters, digits, '_' and '-' (1 to 250)",
        )
    return text


def safe_id(prefix: str, value: str) -> str:
    """A derived external id: ``prefix`` plus ``value`` with other characters turned into '-'."""
    return f"{prefix}{_EID_BAD.sub('-', value)}"[:250]


def text(record: Json, field: str, *, required: bool = False) -> str:
    """A text field (dotted path) of a JSON record; a missing required field names itself."""
    value: Any = record
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None or value == "":
        if required:
            raise MappingError(f"{field} is missing", field=field)
        return ""
    return str(value)


def ref(internal_id: str | int | None) -> Json | None:
    """A NetSuite reference ``{"id": "..."}`` (REST record JSON)."""
    return None if internal_id in (None, "") else {"id": str(internal_id)}


def drop_none(body: Json) -> Json:
    return {k: v for k, v in body.items() if v is not None}
