"""A worker's tax page for one tax year: the 专项附加扣除 declarations and the
首次取得工资 / 6 万元 flags, each with its own form.  Reached from the worker
page (``payroll/_worker_tax_link.html``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import StaffRole
from service.errors import N_
from service.payroll.tax import actions, queries
from service.payroll.tax.declaration_form import (
    CERTIFICATE_ROWS,
    CHILD_ROWS,
    ELDERLY_KINDS,
    HOUSING_KINDS,
    ITEM_LABELS,
    RENT_TIER_LABELS,
    SHARE_LABELS,
    form_fields,
    form_values,
    parse_declaration_form,
    year_schedule,
)
from service.payroll.tax.income_tax import ANNUAL_BASIC_DEDUCTION
from service.payroll.tax.special_deductions import FIRST_SUPPORTED_YEAR
from service.payroll.tax.year_flags import LAST_YEAR, parse_flags
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, whole_number
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.models import Worker
from service.workforce.roster.queries import get_worker
from tenants.isolation import TenantSession

EDITORS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK)
FLAG_FIELDS = ("first_job", "small_earner", "wages_last_year", "declared_every_month_last_year")
DONE = {
    "declarations": N_("The special additional deductions have been saved. Payroll runs of the year use them."),
    "flags": N_("The withholding adjustments have been saved."),
}


def _year(text: str) -> int:
    number = whole_number(text, below=LAST_YEAR + 1)
    if number is None or number < FIRST_SUPPORTED_YEAR:
        return max(clock.today().year, FIRST_SUPPORTED_YEAR)
    return number


def _check_year(year: int) -> None:
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_YEAR:
        raise NotFoundException()


def _flag_values(row: Any) -> dict[str, str]:
    if row is None:
        return dict.fromkeys(FLAG_FIELDS, "")
    return {
        "first_job": "on" if row.first_job else "",
        "small_earner": "on" if row.small_earner else "",
        "wages_last_year": "" if row.wages_last_year is None else str(row.wages_last_year),
        "declared_every_month_last_year": "on" if row.declared_every_month_last_year else "",
    }


def _worker(db: TenantSession, ctx: RequestContext, worker_id: int) -> Worker:
    worker = get_worker(db, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def _page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    worker_id: int,
    year: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    flag_values: dict[str, str] | None = None,
    flag_errors: dict[str, str] | None = None,
) -> Response:
    worker = _worker(db, ctx, worker_id)
    declarations = queries.declaration_of(db, worker_id, year)
    flags = queries.flags_of(db, worker_id, year)
    last_year = queries.published_year(db, worker_id, year - 1)
    this_year = queries.published_year(db, worker_id, year)
    schedule = year_schedule(declarations) if declarations is not None else None
    return page(
        request,
        "payroll/tax_year.html",
        worker=worker,
        year=year,
        years=list(range(FIRST_SUPPORTED_YEAR, max(clock.today().year, FIRST_SUPPORTED_YEAR) + 2)),
        saved=declarations is not None,
        values=values or form_values(declarations),
        errors=errors or {},
        flag_values=flag_values or _flag_values(flags),
        flag_errors=flag_errors or {},
        flags=flags,
        schedule=schedule,
        last_year=last_year,
        this_year=this_year,
        can_edit=ctx.has_role(*EDITORS),
        child_rows=range(1, CHILD_ROWS + 1),
        certificate_rows=range(1, CERTIFICATE_ROWS + 1),
        elderly_kinds=ELDERLY_KINDS,
        housing_kinds=HOUSING_KINDS,
        rent_tiers=RENT_TIER_LABELS,
        shares=SHARE_LABELS,
        item_labels=ITEM_LABELS,
        small_earner_limit=ANNUAL_BASIC_DEDUCTION,
        notice=DONE.get(request.query_params.get("done", ""), ""),
    )


def _declarations_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    params = request.path_params
    return _page(
        request, ctx, db, params["worker_id"], params["year"], values=refused.values(form_fields()), errors=refused.errors
    )


def _flags_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    params = request.path_params
    return _page(
        request,
        ctx,
        db,
        params["worker_id"],
        params["year"],
        flag_values=refused.values(FLAG_FIELDS),
        flag_errors=refused.errors,
    )


class TaxDeclarationsController(Controller):
    path = "/workers/{worker_id:int}/tax"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def show(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        return _page(request, ctx, db, worker_id, _year(request.query_params.get("year", "")))

    @post("/{year:int}/declarations", opt=allow(*EDITORS) | shown_again_by(_declarations_refused), sync_to_thread=True)
    def save_declarations(
        self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], year: FromPath[int], data: FormData
    ) -> Response:
        _check_year(year)
        declarations = parse_declaration_form({f: field_text(data, f) for f in form_fields()}, year)
        actions.save_declaration(db, _worker(db, ctx, worker_id), declarations, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/workers/{worker_id}/tax?year={year}&done=declarations"))

    @post("/{year:int}/flags", opt=allow(*EDITORS) | shown_again_by(_flags_refused), sync_to_thread=True)
    def save_flags(
        self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], year: FromPath[int], data: FormData
    ) -> Response:
        _check_year(year)
        worker = _worker(db, ctx, worker_id)
        flags = parse_flags({f: field_text(data, f) for f in FLAG_FIELDS}, year, worker.hire_date)
        actions.save_flags(db, worker, flags, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/workers/{worker_id}/tax?year={year}&done=flags"))
