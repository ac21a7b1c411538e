"""The tenant's stored insurance policies (one version per city and effective
date) and its per-city choices: the housing-fund rate and the work-injury rate."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Numeric, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default


class InsurancePolicy(SQLModel, table=True):
    """A ``CityPolicy`` as stored: ``policy`` is ``store.to_json(policy)``."""

    __tablename__ = "insurance_policies"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    city: str
    effective_from: date
    policy: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    disputed: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    source: str = Field(default="", sa_type=Text)
    created_at: datetime | None = now_by_default()


class InsuranceSetting(SQLModel, table=True):
    """The tenant's rates in one city; a rate left unset (None) is not chosen yet."""

    __tablename__ = "insurance_settings"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    city: str
    housing_fund_rate: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 4), nullable=True))
    work_injury_rate: Decimal | None = Field(default=None, sa_column=Column(Numeric(6, 5), nullable=True))
    updated_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "city": self.city,
            "housing_fund_rate": _text(self.housing_fund_rate, "0.0001"),
            "work_injury_rate": _text(self.work_injury_rate, "0.00001"),
        }


def _text(rate: Decimal | None, places: str) -> str | None:
    """The rate as the column stores it, so an unchanged rate compares equal."""
    return None if rate is None else str(rate.quantize(Decimal(places)))
