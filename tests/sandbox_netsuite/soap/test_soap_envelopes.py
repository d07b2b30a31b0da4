"""SOAP operations over real HTTP, with envelopes written by hand as an outside client would.

Namespaces, prefixes and passport spellings vary the way real clients vary them
(netsuite-oauth2-soap.md §5.4, §5.5); the sandbox must read them all and answer in the version
of the path.
"""

from __future__ import annotations

import requests

from ..conftest import Sandbox, Setup, steps_a_to_d
from . import raw

LISTREL = raw.ns("relationships", "lists")
SALES = raw.ns("sales", "transactions")
ACCT = raw.ns("accounting", "lists")
MSG = raw.ns("messages")
CORE = raw.ns("core")


def customer(external_id: str, name: str, email: str = "") -> str:
    mail = f"<q1:email>{email}</q1:email>" if email else ""
    return (
        f'<record xmlns:q1="{LISTREL}" xsi:type="q1:Customer" externalId="{external_id}">'
        f"<q1:companyName>{name}</q1:companyName>{mail}</record>"
    )


def op(name: str, inner: str, prefix: str = "") -> str:
    if prefix:
        return f'<{prefix}:{name} xmlns:{prefix}="{MSG}">{inner}</{prefix}:{name}>'
    return f'<{name} xmlns="{MSG}">{inner}</{name}>'


def status_ok(resp: requests.Response) -> bool:
    assert resp.status_code == 200, resp.text
    status = raw.find(raw.xml(resp), "status")
    assert status is not None
    return status.get("isSuccess") == "true"


def written_id(resp: requests.Response) -> str:
    assert status_ok(resp), resp.text
    ref = raw.find(raw.xml(resp), "baseRef")
    assert ref is not None and ref.get("internalId")
    return str(ref.get("internalId"))


