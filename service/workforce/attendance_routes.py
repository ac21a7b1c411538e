"""The month's attendance page (a grid of workers with their figures) and
the Excel import of a month's sheet."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post

from service import clock
from service.accounts.models import ALL_STAFF
from service.dates import add_months
from service.errors import N_, DomainError
from service.keys import keys_for
from service.web.access import allow
from service.web.context import RequestContext
from service.web.forms import FormData, MultipartData, field_text, page_number, whole_number
from service.web.pages import page, see_other, xlsx_download
from service.workforce import actions, attendance, roster
from service.workforce.access import EDITORS
from service.workforce.attendance_excel import template_workbook
from service.workforce.attendance_rules import (
    FIELDS,
    AttendanceErrors,
    AttendanceFigures,
    is_blank,
    parse_figures,
    parse_month,
    plain_number,
    warnings,
)
from service.workforce.roster_excel import ImportRefused
from tenants.isolation import tenant_session


def _ctx(request: Request) -> RequestContext:
    return request.state.ctx


def _default_month() -> date:
    """Last month: attendance is entered once a month is over."""
    return add_months(clock.today().replace(day=1), -1)


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except DomainError:
        return _default_month()


def _figures(row) -> AttendanceFigures:
    return AttendanceFigures(**{f: getattr(row, f) for f in FIELDS})


def _params(month: date, f: attendance.GridFilter, page_number: int = 1) -> str:
    params = {"month": month.isoformat()[:7], "client_bureau": f.client_bureau, "unit": f.unit}
    if page_number > 1:
        params["page"] = str(page_number)
    return urlencode({k: v for k, v in params.items() if v})


class AttendanceController(Controller):
    path = "/attendance"

    def _grid(
        self,
        request: Request,
        month: date,
        f: attendance.GridFilter,
        page_number: int,
        *,
        status: int = 200,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            grid = attendance.month_grid(db, ctx.tenant_id, month, f, page_number)
            choices = {
                "client_bureaus": roster.filter_choices(db, ctx.tenant_id)["client_bureaus"],
                "units": attendance.units(db, ctx.tenant_id),
            }
        shown: dict[str, str] = {}
        row_warnings: dict[int, list[str]] = {}
        locked_by = None
        for worker, row in grid.rows:
            if row is None:
                continue
            for field in FIELDS:
                shown[f"{field}-{worker.id}"] = plain_number(getattr(row, field))
            row_warnings[worker.id] = [ctx.translate.error(w) for w in warnings(_figures(row))]
            locked_by = locked_by or (row.locked_by, row.locked_at)
        if values is not None:
            shown = values
        return page(
            request,
            "workforce/attendance.html",
            status=status,
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

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        params = request.query_params
        f = attendance.GridFilter(params.get("client_bureau", "")[:80], params.get("unit", "")[:80])
        return self._grid(request, _month(params.get("month", "")), f, page_number(params.get("page", "")))

    @post("/", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def save(self, request: Request, data: FormData) -> Response:
        """Save every row of the page that has figures: all of them, or none."""
        ctx = _ctx(request)
        f = attendance.GridFilter(field_text(data, "client_bureau")[:80], field_text(data, "unit")[:80])
        current_page = page_number(field_text(data, "page"))
        try:
            month = parse_month(field_text(data, "month"))
        except DomainError as error:
            return self._grid(
                request, _default_month(), f, current_page, status=400, errors={"month": ctx.translate.error(error)}
            )
        worker_ids = [n for w in field_text(data, "workers").split(",") if (n := whole_number(w, below=2**63))]
        values = {f"{field}-{w}": field_text(data, f"{field}-{w}") for w in worker_ids for field in FIELDS}
        entries: dict[int, AttendanceFigures] = {}
        errors: dict[str, str] = {}
        for worker_id in worker_ids:
            raw = {field: values[f"{field}-{worker_id}"] for field in FIELDS}
            if is_blank(raw):
                continue  # nothing typed for this worker: left as it is
            try:
                entries[worker_id] = parse_figures(raw, month)
            except AttendanceErrors as problems:
                for e in problems.errors:
                    errors.setdefault(f"{e.field}-{worker_id}", ctx.translate.error(e))
        if not errors and entries:
            try:
                with tenant_session(ctx.tenant_id) as db:
                    attendance.save_month(db, ctx.tenant_id, ctx.actor, month, entries)
            except attendance.MonthRefused as refused:
                for worker_id, problems in refused.errors.items():
                    for e in problems:
                        errors.setdefault(
                            f"{e.field if e.field in FIELDS else 'days_worked'}-{worker_id}", ctx.translate.error(e)
                        )
        if errors:
            return self._grid(request, month, f, current_page, status=400, values=values, errors=errors)
        return see_other(ctx.tenant_path(f"/attendance?{_params(month, f, current_page)}&notice=saved"))

    def _import_page(self, request: Request, status: int = 200, **context: Any) -> Response:
        limit_mb = request.app.state.settings.import_max_bytes // (1024 * 1024)
        context = {"outcome": None, "errors": [], "warnings": [], "month_text": _default_month().isoformat()[:7], **context}
        return page(request, "workforce/attendance_import.html", status=status, limit_mb=limit_mb, **context)

    @get("/import", opt=allow(*EDITORS), sync_to_thread=False, include_in_schema=False)
    def import_form(self, request: Request) -> Response:
        return self._import_page(request, month_text=_month(request.query_params.get("month", "")).isoformat()[:7])

    @get("/import/template", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def template(self, request: Request) -> Response:
        """The month's workers with their ID numbers and any figures entered, to fill in."""
        ctx = _ctx(request)
        params = request.query_params
        month = _month(params.get("month", ""))
        f = attendance.GridFilter(params.get("client_bureau", "")[:80], params.get("unit", "")[:80])
        keys = keys_for(request.app.state.settings)
        with tenant_session(ctx.tenant_id) as db:
            rows = attendance.all_grid_rows(db, ctx.tenant_id, month, f)
        content = template_workbook(rows, lambda w: actions.reveal_id_number(keys, w), ctx.translate, month)
        return xlsx_download(content, f"attendance-{month.isoformat()[:7]}.xlsx")

    @post("/import", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def import_sheet(self, request: Request, data: MultipartData) -> Response:
        ctx, t = _ctx(request), _ctx(request).translate
        month_text = field_text(data, "month")
        try:
            month = parse_month(month_text)
        except DomainError as error:
            return self._import_page(
                request, status=400, month_text=month_text[:7], errors=[{"row": "", "column": "", "message": t.error(error)}]
            )
        upload = data.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            message = t(N_("Choose an .xlsx file to upload."))
            return self._import_page(
                request, status=400, month_text=month_text, errors=[{"row": "", "column": "", "message": message}]
            )
        content = upload.file.read()
        try:
            with tenant_session(ctx.tenant_id) as db:
                outcome = attendance.import_month(
                    db, keys_for(request.app.state.settings), ctx.tenant_id, ctx.actor, month, content, t
                )
                names = attendance.worker_names(db, ctx.tenant_id, list(outcome.warnings))
        except ImportRefused as refused:
            return self._import_page(
                request, status=400, month_text=month.isoformat()[:7], errors=[e.__dict__ for e in refused.errors]
            )
        found = [(names[w], t.error(e)) for w, problems in outcome.warnings.items() for e in problems]
        return self._import_page(request, outcome=outcome, warnings=found, month_text=month.isoformat()[:7])
