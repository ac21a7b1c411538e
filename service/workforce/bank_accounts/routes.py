"""Bank account pages: the worker's account (HR), its Excel import, the requests HR decides, and the assistant's own page.

The account number shows in full only to ``access.SEES_FULL_ACCOUNT``; every
other reader, the assistant included, sees its mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.accounts.models import ALL_STAFF
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.keys import Keys, keys_for
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, MultipartData, field_text, required_file, upload_limit_mb
from service.web.pages import page, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.access import EDITORS, SEES_FULL_ACCOUNT
from service.workforce.bank_accounts import actions, queries
from service.workforce.bank_accounts import jobs as import_jobs
from service.workforce.bank_accounts.excel import template_workbook
from service.workforce.bank_accounts.models import LABELS, BankAccount, BankAccountRequest
from service.workforce.bank_accounts.rules import (
    FIELDS,
    fails_card_check,
    parse_account_number,
    parse_bank_account,
    refuse_unconfirmed_card_check,
)
from service.workforce.imports.refusals import RowError, refused_rows
from service.workforce.models import Worker, WorkerStatus
from service.workforce.roster.queries import get_worker
from tenants.isolation import TenantSession

ASSISTANT_ROLE = "assistant"  # service.portal.models.AssistantRole.ASSISTANT (the portal sits above the workforce)
CONFIRM = "confirm_card_check"  # the box accepting a number that fails the card check digit
NOTICES = {
    "saved": N_("The bank account is saved and in force."),
    "unchanged": N_("Nothing changed: this account is already in force."),
    "approved": N_("The request is approved: the new account is in force."),
    "rejected": N_("The request is rejected: the account in force stays."),
    "requested": N_("Your request is sent. Until HR approves it, your pay goes to the account in force."),
}


def _keys(request: Request) -> Keys:
    return keys_for(request.app.state.settings)


def _load(db: TenantSession, worker_id: int) -> Worker:
    worker = get_worker(db, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def _card_check_failed(values: dict[str, str]) -> bool:
    """Whether a refused form's number fails the card check: the form then offers the box to confirm it."""
    try:
        return fails_card_check(parse_account_number(values.get("account_number")))
    except DomainError:
        return False


def _own_worker(db: TenantSession, ctx: RequestContext) -> Worker:
    """The worker an assistant-portal session belongs to (its principal is the worker)."""
    return _load(db, ctx.signed_in.id)


@dataclass(frozen=True)
class Shown:
    """An account or request as this reader may see it."""

    row: BankAccount | BankAccountRequest
    number: str


def shown(request: Request, ctx: RequestContext, row: BankAccount | BankAccountRequest | None) -> Shown | None:
    if row is None:
        return None
    return Shown(row, queries.account_number_for(_keys(request), row, full=ctx.has_role(*SEES_FULL_ACCOUNT)))


def worker_page_account(request: Request, ctx: RequestContext, db: TenantSession, worker: Worker) -> dict[str, Any]:
    """What the worker's page shows of the account: the one in force and a request waiting, as the reader may see them."""
    return {
        "in_force": shown(request, ctx, queries.account_in_force(db, id_of(worker))),
        "pending": shown(request, ctx, queries.pending_request_of(db, id_of(worker))),
    }


def _account_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    worker: Worker,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    worker_id = id_of(worker)
    in_force = queries.account_in_force(db, worker_id)
    can_edit = ctx.has_role(*EDITORS)
    if values is None:
        values = {"account_name": worker.name}
        if in_force is not None and can_edit:  # HR edits what is in force; editors see numbers in full
            values = {
                "account_number": queries.reveal_account_number(_keys(request), in_force),
                "bank_name": in_force.bank_name,
                "branch": in_force.branch,
                "account_name": in_force.account_name,
                "name_reason": in_force.name_reason or "",
            }
    return page(
        request,
        "workforce/bank_account.html",
        status=400 if errors else 200,
        worker=worker,
        in_force=shown(request, ctx, in_force),
        history=[shown(request, ctx, row) for row in queries.history_of(db, worker_id)],
        requests=[shown(request, ctx, row) for row in queries.requests_of(db, worker_id)],
        labels=LABELS,
        can_edit=can_edit,
        values=values,
        errors=errors or {},
        confirm=CONFIRM,
        show_confirm=bool(errors) and _card_check_failed(values),
        notices=NOTICES,
    )


def _account_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    worker = _load(db, request.path_params["worker_id"])
    return _account_page(request, ctx, db, worker, refused.values([*FIELDS, CONFIRM]), refused.errors)