def test_add_get_update_upsert_delete_a_customer(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    url = sandbox.url
    added = written_id(raw.post(url, "add", op("add", customer("C-1", "Ada Ltd")), raw.passport(s)))
    got = raw.post(
        url, '"get"', op("get", f'<baseRef internalId="{added}" type="customer"/>'), raw.passport(s)
    )
    assert status_ok(got)
    record = raw.find(raw.xml(got), "record")
    assert record is not None and record.get("externalId") == "C-1"
    assert record.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "listRel:Customer"
    assert raw.find(record, "companyName").text == "Ada Ltd"  # type: ignore[union-attr]
    # update by externalId, Oracle's passport spelling and a different record prefix
    update = (
        f'<record xmlns:listRel="{LISTREL}" xsi:type="listRel:Customer" externalId="C-1">'
        "<listRel:phone>555-0100</listRel:phone></record>"
    )
    assert (
        written_id(
            raw.post(url, "update", op("update", update, "ns0"), raw.passport(s, style="oracle"))
        )
        == added
    )
    # upsert of the same externalId updates; of a new one creates
    again = raw.post(
        url,
        "upsert",
        op("upsert", customer("C-1", "Ada Lovelace Ltd")),
        raw.passport(s, style="bare"),
    )
    assert written_id(again) == added
    ref = raw.find(raw.xml(again), "baseRef")
    assert ref is not None and (ref.get("externalId"), ref.get("type")) == ("C-1", "customer")
    other = written_id(
        raw.post(url, "upsert", op("upsert", customer("C-2", "Babbage")), raw.passport(s))
    )
    assert other != added
    got = raw.post(
        url, "get", op("get", '<baseRef externalId="C-1" type="customer"/>'), raw.passport(s)
    )
    shown = raw.find(raw.xml(got), "record")
    assert raw.find(shown, "companyName").text == "Ada Lovelace Ltd"  # type: ignore[arg-type,union-attr]
    assert raw.find(shown, "phone").text == "555-0100"  # type: ignore[arg-type,union-attr]
    delete = op("delete", f'<baseRef internalId="{other}" type="customer"/>')
    refused = raw.post(url, "delete", delete, raw.passport(s))  # the bundle role edits customers
    assert not status_ok(refused) and "Full Customers" in refused.text
    sandbox.admin.set_permissions(s.realm, s.role_id, {"customer": "full"})
    deleted = raw.post(
        url,
        "delete",
        op("delete", f'<baseRef internalId="{other}" type="customer"/>'),
        raw.passport(s),
    )
    assert written_id(deleted) == other
    gone = raw.post(
        url, "get", op("get", f'<baseRef internalId="{other}" type="customer"/>'), raw.passport(s)
    )
    assert not status_ok(gone)
    root = raw.xml(gone)
    assert raw.find(root, "code").text == "RCRD_DSNT_EXIST"  # type: ignore[union-attr]
    assert raw.find(root, "message").text == "That record does not exist."  # type: ignore[union-attr]


def item_and_customer(sandbox: Sandbox, s: Setup) -> tuple[str, str]:
    sandbox.admin.set_permissions(s.realm, s.role_id, {"inventoryItem": "full"})
    item = (
        f'<record xmlns:a="{ACCT}" xsi:type="a:InventoryItem" externalId="SKU-1">'
        "<a:itemId>SKU-1</a:itemId><a:displayName>Widget</a:displayName></record>"
    )
    item_id = written_id(raw.post(sandbox.url, "add", op("add", item), raw.passport(s)))
    cust_id = written_id(
        raw.post(sandbox.url, "add", op("add", customer("C-9", "Nine")), raw.passport(s))
    )
    return item_id, cust_id


def test_sales_order_with_lines_and_custom_fields(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    item_id, cust_id = item_and_customer(sandbox, s)
    order = (
        f'<ns0:record xmlns:ns5="{SALES}" xmlns:ns1="{CORE}" xsi:type="ns5:SalesOrder" '
        'externalId="JET-1001">'
        f'<ns5:entity internalId="{cust_id}"/><ns5:tranDate>2026-11-29T00:00:00</ns5:tranDate>'
        "<ns5:otherRefNum>JET-1001</ns5:otherRefNum>"
        '<ns5:itemList replaceAll="true"><ns5:item><ns5:item externalId="SKU-1"/>'
        "<ns5:quantity>2</ns5:quantity><ns5:rate>9.99</ns5:rate></ns5:item></ns5:itemList>"
        '<ns5:customFieldList><ns1:customField xsi:type="ns1:StringCustomFieldRef" '
        'scriptId="custbody_jet_id">'
        "<ns1:value>abc</ns1:value></ns1:customField></ns5:customFieldList></ns0:record>"
    )
    body = f'<ns0:upsert xmlns:ns0="{MSG}">{order}</ns0:upsert>'
    so_id = written_id(raw.post(sandbox.url, '"upsert"', body, raw.passport(s)))
    got = raw.post(
        sandbox.url,
        "get",
        op("get", f'<baseRef internalId="{so_id}" type="salesOrder"/>'),
        raw.passport(s),
    )
    record = raw.find(raw.xml(got), "record")
    assert record is not None
    lines = raw.find_all(record, "itemList")[0]
    line = lines[0]
    assert raw.find_all(line, "item")[1].get("internalId") == item_id  # [0] is the line
    assert float(raw.find(line, "amount").text) == 19.98  # type: ignore[arg-type,union-attr]
    assert raw.find(record, "tranId").text.startswith("SO")  # type: ignore[union-attr]
    assert raw.find(record, "value").text == "abc"  # type: ignore[union-attr]
    # the same order over REST: one store behind both services
    from requests_oauthlib import OAuth1

    auth = OAuth1(
        s.consumer_key,
        s.consumer_secret,
        s.token_id,
        s.token_secret,
        realm=s.realm,
        signature_method="HMAC-SHA256",
    )
    rest = requests.get(
        f"{sandbox.url}/services/rest/record/v1/salesOrder/eid:JET-1001", auth=auth, timeout=10
    )
    assert rest.status_code == 200 and rest.json()["id"] == so_id
    assert rest.json()["custbody_jet_id"] == "abc"


def test_validation_errors_are_record_level_with_the_field(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    bad = (
        f'<record xmlns:q1="{LISTREL}" xsi:type="q1:Customer">'
        "<q1:isInactive>maybe</q1:isInactive></record>"
    )
    resp = raw.post(sandbox.url, "add", op("add", bad), raw.passport(s))
    assert not status_ok(resp)
    root = raw.xml(resp)
    assert raw.find(root, "code").text == "INVALID_FLD_VALUE"  # type: ignore[union-attr]
    assert "isInactive" in (raw.find(root, "message").text or "")  # type: ignore[union-attr]
    order = (
        f'<record xmlns:t="{SALES}" xsi:type="t:SalesOrder">'
        '<t:entity internalId="999999"/></record>'
    )
    resp = raw.post(sandbox.url, "add", op("add", order), raw.passport(s))
    assert not status_ok(resp) and "entity" in resp.text
    unknown = (
        f'<record xmlns:q1="{LISTREL}" xsi:type="q1:Customer">'
        "<q1:salesRepo>x</q1:salesRepo></record>"
    )
    resp = raw.post(sandbox.url, "add", op("add", unknown), raw.passport(s))
    assert not status_ok(resp) and "Unknown field 'salesRepo'" in resp.text
    assert "X-NetSuite" not in resp.text  # the REST-only advice is left out
    dup = raw.post(sandbox.url, "add", op("add", customer("D-1", "x")), raw.passport(s))
    assert status_ok(dup)
    dup = raw.post(sandbox.url, "add", op("add", customer("D-1", "y")), raw.passport(s))
    assert not status_ok(dup) and raw.find(raw.xml(dup), "code").text == "DUP_RCRD"  # type: ignore[union-attr]


def test_record_permission_is_a_status_not_a_fault(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)  # the bundle role views items but cannot create them
    item = f'<record xmlns:a="{ACCT}" xsi:type="a:InventoryItem"><a:itemId>X</a:itemId></record>'
    resp = raw.post(sandbox.url, "add", op("add", item), raw.passport(s))
    assert not status_ok(resp)
    assert raw.find(raw.xml(resp), "code").text == "INSUFFICIENT_PERMISSION"  # type: ignore[union-attr]
    assert "Items" in resp.text


def test_search_basic_with_paging_and_search_more(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    for n in range(7):
        mail = f"c{n}@example.com" if n % 2 == 0 else f"c{n}@other.org"
        assert status_ok(
            raw.post(
                sandbox.url, "add", op("add", customer(f"S-{n}", f"Co {n}", mail)), raw.passport(s)
            )
        )
    prefs = (
        f'<ns0:searchPreferences xmlns:ns0="{MSG}"><ns0:bodyFieldsOnly>true</ns0:bodyFieldsOnly>'
        "<ns0:pageSize>5</ns0:pageSize></ns0:searchPreferences>"
    )
    common = raw.ns("common")
    criteria = (
        f'<ns0:searchRecord xsi:type="ns3:CustomerSearchBasic" xmlns:ns3="{common}">'
        f'<ns3:email operator="contains"><ns2:searchValue xmlns:ns2="{CORE}">'
        "EXAMPLE.com</ns2:searchValue></ns3:email>"
        "</ns0:searchRecord>"
    )
    resp = raw.post(
        sandbox.url,
        "search",
        f'<ns0:search xmlns:ns0="{MSG}">{criteria}</ns0:search>',
        raw.passport(s) + prefs,
    )
    root = raw.xml(resp)
    assert raw.find(root, "totalRecords").text == "4"  # type: ignore[union-attr]
    everything = f'<ns0:searchRecord xsi:type="ns3:CustomerSearchBasic" xmlns:ns3="{common}"/>'
    resp = raw.post(
        sandbox.url,
        "search",
        f'<ns0:search xmlns:ns0="{MSG}">{everything}</ns0:search>',
        raw.passport(s) + prefs,
    )
    root = raw.xml(resp)
    assert [
        raw.find(root, n).text for n in ("totalRecords", "pageSize", "totalPages", "pageIndex")
    ] == ["7", "5", "2", "1"]  # type: ignore[union-attr]
    assert len(raw.find_all(root, "record")) == 5
    search_id = raw.find(root, "searchId").text  # type: ignore[union-attr]
    more = op("searchMoreWithId", f"<searchId>{search_id}</searchId><pageIndex>2</pageIndex>")
    page2 = raw.xml(raw.post(sandbox.url, "searchMoreWithId", more, raw.passport(s)))
    assert len(raw.find_all(page2, "record")) == 2
    unknown = (
        f'<ns0:searchRecord xsi:type="ns3:CustomerSearchBasic" xmlns:ns3="{common}">'
        '<ns3:salesRep operator="anyOf"/></ns0:searchRecord>'
    )
    resp = raw.post(
        sandbox.url,
        "search",
        f'<ns0:search xmlns:ns0="{MSG}">{unknown}</ns0:search>',
        raw.passport(s),
    )
    assert not status_ok(resp) and "salesRep" in resp.text


def test_versions_namespaces_and_server_time(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    old = raw.ns("messages", version="2023_2")
    resp = raw.post(
        sandbox.url,
        "getServerTime",
        f'<getServerTime xmlns="{old}"/>',
        raw.passport(s, version="2023_2"),
        version="2023_2",
    )
    assert status_ok(resp)
    assert "urn:messages_2023_2.platform.webservices.netsuite.com" in resp.text
    assert raw.find(raw.xml(resp), "serverTime").text.endswith("Z")  # type: ignore[union-attr]
    assert (
        raw.fault(raw.post(sandbox.url, "get", op("get", ""), raw.passport(s), version="2019_1"))[1]
        == "invalidVersionFault"
    )


def test_unreadable_requests_are_client_faults(sandbox: Sandbox) -> None:
    s = steps_a_to_d(sandbox.admin)
    url = f"{sandbox.url}/services/NetSuitePort_2025_2"
    for data in (
        b"not xml",
        b"<a/>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>',
    ):
        resp = requests.post(url, data=data, headers={"Content-Type": "text/xml"}, timeout=10)
        assert resp.status_code == 500
        assert raw.find(raw.xml(resp), "faultcode").text == "soapenv:Client"  # type: ignore[union-attr]
    resp = raw.post(sandbox.url, "login", op("login", ""), raw.passport(s))
    assert "not served" in raw.fault(resp)[0]
    no_type = op("add", '<record externalId="x"/>')
    assert "xsi:type" in raw.fault(raw.post(sandbox.url, "add", no_type, raw.passport(s)))[0]
