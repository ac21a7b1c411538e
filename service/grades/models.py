"""Grade criteria, campaigns, candidates, decisions and the dated grade history (migration 0018)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import BigInteger, Column, DateTime, Identity, Numeric, SmallInteger, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped
from sqlmodel import Field, SQLModel

from service.bureaus.models import map_bureau_name
from service.database.types import now_by_default
from service.errors import N_

# A tenant without a setting: disciplinary records of the last year count.
DEFAULT_DISCIPLINARY_WINDOW_YEARS = 1

CAMPAIGN_STATUS_LABELS = {"open": N_("Open"), "closed": N_("Closed")}


class GradeBasicConditions(SQLModel, table=True):
    __tablename__ = "grade_basic_conditions"

    tenant_id: uuid.UUID = Field(primary_key=True)
    disciplinary_window_years: int
    updated_at: datetime | None = now_by_default()


class GradeCriteriaRow(SQLModel, table=True):
    __tablename__ = "grade_criteria"

    tenant_id: uuid.UUID = Field(primary_key=True)
    grade: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    min_age: int | None = Field(default=None, sa_type=SmallInteger)
    max_age: int | None = Field(default=None, sa_type=SmallInteger)
    min_education: str | None = None
    min_years_of_service: int | None = Field(default=None, sa_type=SmallInteger)
    min_post_points: Decimal | None = Field(default=None, sa_column=Column(Numeric(8, 2), nullable=True))
    required_trainings: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    min_rating: str | None = None
    rating_periods: int = Field(default=0, sa_type=SmallInteger)
    updated_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "grade": self.grade,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "min_education": self.min_education,
            "min_years_of_service": self.min_years_of_service,
            "min_post_points": None if self.min_post_points is None else str(self.min_post_points),
            "required_trainings": list(self.required_trainings),
            "min_rating": self.min_rating,
            "rating_periods": self.rating_periods,
        }


class GradeCampaign(SQLModel, table=True):
    __tablename__ = "grade_campaigns"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    name: str
    evaluated_on: date
    effective_from: date
    bureau_id: int | None = Field(default=None, sa_type=BigInteger)  # None: every bureau (migration 0025)
    status: str = "open"
    created_by: str = ""
    created_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "name": self.name,
            "evaluated_on": self.evaluated_on.isoformat(),
            "effective_from": self.effective_from.isoformat(),
            "bureau_id": self.bureau_id,
            "status": self.status,
        }

    if TYPE_CHECKING:
        client_bureau: ClassVar[Mapped[str | None]]  # the bureau's name, mapped below the class


map_bureau_name(GradeCampaign)


class GradeCandidate(SQLModel, table=True):
    __tablename__ = "grade_candidates"

    tenant_id: uuid.UUID = Field(primary_key=True)
    campaign_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    worker_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    current_grade: int = Field(sa_type=SmallInteger)
    proposed_grade: int = Field(sa_type=SmallInteger)
    target_grade: int = Field(sa_type=SmallInteger)
    post_points: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(8, 2), nullable=False))
    political_standing_confirmed: bool = False
    fitness_confirmed: bool = False
    conduct_confirmed: bool = False
    evaluations: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    change_id: int | None = Field(default=None, sa_type=BigInteger)
    updated_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "campaign_id": self.campaign_id,
            "worker_id": self.worker_id,
            "current_grade": self.current_grade,
            "proposed_grade": self.proposed_grade,
            "target_grade": self.target_grade,
            "post_points": str(self.post_points),
            "political_standing_confirmed": self.political_standing_confirmed,
            "fitness_confirmed": self.fitness_confirmed,
            "conduct_confirmed": self.conduct_confirmed,
            "change_id": self.change_id,
        }


class GradeDecision(SQLModel, table=True):
    __tablename__ = "grade_decisions"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    campaign_id: int = Field(sa_type=BigInteger)
    worker_id: int = Field(sa_type=BigInteger)
    body: str
    target_grade: int = Field(sa_type=SmallInteger)
    approved: bool
    signer_kind: str
    signer_id: int | None = Field(default=None, sa_type=BigInteger)
    signer_label: str = ""
    reference: str = ""
    note: str = ""
    signed_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "campaign_id": self.campaign_id,
            "worker_id": self.worker_id,
            "body": self.body,
            "target_grade": self.target_grade,
            "approved": self.approved,
            "signer": f"{self.signer_kind}:{self.signer_id}",
            "reference": self.reference,
            "note": self.note,
        }


class GradeChangeRow(SQLModel, table=True):
    __tablename__ = "grade_changes"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_type=BigInteger)
    from_grade: int = Field(sa_type=SmallInteger)
    to_grade: int = Field(sa_type=SmallInteger)
    effective_from: date
    campaign_id: int | None = Field(default=None, sa_type=BigInteger)
    decided_by: str = ""
    applied_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "worker_id": self.worker_id,
            "from_grade": self.from_grade,
            "to_grade": self.to_grade,
            "effective_from": self.effective_from.isoformat(),
            "campaign_id": self.campaign_id,
            "applied": self.applied_at is not None,
        }
