"""Grade evaluation pages: criteria per grade, campaigns, each candidate's reasons, decisions and applying them.

Refused input comes back on the same page with each message next to its
field, status 400, nothing written.
"""

from __future__ import annotations

from enum import Enum

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import StaffRole
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.bureaus.directory import bureau_names, load_assignments
from service.grades import actions, queries
from service.grades.inputs import (
    CAMPAIGN_FIELDS,
    CANDIDATE_CHECKS,
    CANDIDATE_FIELDS,
    CRITERIA_FIELDS,
    DECISION_FIELDS,
    parse_campaign,
    parse_candidate,
    parse_criteria,
    parse_decision,
)
from service.grades.models import CAMPAIGN_STATUS_LABELS, GradeCampaign, GradeCandidate
from service.grades.rules import AUTHORITY, BODY_LABELS, GRADES, Body
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, page_number, whole_number
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.models import LABELS as WORKFORCE_LABELS
from service.workforce.models import Education
from tenants.isolation import TenantSession

READERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.ASSESSOR, StaffRole.PAYROLL_CLERK)
EDITORS = (StaffRole.ADMIN, StaffRole.HR_CLERK)
DECIDERS = (StaffRole.ADMIN,)
PAGE_SIZE = 50
BASIC_FIELDS = ("disciplinary_window_years",)
CANDIDATE_FORM_FIELDS = (*CANDIDATE_FIELDS, *CANDIDATE_CHECKS)


def _criteria_values(row) -> dict[str, str]:
    if row is None:
        return {}
    return {
        "min_age": "" if row.min_age is None else str(row.min_age),
        "max_age": "" if row.max_age is None else str(row.max_age),
        "min_education": row.min_education or "",
        "min_years_of_service": "" if row.min_years_of_service is None else str(row.min_years_of_service),
        "min_post_points": "" if row.min_post_points is None else str(row.min_post_points),
        "required_trainings": "、".join(row.required_trainings or ()),
        "min_rating": row.min_rating or "",
        "rating_periods": str(row.rating_periods or ""),
    }


def _index(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """The criteria of every grade, the basic conditions and the campaigns; ``form`` names a refused one."""
    rows = actions.criteria_rows(db)
    criteria_values = {g: _criteria_values(rows.get(g)) for g in GRADES}
    if form.startswith("criteria-") and values is not None:
        criteria_values[int(form.split("-")[1])] = values
    return page(
        request,
        "grades/index.html",
        grades=GRADES,
        criteria_values=criteria_values,
        configured=set(rows),
        basic=actions.basic_conditions(db),
        campaigns=queries.campaigns(db),
        bureaus=bureau_names(db),
        form=form,
        values=values or {},
        errors=errors or {},
        educations=list(Education),
        workforce_labels=WORKFORCE_LABELS,
        ratings=list(Rating),
        rating_labels=RATING_LABELS,
        authority=AUTHORITY,
        body_labels=BODY_LABELS,
        status_labels=CAMPAIGN_STATUS_LABELS,
        can_edit=ctx.has_role(*EDITORS),
        today=clock.today(),
        done=request.query_params.get("done", ""),
    )


def _basic_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _index(request, ctx, db, form="basic", values=refused.values(BASIC_FIELDS), errors=refused.errors)


def _criteria_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    form = f"criteria-{request.path_params['grade']}"
    return _index(request, ctx, db, form=form, values=refused.values(CRITERIA_FIELDS), errors=refused.errors)


def _campaign_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _index(request, ctx, db, form="campaign", values=refused.values(CAMPAIGN_FIELDS), errors=refused.errors)


def _campaign_and_candidate(
    db: TenantSession, ctx: RequestContext, campaign_id: int, worker_id: int
) -> tuple[GradeCampaign, GradeCandidate]:
    campaign = actions.get_campaign(db, campaign_id)
    candidate = actions.get_candidate(db, campaign_id, worker_id) if campaign else None
    if campaign is None or candidate is None:
        raise NotFoundException()
    return campaign, candidate


def _candidate_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    campaign_id: int,
    worker_id: int,
    *,
    form: str = "",
    refused: RefusedForm | None = None,
    fields: tuple[str, ...] = (),
) -> Response:
    """One candidate with the reasons, the decisions so far and the forms; ``form`` names a refused one."""
    campaign, candidate = _campaign_and_candidate(db, ctx, campaign_id, worker_id)
    decisions = actions.decisions_of(db, campaign_id).get(worker_id, [])
    values = refused.values(fields) if refused else {}
    if form == "candidate" and refused is not None:
        candidate_values = values
    else:
        candidate_values = {
            "post_points": str(candidate.post_points),
            "target_grade": str(candidate.target_grade),
            **{name: "on" if getattr(candidate, name) else "" for name in CANDIDATE_CHECKS},
        }
    return page(
        request,
        "grades/candidate.html",
        campaign=campaign,
        candidate=candidate,
        worker=queries.candidate_worker(db, worker_id),
        decisions=decisions,
        change=None if candidate.change_id is None else queries.grade_change(db, candidate.change_id),
        candidate_values=candidate_values,
        form=form,
        values=values,
        errors=refused.errors if refused else {},
        grades=GRADES,
        bodies=list(Body),
        body_labels=BODY_LABELS,
        required=AUTHORITY[candidate.target_grade],
        approved=actions.approving_bodies(decisions, candidate.target_grade),
        reason_params=actions.reason_params,
        can_edit=ctx.has_role(*EDITORS),
        can_decide=ctx.has_role(*DECIDERS),
        done=request.query_params.get("done", ""),
    )


