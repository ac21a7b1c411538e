"""The opening balances page under payroll: the year's balances, their Excel import, and the per-worker form
(reached from the list and from the worker's tax page) a payroll clerk corrects or removes a balance with."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.errors import N_
from service.payroll.opening_balances import actions, queries
from service.payroll.opening_balances import jobs as import_jobs
from service.payroll.opening_balances.excel import template_workbook
from service.payroll.opening_balances.rules import FIELDS, LABELS, as_of_text, parse_balance
from service.payroll.tax.income_tax import OPENING_AMOUNTS
from service.payroll.tax.models import OpeningBalanceRow
from service.payroll.tax.routes import EDITORS, READERS
from service.payroll.tax.special_deductions import FIRST_SUPPORTED_YEAR
from service.payroll.tax.year_flags import LAST_YEAR
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, MultipartData, field_text, required_file, upload_limit_mb, whole_number
from service.web.pages import page, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.imports.refusals import refused_rows
from service.workforce.models import Worker
from service.workforce.roster.queries import get_worker
from tenants.isolation import TenantSession

BASE = "/payroll/opening-balances"
NOTICES = {
    "saved": N_("The opening balance is saved. Payroll runs after its month continue from it."),
    "unchanged": N_("Nothing changed: this is the opening balance already saved."),
    "removed": N_("The opening balance is removed."),
}


def _year(raw: str) -> int:
    """The year asked for, else this year (the balances a tenant starting now enters)."""
    number = whole_number(raw, below=LAST_YEAR + 1)
    if number is None or number < FIRST_SUPPORTED_YEAR:
        return max(clock.today().year, FIRST_SUPPORTED_YEAR)
    return number


def _worker(db: TenantSession, worker_id: int) -> Worker:
    worker = get_worker(db, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def _form_values(row: OpeningBalanceRow | None, year: int) -> dict[str, str]:
    if row is None:
        return {"as_of": f"{year}-", "months_employed": ""} | dict.fromkeys(OPENING_AMOUNTS, "")
    balance = row.balance()
    return {
        "as_of": as_of_text(balance),
        "months_employed": str(balance.months_employed),
        **{name: str(getattr(balance, name)) for name in OPENING_AMOUNTS},
    }


def _form_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    worker_id: int,
    year: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    worker = _worker(db, worker_id)
    row = queries.balance_of(db, worker_id, year)
    first = queries.first_published_months(db, [worker_id], [year]).get((worker_id, year))
    return page(
        request,
        "payroll/opening_balance_form.html",
        status=400 if errors else 200,
        worker=worker,
        year=year,
        row=row,
        first_published=f"{year}-{first:02d}" if first else None,
        fields=FIELDS,
        labels=LABELS,
        values=values or _form_values(row, year),
        errors=errors or {},
        can_edit=ctx.has_role(*EDITORS),
        notice=NOTICES.get(request.query_params.get("notice", ""), ""),
    )


def _form_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The form again with its problems: the year typed (a save), or the year of the balance (a removal)."""
    typed = "as_of" in refused.form
    year = _year(refused.text("as_of")[:4] if typed else str(request.path_params.get("year", "")))
    values = refused.values(FIELDS) if typed else None
    return _form_page(request, ctx, db, request.path_params["worker_id"], year, values=values, errors=refused.errors)


def _import_page(request: Request, **context: Any) -> Response:
    limit_mb = upload_limit_mb(request)
    return page(request, "payroll/opening_balance_import.html", limit_mb=limit_mb, **context)


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems row by row; a refusal before any row was read (no file) is one line."""
    errors = refused_rows(refused.error, refused.errors)
    return _import_page(request, current=None, outcome=None, errors=errors)


class OpeningBalancesController(Controller):
    path = BASE

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        year = _year(request.query_params.get("year", ""))
        return page(
            request,
            "payroll/opening_balances.html",
            year=year,
            years=list(range(FIRST_SUPPORTED_YEAR, max(clock.today().year, FIRST_SUPPORTED_YEAR) + 2)),
            balances=queries.balances_of_year(db, year),
            labels=LABELS,
            amounts=OPENING_AMOUNTS,
            can_edit=ctx.has_role(*EDITORS),
        )

    @get("/workers/{worker_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def form(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        return _form_page(request, ctx, db, worker_id, _year(request.query_params.get("year", "")))

    @post("/workers/{worker_id:int}", opt=allow(*EDITORS) | shown_again_by(_form_refused), sync_to_thread=True)
    def save(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        balance = parse_balance({f: field_text(data, f) for f in FIELDS})
        outcome = actions.save_balance(db, _worker(db, worker_id), balance, actor=ctx.actor)
        notice = "saved" if outcome.saved else "unchanged"
        return see_other(ctx.tenant_path(f"{BASE}/workers/{worker_id}?year={balance.year}&notice={notice}"))

    @post(
        "/workers/{worker_id:int}/{year:int}/remove", opt=allow(*EDITORS) | shown_again_by(_form_refused), sync_to_thread=True
    )
    def remove(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], year: FromPath[int]) -> Response:
        actions.remove_balance(db, _worker(db, worker_id), year, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"{BASE}/workers/{worker_id}?year={year}&notice=removed"))

    @get("/import", opt=allow(*EDITORS), sync_to_thread=False)
    def import_form(self, request: Request) -> Response:
        return _import_page(request, current=None, outcome=None, errors=[])

    @get("/import/template", opt=allow(*EDITORS), sync_to_thread=False)
    def import_template(self) -> Response:
        return xlsx_download(template_workbook(), "opening-balances-template.xlsx")

    @post("/import", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, ctx: RequestCtx, data: MultipartData) -> Response:
        upload = required_file(data)
        import_id = import_jobs.SHEET.submit(
            ctx.tenant_id, ctx.actor, ctx.translate.locale, upload.filename, upload.file.read()
        )
        return see_other(ctx.tenant_path(f"{BASE}/import/{import_id}"))

    @get("/import/{import_id:int}", opt=allow(*EDITORS), sync_to_thread=True)
    def import_status(self, request: Request, db: TenantDb, import_id: FromPath[int]) -> Response:
        """Queued, running (the page refreshes itself), done with its counts, refused with its rows, or failed."""
        current, errors = import_jobs.SHEET.read(db, import_id)
        return _import_page(request, current=current, outcome=current.counts, errors=errors)
