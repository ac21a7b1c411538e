"""The one place the reviewer portal is narrowed to the reviewer's bureau.

Every portal query starts from ``ReviewerScope``: workers come from
``workers()`` (tenant and bureau already in the WHERE clause) and a single
worker from ``worker()``, which answers 404, never 403, for a worker of
another bureau, so a reviewer cannot even learn that an id exists.  The
bureau's statements come from ``statements()`` / ``statement()`` the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from litestar.exceptions import NotAuthorizedException
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from service.assessment import queries as assessment_queries
from service.assessment.appeals.models import Appeal
from service.assessment.models import AssessmentItem, AssessmentPeriod
from service.bureaus.models import BureauStatement, BureauStatementLine, ClientBureau, ServiceAgreement, StatementStatus
from service.bureaus.statements import files as statement_files
from service.bureaus.statements import queries as bureau_statements
from service.database.ids import id_of, ids_of
from service.errors import NotFound
from service.grades.models import GradeCampaign, GradeCandidate, GradeDecision
from service.grades.rules import AUTHORITY, Body
from service.reviewers.models import Reviewer, ReviewerRole
from service.web.context import RequestContext
from service.workforce.models import Worker, WorkerStatus
from tenants.isolation import TenantSession

# Dispatched to the bureau today: everyone not a candidate and not gone.
ON_DUTY = (WorkerStatus.PROBATION, WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED)


@dataclass(frozen=True)
class ReviewerScope:
    tenant_id: uuid.UUID
    reviewer_id: int
    bureau_id: int
    role: ReviewerRole

    @property
    def is_establishment(self) -> bool:
        return self.role is ReviewerRole.ESTABLISHMENT


def scope_of(db: TenantSession, ctx: RequestContext) -> ReviewerScope:
    """The signed-in reviewer's scope (read from the database, not from the session)."""
    principal = ctx.principal
    if principal is None or principal.kind != "reviewer":
        raise NotAuthorizedException()
    reviewer = db.exec(
        select(Reviewer).where(Reviewer.tenant_id == ctx.tenant_id, Reviewer.id == principal.id, Reviewer.active)
    ).first()
    if reviewer is None:
        raise NotAuthorizedException()
    return ReviewerScope(ctx.tenant_id, id_of(reviewer), reviewer.bureau_id, reviewer.role)


def workers(scope: ReviewerScope) -> SelectOfScalar[Worker]:
    """SELECT the workers dispatched to the reviewer's bureau; add filters and order to it."""
    return select(Worker).where(Worker.tenant_id == scope.tenant_id, Worker.bureau_id == scope.bureau_id)


def on_duty(db: TenantSession, scope: ReviewerScope) -> list[Worker]:
    """The bureau's workers on duty today, by name."""
    return list(db.exec(workers(scope).where(col(Worker.status).in_(ON_DUTY)).order_by(col(Worker.name), col(Worker.id))))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def worker_page(
    db: TenantSession, scope: ReviewerScope, *, name: str, status: str, page: int, size: int
) -> tuple[list[Worker], int]:
    """One page of the bureau's workers whose name contains ``name``, in ``status`` (else on duty); and how many match."""
    query = workers(scope)
    if name:
        query = query.where(col(Worker.name).ilike(f"%{_escape_like(name)}%", escape="\\"))
    if status in WorkerStatus._value2member_map_:
        query = query.where(col(Worker.status) == WorkerStatus(status))
    else:
        query = query.where(col(Worker.status).in_(ON_DUTY))
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(db.exec(query.order_by(col(Worker.name), col(Worker.id)).offset((page - 1) * size).limit(size)))
    return rows, total


def worker(db: TenantSession, scope: ReviewerScope, worker_id: int) -> Worker:
    found = db.exec(workers(scope).where(Worker.id == worker_id)).first()
    if found is None:
        raise NotFound()
    return found


def bureau(db: TenantSession, scope: ReviewerScope) -> ClientBureau:
    found = db.exec(
        select(ClientBureau).where(ClientBureau.tenant_id == scope.tenant_id, ClientBureau.id == scope.bureau_id)
    ).first()
    if found is None:
        raise NotFound()
    return found


# --- monthly statements: the bureau's own, and never a draft (the company is still preparing it) ---------


def statements(db: TenantSession, scope: ReviewerScope) -> list[BureauStatement]:
    return [s for s in bureau_statements.statements_of(db, scope.bureau_id) if s.status is not StatementStatus.DRAFT]


def statement(
    db: TenantSession, scope: ReviewerScope, statement_id: int
) -> tuple[BureauStatement, list[BureauStatementLine], ClientBureau, ServiceAgreement | None, dict]:
    """(statement, lines, bureau, agreement, related) of one of the bureau's sent statements, else 404."""
    loaded = statement_files.load(db, statement_id, bureau_id=scope.bureau_id)
    if loaded[0].status is StatementStatus.DRAFT:
        raise NotFound()
    return loaded


# --- grade evaluation: candidates of open campaigns, of the bureau's workers, within the reviewer's authority ---

REVIEWER_BODY = {ReviewerRole.BUREAU: Body.CLIENT_BUREAU, ReviewerRole.ESTABLISHMENT: Body.ESTABLISHMENT_OFFICE}


