"""What a worker said about a payslip in the assistants' portal: confirmations and questions (migration 0014).

The portal writes them (``service.portal.actions``); the payroll pages show
them next to the payslip, so they live with payroll, below the portal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Identity
from sqlmodel import Field, SQLModel, col, select

from service.database.types import now_by_default
from tenants.isolation import TenantSession


def _timestamp():
    return Field(default=None, sa_column=Column(DateTime(timezone=True)))


class PayslipConfirmation(SQLModel, table=True):
    __tablename__ = "payslip_confirmations"

    tenant_id: uuid.UUID = Field(primary_key=True)
    payslip_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    confirmed_at: datetime | None = now_by_default()


class PayslipQuestion(SQLModel, table=True):
    __tablename__ = "payslip_questions"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    payslip_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    question: str
    asked_at: datetime | None = now_by_default()
    answer: str | None = None
    answered_at: datetime | None = _timestamp()
    answered_by: str | None = None

    def snapshot(self) -> dict:
        return {
            "payslip_id": self.payslip_id,
            "worker_id": self.worker_id,
            "question": self.question,
            "answer": self.answer,
            "answered_by": self.answered_by,
        }


@dataclass(frozen=True)
class Feedback:
    """What the worker said about a payslip."""

    confirmation: PayslipConfirmation | None
    questions: list[PayslipQuestion]


def feedback_of(db: TenantSession, payslip_id: int) -> Feedback:
    tenant_id = db.tenant_id
    confirmation = db.exec(
        select(PayslipConfirmation).where(
            PayslipConfirmation.tenant_id == tenant_id, PayslipConfirmation.payslip_id == payslip_id
        )
    ).first()
    questions = list(
        db.exec(
            select(PayslipQuestion)
            .where(PayslipQuestion.tenant_id == tenant_id, PayslipQuestion.payslip_id == payslip_id)
            .order_by(col(PayslipQuestion.asked_at), col(PayslipQuestion.id))
        )
    )
    return Feedback(confirmation, questions)
