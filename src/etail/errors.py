"""The one exception tree of etail, grouped by what the caller should do.

::

    EtailError                      base; class attributes say how to handle it
    ├─ ConfigError                  a person must fix settings; never retried     (scope=connection)
    │   ├─ SettingsError            a setting is missing or malformed
    │   └─ CredentialsError         401 / INVALID_LOGIN, revoked token: connection goes Offline
    ├─ ExternalServiceError         raised by the NetSuite and Jet clients
    │   ├─ TransientError           timeouts, resets, 5xx                 (retryable, scope=job)
    │   │   └─ RateLimitedError     429 / concurrency limit; carries retry_after
    │   ├─ PermissionDeniedError    403: the role lacks a permission             (scope=connection)
    │   ├─ RecordRejectedError      4xx on one record, with its error path       (scope=record)
    │   │   └─ RecordNotFoundError  404 NONEXISTENT_ID and friends
    │   └─ UnexpectedResponseError  the body did not match the contract          (scope=job)
    ├─ MappingError                 bad input data for one record                (scope=record)
    ├─ FlowError                    invalid flow definition or settings          (scope=flow)
    └─ JobError                     engine misuse: invalid transition, unknown job

Messages never carry a secret: the clients build them from status, code and detail only, and
``ExternalServiceError.body`` is whatever the server answered (servers do not echo secrets).
The CLI maps every class to ``exit_code``; the web UI maps ``scope`` to where the message shows.
"""

from __future__ import annotations

from typing import ClassVar, Literal

Scope = Literal["record", "job", "flow", "connection", "system"]


class EtailError(Exception):
    """Base of every error etail raises on purpose."""

    retryable: ClassVar[bool] = False
    scope: ClassVar[Scope] = "system"
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class ConfigError(EtailError):
    """A person must change a setting; retrying cannot help."""

    scope: ClassVar[Scope] = "connection"
    exit_code: ClassVar[int] = 2


class SettingsError(ConfigError):
    """A setting or an input is missing or malformed; the message names the field and the fix."""

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


class ExternalServiceError(EtailError):
    """A remote system (NetSuite, Jet) answered with an error or did not answer."""

    scope: ClassVar[Scope] = "job"
    exit_code: ClassVar[int] = 3

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        body: object = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.body = body


class CredentialsError(ExternalServiceError, ConfigError):
    """The remote system refused our credentials (NetSuite 401 INVALID_LOGIN)."""

    scope: ClassVar[Scope] = "connection"
    exit_code: ClassVar[int] = 4


class TransientError(ExternalServiceError):
    """Worth retrying later: timeouts, connection resets, 5xx."""

    retryable: ClassVar[bool] = True


class RateLimitedError(TransientError):
    """429 or a concurrency limit; wait ``retry_after`` seconds when the server says."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class PermissionDeniedError(ExternalServiceError):
    """403: the role behind the credentials lacks a permission."""

    scope: ClassVar[Scope] = "connection"
    exit_code: ClassVar[int] = 5


class RecordRejectedError(ExternalServiceError):
    """The remote system refused one record; the rest of the page goes on."""

    scope: ClassVar[Scope] = "record"

    def __init__(self, message: str, *, error_path: str | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.error_path = error_path


class RecordNotFoundError(RecordRejectedError):
    """The record addressed does not exist."""


class UnexpectedResponseError(ExternalServiceError):
    """The answer did not match the documented contract."""


class MappingError(EtailError):
    """One record's data cannot be mapped; the message names the field."""

    scope: ClassVar[Scope] = "record"

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


class FlowError(EtailError):
    """A flow definition or its settings are invalid."""

    scope: ClassVar[Scope] = "flow"
    exit_code: ClassVar[int] = 2


class JobError(EtailError):
    """Engine misuse: an invalid job transition or an unknown job."""

    scope: ClassVar[Scope] = "job"


__all__ = [
    "ConfigError",
    "CredentialsError",
    "EtailError",
    "ExternalServiceError",
    "FlowError",
    "JobError",
    "MappingError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RecordNotFoundError",
    "RecordRejectedError",
    "Scope",
    "SettingsError",
    "TransientError",
    "UnexpectedResponseError",
]
