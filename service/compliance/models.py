"""A stored alert.  One row per (subject, rule): recomputing updates it in
place; ``fingerprint`` hashes the facts, so an acknowledgement lasts only as
long as the facts it acknowledged."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Numeric, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default


class ComplianceAlert(SQLModel, table=True):
    __tablename__ = "compliance_alerts"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int | None = Field(default=None, sa_type=BigInteger)
    subject: str  # "worker:12", "contract:7", "bureau:<id>": what the alert is about
    rule: str
    severity: str
    article: str
    message: str = Field(sa_type=Text)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    act_by: date
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    fingerprint: str
    open: bool = True
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    acknowledged_by: str | None = None
    acknowledgement: str | None = Field(default=None, sa_type=Text)
    first_seen_at: datetime | None = now_by_default()
    last_seen_at: datetime | None = now_by_default()
