"""SuiteQL over the sandbox's records (NS:section_157909186990), parsed with sqlglot.

A query is parsed as Oracle SQL (SuiteQL's dialect), checked (one SELECT, known tables only, no
functions sqlglot does not know, ``?`` binds replaced by literals in the syntax tree, never by
string pasting), then written out as SQLite over read-only views of the record tables that are
prepended as CTEs. The tables are listed in docs/netsuite-sandbox-records.md.

Rows a role may not view are not in the views: ``transaction`` and ``transactionline`` hold only
the transaction types the role can view; ``customer``, ``item`` and ``inventoryitemlocations``
need view permission on the record, else 403.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlglot
from sqlalchemy.orm import Session
from sqlglot import exp
from sqlglot.dialects.sqlite import SQLite
from sqlglot.errors import SqlglotError

from etail.sandbox.netsuite.context import Caller, Level
from etail.sandbox.netsuite.records.paging import Page
from etail.sandbox.netsuite.records.problems import Problem, insufficient_permission
from etail.sandbox.netsuite.records.schema import (
    LOCATIONS,
    RECORD_TYPES,
    Field,
    RecordType,
    transaction_types,
)

MAX_QUERY = 100_000
TIME_BUDGET_S = 5.0  # a runaway join is interrupted, not left to hang the server
_ALLOWED_UNKNOWN_FUNCTIONS = {"instr", "nvl2", "abs", "round", "trunc"}


class _BacktickSQLite(SQLite):
    """SQLite with `identifiers`: SQLite reads an unknown "double-quoted" name as a string
    literal, which would turn a misspelt column into a constant instead of an error."""

    class Tokenizer(SQLite.Tokenizer):
        IDENTIFIERS = ["`"]  # noqa: RUF012 - sqlglot's own class attribute


def bad_query(detail: str) -> Problem:
    return Problem(
        400,
        "INVALID_PARAMETER",
        f"Invalid search query. Detailed unprocessed description follows. {detail}",
        error_path="q",
    )


# ---- the views -------------------------------------------------------------------------------


def _json(source: str, spec: Field, name: str) -> str:
    path = f"$.{name}.id" if spec.kind == "freeref" else f"$.{name}"
    value = f"json_extract({source}.body, '{path}')"
    if spec.kind == "boolean":
        return f"CASE WHEN {value} THEN 'T' ELSE 'F' END"
    return value


def _columns(source: str, specs: Sequence[tuple[RecordType, Field]]) -> dict[str, str]:
    """SuiteQL column -> SQL expression; one column may gather fields of several types."""
    grouped: dict[str, list[str]] = {}
    for _rtype, spec in specs:
        if spec.column is None or spec.name in ("externalId", "tranId"):
            continue
        expr = _json(source, spec, spec.name)
        if expr not in grouped.setdefault(spec.column, []):
            grouped[spec.column].append(expr)
    return {
        col: exprs[0] if len(exprs) == 1 else f"COALESCE({', '.join(exprs)})"
        for col, exprs in grouped.items()
    }


def _stamp(column: str) -> str:
    return f"substr(r.{column}, 1, 19)"


def _select(columns: dict[str, str], source: str, where: str) -> str:
    cols = ", ".join(f'{expr} AS "{name}"' for name, expr in columns.items())
    # Built only from schema constants and sqlglot-escaped literals, never from request text.
    return f"SELECT {cols} FROM {source} WHERE {where}"  # noqa: S608


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")" if values else "(NULL)"


@dataclass(frozen=True)
class Table:
    name: str
    build: Callable[[str, Sequence[str]], str]  # (account literal, viewable tx types) -> SQL
    needs: str | None  # record permission key to view it, None = row-filtered or public


def _record_table(rtype: RecordType, extra: dict[str, str]) -> Callable[[str, Sequence[str]], str]:
    def build(account: str, _types: Sequence[str]) -> str:
        columns = {
            "id": "r.id",
            "externalid": "r.external_id",
            **extra,
            **_columns("r", [(rtype, f) for f in rtype.fields]),
            rtype.created_name.lower(): _stamp("date_created"),
            "lastmodifieddate": _stamp("last_modified"),
        }
        return _select(
            columns, "rec_record AS r", f"r.account = {account} AND r.rtype = '{rtype.name}'"
        )

    return build


def _transaction(account: str, types: Sequence[str]) -> str:
    kinds = [t for t in transaction_types() if t.name in types]
    type_case = " ".join(f"WHEN '{t.name}' THEN '{t.tran_type}'" for t in kinds)
    columns = {
        "id": "r.id",
        "tranid": "r.tran_id",
        "type": f"CASE r.rtype {type_case} END" if kinds else "NULL",
        "recordtype": "lower(r.rtype)",
        "externalid": "r.external_id",
        **_columns("r", [(t, f) for t in transaction_types() for f in t.fields]),
        "createddate": _stamp("date_created"),
        "lastmodifieddate": _stamp("last_modified"),
    }
    where = f"r.account = {account} AND r.rtype IN {_in([t.name for t in kinds])}"
    return _select(columns, "rec_record AS r", where)


def _transaction_line(account: str, types: Sequence[str]) -> str:
    specs = [
        (t, f)
        for t in transaction_types()
        for s in t.sublists
        if s.name == "item"
        for f in s.fields
    ]
    columns = {
        "transaction": "r.id",
        "id": "l.line",
        **_columns("l", specs),
        "linesequencenumber": "l.line",
        "mainline": "'F'",
    }
    where = f"r.account = {account} AND r.rtype IN {_in(types)} AND l.sublist = 'item'"
    return _select(columns, "rec_line AS l JOIN rec_record AS r ON l.record_id = r.id", where)


def _item_locations(account: str, _types: Sequence[str]) -> str:
    rtype = RECORD_TYPES["inventoryItem"]
    specs = [(rtype, f) for s in rtype.sublists for f in s.fields]
    columns = {"item": "r.id", **_columns("l", specs), "lastmodifieddate": _stamp("last_modified")}
    where = f"r.account = {account} AND r.rtype = 'inventoryItem' AND l.sublist = 'locations'"
    return _select(columns, "rec_line AS l JOIN rec_record AS r ON l.record_id = r.id", where)


def _locations(_account: str, _types: Sequence[str]) -> str:
    rows = [
        f'SELECT {lid} AS "id", \'{name}\' AS "name", \'F\' AS "isinactive"'
        for lid, name in LOCATIONS.items()
    ]
    return " UNION ALL ".join(rows)


TABLES: dict[str, Table] = {
    "customer": Table("customer", _record_table(RECORD_TYPES["customer"], {}), "customer"),
    "item": Table(
        "item",
        _record_table(RECORD_TYPES["inventoryItem"], {"itemtype": "'InvtPart'"}),
        "inventoryItem",
    ),
    "inventoryitemlocations": Table("inventoryitemlocations", _item_locations, "inventoryItem"),
    "transaction": Table("transaction", _transaction, None),
    "transactionline": Table("transactionline", _transaction_line, None),
    "location": Table("location", _locations, None),
}


def table_columns() -> dict[str, list[str]]:
    """Column names per SuiteQL table (for the docs and for tests)."""
    out: dict[str, list[str]] = {}
    for name, table in TABLES.items():
        sql = table.build("'X'", [t.name for t in transaction_types()])
        tree = sqlglot.parse_one(sql, read="sqlite")
        assert isinstance(tree, exp.Query)
        out[name] = [c.alias_or_name for c in tree.selects]
    return out


# ---- checking and translating a query --------------------------------------------------------


def _bind(tree: exp.Expr, params: Sequence[object]) -> None:
    holders = list(tree.find_all(exp.Placeholder))
    if len(holders) != len(params):
        raise bad_query(
            f"The query has {len(holders)} '?' placeholders but 'params' holds {len(params)} "
            "values; send one value per '?'."
        )
    for holder, value in zip(holders, params, strict=True):
        if isinstance(value, bool) or value is None:
            literal: exp.Expr = (
                exp.null() if value is None else exp.Literal.string("T" if value else "F")
            )
        elif isinstance(value, int | float):
            literal = exp.Literal.number(value)
        else:
            literal = exp.Literal.string(str(value))
        holder.replace(literal)


def _check(tree: exp.Expr) -> set[str]:
    if not isinstance(tree, exp.Select | exp.Union | exp.Intersect | exp.Except):
        raise bad_query("Only SELECT statements are allowed in SuiteQL.")
    tables: set[str] = set()
    for node in tree.walk():
        if isinstance(node, exp.With):
            raise bad_query("WITH (common table expressions) is not supported; use a subquery.")
        if isinstance(node, exp.Insert | exp.Update | exp.Delete | exp.Create | exp.Drop):
            raise bad_query("Only SELECT statements are allowed in SuiteQL.")
        if isinstance(node, exp.Command | exp.Pragma):
            raise bad_query("Only SELECT statements are allowed in SuiteQL.")
        if isinstance(node, exp.Dot) and isinstance(node.this, exp.Identifier):
            raise bad_query(
                f"{node.this.name}.{node.expression.sql()} is not supported by the sandbox "
                "(no BUILTIN functions); select the column itself."
            )
        if isinstance(node, exp.Anonymous) and node.name.lower() not in _ALLOWED_UNKNOWN_FUNCTIONS:
            raise bad_query(f"Unknown function {node.name}().")
        if isinstance(node, exp.Identifier):
            node.set("this", node.name.lower())
            node.set("quoted", False)
        if isinstance(node, exp.Table):
            tables.add(_table_name(node))
    return tables


def _table_name(node: exp.Table) -> str:
    name = node.name.lower()
    if node.args.get("db") or node.args.get("catalog") or name not in TABLES:
        known = ", ".join(sorted(TABLES))
        raise bad_query(f"Unknown table {node.sql()!r}; the sandbox's SuiteQL tables are {known}.")
    return name


def translate(query: str, params: Sequence[object], caller: Caller) -> str:
    """The SQLite statement for a SuiteQL query, with the views it reads prepended."""
    if len(query) > MAX_QUERY:
        raise bad_query("The query is too long.")
    body, tables = _compiled(query, json.dumps(list(params)))
    viewable = [t.name for t in transaction_types() if caller.allows(t.name, Level.VIEW)]
    for name in tables:
        needs = TABLES[name].needs
        if needs and not caller.allows(needs, Level.VIEW):
            raise insufficient_permission(f"View {RECORD_TYPES[needs].label}")
    account = exp.Literal.string(caller.account_id).sql("sqlite")
    ctes = ", ".join(f"`{n}` AS ({TABLES[n].build(account, viewable)})" for n in sorted(tables))
    return f"WITH {ctes} {body}" if ctes else body


@lru_cache(maxsize=256)
def _compiled(query: str, params_json: str) -> tuple[str, frozenset[str]]:
    """(checked, bound SQLite text, tables read): independent of the caller, so a client that
    pages through one query parses it once. Failures raise and are not cached."""
    try:
        trees = [t for t in sqlglot.parse(query, read="oracle") if t is not None]
    except SqlglotError as exc:
        raise bad_query(f"Syntax error: {str(exc)[:300]}") from None
    if len(trees) != 1:
        raise bad_query("Send exactly one SELECT statement (no ';'-separated statements).")
    tree = trees[0]
    tables = _check(tree)
    _bind(tree, json.loads(params_json))
    try:
        return tree.sql(_BacktickSQLite, identify=True), frozenset(tables)
    except SqlglotError as exc:
        raise bad_query(f"Unsupported query: {str(exc)[:300]}") from None


def paged(sql: str, page: Page) -> tuple[str, str]:
    """(count statement, page statement) around a translated query."""
    # `sql` is sqlglot's rendering of a checked tree; limit and offset are integers.
    count = f"SELECT COUNT(*) FROM ({sql}) AS suiteql_q"  # noqa: S608
    rows = f"SELECT * FROM ({sql}) AS suiteql_q LIMIT {page.limit} OFFSET {page.offset}"  # noqa: S608
    return count, rows


def shown(value: object) -> str:
    """SuiteQL returns every value as a string (NS:section_157909186990)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def run(
    session: Session, query: str, params: Sequence[object], caller: Caller, page: Page
) -> tuple[list[dict[str, Any]], int]:
    """(items of the page, total results)."""
    if session.get_bind().dialect.name != "sqlite":
        raise Problem(
            400,
            "INVALID_PARAMETER",
            "SuiteQL in the sandbox runs on its SQLite store only.",
        )
    sql = translate(query, params, caller)
    count_sql, page_sql = paged(sql, page)
    connection = session.connection()
    raw = connection.connection.dbapi_connection
    deadline = time.monotonic() + TIME_BUDGET_S
    if isinstance(raw, sqlite3.Connection):
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        total = int(connection.exec_driver_sql(count_sql).scalar_one())
        result = connection.exec_driver_sql(page_sql)
        names = [str(c).lower() for c in list(result.keys())]
        items = [
            {"links": [], **{n: shown(v) for n, v in zip(names, row, strict=True) if v is not None}}
            for row in result
        ]
    except Exception as exc:  # sqlite3 errors arrive wrapped by SQLAlchemy
        message = str(getattr(exc, "orig", exc)).splitlines()[0][:300]
        if "interrupted" in message:
            message = f"The query ran longer than {TIME_BUDGET_S:g} s and was stopped."
        raise bad_query(f"Search error occurred: {message}") from None
    finally:
        if isinstance(raw, sqlite3.Connection):
            raw.set_progress_handler(None, 0)
    return items, min(total, MAX_QUERY)
