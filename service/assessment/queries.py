"""Reading assessment data for pages and actions (no writes here)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_
from sqlmodel import col, select

from service.assessment.models import AssessmentItem, AssessmentPeriod, AssessmentRecord, AssessmentResult, SheetScore
from service.assessment.scoring import DailyRecord, period_total
from service.database.ids import id_of
from service.workforce.models import Worker, WorkerStatus
from tenants.isolation import TenantSession

ASSESSED_STATUSES = (WorkerStatus.PROBATION, WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED)


def get_item(db: TenantSession, item_id: int) -> AssessmentItem | None:
    tenant_id = db.tenant_id
    return db.exec(select(AssessmentItem).where(AssessmentItem.tenant_id == tenant_id, AssessmentItem.id == item_id)).first()


def list_items(db: TenantSession, *, history: bool = False) -> list[AssessmentItem]:
    tenant_id = db.tenant_id
    query = select(AssessmentItem).where(AssessmentItem.tenant_id == tenant_id)
    if not history:
        query = query.where(col(AssessmentItem.effective_to).is_(None))
    return list(
        db.exec(query.order_by(col(AssessmentItem.code), col(AssessmentItem.client_bureau), col(AssessmentItem.effective_from)))
    )


def versions_of(db: TenantSession, item: AssessmentItem) -> list[AssessmentItem]:
    tenant_id = db.tenant_id
    scope = (
        col(AssessmentItem.bureau_id).is_(None) if item.bureau_id is None else col(AssessmentItem.bureau_id) == item.bureau_id
    )
    return list(
        db.exec(
            select(AssessmentItem)
            .where(AssessmentItem.tenant_id == tenant_id, AssessmentItem.code == item.code, scope)
            .order_by(col(AssessmentItem.effective_from))
        )
    )


def latest_version(db: TenantSession, code: str, bureau_id: int | None) -> AssessmentItem | None:
    tenant_id = db.tenant_id
    scope = col(AssessmentItem.bureau_id).is_(None) if bureau_id is None else col(AssessmentItem.bureau_id) == bureau_id
    return db.exec(
        select(AssessmentItem)
        .where(AssessmentItem.tenant_id == tenant_id, AssessmentItem.code == code, scope)
        .order_by(col(AssessmentItem.effective_from).desc())
    ).first()


def items_in_force(db: TenantSession, on: date) -> list[AssessmentItem]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(AssessmentItem)
            .where(
                AssessmentItem.tenant_id == tenant_id,
                AssessmentItem.effective_from <= on,
                or_(col(AssessmentItem.effective_to).is_(None), col(AssessmentItem.effective_to) >= on),
            )
            .order_by(col(AssessmentItem.category), col(AssessmentItem.code))
        )
    )


def bureau_choices(db: TenantSession) -> list[str]:
    """The names of the bureaus assessed workers work for: forms choose a bureau by its name."""
    tenant_id = db.tenant_id
    rows = db.exec(
        select(Worker.client_bureau).where(Worker.tenant_id == tenant_id, col(Worker.status).in_(ASSESSED_STATUSES)).distinct()
    )
    return sorted({b for b in rows if b})


def unit_choices(db: TenantSession) -> list[str]:
    tenant_id = db.tenant_id
    rows = db.exec(
        select(Worker.unit).where(Worker.tenant_id == tenant_id, col(Worker.status).in_(ASSESSED_STATUSES)).distinct()
    )
    return sorted({u for u in rows if u})


def workers_for_entry(db: TenantSession, bureau: str, unit: str) -> list[Worker]:
    """The workers a squad's bulk entry lists: assessed workers of a bureau and unit."""
    tenant_id = db.tenant_id
    query = select(Worker).where(Worker.tenant_id == tenant_id, col(Worker.status).in_(ASSESSED_STATUSES))
    if bureau:
        query = query.where(Worker.client_bureau == bureau)
    if unit:
        query = query.where(Worker.unit == unit)
    return list(db.exec(query.order_by(Worker.unit, col(Worker.name), col(Worker.id))).all())


def workers_by_id(db: TenantSession, ids: list[int]) -> dict[int, Worker]:
    tenant_id = db.tenant_id
    if not ids:
        return {}
    return {id_of(w): w for w in db.exec(select(Worker).where(Worker.tenant_id == tenant_id, col(Worker.id).in_(ids)))}


@dataclass
class RecordRow:
    record: AssessmentRecord
    worker_name: str
    item: AssessmentItem


def records_on(db: TenantSession, day: date, limit: int = 200) -> list[RecordRow]:
    tenant_id = db.tenant_id
    rows = db.exec(
        select(AssessmentRecord, col(Worker.name), AssessmentItem)
        .join(Worker, (col(Worker.tenant_id) == AssessmentRecord.tenant_id) & (col(Worker.id) == AssessmentRecord.worker_id))
        .join(
            AssessmentItem,
            (col(AssessmentItem.tenant_id) == AssessmentRecord.tenant_id)
            & (col(AssessmentItem.id) == AssessmentRecord.item_id),
        )
        .where(AssessmentRecord.tenant_id == tenant_id, AssessmentRecord.on_date == day)
        .order_by(col(AssessmentRecord.id).desc())
        .limit(limit)
    ).all()
    return [RecordRow(r, name, item) for r, name, item in rows]


def get_record(db: TenantSession, record_id: int) -> AssessmentRecord | None:
    tenant_id = db.tenant_id
    return db.exec(
        select(AssessmentRecord).where(AssessmentRecord.tenant_id == tenant_id, AssessmentRecord.id == record_id)
    ).first()


