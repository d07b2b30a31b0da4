"""Reading and writing records of one account: lookups, references, merges, sequences.

Business rules that depend on the record type (totals, statuses, fulfilment quantities) live in
``rules``; this module only persists what they decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.records import rules
from etail.sandbox.netsuite.records.models import LineRow, RecordRow, SequenceRow
from etail.sandbox.netsuite.records.problems import Problem, invalid_content, nonexistent_id
from etail.sandbox.netsuite.records.schema import (
    RECORD_TYPES,
    STATIC_LISTS,
    RecordType,
)
from etail.sandbox.netsuite.records.validation import Changes

Lines = dict[str, list[dict[str, Any]]]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class DuplicateExternalIdError(Exception):
    """Another writer stored the same externalId first (caught by upsert, which retries)."""


class RecordStore:
    """The records of one account, on one SQLAlchemy session."""

    def __init__(self, session: Session, account: str) -> None:
        self.session = session
        self.account = account

    # ---- lookups ---------------------------------------------------------------------------

    def find(self, rtype: RecordType, ref: str) -> RecordRow:
        """The record addressed by ``ref``: an internal id or ``eid:<externalId>``."""
        row = self.lookup(rtype.name, ref)
        if row is None:
            raise nonexistent_id(rtype.name, ref)
        return row

    def lookup(self, rtype_name: str, ref: str) -> RecordRow | None:
        if ref.isdigit() and len(ref) < 16:
            # By primary key through the session's identity map: a record this request already
            # read (a line's item, resolved and then priced) costs no second query.
            row = self.session.get(RecordRow, int(ref))
            ok = row is not None and row.account == self.account and row.rtype == rtype_name
            return row if ok else None
        if not ref.startswith("eid:"):
            return None
        query = select(RecordRow).where(
            RecordRow.account == self.account,
            RecordRow.rtype == rtype_name,
            RecordRow.external_id == ref[4:],
        )
        return self.session.scalars(query).first()

    def lines(self, row: RecordRow) -> Lines:
        out: Lines = {}
        query = select(LineRow).where(LineRow.record_id == row.id).order_by(LineRow.line)
        for line in self.session.scalars(query):
            out.setdefault(line.sublist, []).append({"line": line.line, **line.body})
        return out

    def children(self, rtype_name: str, parent_id: int) -> list[RecordRow]:
        query = select(RecordRow).where(
            RecordRow.account == self.account,
            RecordRow.rtype == rtype_name,
            RecordRow.created_from == parent_id,
        )
        return list(self.session.scalars(query))

    def with_body_value(self, rtype_name: str, field: str, value: str) -> list[int]:
        """Ids of records whose body field equals ``value`` (JSON path, any dialect)."""
        query = select(RecordRow.id).where(
            RecordRow.account == self.account,
            RecordRow.rtype == rtype_name,
            RecordRow.body[field].as_string() == value,
        )
        return list(self.session.scalars(query))

    def referencing(self, field: str, rid: int, *, lines: bool = False) -> int:
        """How many records (or lines) of this account point at ``rid`` through ``field``."""
        if lines:
            query = (
                select(func.count())
                .select_from(LineRow)
                .join(RecordRow, LineRow.record_id == RecordRow.id)
                .where(RecordRow.account == self.account, LineRow.body[field].as_integer() == rid)
            )
        else:
            query = select(func.count()).where(
                RecordRow.account == self.account, RecordRow.body[field].as_integer() == rid
            )
        return int(self.session.scalar(query) or 0)

    def resolve(self, targets: tuple[str, ...], ref: Mapping[str, Any], path: str) -> int:
        """Internal id of a reference, or 400 INVALID_CONTENT naming ``path``."""
        for target in targets:
            static = STATIC_LISTS.get(target)
            if static is not None:
                rid = str(ref.get("id", ""))
                if rid.isdigit() and int(rid) in static:
                    return int(rid)
                continue
            key = f"eid:{ref['externalId']}" if "externalId" in ref else str(ref["id"])
            row = self.lookup(target, key)
            if row is not None:
                return row.id
        shown = ref.get("id", ref.get("externalId"))
        raise invalid_content(
            f"Error while accessing a resource. You have entered an Invalid Field Value "
            f"{shown} for the following field: {path.rsplit('.', 1)[-1]} "
            f"(no {' or '.join(targets)} with that ID in this account).",
            path,
        )

    def ref_names(self, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """Display names (refName) for (record type or static list, id) pairs."""
        names: dict[tuple[str, int], str] = {}
        by_type: dict[str, set[int]] = {}
        for target, rid in wanted:
            if target in STATIC_LISTS:
                names[(target, rid)] = STATIC_LISTS[target].get(rid, str(rid))
            else:
                by_type.setdefault(target, set()).add(rid)
        for target, ids in by_type.items():
            query = select(RecordRow).where(
                RecordRow.account == self.account,
                RecordRow.rtype == target,
                RecordRow.id.in_(ids),
            )
            for row in self.session.scalars(query):
                names[(target, row.id)] = display_name(row)
        return names

    # ---- writes ----------------------------------------------------------------------------

    def create(self, rtype: RecordType, changes: Changes) -> RecordRow:
        body = {k: v for k, v in changes.body.items() if v is not None}
        lines: Lines = {}
        for name, change in changes.sublists.items():
            lines[name] = rules.number_lines(change.lines or [])
        body, lines = rules.finalize(self, rtype, None, body, lines)
        now = utcnow()
        row = RecordRow(
            account=self.account,
            rtype=rtype.name,
            external_id=body.get("externalId"),
            body=body,
            date_created=now,
            last_modified=now,
        )
        if rtype.tran_prefix:
            row.tran_id = f"{rtype.tran_prefix}{self._next_number(rtype.name)}"
            row.body = {**body, "tranId": row.tran_id}
        row.created_from = body.get("createdFrom")
        self._save(row, lines)
        rules.after_write(self, rtype, row)
        return row

    def update(
        self, rtype: RecordType, row: RecordRow, changes: Changes, replace: set[str]
    ) -> RecordRow:
        body = dict(row.body)
        for key, value in changes.body.items():
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        lines = self.lines(row)
        previous_parent = row.created_from
        for name, change in changes.sublists.items():
            if change.lines is None:
                lines[name] = []
            elif name in replace:
                lines[name] = rules.number_lines(change.lines)
            else:
                sub = rtype.sublist(name)
                key = sub.key if sub else "line"
                lines[name] = rules.merge_lines(name, key, lines.get(name, []), change.lines)
        body, lines = rules.finalize(self, rtype, row, body, lines)
        if row.tran_id:
            body["tranId"] = row.tran_id
        row.body = body
        row.external_id = body.get("externalId")
        row.created_from = body.get("createdFrom")
        row.last_modified = utcnow()
        for old in self.session.scalars(select(LineRow).where(LineRow.record_id == row.id)):
            self.session.delete(old)
        self.session.flush()
        self._save(row, lines)
        rules.after_write(self, rtype, row)
        if previous_parent != row.created_from and rtype.name in ("itemFulfillment", "cashSale"):
            rules.refresh_order(self, previous_parent)  # the order it no longer belongs to
        return row

    def delete(self, rtype: RecordType, row: RecordRow) -> None:
        rules.before_delete(self, rtype, row)
        self.session.delete(row)
        self.session.flush()
        rules.after_delete(self, rtype, row)

    def touch(self, row: RecordRow, body: dict[str, Any], lines: Lines | None = None) -> None:
        """Store computed fields of a record another write changed (e.g. a sales order)."""
        row.body = body
        row.last_modified = utcnow()
        if lines is not None:
            for old in self.session.scalars(select(LineRow).where(LineRow.record_id == row.id)):
                self.session.delete(old)
            self.session.flush()
            self._add_lines(row.id, lines)
        self.session.flush()

    def _save(self, row: RecordRow, lines: Lines) -> None:
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateExternalIdError(str(row.external_id)) from exc
        self._add_lines(row.id, lines)
        self.session.flush()

    def _add_lines(self, record_id: int, lines: Lines) -> None:
        for name, items in lines.items():
            for item in items:
                body = {k: v for k, v in item.items() if k != "line" and v is not None}
                self.session.add(
                    LineRow(record_id=record_id, sublist=name, line=item["line"], body=body)
                )

    def _next_number(self, name: str) -> int:
        """The next document number; the UPDATE takes the write lock, so numbers never repeat."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            insert(SequenceRow)
            .values(account=self.account, name=name, value=1000)
            .on_conflict_do_nothing()
        )
        return int(
            self.session.execute(
                update(SequenceRow)
                .where(SequenceRow.account == self.account, SequenceRow.name == name)
                .values(value=SequenceRow.value + 1)
                .returning(SequenceRow.value)
            ).scalar_one()
        )

    # ---- lists -----------------------------------------------------------------------------

    def count(self, rtype: RecordType) -> int:
        query = select(func.count()).where(
            RecordRow.account == self.account, RecordRow.rtype == rtype.name
        )
        return int(self.session.scalar(query) or 0)

    def page(self, rtype: RecordType, limit: int, offset: int) -> Sequence[RecordRow]:
        query = (
            select(RecordRow)
            .where(RecordRow.account == self.account, RecordRow.rtype == rtype.name)
            .order_by(RecordRow.id)
            .limit(limit)
            .offset(offset)
        )
        return self.session.scalars(query).all()

    def all(
        self, rtype: RecordType, where: Sequence[ColumnElement[bool]] = ()
    ) -> Sequence[RecordRow]:
        query = (
            select(RecordRow)
            .where(RecordRow.account == self.account, RecordRow.rtype == rtype.name, *where)
            .order_by(RecordRow.id)
        )
        return self.session.scalars(query).all()


def display_name(row: RecordRow) -> str:
    rtype = RECORD_TYPES[row.rtype]
    if rtype.tran_prefix:
        return f"{rtype.label} #{row.tran_id}"
    if row.rtype == "inventoryItem":
        return str(row.body.get("itemId", row.id))
    return str(row.body.get("entityId") or row.body.get("companyName") or row.id)


def reject_duplicate(rtype: RecordType, external_id: str) -> Problem:
    return Problem(
        400,
        "DUP_RCRD",
        f"This record already exists: a {rtype.name} with externalId {external_id!r} is in this "
        f"account. Update it with PUT .../{rtype.name}/eid:{external_id} instead.",
        error_path="externalId",
    )
