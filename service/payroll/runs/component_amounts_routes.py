"""The Excel import of pay component amounts per worker and month, from the
pay components page or from a payroll run (``?run=``: only that run's month)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException

from service.keys import keys_for
from service.payroll.components.routes import EDITORS
from service.payroll.runs import actions as runs
from service.payroll.runs import component_amounts
from service.payroll.runs.models import PayrollRun
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import MultipartData, field_text, required_file, whole_number
from service.web.pages import page, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.imports.refusals import ImportRefused
from tenants.isolation import TenantSession


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


class ComponentAmountsController(Controller):
    path = "/pay-components/import"

    @get("/", opt=allow(*EDITORS), sync_to_thread=True)
    def import_form(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _import_page(request, _run_of(db, ctx, request.query_params.get("run", "")))

    @get("/template", opt=allow(*EDITORS), sync_to_thread=True)
    def template(self, ctx: RequestCtx) -> Response:
        return xlsx_download(component_amounts.template_workbook(ctx.translate), "pay-component-amounts.xlsx")

    @post("/", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, request: Request, ctx: RequestCtx, db: TenantDb, data: MultipartData) -> Response:
        run = _run_of(db, ctx, field_text(data, "run"))
        upload = required_file(data)
        count = component_amounts.import_amounts(
            db,
            keys_for(request.app.state.settings),
            upload.file.read(),
            ctx.translate,
            actor=ctx.actor,
            only_month=run.month if run is not None else None,
        )
        return _import_page(request, run, imported=count)
