"""The salary band tables (migration 0011): one row per version, 25 cells each."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import BigInteger, Column, Identity, Numeric, SmallInteger
from sqlalchemy.orm import Mapped
from sqlmodel import Field, SQLModel

from service.bureaus.models import map_bureau_name
from service.database.types import now_by_default


class SalaryBandTable(SQLModel, table=True):
    __tablename__ = "salary_band_tables"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    bureau_id: int | None = Field(default=None, sa_type=BigInteger)  # None: the tenant-wide table (migration 0023)
    effective_from: date
    note: str = ""
    performance_base: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))  # 0021
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()
    if TYPE_CHECKING:
        client_bureau: ClassVar[Mapped[str | None]]  # the bureau's name, mapped below the class


map_bureau_name(SalaryBandTable)


class SalaryBandCell(SQLModel, table=True):
    __tablename__ = "salary_band_cells"

    tenant_id: uuid.UUID = Field(primary_key=True)
    table_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    grade: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    rating: str = Field(primary_key=True)  # a Rating code
    post_pay: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    grade_pay: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    performance_pay: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    performance_coefficient: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 3), nullable=True))
