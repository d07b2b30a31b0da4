"""FastAPI dependencies shared by the sandbox's admin side and its web-services routes.

Seam (see docs/architecture.md): ``get_session`` yields a SQLAlchemy ``Session`` on the sandbox
store; ``rest_caller`` / ``restlet_caller`` verify Token-Based Authentication for the request and
return the ``Caller``, or answer NetSuite's 401 (REST ``INVALID_LOGIN``, RESTlet
``INVALID_LOGIN_ATTEMPT``) and write the Login Audit Trail.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from etail.sandbox.netsuite.context import Caller


def get_session(request: Request) -> Iterator[Session]:
    raise NotImplementedError  # filled by the sandbox admin work


def rest_caller(request: Request) -> Caller:
    raise NotImplementedError  # filled by the sandbox admin work


def restlet_caller(request: Request) -> Caller:
    raise NotImplementedError  # filled by the sandbox admin work
