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

from service import clock
from service.accounts.models import StaffRole
from service.assessment import queries as assessment_queries
from service.assessment.appeals import actions, queries
from service.assessment.appeals.inputs import ANSWER_FIELDS, parse_answer
from service.assessment.appeals.models import STATUS_LABELS
from service.assessment.appeals.rules import Decision
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.errors import DomainError
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, page_number, whole_number
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

READERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.ASSESSOR)
FILERS = (StaffRole.ADMIN, StaffRole.HR_CLERK)  # entering a worker's appeal on their behalf
ANSWERERS = (StaffRole.ADMIN, StaffRole.ASSESSOR)
PAGE_SIZE = 50
ASSISTANT_ROLE = "assistant"  # service.portal.models.AssistantRole.ASSISTANT
TABS = ("open", "answered")
FILING_FIELDS = ("result_id", "reason")


def _rating_label(code: str | None) -> str:
    return RATING_LABELS[Rating(code)] if code else ""


def _settings_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return page(request, "appeals/settings.html", values=refused.values(("window_days",)), errors=refused.errors)


def _new_page(
    request: Request, ctx: RequestContext, db: TenantSession, worker_id: int, refused: RefusedForm | None = None
) -> Response:
    """The worker's published results, those still open to appeal, and the filing form."""
    today = clock.today()
    worker = assessment_queries.workers_by_id(db, [worker_id]).get(worker_id)
    if worker is None:
        raise NotFoundException()
    results = queries.published_results_of(db, worker_id)
    deadlines = {r.id: queries.deadline_of(db, r) for r in results}
    open_results = [r for r in results if queries.open_to_appeal_on(r, deadlines[r.id], today)]
    return page(
        request,
        "appeals/new.html",
        worker=worker,
        results=results,
        deadlines=deadlines,
        open_results=open_results,
        today=today,
        rating_label=_rating_label,
        values=refused.values(FILING_FIELDS) if refused else {},
        errors=refused.errors if refused else {},
    )


def _filing_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _new_page(request, ctx, db, request.path_params["worker_id"], refused)


def _detail(
    request: Request, ctx: RequestContext, db: TenantSession, appeal_id: int, refused: RefusedForm | None = None
) -> Response:
    appeal = queries.get_appeal(db, appeal_id)
    if appeal is None:
        raise NotFoundException()
    result = queries.appealed_result(db, appeal)
    recorders = queries.recorders_of(db, result)
    actor = ctx.actor
    return page(
        request,
        "appeals/detail.html",
        appeal=appeal,
        result=result,
        deadline=queries.deadline_of(db, result),
        status_labels=STATUS_LABELS,
        rating_label=_rating_label,
        ratings=list(Rating),
        rating_labels=RATING_LABELS,
        decisions=list(Decision),
        values=refused.values(ANSWER_FIELDS) if refused else {},
        errors=refused.errors if refused else {},
        can_answer=ctx.has_role(*ANSWERERS) and appeal.status == "open",
        is_recorder=f"{actor.kind}:{actor.id}" in recorders,
        done=request.query_params.get("done", ""),
    )


def _answer_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _detail(request, ctx, db, request.path_params["appeal_id"], refused)


