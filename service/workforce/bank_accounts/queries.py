"""Reading bank accounts: the one in force for a worker at a moment, a worker's history, the requests waiting for HR.

Payment files (issue 12, point 2) read ``accounts_in_force`` for a whole run
in one query, and keep the id of the row they paid into: that row never
changes, so a past payment always names the account it went to.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select

from service.crypto import blind_index
from service.database.ids import among
from service.keys import Keys
from service.workforce.bank_accounts.models import BankAccount, BankAccountRequest, RequestStatus
from service.workforce.models import Worker
from tenants.isolation import TenantSession


def account_number_index(keys: Keys, tenant_id: uuid.UUID, number: str) -> bytes:
    """Per-tenant blind index of a canonical account number: equal numbers in two tenants do not match."""
    return blind_index(keys.bank_account_index, f"{tenant_id}:{number}")


def reveal_account_number(keys: Keys, row: BankAccount | BankAccountRequest) -> str:
    return keys.bank_account_cipher.decrypt(row.account_number_cipher, associated_data=row.tenant_id.bytes)


def account_number_for(keys: Keys, row: BankAccount | BankAccountRequest, *, full: bool) -> str:
    """The number in full for a reader allowed to see it (``access.SEES_FULL_ACCOUNT``), masked for anyone else."""
    return reveal_account_number(keys, row) if full else row.account_number_masked


def _in_force_at(at: datetime | None) -> ColumnElement[bool]:
    if at is None:
        return col(BankAccount.valid_until).is_(None)
    return (col(BankAccount.valid_from) <= at) & or_(col(BankAccount.valid_until).is_(None), col(BankAccount.valid_until) > at)


def account_in_force(db: TenantSession, worker_id: int, at: datetime | None = None) -> BankAccount | None:
    """The account the worker is paid into at ``at`` (now when None); None if none was recorded by then."""
    return accounts_in_force(db, [worker_id], at).get(worker_id)


def accounts_in_force(db: TenantSession, worker_ids: Iterable[int], at: datetime | None = None) -> dict[int, BankAccount]:
    """{worker id: account in force at ``at``} for many workers in one query; workers without one are left out."""
    ids = list(set(worker_ids))
    if not ids:
        return {}
    rows = db.exec(
        select(BankAccount).where(
            BankAccount.tenant_id == db.tenant_id, among(col(BankAccount.worker_id), ids), _in_force_at(at)
        )
    )
    return {row.worker_id: row for row in rows}


def history_of(db: TenantSession, worker_id: int) -> list[BankAccount]:
    """Every account the worker had, the one in force first."""
    return list(
        db.exec(
            select(BankAccount)
            .where(BankAccount.tenant_id == db.tenant_id, BankAccount.worker_id == worker_id)
            .order_by(col(BankAccount.valid_from).desc(), col(BankAccount.id).desc())
        )
    )


def holders_in_force(db: TenantSession, indexes: Iterable[bytes]) -> dict[bytes, Worker]:
    """{blind index: worker paid into it} of the accounts in force with these numbers."""
    wanted = list(set(indexes))
    if not wanted:
        return {}
    rows = db.exec(
        select(col(BankAccount.account_number_index), Worker)
        .join(Worker, (col(Worker.tenant_id) == BankAccount.tenant_id) & (col(Worker.id) == BankAccount.worker_id))
        .where(
            BankAccount.tenant_id == db.tenant_id,
            col(BankAccount.account_number_index).in_(wanted),
            col(BankAccount.valid_until).is_(None),
        )
    )
    return dict(rows.all())


def get_request(db: TenantSession, request_id: int, *, for_update: bool = False) -> BankAccountRequest | None:
    """One request; ``for_update`` holds it until the transaction ends (two clerks deciding it take turns)."""
    query = select(BankAccountRequest).where(BankAccountRequest.tenant_id == db.tenant_id, BankAccountRequest.id == request_id)
    return db.exec(query.with_for_update() if for_update else query).first()


def requests_of(db: TenantSession, worker_id: int, *, limit: int = 10) -> list[BankAccountRequest]:
    """The worker's latest requests, newest first."""
    return list(
        db.exec(
            select(BankAccountRequest)
            .where(BankAccountRequest.tenant_id == db.tenant_id, BankAccountRequest.worker_id == worker_id)
            .order_by(col(BankAccountRequest.id).desc())
            .limit(limit)
        )
    )


def pending_request_of(db: TenantSession, worker_id: int) -> BankAccountRequest | None:
    return db.exec(
        select(BankAccountRequest).where(
            BankAccountRequest.tenant_id == db.tenant_id,
            BankAccountRequest.worker_id == worker_id,
            BankAccountRequest.status == RequestStatus.PENDING,
        )
    ).first()


@dataclass(frozen=True)
class PendingRequest:
    request: BankAccountRequest
    worker: Worker
    in_force: BankAccount | None  # what stays in force until HR decides


def pending_requests(db: TenantSession) -> list[PendingRequest]:
    """Every request waiting for HR, oldest first, with the worker and the account it would replace."""
    found = db.exec(
        select(BankAccountRequest, Worker)
        .join(
            Worker, (col(Worker.tenant_id) == BankAccountRequest.tenant_id) & (col(Worker.id) == BankAccountRequest.worker_id)
        )
        .where(BankAccountRequest.tenant_id == db.tenant_id, BankAccountRequest.status == RequestStatus.PENDING)
        .order_by(col(BankAccountRequest.submitted_at), col(BankAccountRequest.id))
    ).all()
    current = accounts_in_force(db, [request.worker_id for request, _ in found])
    return [PendingRequest(request, worker, current.get(request.worker_id)) for request, worker in found]
