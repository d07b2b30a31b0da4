"""Records, pages and what became of each record (success, ignored or error).

Celigo's model (reference celigo-jet.md §1.1, §1.7–1.8): an export yields pages of records; every
record of a page ends as *success*, *ignored* or *error*, and a record in error keeps its data so a
person can retry it later. Nothing is dropped silently (DESIGN.md, data integrity rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from etail.errors import (
    ConfigError,
    EtailError,
    MappingError,
    RateLimitedError,
    RecordNotFoundError,
    RecordRejectedError,
    Scope,
    SettingsError,
    TransientError,
    UnexpectedResponseError,
)

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Record:
    """One record travelling through a flow.

    ``key`` identifies the record in its source system (the Jet ``merchant_order_id``, a NetSuite
    internal ID); it is the *trace key* used to auto-resolve older errors of the same record
    (Celigo ``autoResolveMatchingTraceKeys``).
    """

    key: str
    data: JsonDict
    source: str = ""
    modified_at: datetime | None = None
    meta: JsonDict = field(default_factory=dict)

    def with_data(self, data: Mapping[str, Any]) -> Record:
        return replace(self, data=dict(data))


@dataclass(frozen=True, slots=True)
class Page:
    """A page of records as the export produced it (Celigo's default page size is 20)."""

    records: tuple[Record, ...]
    index: int = 0

    @classmethod
    def of(cls, records: Iterable[Record], index: int = 0) -> Page:
        return cls(records=tuple(records), index=index)

    def __len__(self) -> int:
        return len(self.records)


class Status(StrEnum):
    SUCCESS = "success"
    IGNORED = "ignored"
    ERROR = "error"


class Classification(StrEnum):
    """Celigo's error classifications (celigo-jet.md §1.8), chosen from the exception class."""

    CONNECTION = "connection"
    DUPLICATE = "duplicate"
    GOVERNANCE = "governance"
    MISSING = "missing"
    PARSE = "parse"
    VALUE = "value"
    INTERMITTENT = "intermittent"
    RATE_LIMIT = "rate_limit"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What went wrong with one record, safe to store and show (the message is redacted)."""

    type: str
    message: str
    scope: Scope = "record"
    retryable: bool = False
    classification: Classification = Classification.VALUE
    field: str | None = None
    code: str | None = None
    status: int | None = None

    @classmethod
    def from_exception(cls, exc: BaseException, secrets: Iterable[str] = ()) -> ErrorInfo:
        """Describe ``exc``; every secret in ``secrets`` is masked out of the message."""
        message = _redact(str(exc) or type(exc).__name__, secrets)
        if not isinstance(exc, EtailError):
            # A bug in a step, not a remote refusal: keep the record, say so plainly.
            return cls(
                type=type(exc).__name__,
                message=message,
                scope="system",
                classification=Classification.INTERNAL,
            )
        return cls(
            type=type(exc).__name__,
            message=message,
            scope=exc.scope,
            retryable=exc.retryable,
            classification=classify(exc),
            field=_field_of(exc),
            code=getattr(exc, "code", None),
            status=getattr(exc, "status", None),
        )

    def to_dict(self) -> JsonDict:
        return {
            "type": self.type,
            "message": self.message,
            "scope": self.scope,
            "retryable": self.retryable,
            "classification": self.classification.value,
            "field": self.field,
            "code": self.code,
            "status": self.status,
        }


def classify(exc: EtailError) -> Classification:
    """Map our exception tree onto Celigo's classifications (celigo-jet.md §1.8)."""
    if isinstance(exc, RateLimitedError):
        return Classification.RATE_LIMIT
    if isinstance(exc, TransientError):
        return Classification.INTERMITTENT
    if isinstance(exc, ConfigError) or exc.scope == "connection":
        return Classification.CONNECTION
    if isinstance(exc, RecordNotFoundError):
        return Classification.MISSING
    if isinstance(exc, UnexpectedResponseError):
        return Classification.PARSE
    if isinstance(exc, RecordRejectedError) and (exc.code or "").upper().startswith("DUP"):
        return Classification.DUPLICATE
    return Classification.VALUE


def _field_of(exc: EtailError) -> str | None:
    if isinstance(exc, MappingError | SettingsError):
        return exc.field
    if isinstance(exc, RecordRejectedError):
        return exc.error_path
    return None


def _redact(text: str, secrets: Iterable[str]) -> str:
    # Same rule as etail.crypto.redact, kept here so the engine imports no crypto library.
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "******")
    return text


@dataclass(frozen=True, slots=True)
class Outcome:
    """The end of one record's trip through one import step (or the whole flow).

    ``data`` is the record's data after the step (an import may merge its response into it, the
    way Celigo's response mapping adds the new NetSuite internal ID); the next step receives it.
    """

    status: Status
    key: str
    data: JsonDict | None = None
    reason: str | None = None
    error: ErrorInfo | None = None
    step: str | None = None

    @classmethod
    def success(cls, key: str, data: Mapping[str, Any] | None = None) -> Outcome:
        return cls(Status.SUCCESS, key, data=None if data is None else dict(data))

    @classmethod
    def ignored(cls, key: str, reason: str) -> Outcome:
        return cls(Status.IGNORED, key, reason=reason)

    @classmethod
    def failed(
        cls, key: str, error: ErrorInfo | BaseException, *, secrets: Iterable[str] = ()
    ) -> Outcome:
        info = error if isinstance(error, ErrorInfo) else ErrorInfo.from_exception(error, secrets)
        return cls(Status.ERROR, key, error=info)

    def at(self, step: str) -> Outcome:
        return replace(self, step=step)


class ErrorState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(slots=True)
class ErrorEntry:
    """An error of one record, as stored: open until retried successfully or resolved.

    ``step`` is where the record failed (``"map"`` or an import step's name) and ``data`` the
    record's data as it entered that step, so a retry resumes there with what it had
    (Celigo keeps retry data per error; celigo-jet.md §1.8).
    """

    id: str
    flow_id: str
    job_id: str
    key: str
    step: str
    data: JsonDict
    error: ErrorInfo
    created_at: datetime
    source: str = ""
    state: ErrorState = ErrorState.OPEN
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    retry_count: int = 0
    retry_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state is ErrorState.OPEN


__all__ = [
    "Classification",
    "ErrorEntry",
    "ErrorInfo",
    "ErrorState",
    "JsonDict",
    "Outcome",
    "Page",
    "Record",
    "Status",
    "classify",
]
