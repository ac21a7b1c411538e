"""Reading grade evaluation data for the pages (no writes here)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, func, select

from service.grades.models import GradeCampaign, GradeCandidate, GradeChangeRow
from service.workforce.models import Worker
from tenants.isolation import TenantSession


def campaigns(db: TenantSession) -> list[GradeCampaign]:
    """Every campaign, the newest first."""
    tenant_id = db.tenant_id
    return list(
        db.exec(select(GradeCampaign).where(GradeCampaign.tenant_id == tenant_id).order_by(col(GradeCampaign.id).desc()))
    )


@dataclass(frozen=True)
class CandidatePage:
    rows: list[tuple[GradeCandidate, str, str | None, str]]  # candidate, worker's name, bureau, post line
    total: int
    page: int  # the page shown: the one asked for, at most the last
    pages: int


def candidates_page(db: TenantSession, campaign: GradeCampaign, *, only_changes: bool, page: int, size: int) -> CandidatePage:
    """One page of a campaign's candidates by worker id; ``only_changes`` leaves out those whose grade stays."""
    tenant_id = db.tenant_id
    conditions = [GradeCandidate.tenant_id == tenant_id, GradeCandidate.campaign_id == campaign.id]
    if only_changes:
        conditions.append(GradeCandidate.target_grade != GradeCandidate.current_grade)
    total = db.exec(select(func.count()).select_from(GradeCandidate).where(*conditions)).one()
    pages = max(1, (total + size - 1) // size)
    page = min(page, pages)
    rows = db.exec(
        select(GradeCandidate, col(Worker.name), Worker.client_bureau, col(Worker.post_line))
        .join(Worker, (col(Worker.tenant_id) == GradeCandidate.tenant_id) & (col(Worker.id) == GradeCandidate.worker_id))
        .where(*conditions)
        .order_by(col(GradeCandidate.worker_id))
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return CandidatePage(list(rows), total, page, pages)


def candidate_worker(db: TenantSession, worker_id: int) -> Worker:
    """The worker a candidate row names (its foreign key guarantees there is one)."""
    tenant_id = db.tenant_id
    return db.exec(select(Worker).where(Worker.tenant_id == tenant_id, Worker.id == worker_id)).one()


def grade_change(db: TenantSession, change_id: int) -> GradeChangeRow | None:
    tenant_id = db.tenant_id
    return db.get(GradeChangeRow, (tenant_id, change_id))
