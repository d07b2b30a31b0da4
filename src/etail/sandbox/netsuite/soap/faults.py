"""SOAP faults of SuiteTalk, HTTP 500 with a ``soapenv:Fault`` body (netsuite-oauth2-soap.md §5.6).

Every failed token login is the same ``Invalid login attempt.`` with an
``invalidCredentialsFault``; the reason is only in the Login Audit Trail (netsuite-tba.md §2).
"""

from __future__ import annotations

from starlette.responses import Response

from etail.sandbox.netsuite.soap.envelope import document, namespace, tag, text

MEDIA_TYPE = "text/xml; charset=utf-8"
USER_EXCEPTION = "soapenv:Server.userException"
INVALID_LOGIN = "Invalid login attempt."
AMBIGUOUS = "Ambiguous authentication"
CONCURRENCY = "SuiteTalk concurrent request limit exceeded. Request blocked."


class SoapFault(Exception):
    """One fault: SOAP faultcode, faultstring and the typed detail element of faults.xsd."""

    def __init__(
        self,
        message: str,
        *,
        element: str = "unexpectedErrorFault",
        code: str = "UNEXPECTED_ERROR",
        faultcode: str = USER_EXCEPTION,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.element = element
        self.code = code
        self.faultcode = faultcode

    def body(self, version: str) -> bytes:
        faults = namespace("faults", "platform", version)
        detail = tag(
            f"platformFaults:{self.element}",
            text("platformFaults:code", self.code) + text("platformFaults:message", self.message),
            {"xmlns:platformFaults": faults},
        )
        hostname = text(
            "ns1:hostname", "etail-sandbox", {"xmlns:ns1": "http://xml.apache.org/axis/"}
        )
        fault = tag(
            "soapenv:Fault",
            text("faultcode", self.faultcode)
            + text("faultstring", self.message)
            + tag("detail", detail + hostname),
        )
        return document(fault)

    def response(self, version: str) -> Response:
        return Response(self.body(version), status_code=500, media_type=MEDIA_TYPE)


def invalid_login() -> SoapFault:
    return SoapFault(INVALID_LOGIN, element="invalidCredentialsFault", code="USER_ERROR")


def ambiguous_authentication() -> SoapFault:
    # tokenPassport together with applicationInfo, passport, ssoPassport or a JSESSIONID
    # (NS:section_1509544929).
    return SoapFault(AMBIGUOUS, element="invalidCredentialsFault", code="USER_ERROR")


def concurrency_exceeded() -> SoapFault:
    return SoapFault(
        CONCURRENCY, element="exceededConcurrentRequestLimitFault", code="WS_REQUEST_BLOCKED"
    )


def invalid_request(message: str) -> SoapFault:
    """A request we cannot read at all (SOAP 1.1 ``Client`` fault: the sender must fix it)."""
    return SoapFault(message, faultcode="soapenv:Client", code="INVALID_REQUEST")


def request_too_large(limit: int) -> SoapFault:
    return SoapFault(
        f"The request is larger than {limit} bytes; send fewer records per request.",
        element="exceededRequestSizeFault",
        code="EXCEEDED_MAX_REQUEST_SIZE",
    )


def invalid_version(version: str, served: tuple[str, ...]) -> SoapFault:
    return SoapFault(
        f"The endpoint version {version!r} is not served; post to /services/NetSuitePort_<v> "
        f"with one of {', '.join(served)}.",
        element="invalidVersionFault",
        code="INVALID_VERSION",
    )
