"""The only code that writes bank accounts and the assistants' change requests.

The account number is encrypted, blind-indexed and masked here and nowhere
else, with keys of its own (``service.keys``), as the roster does for ID
numbers.  Putting an account in force closes the one it replaces (its row is
kept: the history payments are traced by) and is audited in the same
transaction.  One account in force belongs to one worker: the actions refuse
a number another worker is paid into, and a partial unique index on the
blind index (migration 0030) holds even against two requests racing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from service.audit import Actor, record, record_many
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.keys import Keys
from service.workforce.bank_accounts.models import AccountSource, BankAccount, BankAccountRequest, RequestStatus
from service.workforce.bank_accounts.queries import (
    account_number_index,
    accounts_in_force,
    holders_in_force,
    pending_request_of,
    reveal_account_number,
)
from service.workforce.bank_accounts.rules import REASON_MAX, BankAccountInput, mask_account_number
from service.workforce.models import Worker, WorkerStatus
from tenants.isolation import TenantSession


def _sealed(keys: Keys, db: TenantSession, data: BankAccountInput) -> dict[str, Any]:
    """The row's columns for ``data``: the number only encrypted, its blind index and its mask."""
    tenant_id = db.tenant_id
    return {
        "account_number_cipher": keys.bank_account_cipher.encrypt(data.account_number, associated_data=tenant_id.bytes),
        "account_number_index": account_number_index(keys, tenant_id, data.account_number),
        "account_number_masked": mask_account_number(data.account_number),
        "bank_name": data.bank_name,
        "branch": data.branch,
        "account_name": data.account_name,
        "name_reason": data.name_reason,
    }


def _same(keys: Keys, db: TenantSession, row: BankAccount, data: BankAccountInput) -> bool:
    return row.account_number_index == account_number_index(keys, db.tenant_id, data.account_number) and (
        row.bank_name,
        row.branch,
        row.account_name,
        row.name_reason,
    ) == (data.bank_name, data.branch, data.account_name, data.name_reason)


def refuse_taken(db: TenantSession, keys: Keys, worker_id: int, number: str, *, name_the_holder: bool = True) -> None:
    """Refuse a number another worker of the tenant is paid into.  An assistant is not told whose it is."""
    index = account_number_index(keys, db.tenant_id, number)
    holder = holders_in_force(db, [index]).get(index)
    if holder is None or id_of(holder) == worker_id:
        return
    if name_the_holder:
        raise DomainError(
            N_("This account number is already in force for {name}: one account pays one worker."),
            field="account_number",
            name=holder.name,
        )
    raise DomainError(
        N_("This account number is recorded for another worker. Please check it, or ask your HR office."),
        field="account_number",
    )


