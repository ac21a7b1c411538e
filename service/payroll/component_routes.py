"""The pay components page (list, define, deactivate) and the Excel import of
per-worker-month amounts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.accounts.models import StaffRole
from service.errors import N_, DomainError, InputErrors
from service.keys import keys_for
from service.payroll import component_actions as actions
from service.payroll.components import KIND_LABELS, METHOD_LABELS, ComponentKind, Method, parse_definition
from service.payroll.formula import INPUTS as FORMULA_INPUTS
from service.payroll.run_models import PayrollRun
from service.web.access import allow
from service.web.forms import FormData, MultipartData, field_text, translated_errors, whole_number
from service.web.pages import page, see_other, xlsx_download
from service.workforce.roster_excel import ImportRefused
from tenants.isolation import tenant_session

EDITORS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK, StaffRole.VIEWER)
FIELDS = ("code", "label", "kind", "method", "amount", "formula", "applies_to_bureau", "taxable", "counts_for_minimum_wage")
BLANK = {"kind": ComponentKind.ADDITION.value, "method": Method.FIXED.value, "taxable": "on", "counts_for_minimum_wage": "on"}


class PayComponentsController(Controller):
    path = "/pay-components"

    def _list(self, request: Request, status: int = 200, **context: Any) -> Response:
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            components = actions.list_components(db, ctx.tenant_id)
        context = {"values": dict(BLANK), "errors": {}, **context}
        return page(
            request,
            "payroll/components.html",
            status=status,
            components=components,
            can_edit=ctx.has_role(*EDITORS),
            kinds=KIND_LABELS,
            methods=METHOD_LABELS,
            formula_inputs=FORMULA_INPUTS,
            done=request.query_params.get("done", ""),
            **context,
        )

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        return self._list(request)

    @post("/", opt=allow(*EDITORS), sync_to_thread=True)
    def define(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in FIELDS}
        try:
            definition = parse_definition(values)
            with tenant_session(ctx.tenant_id) as db:
                actions.define_component(db, ctx.tenant_id, ctx.actor, definition)
        except InputErrors as problems:
            return self._list(request, status=400, values=values, errors=translated_errors(problems.errors, ctx.translate))
        except DomainError as problem:
            return self._list(request, status=400, values=values, errors=translated_errors([problem], ctx.translate))
        return see_other(ctx.tenant_path("/pay-components?done=defined"))

    @post("/{component_id:int}/active", opt=allow(*EDITORS), sync_to_thread=True)
    def set_active(self, request: Request, component_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            try:
                component = actions.get_component(db, ctx.tenant_id, component_id)
            except DomainError:
                raise NotFoundException() from None
            actions.set_active(db, ctx.tenant_id, ctx.actor, component, field_text(data, "active") == "1")
        return see_other(ctx.tenant_path("/pay-components?done=saved"))

    def _run_of(self, request: Request, raw: str) -> Any:
        """The payroll run the import was reached from (``?run=``), or None."""
        number = whole_number(raw or "")
        if number is None:
            return None
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            run = db.get(PayrollRun, (ctx.tenant_id, number))
        if run is None:
            raise NotFoundException()
        return run

    def _import_page(self, request: Request, status: int = 200, run: Any = None, **context: Any) -> Response:
        limit_mb = request.app.state.settings.import_max_bytes // (1024 * 1024)
        context = {"imported": None, "errors": [], **context}
        return page(request, "payroll/component_import.html", status=status, limit_mb=limit_mb, run=run, **context)

    @get("/import", opt=allow(*EDITORS), sync_to_thread=True)
    def import_form(self, request: Request) -> Response:
        return self._import_page(request, run=self._run_of(request, request.query_params.get("run", "")))

    @get("/import/template", opt=allow(*EDITORS), sync_to_thread=True)
    def template(self, request: Request) -> Response:
        return xlsx_download(actions.template_workbook(request.state.ctx.translate), "pay-component-amounts.xlsx")

    @post("/import", opt=allow(*EDITORS), sync_to_thread=True)
    def import_sheet(self, request: Request, data: MultipartData) -> Response:
        ctx = request.state.ctx
        t = ctx.translate
        run = self._run_of(request, data.get("run") if isinstance(data.get("run"), str) else "")
        upload = data.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            message = t(N_("Choose an .xlsx file to upload."))
            return self._import_page(request, status=400, run=run, errors=[{"row": "", "column": "", "message": message}])
        content = upload.file.read()
        try:
            with tenant_session(ctx.tenant_id) as db:
                count = actions.import_amounts(
                    db,
                    keys_for(request.app.state.settings),
                    ctx.tenant_id,
                    ctx.actor,
                    content,
                    t,
                    only_month=run.month if run is not None else None,
                )
        except ImportRefused as refused:
            return self._import_page(request, status=400, run=run, errors=[e.__dict__ for e in refused.errors])
        return self._import_page(request, run=run, imported=count)
