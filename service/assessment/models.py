"""The assessment tables (migration 0017) and their closed vocabularies.

Codes stored in the tables are the values of the enums of the pure rules:
``scoring.Category`` for an item's category, ``ratings.Rating`` for a rating.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import BigInteger, Column, DateTime, Identity, Integer, LargeBinary, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlmodel import Field, SQLModel

from service.assessment.scoring import Category, RuleItem
from service.bureaus.models import map_bureau_name
from service.database.types import now_by_default
from service.errors import N_


class PeriodKind(str, Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"  # seed 003 篇8: "每半年要对社区服务协管员考核一次"
    ANNUAL = "annual"
    SPECIAL = "special"


class Lifecycle(str, Enum):
    """draft → under review → approved → published (issue 5, item 3)."""

    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    PUBLISHED = "published"


class RecorderKind(str, Enum):
    STAFF = "staff"  # a company assessor (staff_users.id)
    REVIEWER = "reviewer"  # a bureau reviewer signed in by SSO (issue: SSO portal)


CATEGORY_LABELS: dict[Category, str] = {
    Category.ATTENDANCE: N_("Attendance"),
    Category.DUTY: N_("Duty"),
    Category.DRESS_AND_BEARING: N_("Dress and bearing"),
    Category.CONDUCT: N_("Conduct"),
    Category.SERVICE_QUALITY: N_("Service quality"),
    Category.TRAINING: N_("Training"),
}

PERIOD_KIND_LABELS: dict[PeriodKind, str] = {
    PeriodKind.MONTHLY: N_("Monthly"),
    PeriodKind.QUARTERLY: N_("Quarterly"),
    PeriodKind.HALF_YEARLY: N_("Half-yearly"),
    PeriodKind.ANNUAL: N_("Annual"),
    PeriodKind.SPECIAL: N_("Special"),
}

LIFECYCLE_LABELS: dict[Lifecycle, str] = {
    Lifecycle.DRAFT: N_("Draft"),
    Lifecycle.UNDER_REVIEW: N_("Under review"),
    Lifecycle.APPROVED: N_("Approved"),
    Lifecycle.PUBLISHED: N_("Published"),
}

LIFECYCLE_BADGES: dict[Lifecycle, str] = {
    Lifecycle.DRAFT: "badge-left",
    Lifecycle.UNDER_REVIEW: "badge-probation",
    Lifecycle.APPROVED: "badge-candidate",
    Lifecycle.PUBLISHED: "badge-active",
}


class AssessmentItem(SQLModel, table=True):
    __tablename__ = "assessment_items"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    code: str
    name: str
    category: str  # a scoring.Category value
    min_points: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    max_points: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    period_cap: Decimal | None = Field(default=None, sa_column=Column(Numeric(6, 2), nullable=True))
    bureau_id: int | None = Field(default=None, sa_type=BigInteger)  # None: every bureau of the tenant (migration 0025)
    effective_from: date
    effective_to: date | None = None  # None: until a later version
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    previous_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    note: str = ""
    created_at: datetime | None = now_by_default()

    @property
    def category_enum(self) -> Category:
        return Category(self.category)

    @property
    def fixed(self) -> bool:
        return self.min_points == self.max_points

    def rule(self) -> RuleItem:
        """The pure rule this row stands for; its code is the row id, so two
        versions of one item stay apart in a period's total."""
        return RuleItem(
            code=str(self.id),
            name=self.name,
            category=Category(self.category),
            min_points=self.min_points,
            max_points=self.max_points,
            period_cap=self.period_cap,
        )

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def snapshot(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "min_points": str(self.min_points),
            "max_points": str(self.max_points),
            "period_cap": None if self.period_cap is None else str(self.period_cap),
            "bureau_id": self.bureau_id,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "version": self.version,
            "note": self.note,
        }

    if TYPE_CHECKING:
        client_bureau: ClassVar[Mapped[str | None]]  # the bureau's name, mapped below the class


map_bureau_name(AssessmentItem)


class AssessmentRecord(SQLModel, table=True):
    __tablename__ = "assessment_records"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    on_date: date
    item_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    points: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    note: str = ""
    photo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    photo_media_type: str | None = None
    photo_filename: str | None = None
    recorder_kind: str  # a RecorderKind value
    recorder_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    recorder_label: str = ""
    created_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "worker_id": self.worker_id,
            "on_date": self.on_date.isoformat(),
            "item_id": self.item_id,
            "points": str(self.points),
            "note": self.note,
            "photo": self.photo_filename,
            "recorder": f"{self.recorder_kind}:{self.recorder_id}",
        }


class AssessmentPeriod(SQLModel, table=True):
    __tablename__ = "assessment_periods"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    kind: str  # a PeriodKind value
    name: str
    starts_on: date
    ends_on: date
    bureau_id: int | None = Field(default=None, sa_type=BigInteger)  # None: every bureau (migration 0025)
    base_score: Decimal = Field(default=Decimal(100), sa_column=Column(Numeric(6, 2), nullable=False))
    weights: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    rating_config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    status: str = "draft"  # a Lifecycle value
    computed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    published_on: date | None = None
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    @property
    def lifecycle(self) -> Lifecycle:
        return Lifecycle(self.status)

    @property
    def kind_enum(self) -> PeriodKind:
        return PeriodKind(self.kind)

    def snapshot(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "bureau_id": self.bureau_id,
            "base_score": str(self.base_score),
            "weights": self.weights,
            "rating_config": self.rating_config,
            "status": self.status,
            "published_on": self.published_on.isoformat() if self.published_on else None,
        }

    if TYPE_CHECKING:
        client_bureau: ClassVar[Mapped[str | None]]  # the bureau's name, mapped below the class


map_bureau_name(AssessmentPeriod)


class SheetScore(SQLModel, table=True):
    __tablename__ = "assessment_sheet_scores"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    period_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    component: str = "concentrated"
    score: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    source: str = ""
    imported_at: datetime | None = now_by_default()


class AssessmentResult(SQLModel, table=True):
    __tablename__ = "assessment_results"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    period_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    score: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    rating: str  # a Rating value
    components: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    bureau_id: int | None = Field(default=None, sa_type=BigInteger)  # the group ranked in (quotas; migration 0028)
    status: str = "draft"  # a Lifecycle value, follows the period
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    revision: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "period_id": self.period_id,
            "worker_id": self.worker_id,
            "score": str(self.score),
            "rating": self.rating,
            "components": self.components,
            "bureau_id": self.bureau_id,
            "status": self.status,
            "revision": self.revision,
        }

    if TYPE_CHECKING:
        bureau: ClassVar[Mapped[str | None]]  # the bureau's name, mapped below the class


map_bureau_name(AssessmentResult, "bureau")


class ResultRevision(SQLModel, table=True):
    __tablename__ = "assessment_result_revisions"

    tenant_id: uuid.UUID = Field(primary_key=True)
    result_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    revision: int = Field(sa_column=Column(Integer, primary_key=True))
    score: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    rating: str
    reason: str = ""
    actor: str = ""
    published_at: datetime | None = now_by_default()
