"""Training records, certificates to work (持证上岗) and discipline records:
the only code that writes them, and what the worker's page and the
compliance engine read.

Every change is audited in the caller's transaction.  Discipline records are
sensitive: ``DISCIPLINE_READERS`` may see them, viewers may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from service import clock, events
from service.accounts.models import StaffRole
from service.audit import Actor, record
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.workforce.daily_models import (
    DAILY_LABELS,
    Certificate,
    DisciplineKind,
    DisciplineRecord,
    LeaveRequest,
    LeaveType,
    TrainingRecord,
    TrainingResult,
)
from service.workforce.events import WorkersChanged
from service.workforce.leave import actions as leave
from service.workforce.models import Worker, WorkerStatus
from service.workforce.records.input import CertificateInput, DisciplineInput, TrainingInput
from tenants.isolation import TenantSession

DISCIPLINE_READERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.PAYROLL_CLERK, StaffRole.ASSESSOR)
# A certificate this close to its end shows as expiring here and raises the compliance alert.
CERTIFICATE_NOTICE_DAYS = 30


def add_training(db: TenantSession, worker: Worker, data: TrainingInput, *, actor: Actor) -> TrainingRecord:
    tenant_id = db.tenant_id
    if data.trained_on < worker.hire_date - timedelta(days=366):
        raise DomainError(N_("This date is long before the worker was hired."), field="trained_on")
    row = TrainingRecord(tenant_id=tenant_id, worker_id=id_of(worker), **data.__dict__)
    db.add(row)
    db.flush()
    record(db, tenant_id, actor, "training.create", "training_record", row.id, after=row.snapshot())
    return row


def add_certificate(db: TenantSession, worker: Worker, data: CertificateInput, *, actor: Actor) -> Certificate:
    tenant_id = db.tenant_id
    duplicate = db.exec(
        select(Certificate.id).where(
            Certificate.tenant_id == tenant_id,
            Certificate.worker_id == worker.id,
            Certificate.name == data.name,
            Certificate.number == data.number,
            Certificate.valid_until == data.valid_until,
        )
    ).first()
    if duplicate is not None:
        raise DomainError(N_("This certificate is already recorded for the worker."), field="number")
    row = Certificate(tenant_id=tenant_id, worker_id=id_of(worker), **data.__dict__)
    db.add(row)
    db.flush()
    record(db, tenant_id, actor, "certificate.create", "certificate", row.id, after=row.snapshot())
    events.record(db, WorkersChanged(tenant_id, (id_of(worker),), clock.today()))
    return row


def add_discipline(db: TenantSession, worker: Worker, data: DisciplineInput, *, actor: Actor) -> DisciplineRecord:
    """Record a measure.  A fine's amount is what was decided; deducting it
    from pay is payroll's business and subject to its limits (工资支付暂行规定
    Art. 16 allows deductions for losses of at most 20% of the month's wage,
    never below the minimum wage)."""
    tenant_id = db.tenant_id
    if data.occurred_on < worker.hire_date:
        raise DomainError(
            N_("The date is before the worker's hire date, {hire_date}."),
            field="occurred_on",
            hire_date=worker.hire_date.isoformat(),
        )
    row = DisciplineRecord(tenant_id=tenant_id, worker_id=id_of(worker), **data.__dict__)
    db.add(row)
    db.flush()
    record(db, tenant_id, actor, "discipline.create", "discipline_record", row.id, after=row.snapshot())
    return row


class ExpiringCertificate(NamedTuple):
    worker_id: int
    certificate_id: int
    name: str
    number: str
    valid_until: date


def certificates_expiring(db: TenantSession, within_days: int, today: date) -> list[ExpiringCertificate]:
    """Certificates that expire by ``today + within_days`` or have expired,
    soonest first.  A certificate renewed by a later one of the same name for
    the same worker is left out, and so are workers who have left."""
    newer = aliased(Certificate)
    superseded = exists().where(
        and_(
            col(newer.tenant_id) == Certificate.tenant_id,
            col(newer.worker_id) == Certificate.worker_id,
            col(newer.name) == Certificate.name,
            col(newer.valid_until) > Certificate.valid_until,
        )
    )
    certificates = db.exec(
        select(Certificate)
        .join(Worker, and_(col(Worker.tenant_id) == Certificate.tenant_id, col(Worker.id) == Certificate.worker_id))
        .where(
            Certificate.tenant_id == db.tenant_id,
            Certificate.valid_until <= today + timedelta(days=within_days),
            Worker.status != WorkerStatus.LEFT,
            ~superseded,
        )
        .order_by(col(Certificate.valid_until), col(Certificate.id))
    ).all()
    return [ExpiringCertificate(c.worker_id, id_of(c), c.name, c.number, c.valid_until) for c in certificates]


@dataclass(frozen=True)
class CertificateView:
    certificate: Certificate
    state: str  # valid, expiring, expired, renewed


@dataclass(frozen=True)
class WorkerRecords:
    """What the worker's page shows of daily management."""

    year: int
    balances: list[leave.LeaveBalance]
    leave_requests: list[LeaveRequest]
    training: list[TrainingRecord]
    certificates: list[CertificateView]
    discipline: list[DisciplineRecord] | None  # None: the reader may not see it

    # What the page's labels and menus need, so the worker page's route passes only this object.
    labels = DAILY_LABELS
    leave_types = tuple(LeaveType)
    training_results = tuple(TrainingResult)
    discipline_kinds = tuple(DisciplineKind)


def _certificate_views(certificates: list[Certificate], today: date) -> list[CertificateView]:
    latest: dict[str, date] = {}
    for c in certificates:
        latest[c.name] = max(latest.get(c.name, c.valid_until), c.valid_until)
    views = []
    for c in certificates:
        if c.valid_until < latest[c.name]:
            state = "renewed"
        elif c.valid_until < today:
            state = "expired"
        elif (c.valid_until - today).days <= CERTIFICATE_NOTICE_DAYS:
            state = "expiring"
        else:
            state = "valid"
        views.append(CertificateView(c, state))
    return views


def worker_records(db: TenantSession, worker: Worker, *, today: date, include_discipline: bool) -> WorkerRecords:
    def rows(model, order):
        return list(
            db.exec(select(model).where(model.tenant_id == db.tenant_id, model.worker_id == worker.id).order_by(*order))
        )

    return WorkerRecords(
        year=today.year,
        balances=leave.balances(db, worker, today.year),
        leave_requests=leave.recent_requests(db, id_of(worker)),
        training=rows(TrainingRecord, (col(TrainingRecord.trained_on).desc(), col(TrainingRecord.id).desc())),
        certificates=_certificate_views(
            rows(Certificate, (col(Certificate.valid_until).desc(), col(Certificate.id).desc())), today
        ),
        discipline=rows(DisciplineRecord, (col(DisciplineRecord.occurred_on).desc(), col(DisciplineRecord.id).desc()))
        if include_discipline
        else None,
    )
