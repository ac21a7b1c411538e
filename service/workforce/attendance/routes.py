"""The month's attendance page (a grid of workers with their figures) and
the Excel import of a month's sheet."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF
from service.database.ids import id_of
from service.dates import add_months
from service.errors import DomainError
from service.keys import keys_for
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, MultipartData, field_text, page_number, required_file, upload_limit_mb, whole_number
from service.web.pages import page, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.access import EDITORS
from service.workforce.attendance import actions as attendance
from service.workforce.attendance import jobs as import_jobs
from service.workforce.attendance.excel import template_workbook
from service.workforce.attendance.rules import (
    FIELDS,
    AttendanceErrors,
    AttendanceFigures,
    is_blank,
    month_or,
    parse_figures,
    parse_month,
    plain_number,
    warnings,
)
from service.workforce.imports.refusals import refused_rows
from service.workforce.roster import queries as roster
from service.workforce.roster.actions import reveal_id_number
from tenants.isolation import TenantSession


def _default_month() -> date:
    """Last month: attendance is entered once a month is over."""
    return add_months(clock.today().replace(day=1), -1)


def _figures(row) -> AttendanceFigures:
    return AttendanceFigures(**{f: getattr(row, f) for f in FIELDS})


def _params(month: date, f: attendance.GridFilter, page_number: int = 1) -> str:
    params = {"month": month.isoformat()[:7], "client_bureau": f.client_bureau, "unit": f.unit}
    if page_number > 1:
        params["page"] = str(page_number)
    return urlencode({k: v for k, v in params.items() if v})


def _posted_filter(form: dict[str, Any]) -> attendance.GridFilter:
    return attendance.GridFilter(field_text(form, "client_bureau")[:80], field_text(form, "unit")[:80])


def _posted_workers(form: dict[str, Any]) -> list[int]:
    """The workers whose rows the page showed, in its order."""
    return [n for w in field_text(form, "workers").split(",") if (n := whole_number(w, below=2**63))]


def _grid(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    month: date,
    f: attendance.GridFilter,
    page_number: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    grid = attendance.month_grid(db, month, f, page_number)
    choices = {
        "client_bureaus": roster.filter_choices(db)["client_bureaus"],
        "units": attendance.units(db),
    }
    shown: dict[str, str] = {}
    row_warnings: dict[int, list[str]] = {}
    locked_by = None
    for worker, row in grid.rows:
        if row is None:
            continue
        for field in FIELDS:
            shown[f"{field}-{worker.id}"] = plain_number(getattr(row, field))
        row_warnings[id_of(worker)] = [ctx.translate.error(w) for w in warnings(_figures(row))]
        locked_by = locked_by or (row.locked_by, row.locked_at)
    if values is not None:
        shown = values
    return page(
        request,
        "workforce/attendance.html",
        month=month,
        month_text=month.isoformat()[:7],
        previous_month=_params(add_months(month, -1), f),
        next_month=_params(add_months(month, 1), f),
        grid=grid,
        filter=f,
        choices=choices,
        values=shown,
        errors=errors or {},
        row_warnings=row_warnings,
        locked_by=locked_by,
        fields=FIELDS,
        can_edit=ctx.has_role(*EDITORS),
        page_link=lambda n: _params(month, f, n),
        query_string=_params(month, f),
    )


def _save_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The page again with what was typed, each problem beside its worker's figure; a month that
    cannot be read shows last month's page with the message."""
    f = _posted_filter(refused.form)
    current_page = page_number(refused.text("page"))
    if not isinstance(refused.error, attendance.MonthRefused):
        return _grid(request, ctx, db, _default_month(), f, current_page, errors=refused.errors)
    worker_ids = _posted_workers(refused.form)
    values = {f"{field}-{w}": refused.text(f"{field}-{w}") for w in worker_ids for field in FIELDS}
    errors: dict[str, str] = {}
    for worker_id, problems in refused.error.errors.items():
        for e in problems:
            # A problem with the row as a whole (a worker who left) is shown beside the days worked.
            errors.setdefault(f"{e.field if e.field in FIELDS else 'days_worked'}-{worker_id}", ctx.translate.error(e))
    month = parse_month(refused.text("month"))
    return _grid(request, ctx, db, month, f, current_page, values=values, errors=errors)


