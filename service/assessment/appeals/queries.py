"""Reading appeals for the lists: one page of the staff's open or answered ones, and a worker's own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, func, select

from service.assessment.appeals.models import Appeal
from service.workforce.models import Worker
from tenants.isolation import TenantSession


@dataclass(frozen=True)
class AppealPage:
    rows: list[tuple[Appeal, str]]  # each appeal with its worker's name
    total: int
    page: int  # the page shown: the one asked for, at most the last
    pages: int


def appeals_page(db: TenantSession, *, answered: bool, page: int, size: int) -> AppealPage:
    """Open appeals oldest first (the next to answer on top); answered ones newest first."""
    tenant_id = db.tenant_id
    condition = Appeal.status != "open" if answered else Appeal.status == "open"
    total = db.exec(select(func.count()).select_from(Appeal).where(Appeal.tenant_id == tenant_id, condition)).one()
    pages = max(1, (total + size - 1) // size)
    page = min(page, pages)
    rows = db.exec(
        select(Appeal, col(Worker.name))
        .join(Worker, (col(Worker.tenant_id) == Appeal.tenant_id) & (col(Worker.id) == Appeal.worker_id))
        .where(Appeal.tenant_id == tenant_id, condition)
        .order_by(col(Appeal.filed_on).desc() if answered else col(Appeal.filed_on), col(Appeal.id))
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return AppealPage(list(rows), total, page, pages)


def appeals_of_worker(db: TenantSession, worker_id: int) -> list[Appeal]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(Appeal).where(Appeal.tenant_id == tenant_id, Appeal.worker_id == worker_id).order_by(col(Appeal.id).desc())
        )
    )
