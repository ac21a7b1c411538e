"""Labour contract pages: a worker's new contract, one contract's page with its small forms
(sign, renewal decision, the scan) and the draft's edit form.  Renewal and conversion, termination
and the Excel import have modules of their own (``*_routes``)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF
from service.bureaus.directory import bureau_names, load_assignments
from service.database.ids import id_of
from service.dates import ONE_DAY
from service.errors import N_
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, MultipartData, field_text, required_file
from service.web.pages import page, see_other
from service.web.refusals import FormRenderer, RefusedForm, shown_again_by
from service.workforce.access import EDITORS, SEES_FULL_ID
from service.workforce.contracts import actions as contracts
from service.workforce.contracts import queries
from service.workforce.contracts.input import (
    FIELDS,
    parse_contract,
    parse_renewal_decision,
    parse_signing,
)
from service.workforce.contracts.severance import REASON_LABELS, TerminationReason
from service.workforce.contracts.state import STATE_BADGES, STATE_LABELS, contract_state
from service.workforce.models import LABELS, Contract, ContractType, RenewalDecision, Worker
from service.workforce.roster import queries as roster
from tenants.isolation import TenantSession

# --- shared by the contract modules ---------------------------------------


def load_worker(db: TenantSession, worker_id: int) -> Worker:
    worker = roster.get_worker(db, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def load_contract(db: TenantSession, ctx: RequestContext, contract_id: int) -> tuple[Contract, Worker]:
    contract = contracts.get_contract(db, contract_id)
    if contract is None:
        raise NotFoundException()
    return contract, load_worker(db, contract.worker_id)


def form_values(data: dict[str, Any], fields: tuple[str, ...] = FIELDS) -> dict[str, str]:
    return {f: field_text(data, f) for f in fields}


def text_values(contract: Contract) -> dict[str, str]:
    """A stored contract as the form's text fields."""

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        return getattr(value, "value", str(value))

    return {
        "contract_type": text(contract.contract_type),
        "start": text(contract.start_date),
        "end": text(contract.end_date),
        "probation_end": text(contract.probation_end),
        "probation_wage": text(contract.probation_wage),
        "wage": text(contract.wage),
        "post": contract.post,
        "work_place": contract.work_place,
        "client_bureau": contract.client_bureau,
        "signed_on": text(contract.signed_on),
    }


# --- the contract form (new, draft edit) -----------------------------------