def _import_page(request: Request, **context: Any) -> Response:
    limit_mb = upload_limit_mb(request)
    context = {"current": None, "outcome": None, "errors": [], "month_text": _default_month().isoformat()[:7], **context}
    return page(request, "workforce/attendance_import.html", limit_mb=limit_mb, **context)


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems row by row; a month that cannot be read or a missing file is one line."""
    errors = refused_rows(refused.error, refused.errors)
    # The month as typed when it was what was refused, else as the month field expects it.
    month_text = refused.text("month") if "month" in refused.errors else parse_month(refused.text("month")).isoformat()
    return _import_page(request, month_text=month_text[:7], errors=errors)


class AttendanceController(Controller):
    path = "/attendance"

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        params = request.query_params
        f = attendance.GridFilter(params.get("client_bureau", "")[:80], params.get("unit", "")[:80])
        month = month_or(params.get("month", ""), _default_month())
        return _grid(request, ctx, db, month, f, page_number(params.get("page", "")))

    @post("/", opt=allow(*EDITORS) | shown_again_by(_save_refused), sync_to_thread=True)
    def save(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        """Save every row of the page that has figures: all of them, or none."""
        f = _posted_filter(data)
        current_page = page_number(field_text(data, "page"))
        month = parse_month(field_text(data, "month"))
        entries: dict[int, AttendanceFigures] = {}
        problems: dict[int, list[DomainError]] = {}
        for worker_id in _posted_workers(data):
            raw = {field: field_text(data, f"{field}-{worker_id}") for field in FIELDS}
            if is_blank(raw):
                continue  # nothing typed for this worker: left as it is
            try:
                entries[worker_id] = parse_figures(raw, month)
            except AttendanceErrors as refused:  # every row is checked before any is refused
                problems[worker_id] = refused.errors
        if problems:
            raise attendance.MonthRefused(problems)
        if entries:
            attendance.save_month(db, month, entries, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/attendance?{_params(month, f, current_page)}&notice=saved"))

    @get("/import", opt=allow(*EDITORS), sync_to_thread=False)
    def import_form(self, request: Request) -> Response:
        month = month_or(request.query_params.get("month", ""), _default_month())
        return _import_page(request, month_text=month.isoformat()[:7])

    @get("/import/template", opt=allow(*EDITORS), sync_to_thread=True)
    def template(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        """The month's workers with their ID numbers and any figures entered, to fill in."""
        params = request.query_params
        month = month_or(params.get("month", ""), _default_month())
        f = attendance.GridFilter(params.get("client_bureau", "")[:80], params.get("unit", "")[:80])
        keys = keys_for(request.app.state.settings)
        rows = attendance.all_grid_rows(db, month, f)
        content = template_workbook(rows, lambda w: reveal_id_number(keys, w), ctx.translate, month)
        return xlsx_download(content, f"attendance-{month.isoformat()[:7]}.xlsx")

    @post("/import", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, ctx: RequestCtx, data: MultipartData) -> Response:
        month = parse_month(field_text(data, "month"))
        upload = required_file(data)
        # The import is a job (attendance.jobs) on transactions of its own, so a large sheet never holds the
        # request; a small sheet is over within the wait: refused, its rows show here as they always did.
        import_id = import_jobs.SHEET.submit(
            ctx.tenant_id, ctx.actor, ctx.translate.locale, upload.filename, upload.file.read(), month=month.isoformat()
        )
        # The month rides along in the address: the page's links and its next upload are for that month.
        query = urlencode({"month": month.isoformat()[:7]})
        return see_other(ctx.tenant_path(f"/attendance/import/{import_id}?{query}"))

    @get("/import/{import_id:int}", opt=allow(*EDITORS), sync_to_thread=True)
    def import_status(self, request: Request, db: TenantDb, import_id: FromPath[int]) -> Response:
        """Queued, running (the page refreshes itself), done with its counts, refused with its rows, or failed."""
        current, errors = import_jobs.SHEET.read(db, import_id)
        month = month_or(request.query_params.get("month", ""), _default_month())
        return _import_page(
            request,
            current=current,
            outcome=current.counts,
            errors=errors,
            month_text=month.isoformat()[:7],
        )