def _shown_again_as(form: str, fields: tuple[str, ...] = ()):
    """The candidate page with the named form showing what was refused."""

    def render(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
        params = request.path_params
        return _candidate_page(
            request, ctx, db, params["campaign_id"], params["worker_id"], form=form, refused=refused, fields=fields
        )

    return shown_again_by(render)


def _candidate_done(ctx: RequestContext, campaign_id: int, worker_id: int, form: str) -> Response:
    return see_other(ctx.tenant_path(f"/grades/campaigns/{campaign_id}/workers/{worker_id}?done={form}"))


class GradesController(Controller):
    path = "/grades"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _index(request, ctx, db)

    @post("/basic", opt=allow(*EDITORS) | shown_again_by(_basic_refused), sync_to_thread=True)
    def basic(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        years = whole_number(field_text(data, "disciplinary_window_years"), below=21)
        actions.set_basic_conditions(db, years or 0, actor=ctx.actor)
        return see_other(ctx.tenant_path("/grades?done=saved"))

    @post("/criteria/{grade:int}", opt=allow(*EDITORS) | shown_again_by(_criteria_refused), sync_to_thread=True)
    def criteria(self, ctx: RequestCtx, db: TenantDb, grade: FromPath[int], data: FormData) -> Response:
        if grade not in GRADES:
            raise NotFoundException()
        values = {f: field_text(data, f) for f in CRITERIA_FIELDS}
        criteria = parse_criteria(grade, values, actions.basic_conditions(db))
        actions.save_criteria(db, criteria, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/grades?done=saved#grade-{grade}"))

    @post("/campaigns", opt=allow(*EDITORS) | shown_again_by(_campaign_refused), sync_to_thread=True)
    def create_campaign(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        values = {f: field_text(data, f) for f in CAMPAIGN_FIELDS}
        parsed = parse_campaign(values, load_assignments(db).bureaus)
        campaign = actions.create_campaign(db, parsed, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/grades/campaigns/{campaign.id}"))

    @get("/campaigns/{campaign_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def campaign(self, request: Request, ctx: RequestCtx, db: TenantDb, campaign_id: FromPath[int]) -> Response:
        only_changes = request.query_params.get("all") != "1"
        campaign = actions.get_campaign(db, campaign_id)
        if campaign is None:
            raise NotFoundException()
        listed = queries.candidates_page(
            db,
            campaign,
            only_changes=only_changes,
            page=page_number(request.query_params.get("page", "")),
            size=PAGE_SIZE,
        )
        return page(
            request,
            "grades/campaign.html",
            campaign=campaign,
            rows=listed.rows,
            total=listed.total,
            page=listed.page,
            pages=listed.pages,
            only_changes=only_changes,
            decisions=actions.decisions_of(db, campaign_id),
            authority=AUTHORITY,
            body_labels=BODY_LABELS,
            status_labels=CAMPAIGN_STATUS_LABELS,
            approving=actions.approving_bodies,
        )

    @get("/campaigns/{campaign_id:int}/workers/{worker_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def candidate(
        self, request: Request, ctx: RequestCtx, db: TenantDb, campaign_id: FromPath[int], worker_id: FromPath[int]
    ) -> Response:
        return _candidate_page(request, ctx, db, campaign_id, worker_id)

    @post(
        "/campaigns/{campaign_id:int}/workers/{worker_id:int}",
        opt=allow(*EDITORS) | _shown_again_as("candidate", CANDIDATE_FORM_FIELDS),
        sync_to_thread=True,
    )
    def update_candidate(
        self, ctx: RequestCtx, db: TenantDb, campaign_id: FromPath[int], worker_id: FromPath[int], data: FormData
    ) -> Response:
        campaign, candidate = _campaign_and_candidate(db, ctx, campaign_id, worker_id)
        changes = parse_candidate({f: field_text(data, f) for f in CANDIDATE_FORM_FIELDS})
        actions.update_candidate(db, campaign, candidate, changes, actor=ctx.actor)
        return _candidate_done(ctx, campaign_id, worker_id, "candidate")

    @post(
        "/campaigns/{campaign_id:int}/workers/{worker_id:int}/decisions",
        opt=allow(*DECIDERS) | _shown_again_as("decision", DECISION_FIELDS),
        sync_to_thread=True,
    )
    def decide(
        self, ctx: RequestCtx, db: TenantDb, campaign_id: FromPath[int], worker_id: FromPath[int], data: FormData
    ) -> Response:
        campaign, candidate = _campaign_and_candidate(db, ctx, campaign_id, worker_id)
        body, approved, reference, note = parse_decision({f: field_text(data, f) for f in DECISION_FIELDS})
        principal = ctx.principal
        assert principal is not None  # allow(*DECIDERS) lets only the signed-in through
        role = principal.role.value if isinstance(principal.role, Enum) else principal.role  # the code, not the member
        actions.sign_decision(db, role, campaign, candidate, body, approved, actor=ctx.actor, reference=reference, note=note)
        return _candidate_done(ctx, campaign_id, worker_id, "decision")

    @post(
        "/campaigns/{campaign_id:int}/workers/{worker_id:int}/apply",
        opt=allow(*DECIDERS) | _shown_again_as("apply"),
        sync_to_thread=True,
    )
    def apply(self, ctx: RequestCtx, db: TenantDb, campaign_id: FromPath[int], worker_id: FromPath[int]) -> Response:
        campaign, candidate = _campaign_and_candidate(db, ctx, campaign_id, worker_id)
        actions.apply_candidate(db, campaign, candidate, clock.today(), actor=ctx.actor)
        return _candidate_done(ctx, campaign_id, worker_id, "apply")

    @post("/campaigns/{campaign_id:int}/close", opt=allow(*EDITORS), sync_to_thread=True)
    def close(self, ctx: RequestCtx, db: TenantDb, campaign_id: FromPath[int]) -> Response:
        campaign = actions.get_campaign(db, campaign_id)
        if campaign is None:
            raise NotFoundException()
        if campaign.status == "open":
            actions.close_campaign(db, campaign, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/grades/campaigns/{campaign_id}"))