def records_between(db: TenantSession, start: date, end: date, worker_ids: list[int] | None = None) -> list[AssessmentRecord]:
    tenant_id = db.tenant_id
    query = select(AssessmentRecord).where(
        AssessmentRecord.tenant_id == tenant_id, AssessmentRecord.on_date >= start, AssessmentRecord.on_date <= end
    )
    if worker_ids is not None:
        query = query.where(col(AssessmentRecord.worker_id).in_(worker_ids))
    return list(db.exec(query.order_by(col(AssessmentRecord.on_date), col(AssessmentRecord.id))))


def items_by_id(db: TenantSession, ids: set[int]) -> dict[int, AssessmentItem]:
    tenant_id = db.tenant_id
    if not ids:
        return {}
    query = select(AssessmentItem).where(AssessmentItem.tenant_id == tenant_id, col(AssessmentItem.id).in_(sorted(ids)))
    return {id_of(i): i for i in db.exec(query)}


@dataclass
class ItemTotal:
    item: AssessmentItem
    records: list[AssessmentRecord] = field(default_factory=list)
    recorded: Decimal = Decimal(0)
    counted: Decimal = Decimal(0)

    @property
    def capped(self) -> bool:
        return self.recorded != self.counted


@dataclass
class RunningTotal:
    start: date
    end: date
    base_score: Decimal
    items: list[ItemTotal]
    total: Decimal


def running_total(db: TenantSession, worker_id: int, start: date, end: date, base_score: Decimal) -> RunningTotal:
    """A worker's points from ``start`` to ``end``: per item, recorded and counted (capped), and the total."""
    records = records_between(db, start, end, [worker_id])
    items = items_by_id(db, {r.item_id for r in records})
    per_item: dict[int, ItemTotal] = {}
    for r in records:
        entry = per_item.setdefault(r.item_id, ItemTotal(items[r.item_id]))
        entry.records.append(r)
        entry.recorded += r.points
    for entry in per_item.values():
        cap = entry.item.period_cap
        entry.counted = entry.recorded if cap is None else min(max(entry.recorded, -cap), cap)
    total = period_total(base_score, to_daily(records), [i.rule() for i in items.values()])
    ordered = sorted(per_item.values(), key=lambda e: (e.item.category, e.item.code))
    return RunningTotal(start, end, base_score, ordered, total)


def to_daily(records: list[AssessmentRecord]) -> list[DailyRecord]:
    return [DailyRecord(str(r.item_id), r.on_date, r.points, f"{r.recorder_kind}:{r.recorder_id}") for r in records]


def list_periods(db: TenantSession) -> list[AssessmentPeriod]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(AssessmentPeriod)
            .where(AssessmentPeriod.tenant_id == tenant_id)
            .order_by(col(AssessmentPeriod.ends_on).desc(), col(AssessmentPeriod.id).desc())
        )
    )


def get_period(db: TenantSession, period_id: int) -> AssessmentPeriod | None:
    tenant_id = db.tenant_id
    return db.exec(
        select(AssessmentPeriod).where(AssessmentPeriod.tenant_id == tenant_id, AssessmentPeriod.id == period_id)
    ).first()


def periods_containing(db: TenantSession, day: date) -> list[AssessmentPeriod]:
    """Periods whose dates include ``day``, shortest first."""
    tenant_id = db.tenant_id
    periods = db.exec(
        select(AssessmentPeriod).where(
            AssessmentPeriod.tenant_id == tenant_id, AssessmentPeriod.starts_on <= day, AssessmentPeriod.ends_on >= day
        )
    )
    return sorted(periods, key=lambda p: (p.ends_on - p.starts_on, p.id))


@dataclass
class ResultRow:
    result: AssessmentResult
    worker_name: str
    unit: str


def results_of(db: TenantSession, period_id: int) -> list[ResultRow]:
    tenant_id = db.tenant_id
    rows = db.exec(
        select(AssessmentResult, col(Worker.name), Worker.unit)
        .join(Worker, (col(Worker.tenant_id) == AssessmentResult.tenant_id) & (col(Worker.id) == AssessmentResult.worker_id))
        .where(AssessmentResult.tenant_id == tenant_id, AssessmentResult.period_id == period_id)
        .order_by(col(AssessmentResult.bureau), col(AssessmentResult.score).desc(), col(Worker.name))
    ).all()
    return [ResultRow(r, name, unit) for r, name, unit in rows]


def results_of_worker(db: TenantSession, worker_id: int) -> list[tuple[AssessmentResult, AssessmentPeriod]]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(AssessmentResult, AssessmentPeriod)
            .join(
                AssessmentPeriod,
                (col(AssessmentPeriod.tenant_id) == AssessmentResult.tenant_id)
                & (col(AssessmentPeriod.id) == AssessmentResult.period_id),
            )
            .where(AssessmentResult.tenant_id == tenant_id, AssessmentResult.worker_id == worker_id)
            .order_by(col(AssessmentPeriod.ends_on).desc())
        ).all()
    )


def sheet_counts(db: TenantSession, period_id: int) -> dict[str, int]:
    tenant_id = db.tenant_id
    rows = db.exec(
        select(col(SheetScore.component), func.count())
        .where(SheetScore.tenant_id == tenant_id, SheetScore.period_id == period_id)
        .group_by(SheetScore.component)
    ).all()
    return dict(defaultdict(int, dict(rows)))
