"""Daily management's tables: leave, monthly attendance, training,
certificates to work (持证上岗) and discipline, with their closed vocabularies.

Seed 002 §5 lists the daily management the tenant keeps for each assistant
(请销假, training, certification, dismissal); seed 003 篇1 has leave approved by
the street office and 篇8 has attendance and training feed the half-yearly
assessment.  Migration 0008 creates the tables.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import BigInteger, Column, DateTime, Identity, Integer, Numeric, SmallInteger
from sqlmodel import Field, SQLModel

from service.database.types import enum_column, now_by_default
from service.errors import N_


class LeaveType(str, Enum):
    ANNUAL = "annual"  # 年休假
    SICK = "sick"  # 病假
    PERSONAL = "personal"  # 事假
    MARRIAGE = "marriage"  # 婚假
    MATERNITY = "maternity"  # 产假
    PATERNITY = "paternity"  # 陪产假 (护理假)
    BEREAVEMENT = "bereavement"  # 丧假
    OTHER = "other"


class LeaveStatus(str, Enum):
    """pending → approved | rejected; pending or approved → cancelled."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class TrainingResult(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    ATTENDED = "attended"  # a course with no examination


class DisciplineKind(str, Enum):
    """From the mildest to the gravest."""

    WARNING = "warning"  # 警告
    EDUCATION = "education"  # 批评教育
    FINE = "fine"  # 罚款 (an amount)
    SUSPENSION = "suspension"  # 停岗 (until a day)
    TRANSFER = "transfer"  # 调岗
    DEMOTION = "demotion"  # 降级
    DISMISSAL = "dismissal"  # 辞退


# A label dict of its own: the roster's LABELS must stay unambiguous for its
# Excel import (tests/unit/test_i18n.py), and none of these appear there.
DAILY_LABELS: dict[Enum, str] = {
    LeaveType.ANNUAL: N_("Annual leave"),
    LeaveType.SICK: N_("Sick leave"),
    LeaveType.PERSONAL: N_("Personal leave"),
    LeaveType.MARRIAGE: N_("Marriage leave"),
    LeaveType.MATERNITY: N_("Maternity leave"),
    LeaveType.PATERNITY: N_("Paternity leave"),
    LeaveType.BEREAVEMENT: N_("Bereavement leave"),
    LeaveType.OTHER: N_("Other leave"),
    LeaveStatus.PENDING: N_("Awaiting approval"),
    LeaveStatus.APPROVED: N_("Approved"),
    LeaveStatus.REJECTED: N_("Rejected"),
    LeaveStatus.CANCELLED: N_("Cancelled"),
    TrainingResult.PASSED: N_("Examination passed"),
    TrainingResult.FAILED: N_("Examination failed"),
    TrainingResult.ATTENDED: N_("Attended (no examination)"),
    DisciplineKind.WARNING: N_("Disciplinary warning"),
    DisciplineKind.EDUCATION: N_("Criticism and education"),
    DisciplineKind.FINE: N_("Monetary fine"),
    DisciplineKind.SUSPENSION: N_("Suspension from duty"),
    DisciplineKind.TRANSFER: N_("Transfer to another post"),
    DisciplineKind.DEMOTION: N_("Demotion"),
    DisciplineKind.DISMISSAL: N_("Dismissal"),
}


class LeaveRequest(SQLModel, table=True):
    """One request for leave.  ``submitted_by_kind``/``_id`` name the
    principal who submitted it (a staff user today; the assistant through the
    portal later) so that the approver can be told apart from the submitter;
    ``submitted_by`` is the name shown."""

    __tablename__ = "leave_requests"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_type=BigInteger)
    leave_type: LeaveType = Field(sa_column=enum_column(LeaveType, length=12))
    start_date: date
    end_date: date
    days: int = Field(sa_column=Column(Integer, nullable=False))
    reason: str = ""
    status: LeaveStatus = Field(default=LeaveStatus.PENDING, sa_column=enum_column(LeaveStatus, length=10))
    submitted_by_kind: str
    submitted_by_id: int | None = Field(default=None, sa_type=BigInteger)
    submitted_by: str
    submitted_at: datetime | None = now_by_default()
    decided_by_kind: str | None = None
    decided_by_id: int | None = Field(default=None, sa_type=BigInteger)
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    decision_comment: str = ""
    cancelled_by: str | None = None
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))

    def snapshot(self) -> dict:
        return {
            "worker_id": self.worker_id,
            "leave_type": self.leave_type.value,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "days": self.days,
            "reason": self.reason,
            "status": self.status.value,
            "submitted_by": self.submitted_by,
            "decided_by": self.decided_by,
            "decision_comment": self.decision_comment,
            "cancelled_by": self.cancelled_by,
        }


