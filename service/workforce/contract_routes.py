"""Labour contract pages: create, sign, renew, convert, terminate, the scan, Excel import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF
from service.dates import ONE_DAY
from service.errors import N_, DomainError
from service.keys import keys_for
from service.money import ZERO
from service.web.access import allow
from service.web.context import RequestContext
from service.web.forms import FormData, MultipartData, field_text, translated_errors
from service.web.pages import page, see_other, xlsx_download
from service.workforce import contracts, roster
from service.workforce.access import EDITORS, SEES_FULL_ID
from service.workforce.contract_excel import parse_workbook, plan_import, template_workbook
from service.workforce.contract_input import (
    FIELDS,
    ContractInputErrors,
    parse_contract,
    parse_renewal_decision,
    parse_signing,
    parse_termination,
)
from service.workforce.contract_severance import city_figures
from service.workforce.contract_state import STATE_BADGES, STATE_LABELS, as_terms, contract_state
from service.workforce.contract_terms import check_contract
from service.workforce.models import LABELS, Contract, ContractType, RenewalDecision, Worker
from service.workforce.roster_excel import ImportRefused, RowError
from service.workforce.severance import REASON_LABELS, TerminationReason
from tenants.isolation import tenant_session

LCL_SERVICE_FROM = date(2008, 1, 1)  # 劳动合同法 Art. 97 ¶3


def _ctx(request: Request) -> RequestContext:
    return request.state.ctx


def _load_worker(db, ctx: RequestContext, worker_id: int) -> Worker:
    worker = roster.get_worker(db, ctx.tenant_id, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def _load(db, ctx: RequestContext, contract_id: int) -> tuple[Contract, Worker]:
    contract = contracts.get_contract(db, ctx.tenant_id, contract_id)
    if contract is None:
        raise NotFoundException()
    return contract, _load_worker(db, ctx, contract.worker_id)


def _problems(error: ContractInputErrors | DomainError) -> list[DomainError]:
    return error.errors if isinstance(error, ContractInputErrors) else [error]


def _values(data: dict[str, Any], fields: tuple[str, ...] = FIELDS) -> dict[str, str]:
    return {f: field_text(data, f) for f in fields}


def _others(db, ctx: RequestContext, worker_id: int, but: int | None = None) -> list:
    return contracts.other_terms(db, ctx.tenant_id, worker_id, but=[but])


def _text_values(contract: Contract) -> dict[str, str]:
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


def _form(
    request: Request,
    *,
    worker: Worker,
    contract: Contract | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return page(
        request,
        "workforce/contract_form.html",
        status=status,
        worker=worker,
        contract=contract,
        values=values,
        errors=errors,
        types=list(ContractType),
        labels=LABELS,
    )


def _findings(db, ctx: RequestContext, worker: Worker, contract: Contract) -> tuple[list[str], bool]:
    """The terms the law forbids, translated, and whether the city's minimum wage was known."""
    t = ctx.translate
    figures = city_figures(db, ctx.tenant_id, worker.city, contract.start_date)
    minimum_wage = figures.minimum_wage_monthly if figures else ZERO
    try:
        findings = check_contract(as_terms(contract), _others(db, ctx, worker.id, but=contract.id), minimum_wage)
    except DomainError as impossible:  # a legacy record the form would refuse today
        return [t.error(impossible)], figures is not None
    return [t(f.message, **f.params) + f" ({f.article})" for f in findings], figures is not None


