"""Appeals against the results of the bureau's workers: read by the bureau's reviewers, answered by a
bureau reviewer who did not record the points appealed against (``appeal_actions.answer_appeal``)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service import clock
from service.assessment.appeals import actions as appeal_actions
from service.assessment.appeals import queries as appeal_queries
from service.assessment.appeals.inputs import ANSWER_FIELDS, parse_answer
from service.assessment.appeals.models import STATUS_LABELS as APPEAL_STATUS_LABELS
from service.assessment.appeals.rules import Decision
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.reviewers import scope as reviewer_scope
from service.reviewers.assessment_routes import rating_label
from service.reviewers.models import ALL_REVIEWERS, ReviewerRole
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession


def _detail(
    request: Request, ctx: RequestContext, db: TenantSession, appeal_id: int, refused: RefusedForm | None = None
) -> Response:
    scope = reviewer_scope.scope_of(db, ctx)
    appeal = reviewer_scope.appeal(db, scope, appeal_id)
    result = appeal_queries.appealed_result(db, appeal)
    recorders = appeal_queries.recorders_of(db, result)
    return page(
        request,
        "reviewer/appeal.html",
        appeal=appeal,
        result=result,
        deadline=appeal_queries.deadline_of(db, result),
        status_labels=APPEAL_STATUS_LABELS,
        rating_label=rating_label,
        ratings=list(Rating),
        rating_labels=RATING_LABELS,
        decisions=list(Decision),
        values=refused.values(ANSWER_FIELDS) if refused else {},
        errors=refused.errors if refused else {},
        can_answer=scope.role is ReviewerRole.BUREAU and appeal.status == "open",
        is_recorder=f"reviewer:{scope.reviewer_id}" in recorders,
        done=request.query_params.get("done", ""),
    )


def _answer_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _detail(request, ctx, db, request.path_params["appeal_id"], refused)


class ReviewerAppealsController(Controller):
    path = "/review/appeals"

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        scope = reviewer_scope.scope_of(db, ctx)
        rows = [(a, appeal_queries.get_result(db, a.result_id)) for a in reviewer_scope.appeals(db, scope)]
        return page(request, "reviewer/appeals.html", rows=rows, status_labels=APPEAL_STATUS_LABELS, rating_label=rating_label)

    @get("/{appeal_id:int}", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, appeal_id: FromPath[int]) -> Response:
        return _detail(request, ctx, db, appeal_id)

    @post("/{appeal_id:int}/answer", opt=allow(ReviewerRole.BUREAU) | shown_again_by(_answer_refused), sync_to_thread=True)
    def answer(self, ctx: RequestCtx, db: TenantDb, appeal_id: FromPath[int], data: FormData) -> Response:
        appeal = reviewer_scope.appeal(db, reviewer_scope.scope_of(db, ctx), appeal_id)
        outcome = parse_answer({f: field_text(data, f) for f in ANSWER_FIELDS})
        appeal_actions.answer_appeal(db, appeal, outcome, clock.today(), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/review/appeals/{appeal_id}?done=answered"))
