"""Grade evaluation pages: criteria per grade, campaigns, each candidate's reasons, decisions and applying them.

Refused input comes back on the same page with each message next to its
field, status 400, nothing written.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlmodel import func, select

from service import clock
from service.accounts.models import StaffRole
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.bureaus.models import ClientBureau
from service.errors import DomainError, InputErrors
from service.grades import actions
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
from service.web.forms import FormData, field_text, page_number, translated_errors, whole_number
from service.web.pages import page, see_other
from service.workforce.models import LABELS as WORKFORCE_LABELS
from service.workforce.models import Education, Worker
from tenants.isolation import tenant_session

READERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.ASSESSOR, StaffRole.PAYROLL_CLERK)
EDITORS = (StaffRole.ADMIN, StaffRole.HR_CLERK)
DECIDERS = (StaffRole.ADMIN,)
PAGE_SIZE = 50


def _errors(problem: Exception, request: Request) -> dict[str, str]:
    errors = problem.errors if isinstance(problem, InputErrors) else [problem]
    return translated_errors(errors, request.state.ctx.translate)  # type: ignore[arg-type]


def _bureau_names(db, tenant_id) -> list[str]:
    return list(db.exec(select(ClientBureau.name).where(ClientBureau.tenant_id == tenant_id).order_by(ClientBureau.name)))


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
    request: Request, *, status: int = 200, form: str = "", values: dict | None = None, errors: dict | None = None
) -> Response:
    ctx = request.state.ctx
    with tenant_session(ctx.tenant_id) as db:
        rows = actions.criteria_rows(db, ctx.tenant_id)
        basic = actions.basic_conditions(db, ctx.tenant_id)
        campaigns = db.exec(
            select(GradeCampaign).where(GradeCampaign.tenant_id == ctx.tenant_id).order_by(GradeCampaign.id.desc())  # type: ignore[union-attr]
        ).all()
        bureaus = _bureau_names(db, ctx.tenant_id)
    criteria_values = {g: _criteria_values(rows.get(g)) for g in GRADES}
    if form.startswith("criteria-") and values is not None:
        criteria_values[int(form.split("-")[1])] = values
    return page(
        request,
        "grades/index.html",
        status=status,
        grades=GRADES,
        criteria_values=criteria_values,
        configured=set(rows),
        basic=basic,
        campaigns=campaigns,
        bureaus=bureaus,
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


def _candidate_rows(db, tenant_id, campaign: GradeCampaign, only_changes: bool, page_no: int):
    conditions = [GradeCandidate.tenant_id == tenant_id, GradeCandidate.campaign_id == campaign.id]
    if only_changes:
        conditions.append(GradeCandidate.target_grade != GradeCandidate.current_grade)
    total = db.exec(select(func.count()).select_from(GradeCandidate).where(*conditions)).one()
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    page_no = min(page_no, pages)
    rows = db.exec(
        select(GradeCandidate, Worker.name, Worker.client_bureau, Worker.post_line)
        .join(Worker, (Worker.tenant_id == GradeCandidate.tenant_id) & (Worker.id == GradeCandidate.worker_id))
        .where(*conditions)
        .order_by(GradeCandidate.worker_id)
        .offset((page_no - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return rows, total, page_no, pages


class GradesController(Controller):
    path = "/grades"

    @get("/", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        return _index(request)

    @post("/basic", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def basic(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        text = field_text(data, "disciplinary_window_years")
        try:
            years = whole_number(text, below=21)
            with tenant_session(ctx.tenant_id) as db:
                actions.set_basic_conditions(db, ctx.tenant_id, ctx.actor, years or 0)
        except DomainError as problem:
            return _index(
                request, status=400, form="basic", values={"disciplinary_window_years": text}, errors=_errors(problem, request)
            )
        return see_other(ctx.tenant_path("/grades?done=saved"))

    @post("/criteria/{grade:int}", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def criteria(self, request: Request, grade: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        if grade not in GRADES:
            raise NotFoundException()
        values = {f: field_text(data, f) for f in CRITERIA_FIELDS}
        try:
            with tenant_session(ctx.tenant_id) as db:
                criteria = parse_criteria(grade, values, actions.basic_conditions(db, ctx.tenant_id))
                actions.save_criteria(db, ctx.tenant_id, ctx.actor, criteria)
        except (InputErrors, DomainError) as problem:
            return _index(request, status=400, form=f"criteria-{grade}", values=values, errors=_errors(problem, request))
        return see_other(ctx.tenant_path(f"/grades?done=saved#grade-{grade}"))

    @post("/campaigns", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def create_campaign(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in CAMPAIGN_FIELDS}
        try:
            with tenant_session(ctx.tenant_id) as db:
                parsed = parse_campaign(values, set(_bureau_names(db, ctx.tenant_id)))
                campaign = actions.create_campaign(db, ctx.tenant_id, ctx.actor, parsed)
                campaign_id = campaign.id
        except (InputErrors, DomainError) as problem:
            return _index(request, status=400, form="campaign", values=values, errors=_errors(problem, request))
        return see_other(ctx.tenant_path(f"/grades/campaigns/{campaign_id}"))

    @get("/campaigns/{campaign_id:int}", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def campaign(self, request: Request, campaign_id: FromPath[int]) -> Response:
        ctx = request.state.ctx
        only_changes = request.query_params.get("all") != "1"
        with tenant_session(ctx.tenant_id) as db:
            campaign = actions.get_campaign(db, ctx.tenant_id, campaign_id)
            if campaign is None:
                raise NotFoundException()
            rows, total, page_no, pages = _candidate_rows(
                db, ctx.tenant_id, campaign, only_changes, page_number(request.query_params.get("page", ""))
            )
            decisions = actions.decisions_of(db, ctx.tenant_id, campaign.id)
        return page(
            request,
            "grades/campaign.html",
            campaign=campaign,
            rows=rows,
            total=total,
            page=page_no,
            pages=pages,
            only_changes=only_changes,
            decisions=decisions,
            authority=AUTHORITY,
            body_labels=BODY_LABELS,
            status_labels=CAMPAIGN_STATUS_LABELS,
            approving=actions.approving_bodies,
        )

    def _candidate_page(
        self,
        request: Request,
        campaign_id: int,
        worker_id: int,
        *,
        status: int = 200,
        form: str = "",
        values: dict | None = None,
        errors: dict | None = None,
    ) -> Response:
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            campaign = actions.get_campaign(db, ctx.tenant_id, campaign_id)
            candidate = actions.get_candidate(db, ctx.tenant_id, campaign_id, worker_id) if campaign else None
            if campaign is None or candidate is None:
                raise NotFoundException()
            worker = db.exec(select(Worker).where(Worker.tenant_id == ctx.tenant_id, Worker.id == worker_id)).one()
            decisions = actions.decisions_of(db, ctx.tenant_id, campaign_id).get(worker_id, [])
            change = None
            if candidate.change_id is not None:
                from service.grades.models import GradeChangeRow

                change = db.get(GradeChangeRow, (ctx.tenant_id, candidate.change_id))
        candidate_values = {
            "post_points": str(candidate.post_points),
            "target_grade": str(candidate.target_grade),
            **{name: "on" if getattr(candidate, name) else "" for name in CANDIDATE_CHECKS},
        }
        if form == "candidate" and values is not None:
            candidate_values = values
        required = AUTHORITY[candidate.target_grade]
        return page(
            request,
            "grades/candidate.html",
            status=status,
            campaign=campaign,
            candidate=candidate,
            worker=worker,
            decisions=decisions,
            change=change,
            candidate_values=candidate_values,
            form=form,
            values=values or {},
            errors=errors or {},
            grades=GRADES,
            bodies=list(Body),
            body_labels=BODY_LABELS,
            required=required,
            approved=actions.approving_bodies(decisions, candidate.target_grade),
            reason_params=actions.reason_params,
            can_edit=ctx.has_role(*EDITORS),
            can_decide=ctx.has_role(*DECIDERS),
            done=request.query_params.get("done", ""),
        )

    @get(
        "/campaigns/{campaign_id:int}/workers/{worker_id:int}",
        opt=allow(*READERS),
        sync_to_thread=True,
        include_in_schema=False,
    )
    def candidate(self, request: Request, campaign_id: FromPath[int], worker_id: FromPath[int]) -> Response:
        return self._candidate_page(request, campaign_id, worker_id)

    def _write(self, request: Request, campaign_id: int, worker_id: int, form: str, values: dict[str, str], action) -> Response:
        ctx = request.state.ctx
        try:
            with tenant_session(ctx.tenant_id) as db:
                campaign = actions.get_campaign(db, ctx.tenant_id, campaign_id)
                candidate = actions.get_candidate(db, ctx.tenant_id, campaign_id, worker_id) if campaign else None
                if campaign is None or candidate is None:
                    raise NotFoundException()
                action(db, campaign, candidate)
        except (InputErrors, DomainError) as problem:
            return self._candidate_page(
                request, campaign_id, worker_id, status=400, form=form, values=values, errors=_errors(problem, request)
            )
        return see_other(ctx.tenant_path(f"/grades/campaigns/{campaign_id}/workers/{worker_id}?done={form}"))

    @post(
        "/campaigns/{campaign_id:int}/workers/{worker_id:int}",
        opt=allow(*EDITORS),
        sync_to_thread=True,
        include_in_schema=False,
    )
    def update_candidate(
        self, request: Request, campaign_id: FromPath[int], worker_id: FromPath[int], data: FormData
    ) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in (*CANDIDATE_FIELDS, *CANDIDATE_CHECKS)}

        def run(db, campaign, candidate) -> None:
            actions.update_candidate(db, ctx.tenant_id, ctx.actor, campaign, candidate, parse_candidate(values))

        return self._write(request, campaign_id, worker_id, "candidate", values, run)

    @post(
        "/campaigns/{campaign_id:int}/workers/{worker_id:int}/decisions",
        opt=allow(*DECIDERS),
        sync_to_thread=True,
        include_in_schema=False,
    )
    def decide(self, request: Request, campaign_id: FromPath[int], worker_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in DECISION_FIELDS}

        def run(db, campaign, candidate) -> None:
            body, approved, reference, note = parse_decision(values)
            role = ctx.principal.role.value if hasattr(ctx.principal.role, "value") else ctx.principal.role
            actions.sign_decision(
                db, ctx.tenant_id, ctx.actor, role, campaign, candidate, body, approved, reference=reference, note=note
            )

        return self._write(request, campaign_id, worker_id, "decision", values, run)

    @post(
        "/campaigns/{campaign_id:int}/workers/{worker_id:int}/apply",
        opt=allow(*DECIDERS),
        sync_to_thread=True,
        include_in_schema=False,
    )
    def apply(self, request: Request, campaign_id: FromPath[int], worker_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx

        def run(db, campaign, candidate) -> None:
            actions.apply_candidate(db, ctx.tenant_id, ctx.actor, campaign, candidate, clock.today())

        return self._write(request, campaign_id, worker_id, "apply", {}, run)

    @post("/campaigns/{campaign_id:int}/close", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def close(self, request: Request, campaign_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            campaign = actions.get_campaign(db, ctx.tenant_id, campaign_id)
            if campaign is None:
                raise NotFoundException()
            if campaign.status == "open":
                actions.close_campaign(db, ctx.tenant_id, ctx.actor, campaign)
        return see_other(ctx.tenant_path(f"/grades/campaigns/{campaign_id}"))
