"""Built-in RESTlet scripts of the sandbox (``/app/site/hosting/restlet.nl``).

Two scripts are deployed in every account (docs/netsuite-sandbox-records.md):

* script ``1`` / ``customscript_etail_echo``, deploy ``1`` / ``customdeploy_etail_echo``: answers
  the method, the query parameters and the JSON body it received;
* script ``2`` / ``customscript_etail_record_lookup``, deploy ``1`` /
  ``customdeploy_etail_record_lookup``: loads a record, ``recordtype`` and ``id`` taken from the
  query (GET) or the JSON body (POST), with the caller's role.

Errors use the RESTlet shape ``{"error": {"code", "message"}}`` (NS:section_4634920277).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from etail.sandbox.netsuite.context import Caller, Level
from etail.sandbox.netsuite.records.problems import Problem
from etail.sandbox.netsuite.records.schema import RECORD_TYPES, record_type
from etail.sandbox.netsuite.records.store import RecordStore
from etail.sandbox.netsuite.records.views import RecordView


@dataclass(frozen=True)
class Call:
    method: str
    params: Mapping[str, str]  # query parameters other than script, deploy and oauth_*
    body: Any  # parsed JSON body, or None
    caller: Caller
    store: RecordStore
    base_url: str


Script = Callable[[Call], Any]


def invalid_script() -> Problem:
    return Problem(
        400,
        "SSS_INVALID_SCRIPTLET_ID",
        "That Suitelet is invalid, disabled, or no longer exists.",
    )


def echo(call: Call) -> Any:
    return {"method": call.method, "params": dict(call.params), "body": call.body}


def record_lookup(call: Call) -> Any:
    source = call.body if call.method != "GET" and isinstance(call.body, dict) else call.params
    type_name, ref = source.get("recordtype"), source.get("id")
    if not isinstance(type_name, str) or not isinstance(ref, str | int) or isinstance(ref, bool):
        raise Problem(
            400,
            "SSS_MISSING_REQD_ARGUMENT",
            "Missing a required argument: send recordtype (e.g. customer) and id.",
        )
    rtype = record_type(type_name)
    if rtype is None:
        known = ", ".join(RECORD_TYPES)
        raise Problem(
            400, "SSS_INVALID_RECORD_TYPE", f"Invalid record type {type_name!r}; use {known}."
        )
    if not call.caller.allows(rtype.name, Level.VIEW):
        raise Problem(
            400,
            "INSUFFICIENT_PERMISSION",
            f"Permission Violation: You need the 'View {rtype.label}' permission.",
        )
    row = call.store.lookup(rtype.name, str(ref))
    if row is None:
        raise Problem(400, "RCRD_DSNT_EXIST", "That record does not exist.")
    return RecordView(call.store, call.base_url).record(rtype, row, expand=True)


_SCRIPTS: dict[tuple[str, str], Script] = {
    ("1", "1"): echo,
    ("customscript_etail_echo", "customdeploy_etail_echo"): echo,
    ("2", "1"): record_lookup,
    ("customscript_etail_record_lookup", "customdeploy_etail_record_lookup"): record_lookup,
}


def script_for(script: str | None, deploy: str | None) -> Script:
    found = _SCRIPTS.get(((script or "").lower(), (deploy or "").lower()))
    if found is None:
        raise invalid_script()
    return found
