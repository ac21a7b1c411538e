"""Renewing a contract and converting a fixed-term one to open-ended: the next contract, filled
from the current one."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service import clock
from service.bureaus.directory import bureau_names, load_assignments
from service.database.ids import id_of
from service.dates import ONE_DAY
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData
from service.web.pages import page, see_other
from service.web.refusals import FormRenderer, RefusedForm, shown_again_by
from service.workforce.access import EDITORS
from service.workforce.contracts import actions as contracts
from service.workforce.contracts.input import parse_contract
from service.workforce.contracts.routes import form_values, load_contract, text_values
from service.workforce.models import LABELS, Contract, ContractType, Worker
from tenants.isolation import TenantSession

RENEW, CONVERT = "renew", "convert"
FIELDS = ("start", "end", "wage", "post", "work_place", "client_bureau", "signed_on")


def _refuse_next(contract: Contract, mode: str) -> None:
    if mode == CONVERT:
        contracts.refuse_conversion(contract)
    else:
        contracts.refuse_renewal(contract)


def _next_page(
    request: Request,
    db: TenantSession,
    contract: Contract,
    worker: Worker,
    mode: str,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    return page(
        request,
        "workforce/contract_next.html",
        contract=contract,
        worker=worker,
        mode=mode,
        values=values,
        errors=errors,
        labels=LABELS,
        bureau_names=bureau_names(db),
    )


def _next_form(request: Request, ctx: RequestContext, db: TenantSession, contract_id: int, mode: str) -> Response:
    contract, worker = load_contract(db, ctx, contract_id)
    _refuse_next(contract, mode)  # the error page explains why (400)
    start = contract.end_date + ONE_DAY if contract.end_date else None
    values = {
        "start": start.isoformat() if start else "",
        "end": "",
        "wage": str(contract.wage),
        "post": contract.post,
        "work_place": contract.work_place,
        "client_bureau": contract.client_bureau,
        "signed_on": "",
    }
    return _next_page(request, db, contract, worker, mode, values, {})


def _next_refused(mode: str) -> FormRenderer:
    def render(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
        contract, worker = load_contract(db, ctx, request.path_params["contract_id"])
        return _next_page(request, db, contract, worker, mode, refused.values(FIELDS), refused.errors)

    return render


def _next_submit(ctx: RequestContext, db: TenantSession, contract_id: int, data: dict, mode: str) -> Response:
    today = clock.today()
    values = form_values(data, FIELDS)
    contract, worker = load_contract(db, ctx, contract_id)
    _refuse_next(contract, mode)
    raw = text_values(contract) | values | {"probation_end": "", "probation_wage": ""}
    if mode == CONVERT:
        raw |= {"contract_type": ContractType.OPEN_ENDED.value, "end": ""}
        # The fixed-term contract may be shortened to make room: checked by the action.
        others = contracts.other_terms(db, id_of(worker), but=[contract.id])
    else:
        others = contracts.other_terms(db, id_of(worker))
    if not values["start"] and contract.end_date is not None:
        raw["start"] = (contract.end_date + ONE_DAY).isoformat()
    parsed = parse_contract(raw, today=today, bureaus=load_assignments(db).bureaus, others=others)
    if mode == CONVERT:
        created = contracts.convert_to_open_ended(db, worker, contract, parsed, today, actor=ctx.actor)
    else:
        created = contracts.renew(db, worker, contract, parsed, today, actor=ctx.actor)
    return see_other(ctx.tenant_path(f"/contracts/{created.id}?notice=created"))


class ContractRenewalController(Controller):
    path = "/contracts"

    @get("/{contract_id:int}/renew", opt=allow(*EDITORS), sync_to_thread=True)
    def renew_form(self, request: Request, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int]) -> Response:
        return _next_form(request, ctx, db, contract_id, RENEW)

    @post("/{contract_id:int}/renew", opt=allow(*EDITORS) | shown_again_by(_next_refused(RENEW)), sync_to_thread=True)
    def renew(self, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int], data: FormData) -> Response:
        return _next_submit(ctx, db, contract_id, data, RENEW)

    @get("/{contract_id:int}/convert", opt=allow(*EDITORS), sync_to_thread=True)
    def convert_form(self, request: Request, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int]) -> Response:
        return _next_form(request, ctx, db, contract_id, CONVERT)

    @post("/{contract_id:int}/convert", opt=allow(*EDITORS) | shown_again_by(_next_refused(CONVERT)), sync_to_thread=True)
    def convert(self, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int], data: FormData) -> Response:
        return _next_submit(ctx, db, contract_id, data, CONVERT)
