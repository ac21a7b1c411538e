"""One version of a city's reference figures; the row in force on a day is
the latest whose ``effective_from`` is on or before it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, Identity, Numeric
from sqlmodel import Field, SQLModel

from service.cities.housing_fund import DEFAULT_START
from service.database.types import now_by_default


class CityParameter(SQLModel, table=True):
    __tablename__ = "city_parameters"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    city: str
    effective_from: date
    minimum_wage_monthly: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    minimum_wage_hourly: Decimal = Field(sa_column=Column(Numeric(8, 2), nullable=False))
    average_wage_monthly: Decimal = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    source: str = ""
    housing_fund_start: str = DEFAULT_START.value  # a housing_fund.HousingFundStart (migration 0031)
    created_at: datetime | None = now_by_default()
