"""Payroll runs, payslips and payslip lines as stored (migration 0012); the guards on a run's money (migration 0031)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import BigInteger, Column, DateTime, Identity, Integer, Numeric, SmallInteger, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlmodel import Field, SQLModel

from service.bureaus.models import map_bureau_name
from service.database.types import now_by_default
from service.errors import N_
from service.payroll.proration import DEFAULT_RULE


class RunKind(str, Enum):
    REGULAR = "regular"
    CORRECTION = "correction"


class RunStatus(str, Enum):
    """draft → calculated → approved → published (never edited again)."""

    DRAFT = "draft"
    CALCULATED = "calculated"
    APPROVED = "approved"
    PUBLISHED = "published"


KIND_LABELS = {RunKind.REGULAR: N_("Regular run"), RunKind.CORRECTION: N_("Correction run")}
STATUS_LABELS = {
    RunStatus.DRAFT: N_("Draft"),
    RunStatus.CALCULATED: N_("Calculated"),
    RunStatus.APPROVED: N_("Approved"),
    RunStatus.PUBLISHED: N_("Published"),
}


def _money(precision: int = 12) -> Any:
    return Field(default=Decimal("0"), sa_column=Column(Numeric(precision, 2), nullable=False))


def _timestamp() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True)))


class PayrollRun(SQLModel, table=True):
    __tablename__ = "payroll_runs"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    month: date  # the first day of the pay month
    bureau_id: int | None = Field(default=None, sa_type=BigInteger)  # None: every bureau of the tenant (migration 0023)
    kind: str = RunKind.REGULAR.value
    corrects_run_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    explanation: str | None = Field(default=None, sa_column=Column(Text))  # a correction's reason (migration 0015)
    status: str = RunStatus.DRAFT.value
    worker_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    gross: Decimal = _money(14)
    net: Decimal = _money(14)
    tax: Decimal = _money(14)
    employer_cost: Decimal = _money(14)
    # Who did each step: the name shown, and the actor's kind and id the four-eyes rule compares (migration 0031).
    calculated_at: datetime | None = _timestamp()
    calculated_by: str | None = None
    calculated_by_kind: str | None = None
    calculated_by_id: int | None = Field(default=None, sa_type=BigInteger)
    approved_at: datetime | None = _timestamp()
    approved_by: str | None = None
    approved_by_kind: str | None = None
    approved_by_id: int | None = Field(default=None, sa_type=BigInteger)
    published_at: datetime | None = _timestamp()
    published_by: str | None = None
    published_by_kind: str | None = None
    published_by_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime | None = now_by_default()
    if TYPE_CHECKING:
        client_bureau: ClassVar[Mapped[str | None]]  # the bureau's name, mapped below the class

    def snapshot(self) -> dict:
        return {
            "month": self.month.isoformat()[:7],
            "bureau_id": self.bureau_id,
            "kind": self.kind,
            "corrects_run_id": self.corrects_run_id,
            "explanation": self.explanation,
            "status": self.status,
            "worker_count": self.worker_count,
            "gross": str(self.gross),
            "net": str(self.net),
            "tax": str(self.tax),
            "employer_cost": str(self.employer_cost),
        }


map_bureau_name(PayrollRun)


class PayrollSetting(SQLModel, table=True):
    """The tenant's payroll switches (migration 0031); no row: every default (four eyes on, part months
    by 21.75 pay days)."""

    __tablename__ = "payroll_settings"

    tenant_id: uuid.UUID = Field(primary_key=True)
    four_eyes: bool = True
    proration_rule: str = DEFAULT_RULE.value  # a ProrationRule value (migration 0033)
    updated_at: datetime | None = now_by_default()


class MinimumWageReason(SQLModel, table=True):
    """Why the approver let a worker be paid below the city minimum wage in a run (migration 0031)."""

    __tablename__ = "payroll_minimum_wage_reasons"

    tenant_id: uuid.UUID = Field(primary_key=True)
    run_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    worker_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    shortfall: Decimal = _money()
    reason: str = Field(sa_type=Text)
    given_by: str
    given_at: datetime | None = now_by_default()


class PayslipRow(SQLModel, table=True):
    __tablename__ = "payslips"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    run_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    month: date
    gross_pay: Decimal = _money()
    deductions: Decimal = _money()
    employee_social_insurance: Decimal = _money()
    employee_housing_fund: Decimal = _money()
    taxable_income: Decimal = _money()
    tax: Decimal = _money()
    net_pay: Decimal = _money()
    employer_contributions: Decimal = _money()
    employer_cost: Decimal = _money()
    year_to_date: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    minimum_wage_ok: bool
    minimum_wage_shortfall: Decimal = _money()
    corrects_payslip_id: int | None = Field(default=None, sa_column=Column(BigInteger))  # migration 0015
    income: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    special_additional_deductions: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    # A part month's proration (migration 0033, ``inputs.proration_to_json``); None: a whole month.
    proration: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    # A leaver's severance, in gross and net pay, and its tax, in ``tax``: taxed apart from wages (migration 0035).
    severance: Decimal = _money()
    severance_tax: Decimal = _money()


class PayslipLineRow(SQLModel, table=True):
    __tablename__ = "payslip_lines"

    tenant_id: uuid.UUID = Field(primary_key=True)
    payslip_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    position: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    code: str
    label: str  # msgid
    category: str  # a payslip.Category value
    amount: Decimal = _money()


class ProgressPhase(str, Enum):
    QUEUED = "queued"
    LOADING = "loading"
    COMPUTING = "computing"
    WRITING = "writing"
    FINISHING = "finishing"
    DONE = "done"
    FAILED = "failed"


PHASE_LABELS = {
    ProgressPhase.QUEUED: N_("Waiting to start"),
    ProgressPhase.LOADING: N_("Reading the inputs"),
    ProgressPhase.COMPUTING: N_("Computing payslips"),
    ProgressPhase.WRITING: N_("Saving payslips"),
    ProgressPhase.FINISHING: N_("Saving totals and the audit trail"),
    ProgressPhase.DONE: N_("Done"),
    ProgressPhase.FAILED: N_("Failed: nothing was saved"),
}
ACTIVE_PHASES = frozenset(
    p.value
    for p in (
        ProgressPhase.QUEUED,
        ProgressPhase.LOADING,
        ProgressPhase.COMPUTING,
        ProgressPhase.WRITING,
        ProgressPhase.FINISHING,
    )
)


class RunProgress(SQLModel, table=True):
    """Where a run's calculation is (migration 0015), written on its own short transactions."""

    __tablename__ = "payroll_run_progress"

    tenant_id: uuid.UUID = Field(primary_key=True)
    run_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    phase: str = ProgressPhase.QUEUED.value
    done: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    total: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    error: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    started_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE_PHASES

    @property
    def percent(self) -> int:
        """A rough overall figure: loading 0-10, computing 10-70, writing 70-95, finishing 95-100."""
        if self.phase == ProgressPhase.DONE.value:
            return 100
        if self.phase == ProgressPhase.COMPUTING.value and self.total:
            return 10 + int(60 * self.done / self.total)
        return {"queued": 0, "loading": 5, "writing": 75, "finishing": 95, "failed": 0}.get(self.phase, 0)
