"""A worker's tax declarations (专项附加扣除), withholding flags and opening balance per tax year as stored
(migrations 0013, 0021 and 0034)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, Numeric, SmallInteger
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default
from service.payroll.tax.income_tax import OPENING_AMOUNTS, OpeningBalance
from service.payroll.tax.year_flags import TaxYearFlags


class TaxDeclaration(SQLModel, table=True):
    __tablename__ = "tax_declarations"

    tenant_id: uuid.UUID = Field(primary_key=True)
    worker_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    year: int = Field(sa_column=Column(Integer, primary_key=True))
    declarations: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    updated_at: datetime | None = now_by_default()


class TaxYearFlagsRow(SQLModel, table=True):
    """``tax_year_flags`` (migration 0021): 首次取得工资 / 6 万元 per worker and year."""

    __tablename__ = "tax_year_flags"

    tenant_id: uuid.UUID = Field(primary_key=True)
    worker_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    year: int = Field(sa_column=Column(Integer, primary_key=True))
    first_job: bool = False
    small_earner: bool = False
    wages_last_year: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    declared_every_month_last_year: bool = False
    updated_at: datetime | None = now_by_default()

    def flags(self) -> TaxYearFlags:
        return TaxYearFlags(
            year=self.year,
            first_job=self.first_job,
            small_earner=self.small_earner,
            wages_last_year=self.wages_last_year,
            declared_every_month_last_year=self.declared_every_month_last_year,
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "first_job": self.first_job,
            "small_earner": self.small_earner,
            "wages_last_year": None if self.wages_last_year is None else str(self.wages_last_year),
            "declared_every_month_last_year": self.declared_every_month_last_year,
        }


def _amount() -> Any:
    return Field(default=Decimal("0"), sa_column=Column(Numeric(12, 2), nullable=False))


class OpeningBalanceRow(SQLModel, table=True):
    """``payroll_opening_balances`` (migration 0034): the year to date of the months before the first payroll here."""

    __tablename__ = "payroll_opening_balances"

    tenant_id: uuid.UUID = Field(primary_key=True)
    worker_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    year: int = Field(sa_column=Column(Integer, primary_key=True))
    as_of_month: int = Field(sa_column=Column(SmallInteger, nullable=False))
    income: Decimal = _amount()
    tax_free_income: Decimal = _amount()
    special_deductions: Decimal = _amount()
    special_additional_deductions: Decimal = _amount()
    other_deductions: Decimal = _amount()
    tax_withheld: Decimal = _amount()
    months_employed: int = Field(sa_column=Column(SmallInteger, nullable=False))
    source: str  # 'import' | 'form': what wrote the row last
    updated_by: str
    updated_at: datetime | None = now_by_default()

    def balance(self) -> OpeningBalance:
        return OpeningBalance(
            year=self.year,
            as_of_month=self.as_of_month,
            months_employed=self.months_employed,
            **{name: getattr(self, name) for name in OPENING_AMOUNTS},
        )
