"""Hand-written SOAP envelopes, as an outside client writes them (netsuite-oauth2-soap.md §5).

Independent of etail.netsuite: the passport is signed here from Oracle's rule
(base64 HMAC-SHA256 of ``account&consumerKey&token&nonce&timestamp`` with ``cs&ts``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import xml.etree.ElementTree as ET
from typing import Any

import requests

from ..conftest import Setup

V = "2025_2"
SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"


def ns(module: str, group: str = "platform", version: str = V) -> str:
    return f"urn:{module}_{version}.{group}.webservices.netsuite.com"


def passport(
    s: Setup,
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
    algorithm: str = "HMAC-SHA256",
    account: str | None = None,
    token_secret: str | None = None,
    style: str = "zeep",
    version: str = V,
) -> str:
    """A ``tokenPassport`` header in one of the spellings clients really send (§5.4)."""
    acct = account or s.realm
    nonce = nonce or secrets.token_hex(10)
    ts = str(timestamp if timestamp is not None else int(time.time()))
    base = "&".join([acct, s.consumer_key, s.token_id, nonce, ts])
    key = f"{s.consumer_secret}&{token_secret or s.token_secret}"
    sig = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()
    values = [("account", acct), ("consumerKey", s.consumer_key), ("token", s.token_id)]
    values += [("nonce", nonce), ("timestamp", ts)]
    if style == "oracle":  # children in the messages namespace, Oracle's sample
        inner = "".join(f"<ns:{k}>{v}</ns:{k}>" for k, v in values)
        return (
            f'<ns:tokenPassport xmlns:ns="{ns("messages", version=version)}">{inner}'
            f'<ns:signature algorithm="{algorithm}">{sig}</ns:signature></ns:tokenPassport>'
        )
    if style == "bare":  # no namespaces at all, as some production code sends
        inner = "".join(f"<{k}>{v}</{k}>" for k, v in values)
        signed = f'<signature algorithm="{algorithm}">{sig}</signature>'
        return f"<tokenPassport>{inner}{signed}</tokenPassport>"
    core = ns("core", version=version)
    inner = "".join(f'<ns1:{k} xmlns:ns1="{core}">{v}</ns1:{k}>' for k, v in values)
    return (
        f'<ns0:tokenPassport xmlns:ns0="{ns("messages", version=version)}">{inner}'
        f'<ns6:signature xmlns:ns6="{core}" algorithm="{algorithm}">{sig}</ns6:signature>'
        "</ns0:tokenPassport>"
    )


def envelope(body: str, header: str = "") -> str:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>"
        "</soapenv:Envelope>"
    )


def post(
    url: str, action: str, body: str, header: str = "", *, version: str = V, **kw: Any
) -> requests.Response:
    return requests.post(
        f"{url}/services/NetSuitePort_{version}",
        data=envelope(body, header).encode(),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action},
        timeout=10,
        **kw,
    )


def xml(resp: requests.Response) -> ET.Element:
    return ET.fromstring(resp.content)


def find(root: ET.Element, name: str) -> ET.Element | None:
    """First element with this local name anywhere under ``root``."""
    return next((e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == name), None)


def find_all(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == name]


def fault(resp: requests.Response) -> tuple[str, str, str]:
    """(faultstring, detail element local name, code) of a fault answer."""
    assert resp.status_code == 500, resp.text
    assert resp.headers["content-type"].startswith("text/xml")
    root = xml(resp)
    detail = find(root, "detail")
    assert detail is not None, resp.text
    first = detail[0]
    code = find(first, "code")
    return (
        (find(root, "faultstring").text or ""),  # type: ignore[union-attr]
        first.tag.rsplit("}", 1)[-1],
        (code.text or "") if code is not None else "",
    )
