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
from sqlmodel import Session, select

from service.accounts.models import StaffRole
from service.errors import N_, DomainError
from service.keys import keys_for
from service.payroll import run_queries
from service.payroll.payslip_view import payslip_groups, year_to_date
from service.payroll.run_models import KIND_LABELS, PayrollRun, PayslipRow
from service.portal import actions, queries
from service.portal.models import PRINCIPAL_KIND, AssistantRole
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.forms import FormData, field_text, page_number, translated_errors
from service.web.pages import page, see_other
from service.web.pdf import pdf_download, render_pdf
from service.workforce.models import Worker
from tenants.isolation import control_session, tenant_session

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


def _ctx(request: Request) -> RequestContext:
    return request.state.ctx


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _load_worker(db: Session, ctx: RequestContext, worker_id: int) -> Worker:
    worker = db.exec(select(Worker).where(Worker.tenant_id == ctx.tenant_id, Worker.id == worker_id)).first()
    if worker is None:
        raise NotFoundException()
    return worker


def _start_session(request: Request, worker_id: int) -> str:
    ctx = _ctx(request)
    with control_session() as control:
        return sessions.start(
            control,
            request.app.state.settings,
            tenant_id=ctx.tenant_id,
            principal_kind=PRINCIPAL_KIND,
            principal_id=worker_id,
            replacing=request.cookies.get(sessions.COOKIE),
        )


def _signed_in(request: Request, token: str, location: str) -> Response:
    settings = request.app.state.settings
    return set_cookie(see_other(location), settings, sessions.COOKIE, token, settings.session_absolute_hours * 3600)


def _payslip_context(db: Session, ctx: RequestContext, slip: PayslipRow, run: PayrollRun) -> dict[str, Any]:
    """What the assistant's payslip page and the PDF show (shared queries and view)."""
    lines = run_queries.lines_of(db, ctx.tenant_id, [slip.id])[slip.id]
    worker = run_queries.workers_of(db, ctx.tenant_id, [slip.worker_id]).get(slip.worker_id)
    return {
        "slip": slip,
        "run": run,
        "worker": worker,
        "groups": payslip_groups(lines),
        "ytd": year_to_date(slip.year_to_date),
        "feedback": queries.feedback_of(db, ctx.tenant_id, slip.id),
        "kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
        "correction": run_queries.correction_of(db, ctx.tenant_id, slip),
        "corrected_by": None,
    }


def _my_payslip(db: Session, ctx: RequestContext, payslip_id: int) -> tuple[PayslipRow, PayrollRun]:
    found = queries.my_payslip(db, ctx.tenant_id, ctx.principal.id, payslip_id)
    if found is None:
        raise NotFoundException()
    return found


