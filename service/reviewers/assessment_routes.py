"""Assessment in the reviewer portal: daily points (日常考核) the bureau enters for its own workers, and the
results of the bureau's own periods, which a bureau reviewer approves (under review → approved) or returns."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service import clock
from service.assessment import actions as assessment_actions
from service.assessment import queries as assessment_queries
from service.assessment.entry_input import day_or_today, parse_entry, ticked
from service.assessment.models import LIFECYCLE_LABELS, Lifecycle
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.errors import N_, DomainError
from service.reviewers import scope as reviewer_scope
from service.reviewers.models import ALL_REVIEWERS, ReviewerRole
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, whole_number
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

ENTRY_FIELDS = ("on_date", "item_id", "points", "note")


def rating_label(code: str | None) -> str:
    return RATING_LABELS[Rating(code)] if code in Rating._value2member_map_ else "—"


def _entry_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    day: date,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    recorded: int = 0,
) -> Response:
    scope = reviewer_scope.scope_of(db, ctx)
    return page(
        request,
        "reviewer/assessment.html",
        items=reviewer_scope.assessment_items(db, scope, day),
        workers=reviewer_scope.on_duty(db, scope),
        values=values,
        errors=errors or {},
        recorded=recorded,
    )


def _entry_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    values: dict[str, Any] = refused.values(ENTRY_FIELDS) | {"workers": ticked(refused.form)}
    return _entry_page(request, ctx, db, day_or_today(values["on_date"]), values, errors=refused.errors)


class ReviewerAssessmentController(Controller):
    path = "/review/assessment"

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def form(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        today = clock.today()
        recorded = whole_number(request.query_params.get("recorded", "")) or 0
        return _entry_page(request, ctx, db, today, {"on_date": today.isoformat(), "workers": []}, recorded=recorded)

    @post("/", opt=allow(*ALL_REVIEWERS) | shown_again_by(_entry_refused), sync_to_thread=True)
    def record(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        # The same points for every ticked worker: a reviewer's form has no per-worker points.
        entry = parse_entry({f: field_text(data, f) for f in ENTRY_FIELDS}, ticked(data), {})
        scope = reviewer_scope.scope_of(db, ctx)
        item = next((i for i in reviewer_scope.assessment_items(db, scope, entry.on_date) if i.id == entry.item_id), None)
        if item is None:
            raise DomainError(N_("Choose an item."), field="item_id")
        ids = list(entry.points)
        foreign = sorted(set(ids) - reviewer_scope.workers_among(db, scope, ids))
        if foreign:  # not a worker of this bureau: as if unknown
            raise DomainError(N_("Unknown worker {id}."), field="workers", id=foreign[0])
        assessment_actions.record_points(
            db, actor=ctx.actor, item=item, on_date=entry.on_date, points=entry.points, note=entry.note
        )
        return see_other(ctx.tenant_path(f"/review/assessment?recorded={len(ids)}"))


def _period_page(
    request: Request, ctx: RequestContext, db: TenantSession, period_id: int, refused: RefusedForm | None = None
) -> Response:
    scope = reviewer_scope.scope_of(db, ctx)
    period = reviewer_scope.assessment_period(db, scope, period_id)
    return page(
        request,
        "reviewer/period.html",
        period=period,
        results=assessment_queries.results_of(db, period_id),
        lifecycle_labels=LIFECYCLE_LABELS,
        rating_label=rating_label,
        errors=refused.errors if refused else {},
        can_decide=period.status == Lifecycle.UNDER_REVIEW.value and scope.role is ReviewerRole.BUREAU,
    )


def _period_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _period_page(request, ctx, db, request.path_params["period_id"], refused)


class ReviewerPeriodsController(Controller):
    path = "/review/assessment/periods"

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        periods = reviewer_scope.assessment_periods(db, reviewer_scope.scope_of(db, ctx))
        return page(request, "reviewer/periods.html", periods=periods, lifecycle_labels=LIFECYCLE_LABELS)

    @get("/{period_id:int}", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int]) -> Response:
        return _period_page(request, ctx, db, period_id)

    @post("/{period_id:int}/status", opt=allow(ReviewerRole.BUREAU) | shown_again_by(_period_refused), sync_to_thread=True)
    def decide(self, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int], data: FormData) -> Response:
        period = reviewer_scope.assessment_period(db, reviewer_scope.scope_of(db, ctx), period_id)
        action = field_text(data, "action")
        if action not in ("approve", "return"):
            raise DomainError(N_("Unknown action."), field="action")
        if period.status != Lifecycle.UNDER_REVIEW.value:
            raise DomainError(N_("Only results under review can be approved or returned here."), field="action")
        assessment_actions.advance(db, period, action, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/review/assessment/periods/{period_id}?notice=saved"))
