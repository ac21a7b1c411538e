"""The assistants' portal (/t/<slug>/my/...), the HR clerk's invitations and the payroll clerk's questions.

Controllers parse, call ``service.portal.actions`` and render.  An assistant
reaches payslips only through ``queries.my_payslip``: another worker's
payslip, or one in a run not yet published, is "not found".
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.accounts.models import StaffRole
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.keys import keys_for
from service.payroll.runs import queries as run_queries
from service.payroll.runs.models import KIND_LABELS, PayrollRun, PayslipRow
from service.payroll.runs.payments import queries as payments
from service.payroll.runs.payslip_view import payslip_groups, proration_note, year_to_date
from service.portal import actions, queries
from service.portal.models import PRINCIPAL_KIND, AssistantRole
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, page_number
from service.web.pages import NO_STORE, page, see_other
from service.web.pdf import pdf_download, render_pdf
from service.web.refusals import RefusedForm, shown_again_by
from service.web.sign_in import signed_in
from service.workforce.models import Worker
from service.workforce.roster.queries import get_worker
from tenants.isolation import TenantSession

ASSISTANT = AssistantRole.ASSISTANT
INVITERS = (StaffRole.ADMIN, StaffRole.HR_CLERK)
ANSWERERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)

PORTAL_NOTICES = {
    "welcome": N_("Your password is set and you are signed in. Welcome!"),
    "confirmed": N_("Thank you: you have confirmed this payslip."),
    "asked": N_("Your question has been sent to the payroll office. The answer will appear on this page."),
    "signed_out": N_("You have signed out."),
}
ACCOUNT_NOTICES = {
    "disabled": N_("The portal account has been disabled: the worker can no longer sign in."),
    "enabled": N_("The portal account has been enabled again."),
}
ACCOUNT_STATUS_LABELS = {
    "none": N_("No portal account yet"),
    "invited": N_("Invited, password not set yet"),
    "active": N_("Can sign in"),
    "disabled": N_("Disabled"),
}
ACCOUNT_STATUS_BADGES = {
    "none": "badge-left",
    "invited": "badge-probation",
    "active": "badge-active",
    "disabled": "badge-suspended",
}
QUESTION_STATES = {"open": N_("Waiting for an answer"), "answered": N_("Answered"), "all": N_("All questions")}


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _message(refused: RefusedForm) -> str:
    """The refusal's message, for the pages that show it above the form rather than beside a field."""
    return next(iter(refused.errors.values()), "")