class AssistantPortalController(Controller):
    """What a worker sees: sign-in, the invitation link, their payslips."""

    path = "/my"

    # --- signing in and out ---------------------------------------------------

    @get("/login", opt=PUBLIC, sync_to_thread=False)
    def login_form(self, request: Request) -> Response:
        return page(request, "portal/login.html", login="", error=None, notices=PORTAL_NOTICES)

    @post("/login", opt=PUBLIC, sync_to_thread=True)
    def login(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        settings = request.app.state.settings
        login = field_text(data, "login")[:60]
        password = data.get("password", "")
        password = password if isinstance(password, str) else ""
        try:
            with tenant_session(ctx.tenant_id) as db:
                worker = actions.sign_in(
                    db,
                    ctx.tenant_id,
                    settings,
                    keys_for(settings),
                    login=login,
                    password=password,
                    client_address=_client_address(request),
                )
            token = _start_session(request, worker.id)
        except DomainError as error:
            return page(
                request, "portal/login.html", status=400, login=login, error=ctx.translate.error(error), notices=PORTAL_NOTICES
            )
        return _signed_in(request, token, ctx.tenant_path("/my/"))

    @post("/logout", opt=allow(ASSISTANT), sync_to_thread=True)
    def logout(self, request: Request) -> Response:
        ctx = _ctx(request)
        with control_session() as control:
            sessions.end(control, ctx.session_token or "")
        response = see_other(ctx.tenant_path("/my/login?notice=signed_out"))
        return set_cookie(response, request.app.state.settings, sessions.COOKIE, "", 0)

    # --- the invitation link ------------------------------------------------

    def _invitation_page(self, request: Request, token: str, *, status: int = 200, errors: dict | None = None) -> Response:
        ctx = _ctx(request)
        try:
            with tenant_session(ctx.tenant_id) as db:
                invitation, _, worker = actions.find_invitation(db, ctx.tenant_id, token)
        except DomainError as error:
            return page(
                request,
                "portal/invitation.html",
                status=410,
                invalid=ctx.translate.error(error),
                token=token,
                worker=None,
                invitation=None,
                errors={},
            )
        return page(
            request,
            "portal/invitation.html",
            status=status,
            invalid=None,
            token=token,
            worker=worker,
            invitation=invitation,
            errors=errors or {},
        )

    @get("/invitation/{token:str}", opt=PUBLIC, sync_to_thread=True)
    def invitation(self, request: Request, token: FromPath[str]) -> Response:
        return self._invitation_page(request, token)

    @post("/invitation/{token:str}", opt=PUBLIC, sync_to_thread=True)
    def accept(self, request: Request, token: FromPath[str], data: FormData) -> Response:
        ctx = _ctx(request)
        password, again = data.get("password", ""), data.get("password_again", "")
        try:
            with tenant_session(ctx.tenant_id) as db:
                worker = actions.accept_invitation(
                    db,
                    ctx.tenant_id,
                    token,
                    password=password if isinstance(password, str) else "",
                    password_again=again if isinstance(again, str) else "",
                    request_id=ctx.request_id,
                )
            session_token = _start_session(request, worker.id)
        except DomainError as error:
            if error.field == "token":
                return self._invitation_page(request, token)
            return self._invitation_page(request, token, status=400, errors=translated_errors([error], ctx.translate))
        return _signed_in(request, session_token, ctx.tenant_path("/my/?notice=welcome"))

    # --- payslips -------------------------------------------------------------

    @get("/", opt=allow(ASSISTANT), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            slips = queries.my_payslips(db, ctx.tenant_id, ctx.principal.id)
        return page(
            request,
            "portal/payslips.html",
            slips=slips,
            notices=PORTAL_NOTICES,
            kind_labels={k.value: label for k, label in KIND_LABELS.items()},
        )

    def _detail(
        self, request: Request, payslip_id: int, *, status: int = 200, values: dict | None = None, errors: dict | None = None
    ) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            slip, run = _my_payslip(db, ctx, payslip_id)
            context = _payslip_context(db, ctx, slip, run)
        return page(
            request,
            "portal/payslip.html",
            status=status,
            values=values or {},
            errors=errors or {},
            notices=PORTAL_NOTICES,
            **context,
        )

    @get("/payslips/{payslip_id:int}", opt=allow(ASSISTANT), sync_to_thread=True)
    def payslip(self, request: Request, payslip_id: FromPath[int]) -> Response:
        return self._detail(request, payslip_id)

    @get("/payslips/{payslip_id:int}/pdf", opt=allow(ASSISTANT), sync_to_thread=True)
    def payslip_pdf(self, request: Request, payslip_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            slip, run = _my_payslip(db, ctx, payslip_id)
            context = _payslip_context(db, ctx, slip, run)
        content = render_pdf(request, "pdf/payslip.html", **context)
        return pdf_download(content, f"payslip-{slip.month.isoformat()[:7]}-{slip.id}.pdf")

    @post("/payslips/{payslip_id:int}/confirm", opt=allow(ASSISTANT), sync_to_thread=True)
    def confirm(self, request: Request, payslip_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            slip, _ = _my_payslip(db, ctx, payslip_id)
            actions.confirm_payslip(db, ctx.tenant_id, ctx.actor, ctx.principal.id, slip.id)
        return see_other(ctx.tenant_path(f"/my/payslips/{payslip_id}?notice=confirmed"))

    @post("/payslips/{payslip_id:int}/questions", opt=allow(ASSISTANT), sync_to_thread=True)
    def ask(self, request: Request, payslip_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        text = field_text(data, "question")
        try:
            with tenant_session(ctx.tenant_id) as db:
                slip, _ = _my_payslip(db, ctx, payslip_id)
                actions.ask_question(db, ctx.tenant_id, ctx.actor, ctx.principal.id, slip.id, text)
        except DomainError as error:
            return self._detail(
                request,
                payslip_id,
                status=400,
                values={"question": text[:2000]},
                errors=translated_errors([error], ctx.translate),
            )
        return see_other(ctx.tenant_path(f"/my/payslips/{payslip_id}?notice=asked#questions"))


class PortalAccountsController(Controller):
    """The HR clerk's side: a worker's portal account, invitation links, disabling."""

    path = "/workers"

    def _account_page(
        self, request: Request, worker_id: int, *, status: int = 200, error: str = "", link: str = "", invitation: Any = None
    ) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            worker = _load_worker(db, ctx, worker_id)
            state = queries.account_state(db, ctx.tenant_id, worker.id)
        notice = ACCOUNT_NOTICES.get(request.query_params.get("done", ""), "")
        template = "portal/invitation_created.html" if link else "portal/account.html"
        return page(
            request,
            template,
            status=status,
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

    @get("/{worker_id:int}/portal", opt=allow(*INVITERS), sync_to_thread=True)
    def account(self, request: Request, worker_id: FromPath[int]) -> Response:
        return self._account_page(request, worker_id)

    @post("/{worker_id:int}/portal/invitation", opt=allow(*INVITERS), sync_to_thread=True)
    def invite(self, request: Request, worker_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        try:
            with tenant_session(ctx.tenant_id) as db:
                created = actions.invite(db, ctx.tenant_id, ctx.actor, _load_worker(db, ctx, worker_id))
        except DomainError as error:
            return self._account_page(request, worker_id, status=400, error=ctx.translate.error(error))
        link = str(request.base_url).rstrip("/") + ctx.tenant_path(f"/my/invitation/{created.token}")
        return self._account_page(request, worker_id, link=link, invitation=created.invitation)

    def _set_active(self, request: Request, worker_id: int, active: bool) -> Response:
        ctx = _ctx(request)
        try:
            with tenant_session(ctx.tenant_id) as db:
                actions.set_active(db, ctx.tenant_id, ctx.actor, _load_worker(db, ctx, worker_id), active)
                if not active:
                    with control_session() as control:
                        sessions.end_all_for(control, ctx.tenant_id, PRINCIPAL_KIND, worker_id)
        except DomainError as error:
            return self._account_page(request, worker_id, status=400, error=ctx.translate.error(error))
        done = "enabled" if active else "disabled"
        return see_other(ctx.tenant_path(f"/workers/{worker_id}/portal?done={done}"))

    @post("/{worker_id:int}/portal/disable", opt=allow(*INVITERS), sync_to_thread=True)
    def disable(self, request: Request, worker_id: FromPath[int]) -> Response:
        return self._set_active(request, worker_id, False)

    @post("/{worker_id:int}/portal/enable", opt=allow(*INVITERS), sync_to_thread=True)
    def enable(self, request: Request, worker_id: FromPath[int]) -> Response:
        return self._set_active(request, worker_id, True)


class PayslipQuestionsController(Controller):
    """The payroll clerk's side: the workers' questions on their payslips, and the answers."""

    path = "/payroll/questions"

    def _list(
        self,
        request: Request,
        *,
        status: int = 200,
        errors: dict | None = None,
        values: dict | None = None,
        failed_id: int | None = None,
    ) -> Response:
        ctx = _ctx(request)
        state = request.query_params.get("state", "open")
        state = state if state in QUESTION_STATES else "open"
        with tenant_session(ctx.tenant_id) as db:
            rows, number, pages = queries.questions(
                db, ctx.tenant_id, state=state, page=page_number(request.query_params.get("page", ""))
            )
        return page(
            request,
            "portal/questions.html",
            status=status,
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

    @get("/", opt=allow(*ANSWERERS), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        return self._list(request)

    @post("/{question_id:int}/answer", opt=allow(*ANSWERERS), sync_to_thread=True)
    def answer(self, request: Request, question_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        text = field_text(data, "answer")
        try:
            with tenant_session(ctx.tenant_id) as db:
                question = queries.get_question(db, ctx.tenant_id, question_id)
                if question is None:
                    raise NotFoundException()
                actions.answer_question(db, ctx.tenant_id, ctx.actor, question, text)
        except DomainError as error:
            return self._list(
                request,
                status=400,
                errors=translated_errors([error], ctx.translate),
                values={"answer": text[:4000]},
                failed_id=question_id,
            )
        return see_other(ctx.tenant_path("/payroll/questions?done=answered"))