class AppealsController(Controller):
    path = "/appeals"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        tab = request.query_params.get("tab", "open")
        tab = tab if tab in TABS else "open"
        listed = queries.appeals_page(
            db,
            answered=tab == "answered",
            page=page_number(request.query_params.get("page", "")),
            size=PAGE_SIZE,
        )
        days = queries.window_days(db)
        q = request.query_params.get("q", "").strip()[:40]
        appealable = queries.open_to_appeal(db, clock.today(), days, q, limit=PAGE_SIZE) if ctx.has_role(*FILERS) else []
        return page(
            request,
            "appeals/index.html",
            rows=listed.rows,
            tab=tab,
            total=listed.total,
            page=listed.page,
            pages=listed.pages,
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

    @post("/settings", opt=allow(StaffRole.ADMIN) | shown_again_by(_settings_refused), sync_to_thread=True)
    def settings(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        days = whole_number(field_text(data, "window_days"), below=1000) or 0
        actions.set_window_days(db, days, actor=ctx.actor)
        return see_other(ctx.tenant_path("/appeals?done=settings"))

    @get("/new/{worker_id:int}", opt=allow(*FILERS), sync_to_thread=True)
    def new(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        return _new_page(request, ctx, db, worker_id)

    @post("/new/{worker_id:int}", opt=allow(*FILERS) | shown_again_by(_filing_refused), sync_to_thread=True)
    def file(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        if not assessment_queries.workers_by_id(db, [worker_id]):
            raise NotFoundException()  # before any refusal: the page that shows it again is the worker's
        result_id = whole_number(field_text(data, "result_id")) or 0
        result = queries.get_result(db, result_id)
        if result is None or result.worker_id != worker_id:
            raise DomainError(actions.NO_SUCH_RESULT, field="result_id")
        appeal = actions.file_appeal(db, result_id, field_text(data, "reason"), clock.today(), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/appeals/{appeal.id}?done=filed"))

    @get("/{appeal_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, appeal_id: FromPath[int]) -> Response:
        return _detail(request, ctx, db, appeal_id)

    @post("/{appeal_id:int}/answer", opt=allow(*ANSWERERS) | shown_again_by(_answer_refused), sync_to_thread=True)
    def answer(self, ctx: RequestCtx, db: TenantDb, appeal_id: FromPath[int], data: FormData) -> Response:
        appeal = queries.get_appeal(db, appeal_id)
        if appeal is None:
            raise NotFoundException()
        outcome = parse_answer({f: field_text(data, f) for f in ANSWER_FIELDS})
        actions.answer_appeal(db, appeal, outcome, clock.today(), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/appeals/{appeal_id}?done=answered"))


def _own_worker_id(ctx: RequestContext) -> int:
    """The worker an assistant-portal session belongs to (its principal is the worker)."""
    assert ctx.principal is not None  # allow(ASSISTANT_ROLE) lets no one else through
    return ctx.principal.id


def _mine(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm | None = None) -> Response:
    today = clock.today()
    worker_id = _own_worker_id(ctx)
    results = queries.published_results_of(db, worker_id)
    deadlines = {r.id: queries.deadline_of(db, r) for r in results}
    appeals = queries.appeals_of_worker(db, worker_id)
    open_ids = {a.result_id for a in appeals if a.status == "open"}
    appealable = [r for r in results if r.id not in open_ids and queries.open_to_appeal_on(r, deadlines[r.id], today)]
    return page(
        request,
        "appeals/mine.html",
        results=results,
        deadlines=deadlines,
        appeals=appeals,
        appealable=appealable,
        today=today,
        rating_label=_rating_label,
        status_labels=STATUS_LABELS,
        values=refused.values(FILING_FIELDS) if refused else {},
        errors=refused.errors if refused else {},
        done=request.query_params.get("done", ""),
    )


def _mine_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _mine(request, ctx, db, refused)


class MyAppealsController(Controller):
    """The worker's own results and appeals in the assistants' portal (/t/<slug>/my/appeals)."""

    path = "/my/appeals"

    @get("/", opt=allow(ASSISTANT_ROLE), sync_to_thread=True)
    def mine(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _mine(request, ctx, db)

    @post("/", opt=allow(ASSISTANT_ROLE) | shown_again_by(_mine_refused), sync_to_thread=True)
    def file_mine(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        actions.file_appeal(
            db,
            whole_number(field_text(data, "result_id")) or 0,
            field_text(data, "reason"),
            clock.today(),
            actor=ctx.actor,
            own_worker_id=_own_worker_id(ctx),
        )
        return see_other(ctx.tenant_path("/my/appeals?done=filed"))
