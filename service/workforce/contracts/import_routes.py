"""Importing labour contracts from an Excel sheet: every row checked first, all imported or none."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import MultipartData, required_file, upload_limit_mb
from service.web.pages import page, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.access import EDITORS
from service.workforce.contracts import jobs as import_jobs
from service.workforce.contracts.excel import template_workbook
from service.workforce.imports.refusals import refused_rows
from tenants.isolation import TenantSession


def _import_page(request: Request, **context: Any) -> Response:
    limit_mb = upload_limit_mb(request)
    return page(request, "workforce/contract_import.html", limit_mb=limit_mb, **context)


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems row by row; a refusal before any row was read (no file) is one line."""
    errors = refused_rows(refused.error, refused.errors)
    return _import_page(request, current=None, outcome=None, errors=errors)


class ContractImportController(Controller):
    path = "/contracts/import"

    @get("/", opt=allow(*EDITORS), sync_to_thread=False)
    def import_form(self, request: Request) -> Response:
        return _import_page(request, current=None, errors=[], outcome=None)

    @get("/template", opt=allow(*EDITORS), sync_to_thread=False)
    def import_template(self, ctx: RequestCtx) -> Response:
        return xlsx_download(template_workbook(ctx.translate), "contracts-template.xlsx")

    @post("/", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, ctx: RequestCtx, data: MultipartData) -> Response:
        upload = required_file(data)
        # A job (contracts.jobs) on transactions of its own, like the roster's import: a small sheet's
        # refusal shows here within the wait, anything else on the import's page.
        import_id = import_jobs.SHEET.submit(
            ctx.tenant_id, ctx.actor, ctx.translate.locale, upload.filename, upload.file.read()
        )
        return see_other(ctx.tenant_path(f"/contracts/import/{import_id}"))

    @get("/{import_id:int}", opt=allow(*EDITORS), sync_to_thread=True)
    def import_status(self, request: Request, db: TenantDb, import_id: FromPath[int]) -> Response:
        """Queued, running (the page refreshes itself), done with its counts, refused with its rows, or failed."""
        current, errors = import_jobs.SHEET.read(db, import_id)
        return _import_page(request, current=current, outcome=current.counts, errors=errors)
