"""Terminating a signed contract: the form shows the economic compensation for the day chosen."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service import clock
from service.dates import parse_date
from service.errors import DomainError
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.errors import error_page
from service.web.forms import FormData
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.access import EDITORS
from service.workforce.contracts import actions as contracts
from service.workforce.contracts import queries
from service.workforce.contracts.input import parse_termination
from service.workforce.contracts.routes import form_values, load_contract
from service.workforce.contracts.severance import REASON_LABELS, TerminationReason
from service.workforce.models import LABELS, Contract, ContractStatus, Worker
from tenants.isolation import TenantSession

LCL_SERVICE_FROM = date(2008, 1, 1)  # 劳动合同法 Art. 97 ¶3
FIELDS = ("reason", "terminated_on")


def _termination_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    contract: Contract,
    worker: Worker,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    errors = dict(errors)
    figure = None
    try:
        on = parse_date(values.get("terminated_on", ""), "terminated_on")
    except DomainError:
        on = None  # the form marks the field; there is no figure to show
    if on is not None:
        preview = queries.severance_preview(db, worker, on)
        figure = preview.figure
        if preview.refused is not None:
            errors.setdefault(preview.refused.field or "terminated_on", ctx.translate.error(preview.refused))
    return page(
        request,
        "workforce/contract_terminate.html",
        contract=contract,
        worker=worker,
        values=values,
        errors=errors,
        figure=figure,
        reasons=[(r, REASON_LABELS[r]) for r in TerminationReason],
        labels=LABELS,
        before_2008=worker.hire_date < LCL_SERVICE_FROM,
    )


def _terminate_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    contract, worker = load_contract(db, ctx, request.path_params["contract_id"])
    if contract.status is not ContractStatus.SIGNED:
        # The contract itself cannot be terminated (contracts.refuse_termination): no form to show again.
        return error_page(request, 400, "；".join(refused.errors.values()) or None)
    return _termination_page(request, ctx, db, contract, worker, refused.values(FIELDS), refused.errors)


class ContractTerminationController(Controller):
    path = "/contracts"

    @get("/{contract_id:int}/terminate", opt=allow(*EDITORS), sync_to_thread=True)
    def terminate_form(self, request: Request, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int]) -> Response:
        contract, worker = load_contract(db, ctx, contract_id)
        contracts.refuse_termination(contract)  # the error page explains why (400)
        chosen = request.query_params.get("terminated_on", "")[:10]
        if not chosen:
            default = clock.today()
            if contract.end_date is not None and default > contract.end_date:
                default = contract.end_date
            chosen = max(default, contract.start_date).isoformat()
        values = {"terminated_on": chosen, "reason": request.query_params.get("reason", "")[:40]}
        return _termination_page(request, ctx, db, contract, worker, values, {})

    @post("/{contract_id:int}/terminate", opt=allow(*EDITORS) | shown_again_by(_terminate_refused), sync_to_thread=True)
    def terminate(self, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int], data: FormData) -> Response:
        contract, worker = load_contract(db, ctx, contract_id)
        termination = parse_termination(form_values(data, FIELDS))
        contracts.terminate(db, worker, contract, termination, clock.today(), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice=terminated"))