def _form(
    request: Request,
    db: TenantSession,
    *,
    worker: Worker,
    contract: Contract | None,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    return page(
        request,
        "workforce/contract_form.html",
        worker=worker,
        contract=contract,
        values=values,
        errors=errors,
        types=list(ContractType),
        labels=LABELS,
        bureau_names=bureau_names(db),
    )


def _create_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    worker = load_worker(db, request.path_params["worker_id"])
    return _form(request, db, worker=worker, contract=None, values=refused.values(FIELDS), errors=refused.errors)


def _update_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    contract, worker = load_contract(db, ctx, request.path_params["contract_id"])
    return _form(request, db, worker=worker, contract=contract, values=refused.values(FIELDS), errors=refused.errors)


class WorkerContractsController(Controller):
    path = "/workers/{worker_id:int}/contracts"

    @get("/new", opt=allow(*EDITORS), sync_to_thread=True)
    def new(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        worker = load_worker(db, worker_id)
        ends = [c.terminated_on or c.end_date for c in contracts.contracts_of_worker(db, worker_id)]
        start = max((e + ONE_DAY for e in ends if e is not None), default=worker.hire_date)
        values = {
            "contract_type": ContractType.FIXED_TERM.value,
            "start": start.isoformat(),
            "post": worker.post_line,
            "client_bureau": worker.client_bureau,
        }
        return _form(request, db, worker=worker, contract=None, values=values, errors={})

    @post("/", opt=allow(*EDITORS) | shown_again_by(_create_refused), sync_to_thread=True)
    def create(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        today = clock.today()
        worker = load_worker(db, worker_id)
        parsed = parse_contract(
            form_values(data), today=today, bureaus=load_assignments(db).bureaus, others=contracts.other_terms(db, worker_id)
        )
        contract = contracts.create_contract(db, worker, parsed, today, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/contracts/{contract.id}?notice=created"))


# --- one contract's page ---------------------------------------------------


def _findings(ctx: RequestContext, check: queries.ContractCheck) -> list[str]:
    """The terms the law forbids, translated."""
    t = ctx.translate
    if check.impossible is not None:
        return [t.error(check.impossible)]
    return [t(f.message, **f.params) + f" ({f.article})" for f in check.findings]


def _detail(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    contract_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    today = clock.today()
    contract, worker = load_contract(db, ctx, contract_id)
    previous_id = contract.previous_contract_id
    check = queries.contract_check(db, worker, contract)
    state = contract_state(contract, today)
    return page(
        request,
        "workforce/contract_detail.html",
        contract=contract,
        worker=worker,
        state=state,
        state_label=STATE_LABELS[state],
        badge=STATE_BADGES[state],
        labels=LABELS,
        previous=contracts.get_contract(db, previous_id) if previous_id else None,
        following=contracts.next_contract(db, contract),
        warnings=_findings(ctx, check),
        minimum_wage_known=check.minimum_wage_known,
        scan=contracts.file_info(db, id_of(contract)),
        reason=TerminationReason(contract.termination_reason) if contract.termination_reason else None,
        reason_labels=REASON_LABELS,
        decisions=list(RenewalDecision),
        can_edit=ctx.has_role(*EDITORS),
        errors=errors or {},
        values=values or {},
        today=today.isoformat(),
        max_mb=contracts.MAX_FILE_BYTES // (1024 * 1024),
    )


def _detail_refused(fields: tuple[str, ...]) -> FormRenderer:
    """A small form on the contract page: the page again, with what was typed in ``fields`` and the errors."""

    def render(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
        contract_id = request.path_params["contract_id"]
        return _detail(request, ctx, db, contract_id, errors=refused.errors, values=refused.values(fields))

    return render


class ContractController(Controller):
    path = "/contracts"

    @get("/{contract_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int]) -> Response:
        return _detail(request, ctx, db, contract_id)

    @get("/{contract_id:int}/edit", opt=allow(*EDITORS), sync_to_thread=True)
    def edit(self, request: Request, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int]) -> Response:
        contract, worker = load_contract(db, ctx, contract_id)
        return _form(request, db, worker=worker, contract=contract, values=text_values(contract), errors={})

    @post("/{contract_id:int}", opt=allow(*EDITORS) | shown_again_by(_update_refused), sync_to_thread=True)
    def update(self, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int], data: FormData) -> Response:
        today = clock.today()
        contract, worker = load_contract(db, ctx, contract_id)
        others = contracts.other_terms(db, id_of(worker), but=[contract.id])
        parsed = parse_contract(form_values(data), today=today, bureaus=load_assignments(db).bureaus, others=others)
        contracts.update_draft(db, contract, parsed, today, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice=saved"))

    @post("/{contract_id:int}/sign", opt=allow(*EDITORS) | shown_again_by(_detail_refused(("signed_on",))), sync_to_thread=True)
    def sign(self, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int], data: FormData) -> Response:
        today = clock.today()
        contract, _ = load_contract(db, ctx, contract_id)
        signed_on = parse_signing(form_values(data, ("signed_on",)), today=today)
        contracts.sign(db, contract, signed_on, today, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice=signed"))

    @post(
        "/{contract_id:int}/renewal-decision",
        opt=allow(*EDITORS) | shown_again_by(_detail_refused(("renewal_decision",))),
        sync_to_thread=True,
    )
    def renewal_decision(self, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int], data: FormData) -> Response:
        contract, _ = load_contract(db, ctx, contract_id)
        decision = parse_renewal_decision(form_values(data, ("renewal_decision",)))
        contracts.set_renewal_decision(db, contract, decision, clock.today(), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice=saved"))

    # --- the scanned contract ---

    @post("/{contract_id:int}/file", opt=allow(*EDITORS) | shown_again_by(_detail_refused(())), sync_to_thread=True)
    def upload(self, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int], data: MultipartData) -> Response:
        contract, _ = load_contract(db, ctx, contract_id)
        upload = required_file(data, missing=N_("Choose the scanned contract to upload."))
        content = upload.file.read(contracts.MAX_FILE_BYTES + 1)
        contracts.attach_file(db, contract, upload.filename, content, clock.today(), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice=file"))

    # The scan shows the full ID number and the wage: only those who see them anyway.
    @get("/{contract_id:int}/file", opt=allow(*SEES_FULL_ID), sync_to_thread=True)
    def download(self, ctx: RequestCtx, db: TenantDb, contract_id: FromPath[int]) -> Response:
        load_contract(db, ctx, contract_id)
        stored = contracts.get_file(db, contract_id)
        if stored is None:
            raise NotFoundException()
        ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in stored.filename)
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(stored.filename, safe='')}"
        return Response(
            content=bytes(stored.content),
            media_type=stored.media_type,
            headers={"content-disposition": disposition, "cache-control": "private, no-store"},
        )
