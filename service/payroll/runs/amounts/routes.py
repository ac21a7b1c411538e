"""The Excel import of pay component amounts per worker and month, from the
pay components page or from a payroll run (``?run=``: only that run's month),
and the import's page while its job runs and once it is over."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.payroll.components.routes import EDITORS
from service.payroll.runs import actions as runs
from service.payroll.runs.amounts import excel
from service.payroll.runs.amounts import jobs as import_jobs
from service.payroll.runs.models import PayrollRun
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import MultipartData, field_text, required_file, upload_limit_mb, whole_number
from service.web.pages import page, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.imports.refusals import refused_rows
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
    limit_mb = upload_limit_mb(request)
    context = {"current": None, "outcome": None, "errors": [], **context}
    return page(request, "payroll/component_import.html", limit_mb=limit_mb, run=run, **context)


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems by row, or the one problem with the upload itself."""
    errors = refused_rows(refused.error, refused.errors)
    return _import_page(request, _run_of(db, ctx, refused.text("run")), errors=errors)


class ComponentAmountsController(Controller):
    path = "/pay-components/import"

    @get("/", opt=allow(*EDITORS), sync_to_thread=True)
    def import_form(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _import_page(request, _run_of(db, ctx, request.query_params.get("run", "")))

    @get("/template", opt=allow(*EDITORS), sync_to_thread=True)
    def template(self, ctx: RequestCtx) -> Response:
        return xlsx_download(excel.template_workbook(ctx.translate), "pay-component-amounts.xlsx")

    @post("/", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, ctx: RequestCtx, db: TenantDb, data: MultipartData) -> Response:
        run = _run_of(db, ctx, field_text(data, "run"))
        upload = required_file(data)
        # The import is a job (amounts/jobs.py) on transactions of its own, so a large sheet never holds
        # the request; a small sheet is over within the wait: refused, its rows show here as they always did.
        month = run.month.isoformat() if run is not None else None
        import_id = import_jobs.SHEET.submit(
            ctx.tenant_id, ctx.actor, ctx.translate.locale, upload.filename, upload.file.read(), month=month
        )
        # The run rides along in the address: the page's links and its next upload are for that run.
        query = f"?run={run.id}" if run is not None else ""
        return see_other(ctx.tenant_path(f"/pay-components/import/{import_id}{query}"))

    @get("/{import_id:int}", opt=allow(*EDITORS), sync_to_thread=True)
    def import_status(self, request: Request, ctx: RequestCtx, db: TenantDb, import_id: FromPath[int]) -> Response:
        """Queued, running (the page refreshes itself), done with its count, refused with its rows, or failed."""
        current, errors = import_jobs.SHEET.read(db, import_id)
        run = _run_of(db, ctx, request.query_params.get("run", ""))
        return _import_page(request, run, current=current, outcome=current.counts, errors=errors)