def _detail(
    request: Request,
    contract_id: int,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    ctx = _ctx(request)
    today = clock.today()
    with tenant_session(ctx.tenant_id) as db:
        contract, worker = _load(db, ctx, contract_id)
        previous_id = contract.previous_contract_id
        previous = contracts.get_contract(db, ctx.tenant_id, previous_id) if previous_id else None
        following = contracts.next_contract(db, ctx.tenant_id, contract)
        warnings, minimum_wage_known = _findings(db, ctx, worker, contract)
        scan = contracts.file_info(db, ctx.tenant_id, contract.id)
    state = contract_state(contract, today)
    reason = TerminationReason(contract.termination_reason) if contract.termination_reason else None
    return page(
        request,
        "workforce/contract_detail.html",
        status=status,
        contract=contract,
        worker=worker,
        state=state,
        state_label=STATE_LABELS[state],
        badge=STATE_BADGES[state],
        labels=LABELS,
        previous=previous,
        following=following,
        warnings=warnings,
        minimum_wage_known=minimum_wage_known,
        scan=scan,
        reason=reason,
        reason_labels=REASON_LABELS,
        decisions=list(RenewalDecision),
        can_edit=ctx.has_role(*EDITORS),
        errors=errors or {},
        values=values or {},
        today=today.isoformat(),
        max_mb=contracts.MAX_FILE_BYTES // (1024 * 1024),
    )


def _import_page(request: Request, status: int = 200, **context: Any) -> Response:
    limit_mb = request.app.state.settings.import_max_bytes // (1024 * 1024)
    return page(request, "workforce/contract_import.html", status=status, limit_mb=limit_mb, **context)


def _refuse_next(contract: Contract, mode: str) -> None:
    if mode == "convert":
        contracts.refuse_conversion(contract)
    else:
        contracts.refuse_renewal(contract)


class WorkerContractsController(Controller):
    path = "/workers/{worker_id:int}/contracts"

    @get("/new", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def new(self, request: Request, worker_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            worker = _load_worker(db, ctx, worker_id)
            existing = contracts.contracts_of_worker(db, ctx.tenant_id, worker_id)
        ends = [c.terminated_on or c.end_date for c in existing]
        start = max((e + ONE_DAY for e in ends if e is not None), default=worker.hire_date)
        values = {
            "contract_type": ContractType.FIXED_TERM.value,
            "start": start.isoformat(),
            "post": worker.post_line,
            "client_bureau": worker.client_bureau,
        }
        return _form(request, worker=worker, contract=None, values=values, errors={})

    @post("/", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def create(self, request: Request, worker_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data)
        today = clock.today()
        try:
            with tenant_session(ctx.tenant_id) as db:
                worker = _load_worker(db, ctx, worker_id)
                parsed = parse_contract(values, today=today, others=_others(db, ctx, worker_id))
                contract = contracts.create_contract(db, ctx.tenant_id, ctx.actor, worker, parsed, today)
        except (ContractInputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                worker = _load_worker(db, ctx, worker_id)
            errors = translated_errors(_problems(problems), ctx.translate)
            return _form(request, worker=worker, contract=None, values=values, errors=errors, status=400)
        return see_other(ctx.tenant_path(f"/contracts/{contract.id}?notice=created"))


def _detail_action(
    request: Request,
    contract_id: int,
    data: dict,
    fields: tuple[str, ...],
    *,
    notice: str,
    parse: Callable,
    act: Callable,
) -> Response:
    """A small form on the contract page: parse it, act, or show the page again with the errors."""
    ctx = _ctx(request)
    today = clock.today()
    values = _values(data, fields)
    try:
        parsed = parse(values, today)
        with tenant_session(ctx.tenant_id) as db:
            contract, _ = _load(db, ctx, contract_id)
            act(db, ctx, contract, parsed, today)
    except (ContractInputErrors, DomainError) as problems:
        errors = translated_errors(_problems(problems), ctx.translate)
        return _detail(request, contract_id, status=400, errors=errors, values=values)
    return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice={notice}"))


class ContractController(Controller):
    path = "/contracts"

    # --- Excel import (before the {contract_id:int} routes for readability) ---

    @get("/import", opt=allow(*EDITORS), sync_to_thread=False, include_in_schema=False)
    def import_form(self, request: Request) -> Response:
        return _import_page(request, errors=[], outcome=None)

    @get("/import/template", opt=allow(*EDITORS), sync_to_thread=False, include_in_schema=False)
    def import_template(self, request: Request) -> Response:
        return xlsx_download(template_workbook(_ctx(request).translate), "contracts-template.xlsx")

    @post("/import", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def import_sheet(self, request: Request, data: MultipartData) -> Response:
        ctx, t = _ctx(request), _ctx(request).translate
        upload = data.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return _import_page(
                request, status=400, outcome=None, errors=[RowError(0, "", t(N_("Choose an .xlsx file to upload.")))]
            )
        today = clock.today()
        try:
            rows, unreadable = parse_workbook(upload.file.read(), t, today)
            keys = keys_for(request.app.state.settings)
            with tenant_session(ctx.tenant_id) as db:
                workers = contracts.workers_by_id_number(db, keys, ctx.tenant_id, [r.id_number for r in rows])
                stored = contracts.contracts_of_workers(db, ctx.tenant_id, [w.id for w in workers.values()])
                plan = plan_import(rows, workers, stored, t, unreadable)
                outcome = contracts.import_contracts(db, ctx.tenant_id, ctx.actor, plan, today)
        except ImportRefused as refused:
            return _import_page(request, status=400, outcome=None, errors=refused.errors)
        return _import_page(request, outcome=outcome, errors=[])

    # --- one contract ---

    @get("/{contract_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, contract_id: FromPath[int]) -> Response:
        return _detail(request, contract_id)

    @get("/{contract_id:int}/edit", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def edit(self, request: Request, contract_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            contract, worker = _load(db, ctx, contract_id)
        return _form(request, worker=worker, contract=contract, values=_text_values(contract), errors={})

    @post("/{contract_id:int}", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def update(self, request: Request, contract_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data)
        today = clock.today()
        try:
            with tenant_session(ctx.tenant_id) as db:
                contract, worker = _load(db, ctx, contract_id)
                parsed = parse_contract(values, today=today, others=_others(db, ctx, worker.id, but=contract.id))
                contracts.update_draft(db, ctx.tenant_id, ctx.actor, contract, parsed, today)
        except (ContractInputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                contract, worker = _load(db, ctx, contract_id)
            errors = translated_errors(_problems(problems), ctx.translate)
            return _form(request, worker=worker, contract=contract, values=values, errors=errors, status=400)
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice=saved"))

    @post("/{contract_id:int}/sign", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def sign(self, request: Request, contract_id: FromPath[int], data: FormData) -> Response:
        return _detail_action(
            request,
            contract_id,
            data,
            ("signed_on",),
            notice="signed",
            parse=lambda values, today: parse_signing(values, today=today),
            act=lambda db, ctx, contract, signed_on, today: contracts.sign(
                db, ctx.tenant_id, ctx.actor, contract, signed_on, today
            ),
        )

    @post("/{contract_id:int}/renewal-decision", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def renewal_decision(self, request: Request, contract_id: FromPath[int], data: FormData) -> Response:
        return _detail_action(
            request,
            contract_id,
            data,
            ("renewal_decision",),
            notice="saved",
            parse=lambda values, today: parse_renewal_decision(values),
            act=lambda db, ctx, contract, decision, today: contracts.set_renewal_decision(
                db, ctx.tenant_id, ctx.actor, contract, decision, today
            ),
        )

    # --- renew and convert: the next contract, filled from the current one ---

    def _next_form(self, request: Request, contract_id: int, mode: str) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            contract, worker = _load(db, ctx, contract_id)
        _refuse_next(contract, mode)  # a page of its own explains why (400)
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
        return self._next_page(request, contract, worker, mode, values, {})

    def _next_page(
        self,
        request: Request,
        contract: Contract,
        worker: Worker,
        mode: str,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Response:
        return page(
            request,
            "workforce/contract_next.html",
            status=status,
            contract=contract,
            worker=worker,
            mode=mode,
            values=values,
            errors=errors,
            labels=LABELS,
        )

    def _next_submit(self, request: Request, contract_id: int, data: dict[str, Any], mode: str) -> Response:
        ctx = _ctx(request)
        today = clock.today()
        fields = ("start", "end", "wage", "post", "work_place", "client_bureau", "signed_on")
        values = _values(data, fields)
        try:
            with tenant_session(ctx.tenant_id) as db:
                contract, worker = _load(db, ctx, contract_id)
                _refuse_next(contract, mode)
                raw = _text_values(contract) | values | {"probation_end": "", "probation_wage": ""}
                if mode == "convert":
                    raw |= {"contract_type": ContractType.OPEN_ENDED.value, "end": ""}
                    # The fixed-term contract may be shortened to make room: checked by the action.
                    others = _others(db, ctx, worker.id, but=contract.id)
                else:
                    others = _others(db, ctx, worker.id)
                if not values["start"] and contract.end_date is not None:
                    raw["start"] = (contract.end_date + ONE_DAY).isoformat()
                parsed = parse_contract(raw, today=today, others=others)
                if mode == "convert":
                    created = contracts.convert_to_open_ended(db, ctx.tenant_id, ctx.actor, worker, contract, parsed, today)
                else:
                    created = contracts.renew(db, ctx.tenant_id, ctx.actor, worker, contract, parsed, today)
        except (ContractInputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                contract, worker = _load(db, ctx, contract_id)
            errors = translated_errors(_problems(problems), ctx.translate)
            return self._next_page(request, contract, worker, mode, values, errors, status=400)
        return see_other(ctx.tenant_path(f"/contracts/{created.id}?notice=created"))

    @get("/{contract_id:int}/renew", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def renew_form(self, request: Request, contract_id: FromPath[int]) -> Response:
        return self._next_form(request, contract_id, "renew")

    @post("/{contract_id:int}/renew", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def renew(self, request: Request, contract_id: FromPath[int], data: FormData) -> Response:
        return self._next_submit(request, contract_id, data, "renew")

    @get("/{contract_id:int}/convert", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def convert_form(self, request: Request, contract_id: FromPath[int]) -> Response:
        return self._next_form(request, contract_id, "convert")

    @post("/{contract_id:int}/convert", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def convert(self, request: Request, contract_id: FromPath[int], data: FormData) -> Response:
        return self._next_submit(request, contract_id, data, "convert")

    # --- termination ---

    def _termination_page(
        self, request: Request, contract_id: int, values: dict[str, str], errors: dict[str, str], status: int = 200
    ) -> Response:
        ctx = _ctx(request)
        t = ctx.translate
        errors = dict(errors)
        figure = None
        with tenant_session(ctx.tenant_id) as db:
            contract, worker = _load(db, ctx, contract_id)
            contracts.refuse_termination(contract)  # a page of its own explains why (400)
            try:
                on = date.fromisoformat(values.get("terminated_on", ""))
            except ValueError:
                on = None
            if on is not None:
                try:
                    figure = contracts.severance_on(db, ctx.tenant_id, worker, on)
                except DomainError as error:
                    errors.setdefault(error.field or "terminated_on", t.error(error))
        reasons = [(r, REASON_LABELS[r]) for r in TerminationReason]
        return page(
            request,
            "workforce/contract_terminate.html",
            status=status,
            contract=contract,
            worker=worker,
            values=values,
            errors=errors,
            figure=figure,
            reasons=reasons,
            labels=LABELS,
            before_2008=worker.hire_date < LCL_SERVICE_FROM,
        )

    @get("/{contract_id:int}/terminate", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def terminate_form(self, request: Request, contract_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        chosen = request.query_params.get("terminated_on", "")[:10]
        reason = request.query_params.get("reason", "")[:40]
        if not chosen:
            with tenant_session(ctx.tenant_id) as db:
                contract, _ = _load(db, ctx, contract_id)
            default = clock.today()
            if contract.end_date is not None and default > contract.end_date:
                default = contract.end_date
            chosen = max(default, contract.start_date).isoformat()
        return self._termination_page(request, contract_id, {"terminated_on": chosen, "reason": reason}, {})

    @post("/{contract_id:int}/terminate", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def terminate(self, request: Request, contract_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        today = clock.today()
        values = _values(data, ("reason", "terminated_on"))
        try:
            termination = parse_termination(values)
            with tenant_session(ctx.tenant_id) as db:
                contract, worker = _load(db, ctx, contract_id)
                contracts.terminate(db, ctx.tenant_id, ctx.actor, worker, contract, termination, today)
        except (ContractInputErrors, DomainError) as problems:
            errors = translated_errors(_problems(problems), ctx.translate)
            return self._termination_page(request, contract_id, values, errors, status=400)
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice=terminated"))

    # --- the scanned contract ---

    @post("/{contract_id:int}/file", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def upload(self, request: Request, contract_id: FromPath[int], data: MultipartData) -> Response:
        ctx = _ctx(request)
        today = clock.today()
        upload = data.get("file")
        try:
            with tenant_session(ctx.tenant_id) as db:
                contract, _ = _load(db, ctx, contract_id)
                if upload is None or isinstance(upload, str) or not upload.filename:
                    raise DomainError(N_("Choose the scanned contract to upload."), field="file")
                content = upload.file.read(contracts.MAX_FILE_BYTES + 1)
                contracts.attach_file(db, ctx.tenant_id, ctx.actor, contract, upload.filename, content, today)
        except DomainError as problem:
            return _detail(request, contract_id, status=400, errors=translated_errors([problem], ctx.translate))
        return see_other(ctx.tenant_path(f"/contracts/{contract_id}?notice=file"))

    # The scan shows the full ID number and the wage: only those who see them anyway.
    @get("/{contract_id:int}/file", opt=allow(*SEES_FULL_ID), sync_to_thread=True, include_in_schema=False)
    def download(self, request: Request, contract_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            _load(db, ctx, contract_id)
            stored = contracts.get_file(db, ctx.tenant_id, contract_id)
        if stored is None:
            raise NotFoundException()
        ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in stored.filename)
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(stored.filename, safe='')}"
        return Response(
            content=bytes(stored.content),
            media_type=stored.media_type,
            headers={"content-disposition": disposition, "cache-control": "private, no-store"},
        )
