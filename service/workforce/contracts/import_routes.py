"""Importing labour contracts from an Excel sheet: every row checked first, all imported or none."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from service import clock
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.keys import keys_for
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import MultipartData
from service.web.pages import page, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.access import EDITORS
from service.workforce.contracts import actions as contracts
from service.workforce.contracts.excel import parse_workbook, plan_import, template_workbook
from service.workforce.roster.excel import ImportRefused, RowError
from tenants.isolation import TenantSession


def _import_page(request: Request, **context: Any) -> Response:
    limit_mb = request.app.state.settings.import_max_bytes // (1024 * 1024)
    return page(request, "workforce/contract_import.html", limit_mb=limit_mb, **context)


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems row by row; a refusal before any row was read (no file) is one line."""
    if isinstance(refused.error, ImportRefused):
        errors = refused.error.errors
    else:
        errors = [RowError(0, "", message) for message in refused.errors.values()]
    return _import_page(request, outcome=None, errors=errors)


class ContractImportController(Controller):
    path = "/contracts/import"

    @get("/", opt=allow(*EDITORS), sync_to_thread=False)
    def import_form(self, request: Request) -> Response:
        return _import_page(request, errors=[], outcome=None)

    @get("/template", opt=allow(*EDITORS), sync_to_thread=False)
    def import_template(self, ctx: RequestCtx) -> Response:
        return xlsx_download(template_workbook(ctx.translate), "contracts-template.xlsx")

    @post("/", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, request: Request, ctx: RequestCtx, db: TenantDb, data: MultipartData) -> Response:
        t = ctx.translate
        upload = data.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise DomainError(N_("Choose an .xlsx file to upload."), field="file")
        today = clock.today()
        rows, unreadable = parse_workbook(upload.file.read(), t, today)
        keys = keys_for(request.app.state.settings)
        workers = contracts.workers_by_id_number(db, keys, [r.id_number for r in rows])
        stored = contracts.contracts_of_workers(db, [id_of(w) for w in workers.values()])
        plan = plan_import(rows, workers, stored, t, unreadable)
        outcome = contracts.import_contracts(db, plan, today, actor=ctx.actor)
        return _import_page(request, outcome=outcome, errors=[])
