"""Appeal pages for staff: the list to answer, one appeal with its answer form, and filing on a worker's behalf.

The worker files their own appeal from the assistant portal
(``AssistantAppealsController``); staff may enter one the worker made on
paper or by phone.  Refused input comes back with the message next to its
field, status 400, nothing written.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlmodel import func, select

from service import clock
from service.accounts.models import StaffRole
from service.assessment import appeal_actions
from service.assessment.appeal_inputs import ANSWER_FIELDS, parse_answer
from service.assessment.appeal_models import STATUS_LABELS, Appeal
from service.assessment.appeals import Decision
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.errors import DomainError, InputErrors
from service.web.access import allow
from service.web.forms import FormData, field_text, page_number, translated_errors, whole_number
from service.web.pages import page, see_other
from service.workforce.models import Worker
from tenants.isolation import tenant_session

READERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.ASSESSOR)
FILERS = (StaffRole.ADMIN, StaffRole.HR_CLERK)  # entering a worker's appeal on their behalf
ANSWERERS = (StaffRole.ADMIN, StaffRole.ASSESSOR)
PAGE_SIZE = 50
ASSISTANT_ROLE = "assistant"  # service.portal.models.AssistantRole.ASSISTANT
TABS = ("open", "answered")


def _errors(problem: Exception, request: Request) -> dict[str, str]:
    errors = problem.errors if isinstance(problem, InputErrors) else [problem]
    return translated_errors(errors, request.state.ctx.translate)  # type: ignore[arg-type]


def _rating_label(code: str | None) -> str:
    return RATING_LABELS[Rating(code)] if code else ""


class AppealsController(Controller):
    path = "/appeals"

    @get("/", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        ctx = request.state.ctx
        tab = request.query_params.get("tab", "open")
        tab = tab if tab in TABS else "open"
        page_no = page_number(request.query_params.get("page", ""))
        with tenant_session(ctx.tenant_id) as db:
            condition = Appeal.status == "open" if tab == "open" else Appeal.status != "open"
            total = db.exec(select(func.count()).select_from(Appeal).where(Appeal.tenant_id == ctx.tenant_id, condition)).one()
            pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
            page_no = min(page_no, pages)
            rows = db.exec(
                select(Appeal, Worker.name)
                .join(Worker, (Worker.tenant_id == Appeal.tenant_id) & (Worker.id == Appeal.worker_id))
                .where(Appeal.tenant_id == ctx.tenant_id, condition)
                .order_by(Appeal.filed_on.desc() if tab == "answered" else Appeal.filed_on, Appeal.id)  # type: ignore[attr-defined]
                .offset((page_no - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            ).all()
            days = appeal_actions.window_days(db, ctx.tenant_id)
            q = request.query_params.get("q", "").strip()[:40]
            appealable = (
                appeal_actions.open_to_appeal(db, ctx.tenant_id, clock.today(), days, q, limit=PAGE_SIZE)
                if ctx.has_role(*FILERS)
                else []
            )
        return page(
            request,
            "appeals/index.html",
            rows=rows,
            tab=tab,
            total=total,
            page=page_no,
            pages=pages,
            status_labels=STATUS_LABELS,
            rating_label=_rating_label,
            window_days=days,
            can_file=ctx.has_role(*FILERS),
            can_configure=ctx.has_role(StaffRole.ADMIN),
            errors={},
            appealable=appealable,
            q=q,
            done=request.query_params.get("done", ""),
        )

    @post("/settings", opt=allow(StaffRole.ADMIN), sync_to_thread=True, include_in_schema=False)
    def settings(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        text = field_text(data, "window_days")
        try:
            with tenant_session(ctx.tenant_id) as db:
                appeal_actions.set_window_days(db, ctx.tenant_id, ctx.actor, whole_number(text, below=1000) or 0)
        except DomainError as problem:
            return page(
                request, "appeals/settings.html", status=400, values={"window_days": text}, errors=_errors(problem, request)
            )
        return see_other(ctx.tenant_path("/appeals?done=settings"))

    def _new_page(
        self, request: Request, worker_id: int, *, status: int = 200, values: dict | None = None, errors: dict | None = None
    ) -> Response:
        ctx = request.state.ctx
        today = clock.today()
        with tenant_session(ctx.tenant_id) as db:
            worker = db.exec(select(Worker).where(Worker.tenant_id == ctx.tenant_id, Worker.id == worker_id)).first()
            if worker is None:
                raise NotFoundException()
            results = appeal_actions.published_results_of(db, ctx.tenant_id, worker_id)
            deadlines = {r.id: appeal_actions.deadline_of(db, ctx.tenant_id, r) for r in results}
        open_results = [r for r in results if deadlines[r.id] is not None and r.published_on <= today <= deadlines[r.id]]
        return page(
            request,
            "appeals/new.html",
            status=status,
            worker=worker,
            results=results,
            deadlines=deadlines,
            open_results=open_results,
            today=today,
            rating_label=_rating_label,
            values=values or {},
            errors=errors or {},
        )

    @get("/new/{worker_id:int}", opt=allow(*FILERS), sync_to_thread=True, include_in_schema=False)
    def new(self, request: Request, worker_id: FromPath[int]) -> Response:
        return self._new_page(request, worker_id)

    @post("/new/{worker_id:int}", opt=allow(*FILERS), sync_to_thread=True, include_in_schema=False)
    def file(self, request: Request, worker_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        values = {"result_id": field_text(data, "result_id"), "reason": field_text(data, "reason")}
        result_id = whole_number(values["result_id"]) or 0
        try:
            with tenant_session(ctx.tenant_id) as db:
                result = appeal_actions.get_result(db, ctx.tenant_id, result_id)
                if result is None or result.worker_id != worker_id:
                    raise DomainError(appeal_actions.NO_SUCH_RESULT, field="result_id")
                appeal = appeal_actions.file_appeal(db, ctx.tenant_id, ctx.actor, result_id, values["reason"], clock.today())
                appeal_id = appeal.id
        except DomainError as problem:
            return self._new_page(request, worker_id, status=400, values=values, errors=_errors(problem, request))
        return see_other(ctx.tenant_path(f"/appeals/{appeal_id}?done=filed"))

    def _detail(
        self, request: Request, appeal_id: int, *, status: int = 200, values: dict | None = None, errors: dict | None = None
    ) -> Response:
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            appeal = appeal_actions.get_appeal(db, ctx.tenant_id, appeal_id)
            if appeal is None:
                raise NotFoundException()
            result = appeal_actions.get_result(db, ctx.tenant_id, appeal.result_id)
            recorders = appeal_actions.recorders_of(db, ctx.tenant_id, result)
            deadline = appeal_actions.deadline_of(db, ctx.tenant_id, result)
        actor = ctx.actor
        return page(
            request,
            "appeals/detail.html",
            status=status,
            appeal=appeal,
            result=result,
            deadline=deadline,
            status_labels=STATUS_LABELS,
            rating_label=_rating_label,
            ratings=list(Rating),
            rating_labels=RATING_LABELS,
            decisions=list(Decision),
            values=values or {},
            errors=errors or {},
            can_answer=ctx.has_role(*ANSWERERS) and appeal.status == "open",
            is_recorder=f"{actor.kind}:{actor.id}" in recorders,
            done=request.query_params.get("done", ""),
        )

    @get("/{appeal_id:int}", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, appeal_id: FromPath[int]) -> Response:
        return self._detail(request, appeal_id)

    @post("/{appeal_id:int}/answer", opt=allow(*ANSWERERS), sync_to_thread=True, include_in_schema=False)
    def answer(self, request: Request, appeal_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in ANSWER_FIELDS}
        try:
            outcome = parse_answer(values)
            with tenant_session(ctx.tenant_id) as db:
                appeal = appeal_actions.get_appeal(db, ctx.tenant_id, appeal_id)
                if appeal is None:
                    raise NotFoundException()
                appeal_actions.answer_appeal(db, ctx.tenant_id, ctx.actor, appeal, outcome, clock.today())
        except (InputErrors, DomainError) as problem:
            return self._detail(request, appeal_id, status=400, values=values, errors=_errors(problem, request))
        return see_other(ctx.tenant_path(f"/appeals/{appeal_id}?done=answered"))


class MyAppealsController(Controller):
    """The worker's own results and appeals in the assistants' portal (/t/<slug>/my/appeals)."""

    path = "/my/appeals"

    def _page(self, request: Request, *, status: int = 200, values: dict | None = None, errors: dict | None = None) -> Response:
        ctx = request.state.ctx
        today = clock.today()
        with tenant_session(ctx.tenant_id) as db:
            results = appeal_actions.published_results_of(db, ctx.tenant_id, ctx.principal.id)
            deadlines = {r.id: appeal_actions.deadline_of(db, ctx.tenant_id, r) for r in results}
            appeals = db.exec(
                select(Appeal)
                .where(Appeal.tenant_id == ctx.tenant_id, Appeal.worker_id == ctx.principal.id)
                .order_by(Appeal.id.desc())  # type: ignore[union-attr]
            ).all()
        open_ids = {a.result_id for a in appeals if a.status == "open"}
        appealable = [
            r
            for r in results
            if r.id not in open_ids and deadlines[r.id] is not None and r.published_on <= today <= deadlines[r.id]
        ]
        return page(
            request,
            "appeals/mine.html",
            status=status,
            results=results,
            deadlines=deadlines,
            appeals=appeals,
            appealable=appealable,
            today=today,
            rating_label=_rating_label,
            status_labels=STATUS_LABELS,
            values=values or {},
            errors=errors or {},
            done=request.query_params.get("done", ""),
        )

    @get("/", opt=allow(ASSISTANT_ROLE), sync_to_thread=True, include_in_schema=False)
    def mine(self, request: Request) -> Response:
        return self._page(request)

    @post("/", opt=allow(ASSISTANT_ROLE), sync_to_thread=True, include_in_schema=False)
    def file_mine(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        values = {"result_id": field_text(data, "result_id"), "reason": field_text(data, "reason")}
        try:
            with tenant_session(ctx.tenant_id) as db:
                appeal_actions.file_appeal(
                    db,
                    ctx.tenant_id,
                    ctx.actor,
                    whole_number(values["result_id"]) or 0,
                    values["reason"],
                    clock.today(),
                    own_worker_id=ctx.principal.id,
                )
        except DomainError as problem:
            return self._page(request, status=400, values=values, errors=_errors(problem, request))
        return see_other(ctx.tenant_path("/my/appeals?done=filed"))
