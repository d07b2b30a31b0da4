"""The ``q`` filter of record lists (NS:section_1545222128).

``q`` is ``<field> <OPERATOR> <value>`` joined by ``AND`` / ``OR``; ``AND`` binds tighter than
``OR``; values with spaces are quoted (``"..."``); lists are ``[1, 2]``. Text matching is
case-insensitive, as in NetSuite. Supported operators per field kind:

* text: IS, IS_NOT, START_WITH, START_WITH_NOT, CONTAIN, CONTAIN_NOT, END_WITH, END_WITH_NOT
* numbers: EQUAL, EQUAL_NOT, GREATER, GREATER_OR_EQUAL, LESS, LESS_OR_EQUAL, BETWEEN, BETWEEN_NOT
* references, enums, ids: ANY_OF, ANY_OF_NOT (and IS / EQUAL for one value)
* booleans: IS
* dates and timestamps: ON, ON_OR_BEFORE, ON_OR_AFTER, BEFORE, AFTER, WITHIN
  (``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM:SSZ`` or ``M/D/YYYY``)
* every field: EMPTY, EMPTY_NOT
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement

from etail.sandbox.netsuite.records.models import RecordRow
from etail.sandbox.netsuite.records.problems import Problem, invalid_parameter
from etail.sandbox.netsuite.records.schema import RecordType

_TOKEN = re.compile(r'\s*(?:(\[)|(\])|(,)|"((?:[^"\\]|\\.)*)"|([^\s,\[\]"]+))')
_TEXT = {"IS", "IS_NOT", "START_WITH", "START_WITH_NOT", "CONTAIN", "CONTAIN_NOT"}
_TEXT |= {"END_WITH", "END_WITH_NOT", "ANY_OF", "ANY_OF_NOT"}
_NUMBER = {"EQUAL", "EQUAL_NOT", "GREATER", "GREATER_OR_EQUAL", "LESS", "LESS_OR_EQUAL"}
_NUMBER |= {"BETWEEN", "BETWEEN_NOT", "ANY_OF", "ANY_OF_NOT", "IS", "IS_NOT"}
_CHOICE = {"ANY_OF", "ANY_OF_NOT", "IS", "IS_NOT", "EQUAL", "EQUAL_NOT"}
_DATE = {"ON", "ON_OR_BEFORE", "ON_OR_AFTER", "BEFORE", "AFTER", "WITHIN", "WITHIN_NOT"}
_EMPTY = {"EMPTY", "EMPTY_NOT"}
MAX_LENGTH = 2000


def bad_q(detail: str) -> Problem:
    return invalid_parameter(f"Invalid query (q): {detail}", "q")


@dataclass(frozen=True)
class Condition:
    field: str
    kind: str
    op: str
    values: tuple[str, ...]


Filter = list[list[Condition]]  # OR of ANDs


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise bad_q(f"cannot read the text at position {pos}; quote values with spaces.")
        pos = match.end()
        lbr, rbr, comma, quoted, word = match.groups()
        if quoted is not None:
            out.append(("value", re.sub(r"\\(.)", r"\1", quoted)))
        elif word is not None:
            out.append(("word", word))
        else:
            out.append(("punct", lbr or rbr or comma))
    return out


def field_kind(rtype: RecordType, name: str) -> tuple[str, str]:
    """(canonical name, kind) of a filterable field, or a 400 naming the field."""
    lowered = name.lower()
    if lowered in ("id", "internalid"):
        return "id", "choice"
    if lowered == "lastmodifieddate":
        return "lastModifiedDate", "datetime"
    if lowered in ("datecreated", "createddate"):
        return "dateCreated", "datetime"
    spec = rtype.field(name)
    if spec is not None and spec.kind != "address":
        kind = {"ref": "choice", "enum": "choice", "freeref": "choice", "integer": "number"}
        return spec.name, kind.get(spec.kind, "number" if spec.kind == "float" else spec.kind)
    if lowered.startswith(rtype.custom_prefix):
        return lowered, "text"
    raise bad_q(f"{name!r} is not a filterable field of {rtype.name}.")


def parse(rtype: RecordType, text: str) -> Filter:
    if len(text) > MAX_LENGTH:
        raise bad_q(f"the query is longer than {MAX_LENGTH} characters.")
    tokens = _tokens(text)
    if not tokens:
        raise bad_q("the query is empty.")
    groups: Filter = [[]]
    pos = 0
    while True:
        condition, pos = _condition(rtype, tokens, pos)
        groups[-1].append(condition)
        if pos >= len(tokens):
            return groups
        kind, word = tokens[pos]
        if kind != "word" or word.upper() not in ("AND", "OR"):
            raise bad_q(f"expected AND or OR, found {word!r}.")
        if word.upper() == "OR":
            groups.append([])
        pos += 1


def _condition(rtype: RecordType, tokens: list[tuple[str, str]], pos: int) -> tuple[Condition, int]:
    if pos + 1 >= len(tokens) or tokens[pos][0] != "word":
        raise bad_q("each condition is <field> <OPERATOR> <value>.")
    name, kind = field_kind(rtype, tokens[pos][1])
    op = tokens[pos + 1][1].upper()
    allowed = (
        _EMPTY
        | {
            "text": _TEXT,
            "number": _NUMBER,
            "choice": _CHOICE,
            "boolean": {"IS", "IS_NOT"},
            "date": _DATE,
            "datetime": _DATE,
        }[kind]
    )
    if op not in allowed:
        raise bad_q(f"operator {op!r} does not apply to {name}; use one of {sorted(allowed)}.")
    pos += 2
    if op in _EMPTY:
        return Condition(name, kind, op, ()), pos
    values, pos = _values(tokens, pos)
    needs_two = op.startswith(("BETWEEN", "WITHIN"))
    if needs_two and len(values) != 2:
        raise bad_q(f"{op} takes two values, e.g. [1, 5].")
    if not needs_two and len(values) != 1 and not op.startswith("ANY_OF"):
        raise bad_q(f"{op} takes one value.")
    return Condition(name, kind, op, values), pos


def _values(tokens: list[tuple[str, str]], pos: int) -> tuple[tuple[str, ...], int]:
    if pos >= len(tokens):
        raise bad_q("a value is missing at the end.")
    kind, text = tokens[pos]
    if kind != "punct":
        return (text,), pos + 1
    if text != "[":
        raise bad_q(f"unexpected {text!r}.")
    values: list[str] = []
    pos += 1
    while pos < len(tokens) and tokens[pos] != ("punct", "]"):
        kind, text = tokens[pos]
        if kind == "punct" and text != ",":
            raise bad_q(f"unexpected {text!r} in a list.")
        if kind != "punct":
            values.append(text)
        pos += 1
    if pos >= len(tokens) or not values:
        raise bad_q("a list must be closed with ']' and hold at least one value.")
    return tuple(values), pos + 1


# ---- evaluation ------------------------------------------------------------------------------


def value_of(row: RecordRow, name: str) -> Any:
    if name == "id":
        return row.id
    if name == "lastModifiedDate":
        return row.last_modified
    if name == "dateCreated":
        return row.date_created
    value = row.body.get(name)
    if isinstance(value, dict):
        return value.get("id")
    return value


def matches(row: RecordRow, flt: Filter) -> bool:
    return any(all(_test(row, c) for c in group) for group in flt)


def _test(row: RecordRow, cond: Condition) -> bool:
    value = value_of(row, cond.field)
    if cond.op in _EMPTY:
        empty = value is None or value == ""
        return empty if cond.op == "EMPTY" else not empty
    negate = cond.op.endswith("_NOT")
    op = cond.op.removesuffix("_NOT")
    if value is None:
        return negate
    result = _CHECKS[cond.kind](value, op, cond.values)
    return not result if negate else result


def _text(value: Any, op: str, values: tuple[str, ...]) -> bool:
    have = str(value).lower()
    wanted = [v.lower() for v in values]
    if op == "START_WITH":
        return have.startswith(wanted[0])
    if op == "END_WITH":
        return have.endswith(wanted[0])
    if op == "CONTAIN":
        return wanted[0] in have
    return have in wanted


def _number(value: Any, op: str, values: tuple[str, ...]) -> bool:
    try:
        have, wanted = float(value), [float(v) for v in values]
    except (TypeError, ValueError):
        raise bad_q(f"{values} is not a number.") from None
    compare: dict[str, Callable[[], bool]] = {
        "GREATER": lambda: have > wanted[0],
        "GREATER_OR_EQUAL": lambda: have >= wanted[0],
        "LESS": lambda: have < wanted[0],
        "LESS_OR_EQUAL": lambda: have <= wanted[0],
        "BETWEEN": lambda: wanted[0] <= have <= wanted[1],
    }
    return compare.get(op, lambda: have in wanted)()


def _choice(value: Any, op: str, values: tuple[str, ...]) -> bool:
    return str(value).lower() in [v.lower() for v in values]


def _boolean(value: Any, op: str, values: tuple[str, ...]) -> bool:
    wanted = values[0].lower()
    if wanted not in ("true", "false", "t", "f"):
        raise bad_q(f"{values[0]!r} is not a boolean; use true or false.")
    return bool(value) == (wanted in ("true", "t"))


def parse_moment(text: str) -> tuple[datetime, bool]:
    """(moment, has a time of day) from the date formats q accepts."""
    cleaned = text.strip().replace("Z", "").replace("T", " ")
    formats = [("%Y-%m-%d %H:%M:%S", True), ("%Y-%m-%d %H:%M", True), ("%Y-%m-%d", False)]
    formats += [("%m/%d/%Y %H:%M", True), ("%m/%d/%Y", False)]
    for fmt, timed in formats:
        try:
            return datetime.strptime(cleaned.split(".")[0], fmt), timed
        except ValueError:
            continue
    raise bad_q(f"{text!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.")


def _moment(value: Any, op: str, values: tuple[str, ...]) -> bool:
    have = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    bounds = [parse_moment(v) for v in values]
    if all(timed for _, timed in bounds) and isinstance(value, datetime):
        lhs: datetime | date = have
        rhs: list[datetime | date] = [b for b, _ in bounds]
    else:
        lhs, rhs = have.date(), [b.date() for b, _ in bounds]
    compare: dict[str, Callable[[], bool]] = {
        "ON": lambda: lhs == rhs[0],
        "BEFORE": lambda: lhs < rhs[0],
        "AFTER": lambda: lhs > rhs[0],
        "ON_OR_BEFORE": lambda: lhs <= rhs[0],
        "ON_OR_AFTER": lambda: lhs >= rhs[0],
        "WITHIN": lambda: rhs[0] <= lhs <= rhs[-1],
    }
    return compare[op]()


_CHECKS: dict[str, Callable[[Any, str, tuple[str, ...]], bool]] = {
    "text": _text,
    "number": _number,
    "choice": _choice,
    "boolean": _boolean,
    "date": _moment,
    "datetime": _moment,
}


def check_values(flt: Filter) -> None:
    """Fail early (400) on values that can never be compared, before any row is read."""
    for group in flt:
        for cond in group:
            if cond.kind in ("date", "datetime"):
                for value in cond.values:
                    parse_moment(value)
            elif cond.kind == "number":
                _number(0, "EQUAL", cond.values)
            elif cond.kind == "boolean":
                _boolean(False, "IS", cond.values)


def prefilter(flt: Filter) -> list[ColumnElement[bool]]:
    """SQL conditions that keep every row the filter can match (a superset), so a delta export
    (``lastModifiedDate ON_OR_AFTER ...``) reads only recent rows; ``matches`` then decides."""
    if len(flt) != 1:
        return []  # an OR: any row may match through another branch
    clauses: list[ColumnElement[bool]] = []
    for cond in flt[0]:
        if cond.field in ("lastModifiedDate", "dateCreated") and cond.op in _DATE:
            column = (
                RecordRow.last_modified
                if cond.field == "lastModifiedDate"
                else RecordRow.date_created
            )
            days = [parse_moment(v)[0].replace(hour=0, minute=0, second=0) for v in cond.values]
            if cond.op in ("ON_OR_AFTER", "AFTER", "ON", "WITHIN"):
                clauses.append(column >= days[0])
            if cond.op in ("ON_OR_BEFORE", "BEFORE", "ON", "WITHIN"):
                clauses.append(column < days[-1] + timedelta(days=1))
        elif cond.field == "id" and cond.op in ("ANY_OF", "IS", "EQUAL"):
            ids = [int(v) for v in cond.values if v.isdigit() and len(v) < 16]
            clauses.append(RecordRow.id.in_(ids))
    return clauses
