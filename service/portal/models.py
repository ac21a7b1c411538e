"""Assistants' accounts and invitations (migration 0014); their payslip confirmations and questions are
payroll's (``service.payroll.runs.payslip_feedback``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

from sqlalchemy import BigInteger, Column, DateTime, Identity, LargeBinary
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default
from service.errors import N_

PRINCIPAL_KIND = "assistant"


class AssistantRole(str, Enum):
    """The one role of an assistant's session (values are unique across principal kinds)."""

    ASSISTANT = "assistant"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {AssistantRole.ASSISTANT: N_("Assistant")}


def _timestamp():
    return Field(default=None, sa_column=Column(DateTime(timezone=True)))


class AssistantAccount(SQLModel, table=True):
    __tablename__ = "assistant_accounts"

    tenant_id: uuid.UUID = Field(primary_key=True)
    worker_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    password_hash: str | None = None  # None until an invitation is accepted
    active: bool = True
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()
    activated_at: datetime | None = _timestamp()
    last_sign_in_at: datetime | None = _timestamp()

    def snapshot(self) -> dict:
        return {"active": self.active, "password_set": self.password_hash is not None}


class AssistantInvitation(SQLModel, table=True):
    __tablename__ = "assistant_invitations"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    token_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime | None = now_by_default()
    created_by: str
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = _timestamp()
    revoked_at: datetime | None = _timestamp()
