"""Pay components and their imported amounts as stored (migrations 0013 and 0021)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import BigInteger, Column, Identity, Numeric
from sqlalchemy.orm import Mapped
from sqlmodel import Field, SQLModel

from service.bureaus.models import map_bureau_name
from service.database.types import now_by_default
from service.payroll.components.rules import ComponentDefinition, Method
from service.payroll.payslip import ComponentKind


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
