"""Pay components, their imported amounts and tax declarations as stored (migrations 0013 and 0021)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import BigInteger, Column, Identity, Integer, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlmodel import Field, SQLModel

from service.bureaus.models import map_bureau_name
from service.database.types import now_by_default
from service.payroll.components.rules import ComponentDefinition, Method
from service.payroll.runs.payslip import ComponentKind
from service.payroll.tax.year_flags import TaxYearFlags


class PayComponent(SQLModel, table=True):
    __tablename__ = "pay_components"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    code: str
    label: str
    kind: str  # a ComponentKind value
    method: str  # a Method value
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    taxable: bool = True
    counts_for_minimum_wage: bool = True
    active: bool = True
    bureau_id: int | None = Field(default=None, sa_type=BigInteger)  # None: every worker (migration 0023)
    formula: str | None = None  # method formula only (migration 0021)
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()
    if TYPE_CHECKING:
        applies_to_bureau: ClassVar[Mapped[str | None]]  # the bureau's name, mapped below the class

    def definition(self) -> ComponentDefinition:
        return ComponentDefinition(
            code=self.code,
            label=self.label,
            kind=ComponentKind(self.kind),
            method=Method(self.method),
            amount=self.amount,
            taxable=self.taxable,
            counts_for_minimum_wage=self.counts_for_minimum_wage,
            bureau_id=self.bureau_id,
            formula=self.formula,
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "kind": self.kind,
            "method": self.method,
            "amount": None if self.amount is None else str(self.amount),
            "taxable": self.taxable,
            "counts_for_minimum_wage": self.counts_for_minimum_wage,
            "active": self.active,
            "bureau_id": self.bureau_id,
            "formula": self.formula,
        }


map_bureau_name(PayComponent, "applies_to_bureau")


class PayComponentAmount(SQLModel, table=True):
    __tablename__ = "pay_component_amounts"

    tenant_id: uuid.UUID = Field(primary_key=True)
    component_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    worker_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    month: date = Field(primary_key=True)
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))


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
