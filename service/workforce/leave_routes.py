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
from service.web.forms import FormData, field_text, page_number, translated_errors, whole_number
from service.web.pages import page, page_query, see_other
from service.workforce import leave, roster
from service.workforce.access import EDITORS
from service.workforce.daily_models import DAILY_LABELS, LeaveStatus, LeaveType
from service.workforce.leave_rules import FIELDS, LeaveInputErrors, parse_leave
from service.workforce.models import Worker
from tenants.isolation import tenant_session


def _ctx(request: Request) -> RequestContext:
    return request.state.ctx


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


def _worker(db, ctx: RequestContext, worker_id: int | None) -> Worker | None:
    return roster.get_worker(db, ctx.tenant_id, worker_id) if worker_id else None


def _load(db, ctx: RequestContext, request_id: int, *, for_update: bool = False):
    found = leave.load_request(db, ctx.tenant_id, request_id, for_update=for_update)
    if found is None:
        raise NotFoundException()
    return found


def _common() -> dict[str, Any]:
    return {"labels": DAILY_LABELS, "leave_types": list(LeaveType), "statuses": list(LeaveStatus)}


class LeaveController(Controller):
    path = "/leave"

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        ctx = _ctx(request)
        f = _filter_from(request)
        with tenant_session(ctx.tenant_id) as db:
            result = leave.search(db, ctx.tenant_id, f, page_number(request.query_params.get("page", "")))
        return page(
            request,
            "workforce/leave_list.html",
            result=result,
            filter=f,
            can_edit=ctx.has_role(*EDITORS),
            page_query=page_query(request),
            **_common(),
        )

    def _form(self, request: Request, status: int = 200, **context: Any) -> Response:
        ctx = _ctx(request)
        worker: Worker | None = context.get("worker")
        balances = []
        if worker is not None:
            with tenant_session(ctx.tenant_id) as db:
                balances = leave.balances(db, ctx.tenant_id, worker, clock.today().year)
        context = {"values": {}, "errors": {}, "matches": None, "q": "", **context}
        return page(
            request,
            "workforce/leave_form.html",
            status=status,
            balances=balances,
            year=clock.today().year,
            **_common(),
            **context,
        )

    @get("/new", opt=allow(*EDITORS), sync_to_thread=True)
    def new(self, request: Request) -> Response:
        """With ``worker_id``: the form for that worker; else find the worker by name, phone or ID number."""
        ctx = _ctx(request)
        worker_id = _int(request.query_params.get("worker_id", ""))
        q = request.query_params.get("q", "")[:50].strip()
        with tenant_session(ctx.tenant_id) as db:
            worker = _worker(db, ctx, worker_id)
            if worker_id and worker is None:
                raise NotFoundException()
            matches = None
            if worker is None and q:
                keys = keys_for(request.app.state.settings)
                matches = roster.search(db, keys, ctx.tenant_id, roster.RosterFilter(q=q), 1, per_page=20).workers
        return self._form(request, worker=worker, matches=matches, q=q)

    @post("/", opt=allow(*EDITORS), sync_to_thread=True)
    def create(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        values = {f: field_text(data, f) for f in FIELDS}
        try:
            leave_input = parse_leave(values, today=clock.today())
            with tenant_session(ctx.tenant_id) as db:
                created = leave.submit_leave(db, ctx.tenant_id, ctx.actor, leave_input)
        except (LeaveInputErrors, DomainError) as problems:
            errors = problems.errors if isinstance(problems, LeaveInputErrors) else [problems]
            with tenant_session(ctx.tenant_id) as db:
                worker = _worker(db, ctx, _int(values["worker_id"]))
            return self._form(
                request, status=400, worker=worker, values=values, errors=translated_errors(errors, ctx.translate)
            )
        return see_other(ctx.tenant_path(f"/leave/{created.id}?notice=created"))

    def _detail(self, request: Request, request_id: int, status: int = 200, **context: Any) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            found = _load(db, ctx, request_id)
            worker = roster.get_worker(db, ctx.tenant_id, found.worker_id)
            balances = leave.balances(db, ctx.tenant_id, worker, found.start_date.year)
        balance = next(b for b in balances if b.leave_type is found.leave_type)
        context = {"errors": {}, "values": {}, **context}
        return page(
            request,
            "workforce/leave_detail.html",
            status=status,
            leave_request=found,
            worker=worker,
            balance=balance,
            can_edit=ctx.has_role(*EDITORS),
            own=leave.is_submitter(ctx.actor, found),
            **_common(),
            **context,
        )

    @get("/{request_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def detail(self, request: Request, request_id: FromPath[int]) -> Response:
        return self._detail(request, request_id)

    def _act(self, request: Request, request_id: int, data: dict[str, Any], action: str) -> Response:
        ctx = _ctx(request)
        comment = field_text(data, "comment")
        try:
            with tenant_session(ctx.tenant_id) as db:
                found = _load(db, ctx, request_id, for_update=True)
                if action == "approve":
                    leave.approve_leave(db, ctx.tenant_id, ctx.actor, found, comment)
                elif action == "reject":
                    leave.reject_leave(db, ctx.tenant_id, ctx.actor, found, comment)
                else:
                    leave.cancel_leave(db, ctx.tenant_id, ctx.actor, found)
        except DomainError as error:
            return self._detail(
                request, request_id, status=400, values={"comment": comment}, errors=translated_errors([error], ctx.translate)
            )
        return see_other(ctx.tenant_path(f"/leave/{request_id}?notice=saved"))

    @post("/{request_id:int}/approve", opt=allow(*EDITORS), sync_to_thread=True)
    def approve(self, request: Request, request_id: FromPath[int], data: FormData) -> Response:
        return self._act(request, request_id, data, "approve")

    @post("/{request_id:int}/reject", opt=allow(*EDITORS), sync_to_thread=True)
    def reject(self, request: Request, request_id: FromPath[int], data: FormData) -> Response:
        return self._act(request, request_id, data, "reject")

    @post("/{request_id:int}/cancel", opt=allow(*EDITORS), sync_to_thread=True)
    def cancel(self, request: Request, request_id: FromPath[int], data: FormData) -> Response:
        return self._act(request, request_id, data, "cancel")

    @post("/entitlement", opt=allow(*EDITORS), sync_to_thread=True)
    def set_entitlement(self, request: Request, data: FormData) -> Response:
        """HR's days for one worker, year and type; an empty figure goes back to the default."""
        ctx = _ctx(request)
        values = {f: field_text(data, f) for f in ("worker_id", "year", "leave_type", "days")}
        with tenant_session(ctx.tenant_id) as db:
            worker = _worker(db, ctx, _int(values["worker_id"]))
        if worker is None:
            raise NotFoundException()
        errors: list[DomainError] = []
        year = _int(values["year"], 0, 10_000)
        leave_type = LeaveType(values["leave_type"]) if values["leave_type"] in LeaveType._value2member_map_ else None
        if leave_type is None:
            errors.append(DomainError(N_("Choose the type of leave."), field="leave_type"))
        days = None
        if values["days"]:
            text = values["days"]
            days = int(text) if text.isascii() and text.isdigit() and len(text) < 5 else -1
        if not errors:
            try:
                with tenant_session(ctx.tenant_id) as db:
                    leave.set_entitlement(db, ctx.tenant_id, ctx.actor, worker, year or 0, leave_type, days)
            except DomainError as error:
                errors.append(error)
        if errors:
            return page(
                request,
                "workforce/leave_entitlement.html",
                status=400,
                worker=worker,
                values=values,
                errors=translated_errors(errors, ctx.translate),
                **_common(),
            )
        return see_other(ctx.tenant_path(f"/workers/{worker.id}?notice=saved#leave"))
