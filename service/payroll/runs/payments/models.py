"""The tenant's payment file layout, and every payment file produced for a published run (migration 0032).

A ``PaymentFile`` row is written once, when the file is produced, and never
changed: it keeps the layout used, the pay date, who produced it, the count,
the total and the SHA-256 of the bytes handed out, so the file a bank
received can be matched with the record.  Its ``PaymentFileLine`` rows name
the payslip paid and the ``bank_accounts`` row paid into (those rows never
change either), so each payment is traced to the account in force.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Integer, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default


class PaymentLayoutRow(SQLModel, table=True):
    """The tenant's layout (one row; none: the generic layout), as ``layouts.Layout.to_json`` writes it."""

    __tablename__ = "payroll_payment_layouts"

    tenant_id: uuid.UUID = Field(primary_key=True)
    layout: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    updated_by: str
    updated_at: datetime | None = now_by_default()


class PaymentFile(SQLModel, table=True):
    __tablename__ = "payroll_payment_files"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    run_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    layout: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    file_name: str
    pay_date: date
    row_count: int = Field(sa_column=Column(Integer, nullable=False))
    total: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    # A correction's negative differences: not paid by the bank file, listed on the run page to recover.
    not_paid: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(14, 2), nullable=False))
    sha256: str
    produced_by: str
    produced_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "run_id": self.run_id,
            "base": self.layout.get("base"),
            "file_type": self.layout.get("file_type"),
            "file_name": self.file_name,
            "pay_date": self.pay_date.isoformat(),
            "row_count": self.row_count,
            "total": str(self.total),
            "not_paid": str(self.not_paid),
            "sha256": self.sha256,
        }


class PaymentFileLine(SQLModel, table=True):
    __tablename__ = "payroll_payment_file_lines"

    tenant_id: uuid.UUID = Field(primary_key=True)
    file_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    payslip_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    bank_account_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
