"""Errors of the admin services; each names the field and the fix, and maps to an HTTP status."""

from __future__ import annotations

from typing import ClassVar

from etail.errors import SettingsError


class AdminError(SettingsError):
    """Bad admin input (HTTP 400)."""

    status: ClassVar[int] = 400


class NotFoundError(AdminError):
    """The named account, role, employee, integration or token does not exist (HTTP 404)."""

    status: ClassVar[int] = 404


class ConflictError(AdminError):
    """The change clashes with existing state: duplicate name, locked role, revoked token (409)."""

    status: ClassVar[int] = 409
