"""One uploaded sheet and what its import came to."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default


class ImportKind(str, Enum):
    ROSTER = "roster"
    CONTRACTS = "contracts"
    ATTENDANCE = "attendance"  # migration 0026
    PAY_AMOUNTS = "pay_amounts"  # migration 0029: service.payroll.runs.amounts.jobs
    ASSESSMENT_ITEMS = "assessment_items"  # migration 0029: service.assessment.jobs
    BANK_ACCOUNTS = "bank_accounts"  # migration 0030
    OPENING_BALANCES = "opening_balances"  # migration 0034: service.payroll.opening_balances.jobs


class ImportStatus(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # counts says what was written
    REFUSED = "refused"  # errors lists the rows; nothing was written
    FAILED = "failed"  # the job broke or was given up: nothing was written


FINISHED = (ImportStatus.DONE.value, ImportStatus.REFUSED.value, ImportStatus.FAILED.value)


class Import(SQLModel, table=True):
    __tablename__ = "imports"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    kind: str
    filename: str
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary))  # emptied once the import is over
    status: str = ImportStatus.QUEUED.value
    counts: dict[str, int] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True)))
    errors: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True)))
    created_by: str
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