def _load_worker(db: TenantSession, ctx: RequestContext, worker_id: int) -> Worker:
    worker = get_worker(db, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def _signed_in(request: Request, ctx: RequestContext, db: TenantSession, worker_id: int, then: str) -> Response:
    return signed_in(request, db, tenant_id=ctx.tenant_id, principal_kind=PRINCIPAL_KIND, principal_id=worker_id, then=then)


def _payslip_context(db: TenantSession, ctx: RequestContext, slip: PayslipRow, run: PayrollRun) -> dict[str, Any]:
    """What the assistant's payslip page and the PDF show (shared queries and view)."""
    lines = run_queries.lines_of(db, [id_of(slip)])[id_of(slip)]
    worker = run_queries.workers_of(db, [slip.worker_id]).get(slip.worker_id)
    return {
        "slip": slip,
        "run": run,
        "worker": worker,
        "groups": payslip_groups(lines),
        "ytd": year_to_date(slip.year_to_date),
        "proration": proration_note(slip.proration),
        "feedback": queries.feedback_of(db, id_of(slip)),
        "kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
        "correction": run_queries.correction_of(db, slip),
        "corrected_by": None,
        "paid_into": payments.paid_into(db, id_of(slip)),
    }


def _my_payslip(db: TenantSession, ctx: RequestContext, payslip_id: int) -> tuple[PayslipRow, PayrollRun]:
    found = queries.my_payslip(db, ctx.signed_in.id, payslip_id)
    if found is None:
        raise NotFoundException()
    return found


# --- what the assistant sees -------------------------------------------------------


def _login_page(request: Request, *, login: str = "", error: str | None = None) -> Response:
    return page(request, "portal/login.html", login=login, error=error, notices=PORTAL_NOTICES)


def _login_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _login_page(request, login=refused.text("login")[:60], error=_message(refused))


def _invitation_page(
    request: Request, ctx: RequestContext, db: TenantSession, token: str, *, errors: dict | None = None
) -> Response:
    found = actions.open_invitation(db, token)
    if isinstance(found, DomainError):
        return page(
            request,
            "portal/invitation.html",
            status=410,
            invalid=ctx.translate.error(found),
            token=token,
            worker=None,
            invitation=None,
            errors={},
        )
    invitation, _, worker = found
    return page(
        request,
        "portal/invitation.html",
        invalid=None,
        token=token,
        worker=worker,
        invitation=invitation,
        errors=errors or {},
    )


def _accept_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _invitation_page(request, ctx, db, request.path_params["token"], errors=refused.errors)


def _detail(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    payslip_id: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
) -> Response:
    slip, run = _my_payslip(db, ctx, payslip_id)
    return page(
        request,
        "portal/payslip.html",
        headers=NO_STORE,
        values=values or {},
        errors=errors or {},
        notices=PORTAL_NOTICES,
        **_payslip_context(db, ctx, slip, run),
    )


def _question_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    values = {"question": refused.text("question")[:2000]}
    return _detail(request, ctx, db, request.path_params["payslip_id"], values=values, errors=refused.errors)


class AssistantPortalController(Controller):
    """What a worker sees: sign-in, the invitation link, their payslips."""

    path = "/my"

    # --- signing in and out ---------------------------------------------------

    @get("/login", opt=PUBLIC, sync_to_thread=False)
    def login_form(self, request: Request) -> Response:
        return _login_page(request)

    @post("/login", opt=PUBLIC | shown_again_by(_login_refused), sync_to_thread=True)
    def login(self, request: Request, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        settings = request.app.state.settings
        password = data.get("password", "")
        worker = actions.sign_in(
            db,
            settings,
            keys_for(settings),
            login=field_text(data, "login")[:60],
            password=password if isinstance(password, str) else "",
            client_address=_client_address(request),
        )
        return _signed_in(request, ctx, db, id_of(worker), ctx.tenant_path("/my/"))

    @post("/logout", opt=allow(ASSISTANT), sync_to_thread=True)
    def logout(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        sessions.end(db, ctx.session_token or "")  # a control-plane row, deleted in the request's transaction
        response = see_other(ctx.tenant_path("/my/login?notice=signed_out"))
        return set_cookie(response, request.app.state.settings, sessions.COOKIE, "", 0)

    # --- the invitation link ------------------------------------------------

    @get("/invitation/{token:str}", opt=PUBLIC, sync_to_thread=True)
    def invitation(self, request: Request, ctx: RequestCtx, db: TenantDb, token: FromPath[str]) -> Response:
        return _invitation_page(request, ctx, db, token)

    @post("/invitation/{token:str}", opt=PUBLIC | shown_again_by(_accept_refused), sync_to_thread=True)
    def accept(self, request: Request, ctx: RequestCtx, db: TenantDb, token: FromPath[str], data: FormData) -> Response:
        if isinstance(actions.open_invitation(db, token), DomainError):
            return _invitation_page(request, ctx, db, token)  # the link's own page says why it no longer works (410)
        password, again = data.get("password", ""), data.get("password_again", "")
        worker = actions.accept_invitation(
            db,
            token,
            password=password if isinstance(password, str) else "",
            password_again=again if isinstance(again, str) else "",
            request_id=ctx.request_id,
        )
        return _signed_in(request, ctx, db, id_of(worker), ctx.tenant_path("/my/?notice=welcome"))

    # --- payslips -------------------------------------------------------------

    @get("/", opt=allow(ASSISTANT), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return page(
            request,
            "portal/payslips.html",
            slips=queries.my_payslips(db, ctx.signed_in.id),
            notices=PORTAL_NOTICES,
            kind_labels={k.value: label for k, label in KIND_LABELS.items()},
        )

    @get("/payslips/{payslip_id:int}", opt=allow(ASSISTANT), sync_to_thread=True)
    def payslip(self, request: Request, ctx: RequestCtx, db: TenantDb, payslip_id: FromPath[int]) -> Response:
        return _detail(request, ctx, db, payslip_id)

    @get("/payslips/{payslip_id:int}/pdf", opt=allow(ASSISTANT), sync_to_thread=True)
    def payslip_pdf(self, request: Request, ctx: RequestCtx, db: TenantDb, payslip_id: FromPath[int]) -> Response:
        slip, run = _my_payslip(db, ctx, payslip_id)
        content = render_pdf(request, "pdf/payslip.html", **_payslip_context(db, ctx, slip, run))
        return pdf_download(content, f"payslip-{slip.month.isoformat()[:7]}-{slip.id}.pdf")

    @post("/payslips/{payslip_id:int}/confirm", opt=allow(ASSISTANT), sync_to_thread=True)
    def confirm(self, ctx: RequestCtx, db: TenantDb, payslip_id: FromPath[int]) -> Response:
        slip, _ = _my_payslip(db, ctx, payslip_id)
        actions.confirm_payslip(db, ctx.signed_in.id, id_of(slip), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/my/payslips/{payslip_id}?notice=confirmed"))

    @post("/payslips/{payslip_id:int}/questions", opt=allow(ASSISTANT) | shown_again_by(_question_refused), sync_to_thread=True)
    def ask(self, ctx: RequestCtx, db: TenantDb, payslip_id: FromPath[int], data: FormData) -> Response:
        slip, _ = _my_payslip(db, ctx, payslip_id)
        actions.ask_question(db, ctx.signed_in.id, id_of(slip), field_text(data, "question"), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/my/payslips/{payslip_id}?notice=asked#questions"))


# --- the HR clerk's side --------------------------------------------------------------


def _account_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    worker_id: int,
    *,
    error: str = "",
    link: str = "",
    invitation: Any = None,
) -> Response:
    worker = _load_worker(db, ctx, worker_id)
    state = queries.account_state(db, id_of(worker))
    notice = ACCOUNT_NOTICES.get(request.query_params.get("done", ""), "")
    template = "portal/invitation_created.html" if link else "portal/account.html"
    return page(
        request,
        template,
        worker=worker,
        state=state,
        error=error,
        link=link,
        invitation=invitation or state.open_invitation,
        done=notice,
        status_labels=ACCOUNT_STATUS_LABELS,
        status_badges=ACCOUNT_STATUS_BADGES,
        login_url=str(request.base_url).rstrip("/") + ctx.tenant_path("/my/login"),
    )


def _account_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _account_page(request, ctx, db, request.path_params["worker_id"], error=_message(refused))


class PortalAccountsController(Controller):
    """The HR clerk's side: a worker's portal account, invitation links, disabling."""

    path = "/workers"

    @get("/{worker_id:int}/portal", opt=allow(*INVITERS), sync_to_thread=True)
    def account(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        return _account_page(request, ctx, db, worker_id)

    @post("/{worker_id:int}/portal/invitation", opt=allow(*INVITERS) | shown_again_by(_account_refused), sync_to_thread=True)
    def invite(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        created = actions.invite(db, _load_worker(db, ctx, worker_id), actor=ctx.actor)
        link = str(request.base_url).rstrip("/") + ctx.tenant_path(f"/my/invitation/{created.token}")
        return _account_page(request, ctx, db, worker_id, link=link, invitation=created.invitation)

    @post("/{worker_id:int}/portal/disable", opt=allow(*INVITERS) | shown_again_by(_account_refused), sync_to_thread=True)
    def disable(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        return _set_active(ctx, db, worker_id, False)

    @post("/{worker_id:int}/portal/enable", opt=allow(*INVITERS) | shown_again_by(_account_refused), sync_to_thread=True)
    def enable(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        return _set_active(ctx, db, worker_id, True)


def _set_active(ctx: RequestContext, db: TenantSession, worker_id: int, active: bool) -> Response:
    actions.set_active(db, _load_worker(db, ctx, worker_id), active, actor=ctx.actor)
    if not active:  # signed out everywhere, in the same transaction as the account is disabled
        sessions.end_all_for(db, ctx.tenant_id, PRINCIPAL_KIND, worker_id)
    done = "enabled" if active else "disabled"
    return see_other(ctx.tenant_path(f"/workers/{worker_id}/portal?done={done}"))


# --- the payroll clerk's side -------------------------------------------------------------


def _questions(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    failed_id: int | None = None,
) -> Response:
    state = request.query_params.get("state", "open")
    state = state if state in QUESTION_STATES else "open"
    rows, number, pages = queries.questions(db, state=state, page=page_number(request.query_params.get("page", "")))
    return page(
        request,
        "portal/questions.html",
        rows=rows,
        state=state,
        states=QUESTION_STATES,
        page_no=number,
        pages=pages,
        errors=errors or {},
        values=values or {},
        failed_id=failed_id,
        answered=request.query_params.get("done") == "answered",
    )


def _answer_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    values = {"answer": refused.text("answer")[:4000]}
    return _questions(request, ctx, db, errors=refused.errors, values=values, failed_id=request.path_params["question_id"])


class PayslipQuestionsController(Controller):
    """The payroll clerk's side: the workers' questions on their payslips, and the answers."""

    path = "/payroll/questions"

    @get("/", opt=allow(*ANSWERERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _questions(request, ctx, db)

    @post("/{question_id:int}/answer", opt=allow(*ANSWERERS) | shown_again_by(_answer_refused), sync_to_thread=True)
    def answer(self, ctx: RequestCtx, db: TenantDb, question_id: FromPath[int], data: FormData) -> Response:
        question = queries.get_question(db, question_id)
        if question is None:
            raise NotFoundException()
        actions.answer_question(db, question, field_text(data, "answer"), actor=ctx.actor)
        return see_other(ctx.tenant_path("/payroll/questions?done=answered"))
