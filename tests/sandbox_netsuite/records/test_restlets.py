"""The built-in RESTlets over HTTP, with RESTlet error shapes ({"error": {"code", "message"}})."""

from __future__ import annotations

import pytest

from etail.sandbox.netsuite.context import Level

from .conftest import ALL, Records, caller, use

URL = "/app/site/hosting/restlet.nl"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_echo_answers_method_params_and_body(records: Records, method: str) -> None:
    body = {"hello": ["world"]} if method in ("POST", "PUT") else None
    params = {"script": "customscript_etail_echo", "deploy": "customdeploy_etail_echo", "a": "1"}
    r = records.http.request(method, URL, params=params, json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"method": method, "params": {"a": "1"}, "body": body}


def test_record_lookup_by_query_and_by_body(records: Records) -> None:
    cid = records.create("customer", {"companyName": "Lookup Co", "externalId": "L-1"})
    got = records.http.get(
        URL, params={"script": "2", "deploy": "1", "recordtype": "CUSTOMER", "id": cid}
    )
    assert got.status_code == 200 and got.json()["companyName"] == "Lookup Co"
    posted = records.http.post(
        URL, params={"script": "2", "deploy": "1"}, json={"recordtype": "customer", "id": "eid:L-1"}
    )
    assert posted.status_code == 200 and posted.json()["id"] == cid


@pytest.mark.parametrize(
    ("params", "body", "code"),
    [
        ({"script": "2", "deploy": "9"}, None, "SSS_INVALID_SCRIPTLET_ID"),
        ({"script": "77", "deploy": "1"}, None, "SSS_INVALID_SCRIPTLET_ID"),
        (
            {"script": "2", "deploy": "1", "recordtype": "vendor", "id": "1"},
            None,
            "SSS_INVALID_RECORD_TYPE",
        ),
        (
            {"script": "2", "deploy": "1", "recordtype": "customer"},
            None,
            "SSS_MISSING_REQD_ARGUMENT",
        ),
        (
            {"script": "2", "deploy": "1", "recordtype": "customer", "id": "4242"},
            None,
            "RCRD_DSNT_EXIST",
        ),
        ({"script": "1", "deploy": "1"}, b"{not json", "INVALID_CONTENT"),
    ],
)
def test_errors_use_the_restlet_shape(
    records: Records, params: dict[str, str], body: bytes | None, code: str
) -> None:
    method = "POST" if body else "GET"
    r = records.http.request(
        method, URL, params=params, content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert set(r.json()) == {"error"} and r.json()["error"]["code"] == code


def test_missing_script_parameter_is_a_restlet_error(records: Records) -> None:
    r = records.http.get(URL, params={"deploy": "1"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_REQUEST"


def test_lookup_runs_with_the_callers_role(records: Records, served) -> None:  # type: ignore[no-untyped-def]
    cid = records.create("customer", {"companyName": "Hidden"})
    use(records, served, caller({**ALL, "customer": Level.NONE}, account=records.who.account_id))
    r = records.http.get(
        URL, params={"script": "2", "deploy": "1", "recordtype": "customer", "id": cid}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "INSUFFICIENT_PERMISSION"
