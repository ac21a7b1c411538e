"""Leave pages: the list (awaiting approval first), recording a request for a
worker, approving, rejecting and cancelling it, and HR's entitlements."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF
from service.errors import N_, DomainError
from service.keys import keys_for
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, page_number, whole_number
from service.web.pages import page, page_query, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.access import EDITORS
from service.workforce.daily_models import DAILY_LABELS, LeaveRequest, LeaveStatus, LeaveType
from service.workforce.leave import actions as leave
from service.workforce.leave.rules import FIELDS, parse_leave
from service.workforce.models import Worker
from service.workforce.roster import queries as roster
from tenants.isolation import TenantSession


def _int(text: str, default: int | None = None, limit: int = 10**9) -> int | None:
    value = whole_number(text, below=limit)
    return default if value is None else value


def _filter_from(request: Request) -> leave.LeaveFilter:
    params = request.query_params
    status, leave_type = params.get("status", ""), params.get("leave_type", "")
    year = _int(params.get("year", ""))
    return leave.LeaveFilter(
        status=LeaveStatus(status) if status in LeaveStatus._value2member_map_ else None,
        leave_type=LeaveType(leave_type) if leave_type in LeaveType._value2member_map_ else None,
        q=params.get("q", "")[:50].strip(),
        year=year if year and 2000 <= year <= 2100 else None,
    )


def _worker(db: TenantSession, worker_id: int | None) -> Worker | None:
    return roster.get_worker(db, worker_id) if worker_id else None


def _load(db: TenantSession, request_id: int, *, for_update: bool = False) -> LeaveRequest:
    found = leave.load_request(db, request_id, for_update=for_update)
    if found is None:
        raise NotFoundException()
    return found


def _common() -> dict[str, Any]:
    return {"labels": DAILY_LABELS, "leave_types": list(LeaveType), "statuses": list(LeaveStatus)}


ENTITLEMENT_FIELDS = ("worker_id", "year", "leave_type", "days")


def _form(request: Request, ctx: RequestContext, db: TenantSession, **context: Any) -> Response:
    worker: Worker | None = context.get("worker")
    year = clock.today().year
    balances = leave.balances(db, worker, year) if worker is not None else []
    context = {"values": {}, "errors": {}, "matches": None, "q": "", **context}
    return page(request, "workforce/leave_form.html", balances=balances, year=year, **_common(), **context)


def _create_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    worker = _worker(db, _int(refused.text("worker_id")))
    return _form(request, ctx, db, worker=worker, values=refused.values(FIELDS), errors=refused.errors)


def _detail(request: Request, ctx: RequestContext, db: TenantSession, request_id: int, **context: Any) -> Response:
    found = _load(db, request_id)
    worker = roster.get_worker(db, found.worker_id)
    assert worker is not None  # the request's foreign key keeps its worker
    balances = leave.balances(db, worker, found.start_date.year)
    balance = next(b for b in balances if b.leave_type is found.leave_type)
    context = {"errors": {}, "values": {}, **context}
    return page(
        request,
        "workforce/leave_detail.html",
        leave_request=found,
        worker=worker,
        balance=balance,
        can_edit=ctx.has_role(*EDITORS),
        own=leave.is_submitter(ctx.actor, found),
        **_common(),
        **context,
    )


def _decision_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    request_id = request.path_params["request_id"]
    return _detail(request, ctx, db, request_id, values={"comment": refused.text("comment")}, errors=refused.errors)


def _entitlement_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return page(
        request,
        "workforce/leave_entitlement.html",
        worker=_worker(db, _int(refused.text("worker_id"))),
        values=refused.values(ENTITLEMENT_FIELDS),
        errors=refused.errors,
        **_common(),
    )


class LeaveController(Controller):
    path = "/leave"

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        f = _filter_from(request)
        return page(
            request,
            "workforce/leave_list.html",
            result=leave.search(db, f, page_number(request.query_params.get("page", ""))),
            filter=f,
            can_edit=ctx.has_role(*EDITORS),
            page_query=page_query(request),
            **_common(),
        )

    @get("/new", opt=allow(*EDITORS), sync_to_thread=True)
    def new(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        """With ``worker_id``: the form for that worker; else find the worker by name, phone or ID number."""
        worker_id = _int(request.query_params.get("worker_id", ""))
        q = request.query_params.get("q", "")[:50].strip()
        worker = _worker(db, worker_id)
        if worker_id and worker is None:
            raise NotFoundException()
        matches = None
        if worker is None and q:
            keys = keys_for(request.app.state.settings)
            matches = roster.search(db, keys, roster.RosterFilter(q=q), 1, per_page=20).workers
        return _form(request, ctx, db, worker=worker, matches=matches, q=q)

    @post("/", opt=allow(*EDITORS) | shown_again_by(_create_refused), sync_to_thread=True)
    def create(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        leave_input = parse_leave({f: field_text(data, f) for f in FIELDS}, today=clock.today())
        created = leave.submit_leave(db, leave_input, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/leave/{created.id}?notice=created"))

    @get("/{request_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, request_id: FromPath[int]) -> Response:
        return _detail(request, ctx, db, request_id)

    @post("/{request_id:int}/approve", opt=allow(*EDITORS) | shown_again_by(_decision_refused), sync_to_thread=True)
    def approve(self, ctx: RequestCtx, db: TenantDb, request_id: FromPath[int], data: FormData) -> Response:
        leave.approve_leave(db, _load(db, request_id, for_update=True), field_text(data, "comment"), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/leave/{request_id}?notice=saved"))

    @post("/{request_id:int}/reject", opt=allow(*EDITORS) | shown_again_by(_decision_refused), sync_to_thread=True)
    def reject(self, ctx: RequestCtx, db: TenantDb, request_id: FromPath[int], data: FormData) -> Response:
        leave.reject_leave(db, _load(db, request_id, for_update=True), field_text(data, "comment"), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/leave/{request_id}?notice=saved"))

    @post("/{request_id:int}/cancel", opt=allow(*EDITORS) | shown_again_by(_decision_refused), sync_to_thread=True)
    def cancel(self, ctx: RequestCtx, db: TenantDb, request_id: FromPath[int]) -> Response:
        leave.cancel_leave(db, _load(db, request_id, for_update=True), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/leave/{request_id}?notice=saved"))

    @post("/entitlement", opt=allow(*EDITORS) | shown_again_by(_entitlement_refused), sync_to_thread=True)
    def set_entitlement(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        """HR's days for one worker, year and type; an empty figure goes back to the default."""
        values = {f: field_text(data, f) for f in ENTITLEMENT_FIELDS}
        worker = _worker(db, _int(values["worker_id"]))
        if worker is None:
            raise NotFoundException()
        if values["leave_type"] not in LeaveType._value2member_map_:
            raise DomainError(N_("Choose the type of leave."), field="leave_type")
        days = None
        if values["days"]:
            text = values["days"]
            days = int(text) if text.isascii() and text.isdigit() and len(text) < 5 else -1
        year = _int(values["year"], 0, 10_000) or 0
        leave.set_entitlement(db, worker, year, LeaveType(values["leave_type"]), days, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/workers/{worker.id}?notice=saved#leave"))