def body_of(scope: ReviewerScope) -> Body:
    return REVIEWER_BODY[scope.role]


def within_authority(scope: ReviewerScope, target_grade: int) -> bool:
    """Grade 5 with the company for the bureau; grades 4 to 1 for the establishment office (seed 002 §8)."""
    return body_of(scope) in AUTHORITY.get(target_grade, frozenset())


def grade_candidates(db: TenantSession, scope: ReviewerScope) -> list[tuple[GradeCampaign, GradeCandidate, Worker]]:
    bureau_workers = workers(scope).subquery()
    rows = db.exec(
        select(GradeCampaign, GradeCandidate, Worker)
        .join(
            GradeCandidate,
            (col(GradeCandidate.tenant_id) == GradeCampaign.tenant_id) & (col(GradeCandidate.campaign_id) == GradeCampaign.id),
        )
        .join(Worker, (col(Worker.tenant_id) == GradeCandidate.tenant_id) & (col(Worker.id) == GradeCandidate.worker_id))
        .where(
            GradeCampaign.tenant_id == scope.tenant_id,
            GradeCampaign.status == "open",
            Worker.bureau_id == scope.bureau_id,
            col(Worker.id).in_(select(bureau_workers.c.id)),
        )
        .order_by(col(GradeCampaign.evaluated_on).desc(), col(Worker.name))
    ).all()
    return [(c, cand, w) for c, cand, w in rows if within_authority(scope, cand.target_grade)]


def grade_decisions(db: TenantSession, scope: ReviewerScope) -> dict[tuple[int, int], GradeDecision]:
    """The decisions signed by the reviewer's body, by (campaign, worker): looked up for ``grade_candidates`` rows."""
    body = body_of(scope).value
    found = db.exec(select(GradeDecision).where(GradeDecision.tenant_id == scope.tenant_id, GradeDecision.body == body))
    return {(d.campaign_id, d.worker_id): d for d in found}


def grade_candidate(
    db: TenantSession, scope: ReviewerScope, campaign_id: int, worker_id: int
) -> tuple[GradeCampaign, GradeCandidate, Worker]:
    """(campaign, candidate, worker) when the worker is the bureau's and the decision within the reviewer's authority."""
    found = worker(db, scope, worker_id)
    campaign = db.get(GradeCampaign, (scope.tenant_id, campaign_id))
    candidate = db.get(GradeCandidate, (scope.tenant_id, campaign_id, worker_id))
    if campaign is None or candidate is None or campaign.status != "open":
        raise NotFound()
    if not within_authority(scope, candidate.target_grade):
        raise NotFound()
    return campaign, candidate, found


# --- daily assessment: items for the bureau (or every bureau), the bureau's workers only -----------------


def assessment_items(db: TenantSession, scope: ReviewerScope, on: date) -> list[AssessmentItem]:
    return [i for i in assessment_queries.items_in_force(db, on) if i.bureau_id in (None, scope.bureau_id)]


def workers_among(db: TenantSession, scope: ReviewerScope, worker_ids: list[int]) -> set[int]:
    """Which of these ids are the bureau's workers."""
    if not worker_ids:
        return set()
    return set(
        ids_of(
            db.exec(
                select(col(Worker.id)).where(
                    Worker.tenant_id == scope.tenant_id, Worker.bureau_id == scope.bureau_id, col(Worker.id).in_(worker_ids)
                )
            )
        )
    )


# --- appeals against the results of the bureau's workers ------------------------------------------------


def appeals(db: TenantSession, scope: ReviewerScope) -> list[Appeal]:
    bureau_worker_ids = select(col(Worker.id)).where(Worker.tenant_id == scope.tenant_id, Worker.bureau_id == scope.bureau_id)
    return list(
        db.exec(
            select(Appeal)
            .where(Appeal.tenant_id == scope.tenant_id, col(Appeal.worker_id).in_(bureau_worker_ids))
            .order_by(col(Appeal.status) != "open", col(Appeal.filed_on).desc(), col(Appeal.id).desc())
        )
    )


def appeal(db: TenantSession, scope: ReviewerScope, appeal_id: int) -> Appeal:
    found = db.exec(select(Appeal).where(Appeal.tenant_id == scope.tenant_id, Appeal.id == appeal_id)).first()
    if found is None:
        raise NotFound()
    worker(db, scope, found.worker_id)  # 404 unless the appellant works for the bureau
    return found


# --- assessment periods of this bureau alone (a period for every bureau is the company's to approve) ----


def assessment_periods(db: TenantSession, scope: ReviewerScope) -> list[AssessmentPeriod]:
    return list(
        db.exec(
            select(AssessmentPeriod)
            .where(
                AssessmentPeriod.tenant_id == scope.tenant_id,
                AssessmentPeriod.bureau_id == scope.bureau_id,
                AssessmentPeriod.status != "draft",
            )
            .order_by(col(AssessmentPeriod.starts_on).desc(), col(AssessmentPeriod.id).desc())
        )
    )


def assessment_period(db: TenantSession, scope: ReviewerScope, period_id: int) -> AssessmentPeriod:
    found = next((p for p in assessment_periods(db, scope) if p.id == period_id), None)
    if found is None:
        raise NotFound()
    return found
