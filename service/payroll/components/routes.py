"""The pay components page (list, define, deactivate) and the Excel import of
per-worker-month amounts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.accounts.models import StaffRole
from service.bureaus import directory
from service.errors import N_, DomainError
from service.keys import keys_for
from service.payroll.components import actions
from service.payroll.components.formula import INPUTS as FORMULA_INPUTS
from service.payroll.components.rules import KIND_LABELS, METHOD_LABELS, ComponentKind, Method, parse_definition
from service.payroll.runs import actions as runs
from service.payroll.runs.models import PayrollRun
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, MultipartData, field_text, whole_number
from service.web.pages import page, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.roster.excel import ImportRefused
from tenants.isolation import TenantSession

EDITORS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK, StaffRole.VIEWER)
FIELDS = ("code", "label", "kind", "method", "amount", "formula", "applies_to_bureau", "taxable", "counts_for_minimum_wage")
BLANK = {"kind": ComponentKind.ADDITION.value, "method": Method.FIXED.value, "taxable": "on", "counts_for_minimum_wage": "on"}


def _list(request: Request, ctx: RequestContext, db: TenantSession, **context: Any) -> Response:
    context = {"values": dict(BLANK), "errors": {}, **context}
    return page(
        request,
        "payroll/components.html",
        components=actions.list_components(db),
        can_edit=ctx.has_role(*EDITORS),
        kinds=KIND_LABELS,
        methods=METHOD_LABELS,
        formula_inputs=FORMULA_INPUTS,
        done=request.query_params.get("done", ""),
        **context,
    )


def _definition_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _list(request, ctx, db, values=refused.values(FIELDS), errors=refused.errors)


def _run_of(db: TenantSession, ctx: RequestContext, raw: str) -> PayrollRun | None:
    """The payroll run the import was reached from (``?run=``), or None."""
    number = whole_number(raw)
    if number is None:
        return None
    run = runs.get_run(db, number)
    if run is None:
        raise NotFoundException()
    return run


def _import_page(request: Request, run: PayrollRun | None, **context: Any) -> Response:
    limit_mb = request.app.state.settings.import_max_bytes // (1024 * 1024)
    context = {"imported": None, "errors": [], **context}
    return page(request, "payroll/component_import.html", limit_mb=limit_mb, run=run, **context)


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems by row, or the one problem with the upload itself."""
    if isinstance(refused.error, ImportRefused):
        errors = [e.__dict__ for e in refused.error.errors]
    else:
        errors = [{"row": "", "column": "", "message": message} for message in refused.errors.values()]
    return _import_page(request, _run_of(db, ctx, refused.text("run")), errors=errors)


class PayComponentsController(Controller):
    path = "/pay-components"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _list(request, ctx, db)

    @post("/", opt=allow(*EDITORS) | shown_again_by(_definition_refused), sync_to_thread=True)
    def define(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        definition = parse_definition({f: field_text(data, f) for f in FIELDS}, directory.load_assignments(db).bureaus)
        actions.define_component(db, definition, actor=ctx.actor)
        return see_other(ctx.tenant_path("/pay-components?done=defined"))

    @post("/{component_id:int}/active", opt=allow(*EDITORS), sync_to_thread=True)
    def set_active(self, ctx: RequestCtx, db: TenantDb, component_id: FromPath[int], data: FormData) -> Response:
        component = actions.find_component(db, component_id)
        if component is None:
            raise NotFoundException()
        actions.set_active(db, component, field_text(data, "active") == "1", actor=ctx.actor)
        return see_other(ctx.tenant_path("/pay-components?done=saved"))

    @get("/import", opt=allow(*EDITORS), sync_to_thread=True)
    def import_form(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _import_page(request, _run_of(db, ctx, request.query_params.get("run", "")))

    @get("/import/template", opt=allow(*EDITORS), sync_to_thread=True)
    def template(self, ctx: RequestCtx) -> Response:
        return xlsx_download(actions.template_workbook(ctx.translate), "pay-component-amounts.xlsx")

    @post("/import", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, request: Request, ctx: RequestCtx, db: TenantDb, data: MultipartData) -> Response:
        run = _run_of(db, ctx, field_text(data, "run"))
        upload = data.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise DomainError(N_("Choose an .xlsx file to upload."), field="file")
        count = actions.import_amounts(
            db,
            keys_for(request.app.state.settings),
            upload.file.read(),
            ctx.translate,
            actor=ctx.actor,
            only_month=run.month if run is not None else None,
        )
        return _import_page(request, run, imported=count)
