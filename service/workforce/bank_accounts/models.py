"""The bank accounts wages are paid into, kept as a history, and the changes assistants ask for (migration 0030).

A ``BankAccount`` row is never edited: a new account (or a corrected bank or
branch) closes the row in force (``valid_until``) and adds a new one, so a
payment made on any day can be traced to the account that was in force then.
The account number is stored only encrypted, with a per-tenant blind index
(one account in force belongs to one worker) and its mask, exactly as the
roster keeps ID numbers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

from sqlalchemy import BigInteger, Column, DateTime, Identity, LargeBinary
from sqlmodel import Field, SQLModel

from service.database.types import enum_column, now_by_default
from service.errors import N_


class AccountSource(str, Enum):
    """How an account came to be in force."""

    HR = "hr"  # typed on the worker's page
    IMPORT = "import"  # an Excel sheet
    PORTAL = "portal"  # the assistant's request, approved by HR


class RequestStatus(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # the assistant sent a newer request before this one was decided


LABELS: dict[Enum, str] = {
    AccountSource.HR: N_("Entered by HR"),
    AccountSource.IMPORT: N_("Imported from Excel"),
    AccountSource.PORTAL: N_("Asked for by the worker, approved by HR"),
    RequestStatus.PENDING: N_("Waiting for approval"),
    RequestStatus.APPROVED: N_("Approved"),
    RequestStatus.REJECTED: N_("Rejected"),
    RequestStatus.SUPERSEDED: N_("Replaced by a newer request"),
}


class AccountDetails(SQLModel):
    """What an account in force and a request for one both hold: the worker, the number (AES-GCM ciphertext,
    blind index and mask, like ID numbers) and who and where it pays."""

    worker_id: int = Field(sa_type=BigInteger)
    account_number_cipher: bytes = Field(sa_type=LargeBinary)
    account_number_index: bytes = Field(sa_type=LargeBinary)
    account_number_masked: str
    bank_name: str
    branch: str
    account_name: str
    name_reason: str | None = None  # why the account is in another name (代收); None: the worker's own name


class BankAccount(AccountDetails, table=True):
    """One account of one worker over the time it was (or is) in force."""

    __tablename__ = "bank_accounts"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    source: AccountSource = Field(sa_column=enum_column(AccountSource, length=10))
    valid_from: datetime | None = now_by_default()
    valid_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))  # None: in force
    recorded_by: str
    request_id: int | None = Field(default=None, sa_type=BigInteger)  # the approved portal request it came from

    def snapshot(self) -> dict:
        """What the audit trail keeps: never the account number itself, only its mask."""
        return {
            "worker_id": self.worker_id,
            "account_number": self.account_number_masked,
            "bank_name": self.bank_name,
            "branch": self.branch,
            "account_name": self.account_name,
            "name_reason": self.name_reason,
            "source": self.source.value,
        }


class BankAccountRequest(AccountDetails, table=True):
    """An assistant's request to be paid into another account: in force only once HR approves it."""

    __tablename__ = "bank_account_requests"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    status: RequestStatus = Field(sa_column=enum_column(RequestStatus, length=10))
    submitted_at: datetime | None = now_by_default()
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    decided_by: str | None = None
    rejection_reason: str | None = None

    def snapshot(self) -> dict:
        return {
            "worker_id": self.worker_id,
            "account_number": self.account_number_masked,
            "bank_name": self.bank_name,
            "branch": self.branch,
            "account_name": self.account_name,
            "name_reason": self.name_reason,
            "status": self.status.value,
            "rejection_reason": self.rejection_reason,
        }
