"""The leaver's settlement page of a terminated contract: /contracts/<id>/settlement.

HR sees the pay actually published for the months before the last day,
chooses the severance and the annual-leave figures, previews the settlement
(each figure with its article) and records it; the payroll run of the month
of the last day pays it on the final payslip.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service.accounts.models import StaffRole
from service.database.ids import id_of
from service.errors import N_, InputErrors
from service.payroll.leavers import actions, queries
from service.payroll.leavers.input import FIELDS, YES, parse_terms
from service.payroll.leavers.models import LeaverSettlement
from service.payroll.leavers.settlement import MONTHS_A_YEAR, history_window
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.errors import error_page
from service.web.forms import FormData, translated_errors
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.contracts.routes import form_values, load_contract
from service.workforce.contracts.severance import REASON_LABELS, SEVERANCE_KIND_LABELS
from service.workforce.models import Contract, Worker
from tenants.isolation import TenantSession

# HR records a leaver; payroll, who pays the final payslip, may too.
RECORDERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.PAYROLL_CLERK)
PREVIEW = "preview"  # the button that shows the figures without recording them
NOTICES = {"recorded": N_("The settlement is recorded: the payroll of its month pays it on the final payslip.")}


def _stored_values(row: LeaverSettlement) -> dict[str, str]:
    return {
        "last_day": row.last_day.isoformat(),
        "kind": row.kind or "",
        "kind_reason": row.kind_reason,
        "pre_2008_compensable": YES if row.pre_2008_compensable else "",
        "pre_2008_explanation": row.pre_2008_explanation,
        "entitlement_days": str(row.entitlement_days),
        "entitlement_reason": row.entitlement_reason,
        "days_taken": str(row.days_taken),
    }


def _settlement_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    contract: Contract,
    worker: Worker,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    preview: bool,
) -> Response:
    last_day, reason = queries.termination_of(contract)  # not terminated: the error page explains (400)
    errors = dict(errors)
    settlement = None
    if preview and not errors:
        try:
            terms = parse_terms(values)
        except InputErrors as refused:
            errors |= translated_errors(refused.errors, ctx.translate)
        else:
            shown = queries.preview(db, worker, contract, terms)
            settlement = shown.settlement
            if shown.refused is not None:
                errors.setdefault(shown.refused.field or "", ctx.translate.error(shown.refused))
    since, until = history_window(last_day)
    return page(
        request,
        "payroll/leaver_settlement.html",
        status=400 if errors else 200,
        contract=contract,
        worker=worker,
        reason=reason,
        reason_label=REASON_LABELS[reason],
        stored=queries.settlement_of(db, id_of(contract)),
        history=queries.pay_history(db, id_of(worker), last_day),
        window=(since, until),
        city=queries.city_wages(db, worker.city, last_day),
        leave=queries.leave_figures(db, worker, last_day),
        kind_labels=SEVERANCE_KIND_LABELS,
        months_a_year=MONTHS_A_YEAR,
        values=values,
        errors=errors,
        settlement=settlement,
        notice=NOTICES.get(request.query_params.get("notice", "")),
    )


def _refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    contract, worker = load_contract(db, ctx, request.path_params["contract_id"])
    if contract.terminated_on is None:  # refused before any form: nothing to show again
        return error_page(request, 400, refused.message or None)
    return _settlement_page(request, ctx, db, contract, worker, refused.values(FIELDS), refused.errors, preview=False)


class LeaverSettlementController(Controller):
    path = "/contracts"

    @get("/{contract_id:int}/settlement", opt=allow(*RECORDERS), sync_to_thread=True)
    def settlement_form(self, request: Request, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int]) -> Response:
        contract, worker = load_contract(db, ctx, contract_id)
        stored = queries.settlement_of(db, contract_id)
        if stored is not None:
            return _settlement_page(request, ctx, db, contract, worker, _stored_values(stored), {}, preview=True)
        last_day, _ = queries.termination_of(contract)
        leave = queries.leave_figures(db, worker, last_day)
        values = {
            "last_day": last_day.isoformat(),
            "entitlement_days": str(leave.statutory_days),
            "days_taken": str(leave.days_taken),
        }
        return _settlement_page(request, ctx, db, contract, worker, values, {}, preview=False)

    @post("/{contract_id:int}/settlement", opt=allow(*RECORDERS) | shown_again_by(_refused), sync_to_thread=True)
    def record(self, request: Request, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int], data: FormData) -> Response:
        contract, worker = load_contract(db, ctx, contract_id)
        values = form_values(data, FIELDS)
        if form_values(data, ("intent",))["intent"] == PREVIEW:
            return _settlement_page(request, ctx, db, contract, worker, values, {}, preview=True)
        actions.record_settlement(db, worker, contract, parse_terms(values), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}/settlement?notice=recorded"))