class WorkerBankAccountController(Controller):
    """The worker's account on the staff side: /workers/<id>/bank-account."""

    path = "/workers"

    @get("/{worker_id:int}/bank-account", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def account(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        return _account_page(request, ctx, db, _load(db, worker_id))

    @post("/{worker_id:int}/bank-account", opt=allow(*EDITORS) | shown_again_by(_account_refused), sync_to_thread=True)
    def save(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        worker = _load(db, worker_id)
        account = parse_bank_account({f: field_text(data, f) for f in FIELDS}, worker_name=worker.name)
        refuse_unconfirmed_card_check(account, bool(field_text(data, CONFIRM)))
        outcome = actions.set_account(db, _keys(request), worker, account, actor=ctx.actor)
        notice = "unchanged" if outcome.unchanged else "saved"
        return see_other(ctx.tenant_path(f"/workers/{worker_id}/bank-account?notice={notice}"))


# --- the Excel import -----------------------------------------------------------------------


def _import_page(request: Request, **context: Any) -> Response:
    limit_mb = upload_limit_mb(request)
    errors: list[RowError] = context.pop("errors")
    return page(
        request,
        "workforce/bank_account_import.html",
        limit_mb=limit_mb,
        errors=[e for e in errors if not e.warning],
        warnings=[e for e in errors if e.warning],
        confirm=CONFIRM,
        **context,
    )


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems and warnings row by row; a refusal before any row was read (no file) is one line."""
    errors = refused_rows(refused.error, refused.errors)
    return _import_page(request, current=None, outcome=None, errors=errors)


class BankAccountImportController(Controller):
    path = "/bank-accounts/import"

    @get("/", opt=allow(*EDITORS), sync_to_thread=False)
    def import_form(self, request: Request) -> Response:
        return _import_page(request, current=None, errors=[], outcome=None)

    @get("/template", opt=allow(*EDITORS), sync_to_thread=False)
    def import_template(self, ctx: RequestCtx) -> Response:
        return xlsx_download(template_workbook(ctx.translate), "bank-accounts-template.xlsx")

    @post("/", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, ctx: RequestCtx, data: MultipartData) -> Response:
        upload = required_file(data)
        confirmed = bool(field_text(data, CONFIRM))
        import_id = import_jobs.SHEET.submit(
            ctx.tenant_id, ctx.actor, ctx.translate.locale, upload.filename, upload.file.read(), confirmed=confirmed
        )
        return see_other(ctx.tenant_path(f"/bank-accounts/import/{import_id}"))

    @get("/{import_id:int}", opt=allow(*EDITORS), sync_to_thread=True)
    def import_status(self, request: Request, db: TenantDb, import_id: FromPath[int]) -> Response:
        """Queued, running (the page refreshes itself), done with its counts, refused with its rows, or failed."""
        current, errors = import_jobs.SHEET.read(db, import_id)
        return _import_page(request, current=current, outcome=current.counts, errors=errors)


# --- the requests HR decides ----------------------------------------------------------------


def _requests_page(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm | None = None) -> Response:
    pending = queries.pending_requests(db)
    return page(
        request,
        "workforce/bank_account_requests.html",
        status=400 if refused else 200,
        pending=[(p, shown(request, ctx, p.request), shown(request, ctx, p.in_force)) for p in pending],
        refused_id=request.path_params.get("request_id") if refused else None,
        message=refused.message if refused else "",
        notices=NOTICES,
    )


def _decision_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _requests_page(request, ctx, db, refused)


def _load_request(db: TenantSession, request_id: int) -> BankAccountRequest:
    found = queries.get_request(db, request_id, for_update=True)
    if found is None:
        raise NotFoundException()
    return found


class BankAccountRequestsController(Controller):
    """The assistants' account changes waiting for HR: /bank-accounts/requests."""

    path = "/bank-accounts/requests"

    @get("/", opt=allow(*EDITORS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _requests_page(request, ctx, db)

    @post("/{request_id:int}/approve", opt=allow(*EDITORS) | shown_again_by(_decision_refused), sync_to_thread=True)
    def approve(self, request: Request, ctx: RequestCtx, db: TenantDb, request_id: FromPath[int]) -> Response:
        actions.approve_request(db, _keys(request), _load_request(db, request_id), actor=ctx.actor)
        return see_other(ctx.tenant_path("/bank-accounts/requests?notice=approved"))

    @post("/{request_id:int}/reject", opt=allow(*EDITORS) | shown_again_by(_decision_refused), sync_to_thread=True)
    def reject(self, ctx: RequestCtx, db: TenantDb, request_id: FromPath[int], data: FormData) -> Response:
        actions.reject_request(db, _load_request(db, request_id), field_text(data, "rejection_reason"), actor=ctx.actor)
        return see_other(ctx.tenant_path("/bank-accounts/requests?notice=rejected"))


# --- the assistant's own page in the portal ---------------------------------------------------


def _my_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    worker = _own_worker(db, ctx)
    worker_id = id_of(worker)
    return page(
        request,
        "portal/bank_account.html",
        status=400 if errors else 200,
        worker=worker,
        in_force=queries.account_in_force(db, worker_id),
        requests=queries.requests_of(db, worker_id, limit=3),
        labels=LABELS,
        values=values or {"account_name": worker.name},
        errors=errors or {},
        confirm=CONFIRM,
        show_confirm=bool(errors) and _card_check_failed(values or {}),
        notices=NOTICES,
        has_left=worker.status is WorkerStatus.LEFT,
        left_no_change=actions.LEFT_NO_CHANGE,
    )


def _my_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _my_page(request, ctx, db, refused.values([*FIELDS, CONFIRM]), refused.errors)


class MyBankAccountController(Controller):
    """The assistant's own account in the portal: they ask for a change, HR approves it."""

    path = "/my/bank-account"

    @get("/", opt=allow(ASSISTANT_ROLE), sync_to_thread=True)
    def mine(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _my_page(request, ctx, db)

    @post("/", opt=allow(ASSISTANT_ROLE) | shown_again_by(_my_refused), sync_to_thread=True)
    def ask(self, request: Request, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        worker = _own_worker(db, ctx)
        actions.refuse_leaver(worker)  # before the input: whatever a leaver typed, the answer is the same
        account = parse_bank_account({f: field_text(data, f) for f in FIELDS}, worker_name=worker.name)
        refuse_unconfirmed_card_check(account, bool(field_text(data, CONFIRM)))
        actions.submit_request(db, _keys(request), worker, account, actor=ctx.actor)
        return see_other(ctx.tenant_path("/my/bank-account?notice=requested"))