class LeaveEntitlement(SQLModel, table=True):
    """Days of one leave type a worker may take in a year, set by HR.

    Without a row, annual leave follows 《职工带薪年休假条例》 Art. 3 from the
    hire date (``leave.rules.annual_leave_days``) and the other types are not
    limited.  A row overrides that, e.g. when HR knows years worked for
    earlier employers, which count towards annual leave.
    """

    __tablename__ = "leave_entitlements"

    tenant_id: uuid.UUID = Field(primary_key=True)
    worker_id: int = Field(sa_type=BigInteger, primary_key=True)
    year: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    leave_type: LeaveType = Field(sa_column=enum_column(LeaveType, length=12, primary_key=True))
    days: int = Field(sa_column=Column(Integer, nullable=False))
    updated_at: datetime | None = now_by_default()


class AttendanceMonth(SQLModel, table=True):
    """A worker's attendance in one month (``month`` is its first day).
    Locked once payroll has used it (``locked_at``)."""

    __tablename__ = "attendance_months"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_type=BigInteger)
    month: date
    days_worked: Decimal = Field(sa_column=Column(Numeric(4, 1), nullable=False))
    absence_days: Decimal = Field(sa_column=Column(Numeric(4, 1), nullable=False))
    overtime_weekday_hours: Decimal = Field(sa_column=Column(Numeric(5, 1), nullable=False))
    overtime_rest_day_hours: Decimal = Field(sa_column=Column(Numeric(5, 1), nullable=False))
    overtime_holiday_hours: Decimal = Field(sa_column=Column(Numeric(5, 1), nullable=False))
    locked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    locked_by: str | None = None
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "worker_id": self.worker_id,
            "month": self.month.isoformat()[:7],
            "days_worked": str(self.days_worked),
            "absence_days": str(self.absence_days),
            "overtime_weekday_hours": str(self.overtime_weekday_hours),
            "overtime_rest_day_hours": str(self.overtime_rest_day_hours),
            "overtime_holiday_hours": str(self.overtime_holiday_hours),
            "locked_by": self.locked_by,
        }


class TrainingRecord(SQLModel, table=True):
    __tablename__ = "training_records"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_type=BigInteger)
    course: str
    provider: str = ""
    trained_on: date
    hours: Decimal = Field(sa_column=Column(Numeric(5, 1), nullable=False))
    result: TrainingResult = Field(sa_column=enum_column(TrainingResult, length=10))
    created_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "worker_id": self.worker_id,
            "course": self.course,
            "provider": self.provider,
            "trained_on": self.trained_on.isoformat(),
            "hours": str(self.hours),
            "result": self.result.value,
        }


class Certificate(SQLModel, table=True):
    """A certificate to work (持证上岗).  A renewal is a new row: the older
    certificate of the same name stops counting once a later one exists."""

    __tablename__ = "certificates"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_type=BigInteger)
    name: str
    number: str
    issued_on: date
    valid_until: date
    created_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "worker_id": self.worker_id,
            "name": self.name,
            "number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "valid_until": self.valid_until.isoformat(),
        }


class DisciplineRecord(SQLModel, table=True):
    """A disciplinary measure.  ``amount`` only for a fine, ``ends_on`` only
    for a suspension.  Recording a dismissal or a demotion does not change
    the worker's status or grade: those are separate, audited decisions."""

    __tablename__ = "discipline_records"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_type=BigInteger)
    kind: DisciplineKind = Field(sa_column=enum_column(DisciplineKind, length=12))
    occurred_on: date
    reason: str
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    ends_on: date | None = None
    created_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "worker_id": self.worker_id,
            "kind": self.kind.value,
            "occurred_on": self.occurred_on.isoformat(),
            "reason": self.reason,
            "amount": None if self.amount is None else str(self.amount),
            "ends_on": None if self.ends_on is None else self.ends_on.isoformat(),
        }
