"""Record, SuiteQL and RESTlet routes at NetSuite's own paths (docs/netsuite-sandbox-records.md).

Every route takes the ``Caller`` that TBA verification yields (``deps.rest_caller`` /
``deps.restlet_caller``) and checks the role before it touches a record: view for GET, create for
POST, edit for PATCH and PUT, full for DELETE, plus REST Web Services (Full) for the REST paths
(NS:article_5085602973); a missing permission is 403 ``INSUFFICIENT_PERMISSION``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from etail.sandbox.netsuite import deps
from etail.sandbox.netsuite.context import RECORD_PERMISSIONS, Caller, Level
from etail.sandbox.netsuite.records import query as q_filter
from etail.sandbox.netsuite.records import restlets, suiteql
from etail.sandbox.netsuite.records.paging import collection, page_of
from etail.sandbox.netsuite.records.problems import (
    Problem,
    insufficient_permission,
    invalid_content,
    unexpected_error,
)
from etail.sandbox.netsuite.records.schema import RECORD_TYPES, RecordType, record_type
from etail.sandbox.netsuite.records.store import (
    DuplicateExternalIdError,
    RecordStore,
    reject_duplicate,
)
from etail.sandbox.netsuite.records.transform import transform
from etail.sandbox.netsuite.records.validation import BodyChecker
from etail.sandbox.netsuite.records.views import RECORD_PATH, RecordView, self_link

MAX_BODY = 5 * 1024 * 1024
RESTLET_PATH = "/app/site/hosting/restlet.nl"
SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"


class ProblemRoute(APIRoute):
    """Answers ``Problem`` (and FastAPI's own parameter errors) in NetSuite's error shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        restlet = self.path.startswith(RESTLET_PATH)

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as problem:
                return problem.restlet_response() if restlet else problem.rest_response()
            except RequestValidationError as exc:
                detail = "; ".join(str(e.get("msg", "")) for e in exc.errors())[:300]
                bad = Problem(400, "INVALID_REQUEST", f"Invalid request: {detail}")
                return bad.restlet_response() if restlet else bad.rest_response()

        return run


router = APIRouter(route_class=ProblemRoute, tags=["NetSuite web services"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "NetSuite error body (INVALID_CONTENT, INVALID_PARAMETER, ...)"},
    401: {"description": "INVALID_LOGIN (see the Login Audit Trail)"},
    403: {"description": "INSUFFICIENT_PERMISSION"},
    404: {"description": "NONEXISTENT_ID"},
    429: {"description": "CONCURRENCY_LIMIT_EXCEEDED"},
}
_JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
_OPTIONAL_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


async def json_body(request: Request) -> Any:
    """The parsed JSON body (None when empty); 400 INVALID_CONTENT when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return None
    if len(raw) > MAX_BODY:
        raise invalid_content(f"The request body is larger than {MAX_BODY} bytes.", "")
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise invalid_content(f"The request body is not valid JSON: {str(exc)[:200]}", "") from None


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back: no write ever half-applies."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def kind_of(name: str) -> RecordType:
    rtype = record_type(name)
    if rtype is None:
        raise Problem(
            404,
            "INVALID_RCRD_TYPE",
            f"The record type [{name[:60]}] is invalid or not served by the sandbox; use one of "
            f"{', '.join(RECORD_TYPES)}.",
        )
    return rtype


def require(caller: Caller, rtype: RecordType, level: Level) -> None:
    if not caller.allows("restWebServices", Level.FULL):
        raise insufficient_permission("REST Web Services (Full)")
    if not caller.allows(rtype.name, level):
        raise insufficient_permission(f"{level.name.title()} {RECORD_PERMISSIONS[rtype.name]}")


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _checker(request: Request, rtype: RecordType, store: RecordStore) -> BodyChecker:
    mode = request.headers.get("x-netsuite-propertynamevalidation", "error").lower()
    return BodyChecker(rtype, store.resolve, strict_names=mode not in ("ignore", "warning"))


def _located(request: Request, rtype: RecordType, rid: int) -> Response:
    location = RecordView.href_for(base_url(request), rtype.name, rid)
    return Response(status_code=204, headers={"Location": location})


def _expand(raw: str | None) -> bool:
    return (raw or "").lower() == "true"


# ---- records ---------------------------------------------------------------------------------


@router.get(RECORD_PATH + "/{record_type}", responses=_ERRORS)
def list_records(
    request: Request,
    record_type: str,
    q: str | None = Query(None, description="e.g. email START_WITH barbara"),
    limit: str | None = Query(None, description="1..1000, default 1000"),
    offset: str | None = Query(None, description="divisible by limit"),
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> JSONResponse:
    rtype = kind_of(record_type)
    require(caller, rtype, Level.VIEW)
    page = page_of(limit, offset)
    store = RecordStore(session, caller.account_id)
    if q is not None:
        flt = q_filter.parse(rtype, q)
        q_filter.check_values(flt)
        rows_in = store.all(rtype, q_filter.prefilter(flt))
        found = [row for row in rows_in if q_filter.matches(row, flt)]
        total, rows = len(found), found[page.offset : page.offset + page.limit]
    else:
        total, rows = store.count(rtype), list(store.page(rtype, page.limit, page.offset))
    base = base_url(request)
    items = [
        {"links": self_link(RecordView.href_for(base, rtype.name, row.id)), "id": str(row.id)}
        for row in rows
    ]
    params = {"q": q} if q is not None else {}
    body = collection(f"{base}{RECORD_PATH}/{rtype.name}", params, page, items, total)
    return JSONResponse(body, media_type=COLLECTION)


@router.post(
    RECORD_PATH + "/{record_type}", status_code=204, responses=_ERRORS, openapi_extra=_JSON_BODY
)
def create_record(
    request: Request,
    record_type: str,
    body: Any = Depends(json_body),
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> Response:
    rtype = kind_of(record_type)
    require(caller, rtype, Level.CREATE)
    store = RecordStore(session, caller.account_id)
    with unit_of_work(session):
        changes = _checker(request, rtype, store).check(body)
        try:
            row = store.create(rtype, changes)
        except DuplicateExternalIdError:
            raise reject_duplicate(rtype, str(changes.body.get("externalId"))) from None
    return _located(request, rtype, row.id)


@router.get(RECORD_PATH + "/{record_type}/{record_id}", responses=_ERRORS)
def get_record(
    request: Request,
    record_type: str,
    record_id: str,
    expandSubResources: str | None = Query(None),  # NetSuite's parameter name
    fields: str | None = Query(None, description="body fields to return, e.g. tranId,status"),
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> JSONResponse:
    rtype = kind_of(record_type)
    require(caller, rtype, Level.VIEW)
    store = RecordStore(session, caller.account_id)
    row = store.find(rtype, record_id)
    shown = RecordView(store, base_url(request)).record(
        rtype, row, expand=_expand(expandSubResources)
    )
    if fields is not None:  # ?fields=a,b selects body fields (NS:section_1545141947)
        wanted = {f.strip().lower() for f in fields.split(",")} | {"links", "id"}
        shown = {k: v for k, v in shown.items() if k.lower() in wanted}
    return JSONResponse(shown, media_type=SINGULAR)


@router.get(RECORD_PATH + "/{record_type}/{record_id}/{sub_resource}", responses=_ERRORS)
def get_sub_resource(
    request: Request,
    record_type: str,
    record_id: str,
    sub_resource: str,
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> JSONResponse:
    rtype = kind_of(record_type)
    require(caller, rtype, Level.VIEW)
    store = RecordStore(session, caller.account_id)
    row = store.find(rtype, record_id)
    shown = RecordView(store, base_url(request)).record(rtype, row, expand=True)
    spec = rtype.field(sub_resource)
    name = rtype.sublist(sub_resource) or (spec if spec and spec.kind == "address" else None)
    if name is None or name.name not in shown:
        raise Problem(
            404,
            "NONEXISTENT_ID",
            f"{rtype.name} has no sublist or subrecord {sub_resource[:60]!r}.",
        )
    return JSONResponse(shown[name.name], media_type=SINGULAR)


@router.patch(
    RECORD_PATH + "/{record_type}/{record_id}",
    status_code=204,
    responses=_ERRORS,
    openapi_extra=_JSON_BODY,
)
def update_record(
    request: Request,
    record_type: str,
    record_id: str,
    replace: str | None = Query(None, description="sublists to replace, e.g. item"),
    body: Any = Depends(json_body),
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> Response:
    rtype = kind_of(record_type)
    require(caller, rtype, Level.EDIT)
    store = RecordStore(session, caller.account_id)
    with unit_of_work(session):
        row = store.find(rtype, record_id)
        changes = _checker(request, rtype, store).check(body)
        replaced = {s.strip() for s in (replace or "").split(",") if s.strip()}
        sublists = {
            s.name for s in rtype.sublists if s.name.lower() in {r.lower() for r in replaced}
        }
        try:
            store.update(rtype, row, changes, sublists)
        except DuplicateExternalIdError:
            raise reject_duplicate(rtype, str(changes.body.get("externalId"))) from None
    return _located(request, rtype, row.id)


@router.put(
    RECORD_PATH + "/{record_type}/{record_id}",
    status_code=204,
    responses=_ERRORS,
    openapi_extra=_JSON_BODY,
)
def upsert_record(
    request: Request,
    record_type: str,
    record_id: str,
    body: Any = Depends(json_body),
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> Response:
    """PUT .../eid:<externalId> creates or updates (NS:section_156335203191)."""
    rtype = kind_of(record_type)
    require(caller, rtype, Level.EDIT)
    if not record_id.startswith("eid:") or len(record_id) < 5:
        raise Problem(
            405,
            "INVALID_REQUEST",
            "PUT is the upsert operation and needs an external ID: PUT "
            f".../{rtype.name}/eid:<externalId>. Use PATCH to update by internal ID.",
        )
    external_id = record_id[4:]
    store = RecordStore(session, caller.account_id)
    for attempt in range(2):  # a concurrent upsert of the same eid can win the insert once
        try:
            with unit_of_work(session):
                row = _upsert_once(request, rtype, store, external_id, body)
            return _located(request, rtype, row.id)
        except DuplicateExternalIdError:
            if attempt:
                raise reject_duplicate(rtype, external_id) from None
    raise unexpected_error()  # pragma: no cover - the loop always returns or raises


def _upsert_once(
    request: Request, rtype: RecordType, store: RecordStore, external_id: str, body: Any
) -> Any:
    changes = _checker(request, rtype, store).check(body)
    sent = changes.body.get("externalId")
    if sent is not None and sent != external_id:
        raise invalid_content(
            f"The body's externalId {sent!r} differs from the one in the URL ({external_id!r}).",
            "externalId",
        )
    changes.body["externalId"] = external_id
    row = store.lookup(rtype.name, f"eid:{external_id}")
    if row is None:
        return store.create(rtype, changes)
    return store.update(rtype, row, changes, set())


@router.delete(RECORD_PATH + "/{record_type}/{record_id}", status_code=204, responses=_ERRORS)
def delete_record(
    record_type: str,
    record_id: str,
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> Response:
    rtype = kind_of(record_type)
    require(caller, rtype, Level.FULL)
    store = RecordStore(session, caller.account_id)
    with unit_of_work(session):
        store.delete(rtype, store.find(rtype, record_id))
    return Response(status_code=204)


@router.post(
    RECORD_PATH + "/{record_type}/{record_id}/!transform/{target_type}",
    status_code=204,
    responses=_ERRORS,
    openapi_extra=_OPTIONAL_BODY,
)
def transform_record(
    request: Request,
    record_type: str,
    record_id: str,
    target_type: str,
    body: Any = Depends(json_body),
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> Response:
    """salesOrder -> itemFulfillment or cashSale (NS:section_157901123882)."""
    source, target = kind_of(record_type), kind_of(target_type)
    require(caller, source, Level.VIEW)
    require(caller, target, Level.CREATE)
    store = RecordStore(session, caller.account_id)
    with unit_of_work(session):
        row = store.find(source, record_id)
        checker = _checker(request, target, store)
        try:
            created = transform(store, checker, source, row, target, body)
        except DuplicateExternalIdError:
            raise reject_duplicate(target, str(body.get("externalId"))) from None
    return _located(request, target, created.id)


# ---- SuiteQL ---------------------------------------------------------------------------------


@router.post("/services/rest/query/v1/suiteql", responses=_ERRORS, openapi_extra=_JSON_BODY)
def suiteql_query(
    request: Request,
    limit: str | None = Query(None, description="1..1000, default 1000"),
    offset: str | None = Query(None),
    body: Any = Depends(json_body),
    caller: Caller = Depends(deps.rest_caller),
    session: Session = Depends(deps.get_session, scope="function"),
) -> JSONResponse:
    if not caller.allows("restWebServices", Level.FULL):
        raise insufficient_permission("REST Web Services (Full)")
    if "transient" not in request.headers.get("prefer", "").lower():
        raise Problem(
            400,
            "INVALID_REQUEST",
            "SuiteQL needs the request header 'Prefer: transient'.",
        )
    page = page_of(limit, offset, divisible=False)
    if not isinstance(body, dict) or not isinstance(body.get("q"), str):
        raise invalid_content('Send a JSON body {"q": "SELECT ...", "params": [...]}.', "q")
    params = body.get("params", [])
    extra = set(body) - {"q", "params"}
    if extra:
        raise invalid_content(f"Unknown field {sorted(extra)[0]!r}; send q and params.", "")
    if not isinstance(params, list) or any(isinstance(p, dict | list) for p in params):
        raise invalid_content("'params' must be an array of strings or numbers.", "params")
    items, total = suiteql.run(session, body["q"], params, caller, page)
    url = f"{base_url(request)}/services/rest/query/v1/suiteql"
    return JSONResponse(collection(url, {}, page, items, total), media_type=COLLECTION)


# ---- RESTlets --------------------------------------------------------------------------------


def _restlet(request: Request, body: Any, caller: Caller, session: Session) -> JSONResponse:
    query = request.query_params
    script = restlets.script_for(query.get("script"), query.get("deploy"))
    if request.method == "GET" and body is not None:
        raise Problem(
            400,
            "INVALID_REQUEST",
            "The request could not be understood by the server due to malformed syntax "
            "(a GET request must not carry a body).",
        )
    params = {
        k: v
        for k, v in query.items()
        if k not in ("script", "deploy") and not k.startswith("oauth_")
    }
    store = RecordStore(session, caller.account_id)
    call = restlets.Call(request.method, params, body, caller, store, base_url(request))
    return JSONResponse(script(call))


for _method in ("GET", "POST", "PUT", "DELETE"):

    def _make(method: str) -> Callable[..., JSONResponse]:
        def restlet_call(
            request: Request,
            script: str = Query(..., description="script id, e.g. 1 or customscript_..."),
            deploy: str = Query(..., description="deployment id, e.g. 1"),
            body: Any = Depends(json_body),
            caller: Caller = Depends(deps.restlet_caller),
            session: Session = Depends(deps.get_session, scope="function"),
        ) -> JSONResponse:
            return _restlet(request, body, caller, session)

        restlet_call.__name__ = f"restlet_{method.lower()}"
        return restlet_call

    router.add_api_route(
        RESTLET_PATH,
        _make(_method),
        methods=[_method],
        responses=_ERRORS,
        openapi_extra=_OPTIONAL_BODY if _method in ("POST", "PUT") else None,
    )
