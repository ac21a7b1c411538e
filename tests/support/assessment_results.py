"""Published assessment results and daily records written straight to the tables, for the appeal,
alert, chart and grade tests (the assessment workflow itself is tested by its own workstream)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import select

from service.accounts.models import StaffUser
from service.assessment.models import AssessmentItem, AssessmentPeriod, AssessmentRecord, AssessmentResult
from service.workforce.models import Worker
from tenants.isolation import tenant_session


def staff_id(tenant, email: str) -> int:
    with tenant_session(tenant.id) as db:
        return db.exec(select(StaffUser.id).where(StaffUser.tenant_id == tenant.id, StaffUser.email == email)).one()


def publish(
    tenant,
    name: str,
    starts: date,
    ends: date,
    published_on: date,
    results: dict,
    kind: str = "monthly",
) -> dict[int, int]:
    """A published period with ``results`` {worker id: (score, rating code)}, each ranked in its
    worker's bureau; returns {worker id: result id}."""
    with tenant_session(tenant.id) as db:
        period = AssessmentPeriod(
            tenant_id=tenant.id,
            kind=kind,
            name=name,
            starts_on=starts,
            ends_on=ends,
            status="published",
            published_on=published_on,
        )
        db.add(period)
        db.flush()
        ids = {}
        for worker_id, (score, rating) in results.items():
            worker = db.get(Worker, (tenant.id, worker_id))
            assert worker is not None
            row = AssessmentResult(
                tenant_id=tenant.id,
                period_id=period.id,
                worker_id=worker_id,
                score=Decimal(score),
                rating=rating,
                bureau_id=worker.bureau_id,
                status="published",
            )
            db.add(row)
            db.flush()
            ids[worker_id] = row.id
        return ids


def record_points(tenant, worker_id: int, on: date, recorder_id: int, kind: str = "staff") -> None:
    with tenant_session(tenant.id) as db:
        item = db.exec(select(AssessmentItem).where(AssessmentItem.tenant_id == tenant.id)).first()
        if item is None:
            item = AssessmentItem(
                tenant_id=tenant.id,
                code="A1",
                name="迟到",
                category="attendance",
                min_points=Decimal(-5),
                max_points=Decimal(0),
                effective_from=date(2000, 1, 1),
            )
            db.add(item)
            db.flush()
        db.add(
            AssessmentRecord(
                tenant_id=tenant.id,
                worker_id=worker_id,
                on_date=on,
                item_id=item.id,
                points=Decimal(-2),
                recorder_kind=kind,
                recorder_id=recorder_id,
            )
        )
