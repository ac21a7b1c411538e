"""A leaver's settlement as recorded (migration 0035): one per terminated contract, paid by the run of the
month of the last day."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Numeric, SmallInteger, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default


def _money() -> Any:
    return Field(sa_column=Column(Numeric(12, 2), nullable=False))


class LeaverSettlement(SQLModel, table=True):
    __tablename__ = "leaver_settlements"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_type=BigInteger)
    contract_id: int = Field(sa_type=BigInteger)
    last_day: date
    termination_reason: str  # a contracts.severance.TerminationReason value, as the contract was terminated
    kind: str | None = None  # a SeveranceKind value; None: no severance (the reason gives none)
    kind_reason: str = Field(default="", sa_type=Text)
    pre_2008_compensable: bool
    pre_2008_explanation: str = Field(default="", sa_type=Text)
    entitlement_days: int = Field(sa_column=Column(SmallInteger, nullable=False))
    entitlement_reason: str = Field(default="", sa_type=Text)  # why HR's figure replaces the statutory one
    days_taken: int = Field(sa_column=Column(SmallInteger, nullable=False))
    annual_leave_pay: Decimal = _money()
    severance: Decimal = _money()
    severance_tax: Decimal = _money()
    basis: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))  # every step of the figures
    recorded_by: str
    recorded_at: datetime | None = now_by_default()

    def snapshot(self) -> dict[str, Any]:
        return {
            "worker_id": self.worker_id,
            "contract_id": self.contract_id,
            "last_day": self.last_day.isoformat(),
            "kind": self.kind,
            "kind_reason": self.kind_reason,
            "pre_2008_compensable": self.pre_2008_compensable,
            "pre_2008_explanation": self.pre_2008_explanation,
            "entitlement_days": self.entitlement_days,
            "entitlement_reason": self.entitlement_reason,
            "days_taken": self.days_taken,
            "annual_leave_pay": str(self.annual_leave_pay),
            "severance": str(self.severance),
            "severance_tax": str(self.severance_tax),
        }
