"""Reading appeals and the results they are against: the window in force, a result's deadline and recorders,
the results open to appeal, one page of the staff's open or answered appeals, and a worker's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import col, func, select

from service.assessment.appeals.models import DEFAULT_APPEAL_DAYS, Appeal, AppealSetting
from service.assessment.appeals.rules import appeal_deadline
from service.workforce.models import Worker
from tenants.isolation import TenantSession


@dataclass(frozen=True)
class ResultFacts:
    """A result as an appeal needs it (read from the assessment tables)."""

    id: int
    worker_id: int
    worker_name: str
    period_id: int
    period_name: str
    starts_on: date
    ends_on: date
    published_on: date | None
    status: str
    score: Decimal
    rating: str
    revision: int


_RESULT_SQL = """
    select r.id, r.worker_id, w.name, r.period_id, p.name, p.starts_on, p.ends_on, p.published_on,
           r.status, r.score, r.rating, r.revision
    from assessment_results r
    join assessment_periods p on p.tenant_id = r.tenant_id and p.id = r.period_id
    join workers w on w.tenant_id = r.tenant_id and w.id = r.worker_id
    where r.tenant_id = :t
"""


def get_result(db: TenantSession, result_id: int) -> ResultFacts | None:
    tenant_id = db.tenant_id
    row = db.execute(text(_RESULT_SQL + " and r.id = :id"), {"t": tenant_id, "id": result_id}).first()
    return None if row is None else ResultFacts(*row)


def appealed_result(db: TenantSession, appeal: Appeal) -> ResultFacts:
    """The result ``appeal`` is against."""
    result = get_result(db, appeal.result_id)
    assert result is not None  # a foreign key holds it
    return result


def open_to_appeal_on(result: ResultFacts, deadline: date | None, today: date) -> bool:
    """Whether ``today`` lies from the result's publication to its ``deadline`` (``deadline_of``), both inclusive."""
    return result.published_on is not None and deadline is not None and result.published_on <= today <= deadline


def published_results_of(db: TenantSession, worker_id: int) -> list[ResultFacts]:
    tenant_id = db.tenant_id
    rows = db.execute(
        text(_RESULT_SQL + " and r.worker_id = :w and r.status = 'published' order by p.ends_on desc, r.id desc"),
        {"t": tenant_id, "w": worker_id},
    ).all()
    return [ResultFacts(*row) for row in rows]


def open_to_appeal(db: TenantSession, today: date, days: int, name: str = "", *, limit: int = 50) -> list[ResultFacts]:
    """Published results whose window is still open today, by worker name (optionally containing ``name``)."""
    tenant_id = db.tenant_id
    sql = _RESULT_SQL + (
        " and r.status = 'published' and p.published_on between :since and :today"
        + (" and w.name like :name" if name else "")
        + " order by w.name, p.ends_on desc, r.id limit :limit"
    )
    escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = db.execute(
        text(sql),
        {"t": tenant_id, "since": today - timedelta(days=days), "today": today, "name": f"%{escaped}%", "limit": limit},
    ).all()
    return [ResultFacts(*row) for row in rows]


def window_days(db: TenantSession) -> int:
    tenant_id = db.tenant_id
    setting = db.get(AppealSetting, tenant_id)
    return setting.window_days if setting is not None else DEFAULT_APPEAL_DAYS


def deadline_of(db: TenantSession, result: ResultFacts) -> date | None:
    if result.published_on is None:
        return None
    return appeal_deadline(result.published_on, window_days(db))


def recorders_of(db: TenantSession, result: ResultFacts) -> set[str]:
    """``kind:id`` of everyone who recorded the worker's points during the result's period."""
    tenant_id = db.tenant_id
    rows = db.execute(
        text(
            "select distinct recorder_kind, recorder_id from assessment_records"
            " where tenant_id = :t and worker_id = :w and on_date between :start and :end"
        ),
        {"t": tenant_id, "w": result.worker_id, "start": result.starts_on, "end": result.ends_on},
    ).all()
    return {f"{kind}:{rid}" for kind, rid in rows}


def get_appeal(db: TenantSession, appeal_id: int) -> Appeal | None:
    tenant_id = db.tenant_id
    return db.exec(select(Appeal).where(Appeal.tenant_id == tenant_id, Appeal.id == appeal_id)).first()


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
