"""Appeals (异议/申诉) against published results, and the tenant's appeal window (migration 0018)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, DateTime, Identity, Numeric, Text
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default
from service.errors import N_

# The seeds set no window (appeals/rules.py): a tenant without a
# setting gets this many calendar days after publication.
DEFAULT_APPEAL_DAYS = 7

STATUS_LABELS: dict[str, str] = {
    "open": N_("Awaiting an answer"),
    "upheld": N_("Upheld"),
    "rejected": N_("Rejected"),
}


class AppealSetting(SQLModel, table=True):
    __tablename__ = "appeal_settings"

    tenant_id: uuid.UUID = Field(primary_key=True)
    window_days: int
    updated_at: datetime | None = now_by_default()


class Appeal(SQLModel, table=True):
    __tablename__ = "assessment_appeals"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    result_id: int = Field(sa_type=BigInteger)
    worker_id: int = Field(sa_type=BigInteger)
    revision: int
    filed_on: date
    reason: str = Field(sa_type=Text)
    filed_by_kind: str
    filed_by_id: int | None = Field(default=None, sa_type=BigInteger)
    filed_by_label: str = ""
    status: str = "open"
    original_score: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    original_rating: str
    new_score: Decimal | None = Field(default=None, sa_column=Column(Numeric(6, 2), nullable=True))
    new_rating: str | None = None
    explanation: str = Field(default="", sa_type=Text)
    answered_by_kind: str | None = None
    answered_by_id: int | None = Field(default=None, sa_type=BigInteger)
    answered_by_label: str | None = None
    answered_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "result_id": self.result_id,
            "worker_id": self.worker_id,
            "revision": self.revision,
            "filed_on": self.filed_on.isoformat(),
            "reason": self.reason,
            "filed_by": f"{self.filed_by_kind}:{self.filed_by_id}",
            "status": self.status,
            "original_score": str(self.original_score),
            "original_rating": self.original_rating,
            "new_score": None if self.new_score is None else str(self.new_score),
            "new_rating": self.new_rating,
            "explanation": self.explanation,
            "answered_by": None if self.answered_by_kind is None else f"{self.answered_by_kind}:{self.answered_by_id}",
        }
