"""Every published vector of netsuite-tba.md §7, the derived sandbox vectors, and a custom port."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
import rfc5849_oracle as oracle
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client

from etail.netsuite import (
    TBACredentials,
    sign_oauth,
    sign_request,
    signature_base_string,
    token_passport,
)

# Shared inputs A (Oracle, NS:section_1534941088).
A = TBACredentials(
    consumer_key="ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
    consumer_secret="d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    token_id="2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
    token_secret="c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
)
NONCE, TS = "fjaLirsIcCGVZWzBX0pg", 1508242306
RESTLET_QUERY = (
    "/app/site/hosting/restlet.nl?script=6&deploy=1&customParam=someValue&testParam=someOtherValue"
)
SB = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"

VECTOR_1_BASE = (
    "GET&https%3A%2F%2F123456.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Femployee%2F40"
    "&oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4"
    "%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256"
    "%26oauth_timestamp%3D1508242306"
    "%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc"
    "%26oauth_version%3D1.0"
)


def test_vector_1_rest_get_base_string_signature_and_header() -> None:
    url = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"
    signed = sign_request("GET", url, "123456", A, nonce=NONCE, timestamp=TS)
    assert signed.base_string == VECTOR_1_BASE
    assert signed.signature == "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="
    header = signed.authorization
    assert header.startswith('OAuth realm="123456", ')
    # The base64 signature is percent-encoded inside the header (NS:section_1534941295).
    assert 'oauth_signature="B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"' in header
    assert 'oauth_signature_method="HMAC-SHA256"' in header
    assert 'oauth_version="1.0"' in header


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("123456.restlets.api.netsuite.com", "+KK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ="),  # 2
        ("1234567.restlets.api.netsuite.com", "i7MEtGwhCTIZbTsTrNGw9LdcERn4wsjt5C7TxmKWIfU="),  # 3
        ("rest.netsuite.com", "7mpNx1RdQn4VLSyeEwCK7jFBjGQ0blzwDSMU9Kg5Rmg="),  # 4
    ],
)
def test_vectors_2_to_4_restlet_query_parameters_are_signed(host: str, expected: str) -> None:
    signed = sign_request(
        "POST", f"https://{host}{RESTLET_QUERY}", "123456", A, nonce=NONCE, timestamp=TS
    )
    assert signed.signature == expected
    # Signed, but never copied into the header (timbal-ai/timbal#80).
    for name in ("script", "deploy", "customParam", "testParam"):
        assert f"{name}=" not in signed.authorization
        assert f"{name}%3D" in signed.base_string


def test_vector_5_soap_token_passport() -> None:
    passport = token_passport("123456", A, nonce=NONCE, timestamp=TS)
    assert passport.base_string == f"123456&{A.consumer_key}&{A.token_id}&{NONCE}&{TS}"
    assert passport.signature == "tIcC5zyKUmycB5Ml/cNxOHDusw03Y5KPQiXVNUHHp4U="
    assert passport.algorithm == "HMAC-SHA256"


def test_vector_6_soap_and_connect_password() -> None:
    creds = TBACredentials(
        consumer_key="71cc02b731f05895561ef0862d71553a3ac99498a947c3b7beaf4a1e4a29f7c4",
        consumer_secret="7278da58caf07f5c336301a601203d10a58e948efa280f0618e25fcee1ef2abd",
        token_id="89e08d9767c5ac85b374415725567d05b54ecf0960ad2470894a52f741020d82",
        token_secret="060cd9ab3ffbbe1e3d3918e90165ffd37ab12acc76b4691046e2d29c7d7674c2",
    )
    passport = token_passport(
        "1234567", creds, nonce="6obMKq0tmY8ylVOdEkA1", timestamp="1439829974"
    )
    assert passport.signature == "FCghIZqXNetuZY8ILWOFH0ucdfzQOmAuL+q+kF21zPs="
    assert passport.connect_password() == f"{passport.base_string}&{passport.signature}&HMAC-SHA256"
    xml = passport.to_xml("2017_1")
    assert 'xmlns:msg="urn:messages_2017_1.platform.webservices.netsuite.com"' in xml
    assert "<core:account>1234567</core:account>" in xml
    assert '<core:signature algorithm="HMAC-SHA256">FCghIZq' in xml
    assert creds.consumer_secret not in xml and creds.token_secret not in xml


def test_soap_passport_is_fresh_each_time() -> None:
    first, second = token_passport("123456", A), token_passport("123456", A)
    assert first.nonce != second.nonce
    assert len(first.nonce) >= 20 and first.nonce.isalnum()


CK7 = "60712990bc09623786e7047c226bcb3f86d49dca0b04efc21001dc76d97a81f5"


def test_vector_7_requesttoken_with_callback_and_role() -> None:
    signed = sign_oauth(
        "POST",
        "https://1234567.restlets.api.netsuite.com/rest/requesttoken",
        consumer_key=CK7,
        consumer_secret=CK7,
        nonce="bUvpxBX93OWo0FLswq5M",
        timestamp=1575998103,
        callback="https://my.example.com/TBA/?callbackRequest",
        extra_header_params={"role": "45678"},
    )
    assert signed.signature == "7kgwwmiAylqeMdHjCBnIUUW+drDrGCbZGBkuCt39J90="
    assert 'role="45678"' in signed.authorization
    assert "oauth_token" not in signed.authorization


def test_vector_8_accesstoken_with_verifier() -> None:
    token = "447d0cba5569a2d616e32a537110bc8c10ebcf42cc1fa34d6f76d08531abc179"
    signed = sign_oauth(
        "POST",
        "https://1234567.restlets.api.netsuite.com/rest/accesstoken",
        consumer_key=CK7,
        consumer_secret=CK7,
        token=token,
        token_secret=token,
        nonce="wjRgXQPWhYtKl0A7bO8Z",
        timestamp=1576079512,
        verifier="3eff1ae4de6f924014b88e489a41e88da8ed1ba8bd5ad7684a71579d7e97f4ee",
    )
    assert signed.signature == "BBzawyjesZyFrwBjUAJfBsPDDGUY2FRdp3k4NwGDAO0="


# RFC 5849 §3.4.1.1: the published example base string.
RFC_3411_BASE = (
    "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D"
    "%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a"
    "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token"
    "%3Dkkk9d7dh3k39sjv7"
)


def test_vector_9_rfc5849_base_string_independently_checked() -> None:
    protocol = [
        ("realm", "Example"),
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
        ("oauth_signature", "ignored"),
    ]
    ours = signature_base_string(
        "post",
        "HTTP://Example.com:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        protocol,
        form=[("c2", ""), ("a3", "2 q")],
    )
    assert ours == RFC_3411_BASE
    # oauthlib's test secrets; the key escapes the spaces of the token secret as %20.
    key = "ECrDNoq1VYzzzzzzzzzyAK7TwZNtPnkqatqZZZZ&just-a-string%20%20%20%20asdasd"
    sha256 = base64.b64encode(
        hmac.new(key.encode(), ours.encode(), hashlib.sha256).digest()
    ).decode()
    sha1 = base64.b64encode(hmac.new(key.encode(), ours.encode(), hashlib.sha1).digest()).decode()
    assert sha256 == "wdfdHUKXHbOnOGZP8WFAWMSAmWzN3EVBWWgXGlC/Eo4="
    assert sha1 == "wsdNmjGB7lvis0UJuPAmjvX/PXw="


def test_vector_10_rfc5849_photos_example_without_oauth_version() -> None:
    protocol = [
        ("realm", "Photos"),
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
        ("oauth_token", "nnch734d00sl2jdk"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131202"),
        ("oauth_nonce", "chapoH"),
    ]
    url = "http://photos.example.net/photos?file=vacation.jpg&size=original"
    ours = signature_base_string("GET", url, protocol)
    assert ours == oracle.base_string(
        "GET",
        "http",
        "photos.example.net",
        None,
        "/photos",
        "file=vacation.jpg&size=original",
        protocol,
    )
    key = b"kd94hf93k423kf44&pfkkdhi9sl3r4s00"
    sha1 = base64.b64encode(hmac.new(key, ours.encode(), hashlib.sha1).digest()).decode()
    assert sha1 == "MdpQcU8iPSUjWoN/UDMsK2sui9I="


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        (
            "POST",
            f"{SB}/query/v1/suiteql?limit=10&offset=0",
            "dfl0M0UbFAfr5Qai2TsiqthYRYSuRUmcC0xnB5JcY/g=",
        ),
        (
            "GET",
            f"{SB}/record/v1/customer?q=email%20START_WITH%20barbara&limit=2",
            "6f79LUzPA0DZ+0OBkvuUr5pGmcr3qC8t+NfwHtM3rco=",
        ),
        (
            "GET",
            f"{SB}/record/v1/customer?q=email+START_WITH+barbara&limit=2",
            "6f79LUzPA0DZ+0OBkvuUr5pGmcr3qC8t+NfwHtM3rco=",
        ),
        (
            "PUT",
            f"{SB}/record/v1/customer/eid:CID-002",
            "5F3bKGjrK2qPNGnCaykoUVMNdXpqvMkpc8w1kbapge8=",
        ),
        (
            "POST",
            f"{SB}/record/v1/salesOrder/3/!transform/itemFulfillment",
            "eGL4OC/woifkmnWQ+8DWKUIwUUvb6aruGgd25LvsYlI=",
        ),
    ],
)
def test_derived_sandbox_vectors(method: str, url: str, expected: str) -> None:
    signed = sign_request(method, url, "1234567_SB1", A, nonce=NONCE, timestamp=TS)
    assert signed.signature == expected
    assert signed.authorization.startswith('OAuth realm="1234567_SB1", ')
    assert "limit" not in signed.authorization and "offset" not in signed.authorization


def test_transform_and_eid_paths_are_encoded_inside_the_base_string() -> None:
    transform = sign_request(
        "POST", f"{SB}/record/v1/salesOrder/3/!transform/itemFulfillment", "1234567_SB1", A
    )
    # The URI is percent-encoded as one string: '!' → %21 and ':' → %3A (activepieces#12555).
    assert "%2F3%2F%21transform%2FitemFulfillment&" in transform.base_string
    upsert = sign_request("PUT", f"{SB}/record/v1/customer/eid:CID-002", "1234567_SB1", A)
    assert "%2Fcustomer%2Feid%3ACID-002&" in upsert.base_string


def test_non_default_port_is_kept_and_default_port_dropped() -> None:
    custom = sign_request(
        "GET",
        "http://127.0.0.1:8101/services/rest/record/v1/customer?q=a%20b",
        "123456",
        A,
        nonce=NONCE,
        timestamp=TS,
    )
    assert custom.base_string.startswith("GET&http%3A%2F%2F127.0.0.1%3A8101%2Fservices")
    default = sign_request(
        "GET",
        "https://123456.suitetalk.api.netsuite.com:443/services/rest/record/v1/employee/40",
        "123456",
        A,
        nonce=NONCE,
        timestamp=TS,
    )
    assert default.signature == "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="
    expected = oracle.base_string(
        "GET",
        "http",
        "127.0.0.1",
        8101,
        "/services/rest/record/v1/customer",
        "q=a%20b",
        _protocol(custom.authorization),
    )
    assert custom.base_string == expected


def test_upper_case_host_is_lower_cased_in_the_base_string() -> None:
    url = "https://123456.SUITETALK.api.netsuite.com/services/rest/record/v1/employee/40"
    assert (
        sign_request("GET", url, "123456", A, nonce=NONCE, timestamp=TS).signature
        == "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="
    )


def test_our_header_equals_oauthlib_client_sign() -> None:
    url = f"{SB}/query/v1/suiteql?limit=10&offset=0"
    ours = sign_request("POST", url, "1234567_SB1", A, nonce=NONCE, timestamp=TS)
    client = Client(
        A.consumer_key,
        client_secret=A.consumer_secret,
        resource_owner_key=A.token_id,
        resource_owner_secret=A.token_secret,
        signature_method=SIGNATURE_HMAC_SHA256,
        realm="1234567_SB1",
        nonce=NONCE,
        timestamp=str(TS),
    )
    _, headers, _ = client.sign(url, "POST")
    assert ours.authorization == headers["Authorization"]


def _protocol(header: str) -> list[tuple[str, str]]:
    return oracle.parse_authorization(header)
