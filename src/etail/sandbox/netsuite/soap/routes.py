"""``POST /services/NetSuitePort_<version>``: SuiteTalk SOAP with TBA (netsuite-oauth2-soap.md §5).

Order of a request: version served → envelope readable → operation served → no
``applicationInfo``, ``passport``, ``ssoPassport`` or ``JSESSIONID`` next to the
``tokenPassport`` ("Ambiguous authentication", NS:section_1509544929) → the passport verified by
``TbaVerifier.verify_passport`` (feature, SOAP Web Services permission, lockout ... with its
Login Audit Trail row) → the operation. Faults answer HTTP 500; record-level errors HTTP 200.
Concurrency is the account's shared pool (``realm.SoapRealmMiddleware`` names the account to
the governor, which answers ``WS_REQUEST_BLOCKED``).
"""

from __future__ import annotations

import logging
import uuid
from xml.etree.ElementTree import Element

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from etail.sandbox.netsuite.context import Caller
from etail.sandbox.netsuite.models import Account, LoginAudit
from etail.sandbox.netsuite.soap import faults
from etail.sandbox.netsuite.soap.envelope import (
    VERSIONS,
    Envelope,
    EnvelopeError,
    children,
    document,
    local,
    parse,
    text_of,
)
from etail.sandbox.netsuite.soap.operations import OPERATIONS, Call
from etail.sandbox.netsuite.store import Store
from etail.sandbox.netsuite.tba import LoginAttempt, LoginRejected, Passport, TbaVerifier

log = logging.getLogger(__name__)

SOAP_PATH = "/services/NetSuitePort_{version}"
# Header elements that carry other credentials (NS:section_4395625427, NS:section_1509544929).
OTHER_CREDENTIALS = ("passport", "ssoPassport", "applicationInfo")
PASSPORT_FIELDS = ("account", "consumerKey", "token", "nonce", "timestamp", "signature")

router = APIRouter(tags=["NetSuite SOAP web services"])


@router.post(
    SOAP_PATH,
    response_class=Response,
    responses={
        200: {"content": {"text/xml": {}}, "description": "the operation's response"},
        500: {"content": {"text/xml": {}}, "description": "a SOAP fault"},
    },
    openapi_extra={"requestBody": {"required": True, "content": {"text/xml": {}}}},
)
async def soap_endpoint(request: Request, version: str) -> Response:
    """One SOAP 1.1 request; routed on the Body's element (``SOAPAction`` is advisory)."""
    if version not in VERSIONS:
        return faults.invalid_version(version, VERSIONS).response(VERSIONS[-1])
    try:
        envelope = parse(await request.body())
    except EnvelopeError as exc:
        return faults.invalid_request(str(exc)).response(version)
    operation = OPERATIONS.get(envelope.operation_name)
    if operation is None:
        served = ", ".join(OPERATIONS)
        message = f"The operation {envelope.operation_name!r} is not served; use one of {served}."
        return faults.invalid_request(message).response(version)
    if _ambiguous(envelope, request):
        return faults.ambiguous_authentication().response(version)
    store: Store = request.app.state.store
    verifier: TbaVerifier = request.app.state.verifier
    ip = request.client.host if request.client else ""
    caller = await run_in_threadpool(login, store, verifier, envelope, ip)
    if caller is None:
        return faults.invalid_login().response(version)
    base_url = str(request.base_url).rstrip("/")
    return await run_in_threadpool(_run, store, envelope, caller, version, base_url)


def _ambiguous(envelope: Envelope, request: Request) -> bool:
    if not envelope.header_named("tokenPassport"):
        return False
    others = any(envelope.header_named(name) for name in OTHER_CREDENTIALS)
    return others or "JSESSIONID" in request.cookies


def _run(store: Store, envelope: Envelope, caller: Caller, version: str, base_url: str) -> Response:
    operation = OPERATIONS[envelope.operation_name]
    try:
        with store.session() as session:
            body = operation(Call(envelope, caller, session, version, base_url))
    except EnvelopeError as exc:
        return faults.invalid_request(str(exc)).response(version)
    except Exception:  # an answer, never a traceback; the ID finds the log line
        error_id = uuid.uuid4().hex[:20]
        log.exception("SOAP %s failed (Error ID: %s)", envelope.operation_name, error_id)
        message = f"An unexpected error occurred. Error ID: {error_id}"
        return faults.SoapFault(message).response(version)
    return Response(document(body), media_type=faults.MEDIA_TYPE)


def passport_of(envelope: Envelope) -> Passport:
    """The one ``tokenPassport`` header, children read by local name (§5.4)."""
    found = envelope.header_named("tokenPassport")
    if not found:
        raise LoginRejected("MissingTokenPassportRequiredFields")
    if len(found) > 1:  # two passports: an invalid login (NS:section_1509544929)
        raise LoginRejected("parameter_rejected")
    values: dict[str, str] = {}
    signature: Element | None = None
    for name in PASSPORT_FIELDS:
        elements = list(children(found[0], name))
        if len(elements) > 1:
            raise LoginRejected("parameter_rejected")
        values[name] = text_of(elements[0]) if elements else ""
        signature = elements[0] if name == "signature" and elements else signature
    algorithm = signature.get("algorithm") if signature is not None else None
    if algorithm is None:
        raise LoginRejected("MissingTokenPassportRequiredFields")
    return Passport(
        account=values["account"],
        consumer_key=values["consumerKey"],
        token=values["token"],
        nonce=values["nonce"],
        timestamp=values["timestamp"],
        signature=values["signature"],
        algorithm=algorithm,
    )


def login(store: Store, verifier: TbaVerifier, envelope: Envelope, ip: str) -> Caller | None:
    """Verify the passport and write the Login Audit Trail row (its own transaction)."""
    attempt = LoginAttempt(channel="soap", realm=_account_text(envelope))
    caller: Caller | None = None
    try:
        with store.session() as s:
            caller = verifier.verify_passport(s, passport_of(envelope), attempt)
    except LoginRejected as exc:
        attempt.detail = exc.detail
    with store.session() as s:  # a failure's row must be kept even though verification failed
        if attempt.account_pk is None and attempt.realm:
            # A passport too malformed to verify is still logged in the account it names.
            attempt.account_pk = s.scalar(
                select(Account.id).where(Account.account_id == attempt.realm)
            )
        s.add(
            LoginAudit(
                account_pk=attempt.account_pk,
                realm=attempt.realm[:100],
                user=attempt.user,
                role=attempt.role,
                token_name=attempt.token_name,
                application=attempt.application,
                status="Success" if caller else "Failure",
                detail=attempt.detail,
                channel="soap",
                ip_address=ip,
            )
        )
    return caller


def _account_text(envelope: Envelope) -> str:
    for passport in envelope.header_named("tokenPassport"):
        for element in passport:
            if local(element.tag) == "account":
                return text_of(element)
    return ""
