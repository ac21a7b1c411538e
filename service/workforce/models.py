"""The worker roster's table and its closed vocabularies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import BigInteger, Column, Identity, LargeBinary, Numeric, SmallInteger, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, column_property
from sqlmodel import Field, SQLModel, col

from service.bureaus.models import BureauUnit, map_bureau_name
from service.database.types import enum_column, now_by_default
from service.errors import N_


class WorkerStatus(str, Enum):
    """candidate → probation → active → suspended → left (DOMAIN.md)."""

    CANDIDATE = "candidate"
    PROBATION = "probation"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


class Education(str, Enum):
    """Highest education, in ascending order (grade criteria compare them)."""

    JUNIOR_HIGH = "junior_high"
    SENIOR_HIGH = "senior_high"
    JUNIOR_COLLEGE = "junior_college"
    BACHELOR = "bachelor"
    POSTGRADUATE = "postgraduate"

    @property
    def rank(self) -> int:
        """0 for junior high or below up to 4 for postgraduate: compare ranks, not values.

        The members are declared lowest first; the stored values are codes
        whose string order means nothing.
        """
        return tuple(type(self)).index(self)


class Gender(str, Enum):
    MALE = "male"
    FEMALE = "female"


LABELS: dict[Enum, str] = {
    WorkerStatus.CANDIDATE: N_("Candidate"),
    WorkerStatus.PROBATION: N_("On probation"),
    WorkerStatus.ACTIVE: N_("Active"),
    WorkerStatus.SUSPENDED: N_("Suspended"),
    WorkerStatus.LEFT: N_("Left"),
    Education.JUNIOR_HIGH: N_("Junior high or below"),
    Education.SENIOR_HIGH: N_("Senior high or vocational"),
    Education.JUNIOR_COLLEGE: N_("Junior college"),
    Education.BACHELOR: N_("Bachelor"),
    Education.POSTGRADUATE: N_("Postgraduate"),
    Gender.MALE: N_("Male"),
    Gender.FEMALE: N_("Female"),
}

# Post lines the seeds name (dust control, mobile squad, city appearance...);
# offered as suggestions, a tenant may use its own.
SUGGESTED_POST_LINES = ("扬尘管控", "机动中队", "市容市貌", "违法建设巡查", "数字城管", "综合执法辅助")

GRADES = (1, 2, 3, 4, 5)


class Worker(SQLModel, table=True):
    __tablename__ = "workers"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    name: str
    id_number_cipher: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    id_number_index: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    id_number_masked: str
    gender: Gender = Field(sa_column=enum_column(Gender, length=6))
    birth_date: date
    phone: str | None = None
    education: Education = Field(sa_column=enum_column(Education))
    hire_date: date
    # The last day employed (migration 0033): set when HR marks the worker as left or a contract is
    # terminated; None while the employment lasts.  Payroll pays hire_date .. left_on, both days counted.
    left_on: date | None = None
    status: WorkerStatus = Field(sa_column=enum_column(WorkerStatus, length=12))
    post_line: str
    bureau_id: int = Field(
        sa_type=BigInteger
    )  # client_bureaus (migration 0016); ``client_bureau`` below is its name, read-only
    unit_id: int | None = Field(
        default=None, sa_type=BigInteger
    )  # one of the bureau's bureau_units; ``unit`` below is its name
    grade: int = Field(sa_column=Column(SmallInteger, nullable=False))
    si_registered_on: date | None = None  # social insurance registration (社会保险法 Art. 58)
    city: str | None = None  # where the worker works and is insured (参保地): a CITY_NAMES code
    contribution_base: Decimal | None = Field(  # declared SI/HF base (migration 0010); None: the city average
        default=None, sa_column=Column(Numeric(12, 2), nullable=True)
    )
    assessment_rating: str | None = None  # latest published Rating code (migration 0011); None: not rated yet
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()
    if TYPE_CHECKING:
        # The column properties added below the class, as the checker should see them: a str on a
        # worker, a SQL expression on the class.  ClassVar keeps them out of the constructor's fields.
        client_bureau: ClassVar[Mapped[str]]
        unit: ClassVar[Mapped[str]]

    def snapshot(self) -> dict:
        """What the audit trail keeps: never the ID number itself, only its mask."""
        return {
            "name": self.name,
            "id_number": self.id_number_masked,
            "phone": self.phone,
            "education": self.education.value,
            "hire_date": self.hire_date.isoformat(),
            "status": self.status.value,
            "post_line": self.post_line,
            "bureau_id": self.bureau_id,
            "unit_id": self.unit_id,
            "grade": self.grade,
            "city": self.city,
            "si_registered_on": self.si_registered_on.isoformat() if self.si_registered_on else None,
        }


# The bureau's and unit's names, loaded with the worker (read-only: a worker's
# assignment is written through bureau_id / unit_id).  Usable in queries too:
# ``select(Worker).where(Worker.client_bureau == name)``; prefer bureau_id
# where the id is at hand (it is indexed).
map_bureau_name(Worker)
_workers = sa_inspect(Worker)
_worker_columns = _workers.local_table.c
_workers.add_property(
    "unit",
    column_property(
        func.coalesce(
            select(col(BureauUnit.name))
            .where(col(BureauUnit.tenant_id) == _worker_columns.tenant_id, col(BureauUnit.id) == _worker_columns.unit_id)
            .correlate_except(BureauUnit)
            .scalar_subquery(),
            "",
        )
    ),
)


class ContractType(str, Enum):
    FIXED_TERM = "fixed_term"
    OPEN_ENDED = "open_ended"
    TASK_BASED = "task_based"


class ContractStatus(str, Enum):
    """What people decided.  Whether a signed contract is active or expired
    follows from its dates (``Contract.state_on``)."""

    DRAFT = "draft"
    SIGNED = "signed"
    RENEWED = "renewed"
    TERMINATED = "terminated"


class RenewalDecision(str, Enum):
    UNDECIDED = "undecided"
    RENEW = "renew"
    NOT_RENEW = "not_renew"


LABELS.update(
    {
        ContractType.FIXED_TERM: N_("Fixed-term"),
        ContractType.OPEN_ENDED: N_("Open-ended"),
        ContractType.TASK_BASED: N_("Task-based"),
        ContractStatus.DRAFT: N_("Draft"),
        ContractStatus.SIGNED: N_("Signed"),
        ContractStatus.RENEWED: N_("Renewed"),
        ContractStatus.TERMINATED: N_("Terminated"),
        RenewalDecision.UNDECIDED: N_("Not decided"),
        RenewalDecision.RENEW: N_("To be renewed"),
        RenewalDecision.NOT_RENEW: N_("Not to be renewed"),
    }
)


class Contract(SQLModel, table=True):
    __tablename__ = "contracts"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_type=BigInteger)
    contract_type: ContractType = Field(sa_column=enum_column(ContractType, length=12))
    start_date: date
    end_date: date | None = None
    probation_end: date | None = None
    probation_wage: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    wage: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    post: str
    work_place: str = ""
    bureau_id: int = Field(sa_type=BigInteger)  # client_bureaus (migration 0028); ``client_bureau`` below is its name
    signed_on: date | None = None
    status: ContractStatus = Field(default=ContractStatus.DRAFT, sa_column=enum_column(ContractStatus, length=12))
    renewal_decision: RenewalDecision = Field(
        default=RenewalDecision.UNDECIDED, sa_column=enum_column(RenewalDecision, length=12)
    )
    previous_contract_id: int | None = Field(default=None, sa_type=BigInteger)
    termination_reason: str | None = None
    terminated_on: date | None = None
    severance: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()
    if TYPE_CHECKING:
        client_bureau: ClassVar[Mapped[str]]  # the bureau's name, mapped below the class


map_bureau_name(Contract)


class ContractFile(SQLModel, table=True):
    """The scanned contract, kept in the database so RLS guards it like the row."""

    __tablename__ = "contract_files"

    tenant_id: uuid.UUID = Field(primary_key=True)
    contract_id: int = Field(sa_type=BigInteger, primary_key=True)
    filename: str
    media_type: str
    size_bytes: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime | None = now_by_default()