def _inserted(db: TenantSession, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the new accounts; their ids.  The worker locks serialise writers of one worker, not two
    workers given the same number at the same instant: then the unique index refuses the second, and
    the writer is told as if it had been checked first (nothing written)."""
    try:
        with db.begin_nested():
            return cast(list[int], db.execute(insert(BankAccount).returning(col(BankAccount.id)), rows).scalars().all())
    except IntegrityError as error:
        if "bank_accounts_one_worker_per_account" not in str(error.orig):
            raise
        raise DomainError(
            N_("This account number was given to another worker a moment ago: one account pays one worker."),
            field="account_number",
        ) from None


def _lock_workers(db: TenantSession, worker_ids: Sequence[int]) -> None:
    """Hold the workers' rows until the transaction ends, so two writers of one worker's account (HR's
    form, an import, an approval) take turns instead of both closing the same account in force.
    FOR NO KEY UPDATE leaves the rows free for the foreign-key checks of other tables."""
    if worker_ids:
        db.exec(
            select(col(Worker.id))
            .where(Worker.tenant_id == db.tenant_id, col(Worker.id).in_(sorted(set(worker_ids))))
            .with_for_update(key_share=True)
        ).all()


@dataclass(frozen=True)
class Outcome:
    created: int  # workers who had no account before
    updated: int  # workers whose account was replaced
    unchanged: int


def put_in_force(
    db: TenantSession,
    keys: Keys,
    accounts: Sequence[tuple[int, BankAccountInput]],
    *,
    source: AccountSource,
    actor: Actor,
    action: str,
    request_id: int | None = None,
) -> Outcome:
    """Make each (worker id, account) the account in force, in the caller's transaction.

    An account equal to the one in force is left as it is; any other closes the
    one in force (kept as history) and adds a row, one audit entry each.  The
    numbers must already be checked against the other workers' (``refuse_taken``,
    or the import's plan, which sees the whole sheet at once).
    """
    _lock_workers(db, [worker_id for worker_id, _ in accounts])
    current = accounts_in_force(db, [worker_id for worker_id, _ in accounts])
    now = datetime.now(UTC)
    new_rows: list[dict[str, Any]] = []
    replaced: dict[int, BankAccount] = {}
    unchanged = 0
    for worker_id, data in accounts:
        in_force = current.get(worker_id)
        if in_force is not None and _same(keys, db, in_force, data):
            unchanged += 1
            continue
        if in_force is not None:
            replaced[worker_id] = in_force
        new_rows.append(
            {
                "tenant_id": db.tenant_id,
                "worker_id": worker_id,
                **_sealed(keys, db, data),
                "source": source,
                "valid_from": now,
                "recorded_by": actor.label[:120],
                "request_id": request_id,
            }
        )
    if replaced:
        # Closed before the new rows go in: the partial unique indexes allow one row in force per worker and number.
        db.execute(
            update(BankAccount)
            .where(col(BankAccount.tenant_id) == db.tenant_id, col(BankAccount.id).in_([id_of(r) for r in replaced.values()]))
            .values(valid_until=now)
        )
    if new_rows:
        created = _inserted(db, new_rows)
        record_many(
            db,
            db.tenant_id,
            actor,
            action,
            "bank_account",
            [
                (
                    new_id,
                    replaced[row["worker_id"]].snapshot() if row["worker_id"] in replaced else None,
                    BankAccount(**row).snapshot(),
                )
                for new_id, row in zip(created, new_rows, strict=True)
            ],
        )
    return Outcome(created=len(new_rows) - len(replaced), updated=len(replaced), unchanged=unchanged)


def set_account(db: TenantSession, keys: Keys, worker: Worker, data: BankAccountInput, *, actor: Actor) -> Outcome:
    """HR enters or corrects the worker's account on the worker's page."""
    worker_id = id_of(worker)
    refuse_taken(db, keys, worker_id, data.account_number)
    return put_in_force(db, keys, [(worker_id, data)], source=AccountSource.HR, actor=actor, action="bank_account.set")


# --- the assistant's requests -------------------------------------------------------------


LEFT_NO_CHANGE = N_(
    "You have left this employer, so your bank account can no longer be changed here. "
    "If your final pay must go to another account, contact your former HR office."
)


def refuse_leaver(worker: Worker) -> None:
    """A worker who has left still reads their payslips in the portal, but asks for no change there:
    HR, who settles the final pay, changes the account if it must."""
    if worker.status is WorkerStatus.LEFT:
        raise DomainError(LEFT_NO_CHANGE)


def submit_request(
    db: TenantSession, keys: Keys, worker: Worker, data: BankAccountInput, *, actor: Actor
) -> BankAccountRequest:
    """The assistant asks to be paid into another account.  Nothing changes in force until HR approves;
    a request still waiting is replaced by this one (the newest is what the worker means)."""
    refuse_leaver(worker)
    worker_id = id_of(worker)
    _lock_workers(db, [worker_id])  # one request waits per worker: a second submission waits for the first
    in_force = accounts_in_force(db, [worker_id]).get(worker_id)
    if in_force is not None and _same(keys, db, in_force, data):
        raise DomainError(N_("You are already paid into this account."), field="account_number")
    refuse_taken(db, keys, worker_id, data.account_number, name_the_holder=False)
    now = datetime.now(UTC)
    waiting = pending_request_of(db, worker_id)
    if waiting is not None:
        before = waiting.snapshot()
        waiting.status = RequestStatus.SUPERSEDED
        waiting.decided_at = now
        db.add(waiting)
        db.flush()  # before the new request: one request waits per worker (migration 0030)
        after = waiting.snapshot()
        record(
            db,
            db.tenant_id,
            actor,
            "bank_account_request.supersede",
            "bank_account_request",
            waiting.id,
            before=before,
            after=after,
        )
    request = BankAccountRequest(
        tenant_id=db.tenant_id, worker_id=worker_id, status=RequestStatus.PENDING, submitted_at=now, **_sealed(keys, db, data)
    )
    db.add(request)
    db.flush()
    record(db, db.tenant_id, actor, "bank_account_request.submit", "bank_account_request", request.id, after=request.snapshot())
    return request


def _decided(request: BankAccountRequest) -> None:
    if request.status is not RequestStatus.PENDING:
        raise DomainError(N_("This request has already been decided or replaced."))


def approve_request(db: TenantSession, keys: Keys, request: BankAccountRequest, *, actor: Actor) -> None:
    """HR approves: the requested account is in force from now, the previous one kept in the history."""
    _decided(request)
    data = BankAccountInput(
        account_number=reveal_account_number(keys, request),
        bank_name=request.bank_name,
        branch=request.branch,
        account_name=request.account_name,
        name_reason=request.name_reason,
    )
    refuse_taken(db, keys, request.worker_id, data.account_number)  # another worker may have been given it since
    put_in_force(
        db,
        keys,
        [(request.worker_id, data)],
        source=AccountSource.PORTAL,
        actor=actor,
        action="bank_account.approve_request",
        request_id=id_of(request),
    )
    _decide(db, request, RequestStatus.APPROVED, None, actor=actor)


def reject_request(db: TenantSession, request: BankAccountRequest, reason: str, *, actor: Actor) -> None:
    """HR rejects, saying why (the assistant reads it): the account in force stays."""
    _decided(request)
    reason = reason.strip()
    if not reason:
        raise DomainError(N_("Say why the request is rejected: the worker reads it."), field="rejection_reason")
    if len(reason) > REASON_MAX:
        raise DomainError(N_("At most {count} characters."), field="rejection_reason", count=REASON_MAX)
    _decide(db, request, RequestStatus.REJECTED, reason, actor=actor)


def _decide(db: TenantSession, request: BankAccountRequest, status: RequestStatus, reason: str | None, *, actor: Actor) -> None:
    before = request.snapshot()
    request.status = status
    request.rejection_reason = reason
    request.decided_at = datetime.now(UTC)
    request.decided_by = actor.label[:120]
    db.add(request)
    db.flush()
    action = "bank_account_request.approve" if status is RequestStatus.APPROVED else "bank_account_request.reject"
    record(db, db.tenant_id, actor, action, "bank_account_request", request.id, before=before, after=request.snapshot())
