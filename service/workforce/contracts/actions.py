"""The only code that writes labour contracts and their scanned files.

Every change is audited in the same transaction (before and after
snapshots) and then asks the compliance engine to recompute the worker's
alerts, so an alert never lags behind the contract it is about.

Lifecycle (``status`` stores decisions; dates decide active/expired):

* ``create_contract``: a draft, or a signed contract when a signing date is given;
* ``update_draft``: a draft's terms (giving a signing date signs it);
* ``sign``: draft → signed;
* ``set_renewal_decision``: what the employer means to do at the end date;
* ``renew``: the current contract becomes *renewed*, the next one is created
  and linked to it through ``previous_contract_id``;
* ``convert_to_open_ended``: see its docstring;
* ``terminate``: *terminated* with a statutory reason, the date and the
  economic compensation computed by ``contracts.compensation``;
* ``attach_file``: the signed scan (PDF, JPEG or PNG, at most 5 MB).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from service import events
from service.audit import Actor, record, record_many
from service.database.ids import id_of
from service.dates import ONE_DAY
from service.errors import N_, DomainError
from service.keys import Keys
from service.workforce.contracts.compensation import SeveranceFigure, severance_for
from service.workforce.contracts.input import ContractInput, TerminationInput, refuse_impossible_termination
from service.workforce.contracts.state import as_terms
from service.workforce.contracts.terms import refuse_impossible_terms
from service.workforce.events import LastDaySet, WorkersChanged
from service.workforce.models import (
    Contract,
    ContractFile,
    ContractStatus,
    ContractType,
    RenewalDecision,
    Worker,
)
from service.workforce.roster.actions import id_number_index
from tenants.isolation import TenantSession

MAX_FILE_BYTES = 5 * 1024 * 1024
# What a scan may be, told by its first bytes, never by its name or the browser's word.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


# --- reading --------------------------------------------------------------


def contracts_of_worker(db: TenantSession, worker_id: int) -> list[Contract]:
    """Every contract of the worker, oldest first."""
    return list(
        db.exec(
            select(Contract)
            .where(Contract.tenant_id == db.tenant_id, Contract.worker_id == worker_id)
            .order_by(col(Contract.start_date), col(Contract.id))
        )
    )


def get_contract(db: TenantSession, contract_id: int) -> Contract | None:
    return db.exec(select(Contract).where(Contract.tenant_id == db.tenant_id, Contract.id == contract_id)).first()


def next_contract(db: TenantSession, contract: Contract) -> Contract | None:
    """The contract that renewed this one, if any."""
    return db.exec(
        select(Contract).where(Contract.tenant_id == db.tenant_id, Contract.previous_contract_id == contract.id)
    ).first()


@dataclass(frozen=True)
class FileInfo:
    filename: str
    media_type: str
    size_bytes: int
    uploaded_at: datetime | None


def file_info(db: TenantSession, contract_id: int) -> FileInfo | None:
    row = db.exec(
        select(ContractFile.filename, ContractFile.media_type, ContractFile.size_bytes, ContractFile.uploaded_at).where(
            ContractFile.tenant_id == db.tenant_id, ContractFile.contract_id == contract_id
        )
    ).first()
    return None if row is None else FileInfo(*row)


def get_file(db: TenantSession, contract_id: int) -> ContractFile | None:
    return db.exec(
        select(ContractFile).where(ContractFile.tenant_id == db.tenant_id, ContractFile.contract_id == contract_id)
    ).first()


def workers_by_id_number(db: TenantSession, keys: Keys, numbers: Iterable[str]) -> dict[str, Worker]:
    """Workers matched on their ID numbers, in one query: the blind index
    ``roster.actions.find_by_id_number`` uses, for a whole sheet at once."""
    tenant_id = db.tenant_id
    by_index = {id_number_index(keys, tenant_id, n): n for n in set(numbers)}
    if not by_index:
        return {}
    rows = db.exec(select(Worker).where(Worker.tenant_id == tenant_id, col(Worker.id_number_index).in_(list(by_index))))
    return {by_index[w.id_number_index]: w for w in rows}


def contracts_of_workers(db: TenantSession, worker_ids: Iterable[int]) -> dict[int, list[Contract]]:
    """Every contract of each worker, oldest first, in one query."""
    found: dict[int, list[Contract]] = {w: [] for w in worker_ids}
    if found:
        for contract in db.exec(
            select(Contract)
            .where(Contract.tenant_id == db.tenant_id, col(Contract.worker_id).in_(list(found)))
            .order_by(col(Contract.start_date), col(Contract.id))
        ):
            found[contract.worker_id].append(contract)
    return found


def severance_on(db: TenantSession, worker: Worker, terminated_on: date) -> SeveranceFigure:
    """The compensation figure for the termination form."""
    return severance_for(db, worker, contracts_of_worker(db, id_of(worker)), terminated_on)


# --- helpers --------------------------------------------------------------


def snapshot(contract: Contract) -> dict:
    def day(value: date | None) -> str | None:
        return None if value is None else value.isoformat()

    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "worker_id": contract.worker_id,
        "contract_type": contract.contract_type.value,
        "start_date": day(contract.start_date),
        "end_date": day(contract.end_date),
        "probation_end": day(contract.probation_end),
        "probation_wage": money(contract.probation_wage),
        "wage": money(contract.wage),
        "post": contract.post,
        "work_place": contract.work_place,
        "bureau_id": contract.bureau_id,
        "signed_on": day(contract.signed_on),
        "status": contract.status.value,
        "renewal_decision": contract.renewal_decision.value,
        "previous_contract_id": contract.previous_contract_id,
        "termination_reason": contract.termination_reason,
        "terminated_on": day(contract.terminated_on),
        "severance": money(contract.severance),
    }


def _columns(data: ContractInput) -> dict:
    return {
        "contract_type": data.contract_type,
        "start_date": data.start,
        "end_date": data.end,
        "probation_end": data.probation_end,
        "probation_wage": data.probation_wage,
        "wage": data.wage,
        "post": data.post,
        "work_place": data.work_place,
        "bureau_id": data.bureau_id,
        "signed_on": data.signed_on,
    }


def other_terms(db: TenantSession, worker_id: int, *, but: Iterable[int | None] = ()) -> list:
    """The worker's contracts as terms to check a new or changed one against, leaving out ``but``."""
    excluded = set(but)
    return [as_terms(c, to_last_day=True) for c in contracts_of_worker(db, worker_id) if c.id not in excluded]


def _touch(db: Session, contract: Contract) -> None:
    contract.updated_at = datetime.now(UTC)
    db.add(contract)
    db.flush()


def recompute(db: TenantSession, worker_ids: Sequence[int], today: date) -> None:
    """Say that the workers' contracts changed: their compliance alerts are recomputed before the commit."""
    events.record(db, WorkersChanged(db.tenant_id, tuple(worker_ids), today))


def _require(contract: Contract, *statuses: ContractStatus, message: str) -> None:
    if contract.status not in statuses:
        raise DomainError(message)


# --- writing --------------------------------------------------------------


def create_contract(
    db: TenantSession, worker: Worker, data: ContractInput, today: date, *, actor: Actor, previous: Contract | None = None
) -> Contract:
    """A draft, or a signed contract when the data carries a signing date."""
    contract = _insert(db, worker, data, previous, actor=actor)
    recompute(db, [id_of(worker)], today)
    return contract


def _insert(db: TenantSession, worker: Worker, data: ContractInput, previous: Contract | None, *, actor: Actor) -> Contract:
    tenant_id = db.tenant_id
    refuse_impossible_terms(data.terms(), other_terms(db, id_of(worker)))
    contract = Contract(
        tenant_id=tenant_id,
        worker_id=id_of(worker),
        status=ContractStatus.SIGNED if data.signed_on else ContractStatus.DRAFT,
        previous_contract_id=previous.id if previous else None,
        **_columns(data),
    )
    db.add(contract)
    db.flush()
    record(db, tenant_id, actor, "contract.create", "contract", contract.id, after=snapshot(contract))
    return contract


def update_draft(db: TenantSession, contract: Contract, data: ContractInput, today: date, *, actor: Actor) -> Contract:
    """Change a draft's terms; a signing date in the data signs it."""
    _require(contract, ContractStatus.DRAFT, message=N_("Only a draft contract can be edited."))
    refuse_impossible_terms(data.terms(), other_terms(db, contract.worker_id, but=[contract.id]))
    before = snapshot(contract)
    for name, value in _columns(data).items():
        setattr(contract, name, value)
    if data.signed_on is not None:
        contract.status = ContractStatus.SIGNED
    _touch(db, contract)
    after = snapshot(contract)
    if after != before:
        record(db, db.tenant_id, actor, "contract.update", "contract", contract.id, before=before, after=after)
        recompute(db, [contract.worker_id], today)
    return contract


def sign(db: TenantSession, contract: Contract, signed_on: date, today: date, *, actor: Actor) -> None:
    _require(contract, ContractStatus.DRAFT, message=N_("Only a draft contract can be signed."))
    before = snapshot(contract)
    contract.signed_on = signed_on
    contract.status = ContractStatus.SIGNED
    _touch(db, contract)
    record(db, db.tenant_id, actor, "contract.sign", "contract", contract.id, before=before, after=snapshot(contract))
    recompute(db, [contract.worker_id], today)


def set_renewal_decision(
    db: TenantSession, contract: Contract, decision: RenewalDecision, today: date, *, actor: Actor
) -> None:
    _require(contract, ContractStatus.SIGNED, message=N_("Only a signed contract that is still running can be renewed."))
    if contract.end_date is None:
        raise DomainError(N_("A contract without an end date is not renewed."), field="renewal_decision")
    if contract.renewal_decision is decision:
        return
    before = snapshot(contract)
    contract.renewal_decision = decision
    _touch(db, contract)
    record(
        db,
        db.tenant_id,
        actor,
        "contract.renewal_decision",
        "contract",
        contract.id,
        before=before,
        after=snapshot(contract),
    )
    recompute(db, [contract.worker_id], today)


def refuse_renewal(contract: Contract) -> None:
    """Raise unless the contract can be renewed: signed, still running, with an end date."""
    _require(contract, ContractStatus.SIGNED, message=N_("Only a signed contract that is still running can be renewed."))
    if contract.end_date is None:
        raise DomainError(N_("A contract without an end date is not renewed."))


def refuse_conversion(contract: Contract) -> None:
    """Raise unless the contract can be converted: a signed fixed-term contract still running."""
    _require(contract, ContractStatus.SIGNED, message=N_("Only a signed contract that is still running can be converted."))
    if contract.contract_type is not ContractType.FIXED_TERM:
        raise DomainError(N_("Only a fixed-term contract can be converted to an open-ended one."))


def refuse_termination(contract: Contract) -> None:
    _require(contract, ContractStatus.SIGNED, message=N_("Only a signed contract that is still running can be terminated."))


def renew(db: TenantSession, worker: Worker, contract: Contract, data: ContractInput, today: date, *, actor: Actor) -> Contract:
    """Mark ``contract`` renewed and create the next one, linked to it.

    The route fills the data from the current contract and the renewal form;
    the next contract starts the day after the current end unless the form
    says otherwise, and may not overlap it.
    """
    refuse_renewal(contract)
    before = snapshot(contract)
    next_one = _insert(db, worker, data, contract, actor=actor)
    contract.status = ContractStatus.RENEWED
    contract.renewal_decision = RenewalDecision.RENEW
    _touch(db, contract)
    record(db, db.tenant_id, actor, "contract.renew", "contract", contract.id, before=before, after=snapshot(contract))
    recompute(db, [id_of(worker)], today)
    return next_one


def convert_to_open_ended(
    db: TenantSession, worker: Worker, contract: Contract, data: ContractInput, today: date, *, actor: Actor
) -> Contract:
    """Replace a signed fixed-term contract by an open-ended one, linked to it.

    Reading: the law makes an open-ended contract at a renewal (劳动合同法
    Art. 14 ¶2: ten years of service, or a third contract after two
    consecutive fixed-term ones) or whenever both sides agree (Art. 14 ¶1).
    So a conversion is a renewal into an open-ended contract: the fixed-term
    contract is marked *renewed* (it is not terminated, and no compensation
    arises) and the open-ended contract follows it, by default from the day
    after its end date.  When the parties agree to convert before that day,
    the open-ended contract starts on the agreed day and the fixed-term
    contract's end date is brought forward to the day before; its signed end
    date stays in the audit trail.  Converting inside probation is refused:
    probation belongs to the contract that set it.
    """
    refuse_conversion(contract)
    if data.contract_type is not ContractType.OPEN_ENDED:
        raise DomainError(N_("Choose a value."), field="contract_type")
    before = snapshot(contract)
    end_date = contract.end_date
    if end_date is not None and data.start <= end_date:
        if data.start <= contract.start_date:
            raise DomainError(
                N_("The open-ended contract must start after the fixed-term one starts ({start})."),
                field="start",
                start=contract.start_date,
            )
        if contract.probation_end is not None and data.start <= contract.probation_end:
            raise DomainError(
                N_("The conversion cannot take effect during probation (until {probation_end})."),
                field="start",
                probation_end=contract.probation_end,
            )
        contract.end_date = data.start - ONE_DAY
    contract.status = ContractStatus.RENEWED
    contract.renewal_decision = RenewalDecision.RENEW
    _touch(db, contract)
    record(db, db.tenant_id, actor, "contract.convert", "contract", contract.id, before=before, after=snapshot(contract))
    open_ended = _insert(db, worker, data, contract, actor=actor)
    recompute(db, [id_of(worker)], today)
    return open_ended


def terminate(
    db: TenantSession, worker: Worker, contract: Contract, data: TerminationInput, today: date, *, actor: Actor
) -> SeveranceFigure:
    """End a signed contract for a statutory reason; the compensation is computed and stored, and the
    termination day becomes the worker's last day employed (``Worker.left_on``)."""
    refuse_termination(contract)
    refuse_impossible_termination(as_terms(contract), data.reason, data.terminated_on)
    figure = severance_for(db, worker, contracts_of_worker(db, id_of(worker)), data.terminated_on)
    before = snapshot(contract)
    contract.status = ContractStatus.TERMINATED
    contract.termination_reason = data.reason.value
    contract.terminated_on = data.terminated_on
    contract.severance = figure.amount_for(data.reason)
    _touch(db, contract)
    # The contract's last day is the worker's: payroll pays to it and not after (migration 0033).
    left_before = worker.left_on
    worker.left_on = data.terminated_on
    db.add(worker)
    db.flush()
    after = snapshot(contract) | {
        "severance_basis": figure.basis(),
        "worker_left_on": {"before": left_before.isoformat() if left_before else None, "after": data.terminated_on.isoformat()},
    }
    record(db, db.tenant_id, actor, "contract.terminate", "contract", contract.id, before=before, after=after)
    recompute(db, [id_of(worker)], today)
    events.record(db, LastDaySet(db.tenant_id, id_of(worker), data.terminated_on))  # payroll refuses a published month
    return figure


def _media_type(content: bytes) -> tuple[str, str] | None:
    for magic, media_type, extension in _SIGNATURES:
        if content.startswith(magic):
            return media_type, extension
    return None


def _safe_filename(name: str, extension: str) -> str:
    """The uploaded name without folders or control characters, ending in the type's extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.replace('"', "").strip() or "contract"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    if not base.lower().endswith(extension) and not (extension == ".jpg" and base.lower().endswith(".jpeg")):
        base = stem + extension
    return base[-200:]


def attach_file(
    db: TenantSession, contract: Contract, filename: str, content: bytes, today: date, *, actor: Actor
) -> ContractFile:
    """Keep the scan of a contract (replacing an earlier one), checked by its first bytes."""
    tenant_id = db.tenant_id
    if not content:
        raise DomainError(N_("The file is empty."), field="file")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(N_("The file is too large: at most {limit} MB."), field="file", limit=MAX_FILE_BYTES // (1024 * 1024))
    detected = _media_type(content)
    if detected is None:
        raise DomainError(N_("Upload the scan as a PDF, JPEG or PNG file."), field="file")
    media_type, extension = detected
    old = get_file(db, id_of(contract))
    before = None if old is None else _file_snapshot(old.filename, old.media_type, old.content)
    if old is not None:
        db.execute(
            delete(ContractFile).where(col(ContractFile.tenant_id) == tenant_id, col(ContractFile.contract_id) == contract.id)
        )
        db.expunge(old)
    stored = ContractFile(
        tenant_id=tenant_id,
        contract_id=id_of(contract),
        filename=_safe_filename(filename, extension),
        media_type=media_type,
        size_bytes=len(content),
        content=content,
    )
    db.add(stored)
    db.flush()
    after = _file_snapshot(stored.filename, media_type, content)
    record(db, tenant_id, actor, "contract.attach_file", "contract", contract.id, before=before, after=after)
    recompute(db, [contract.worker_id], today)
    return stored


def _file_snapshot(filename: str, media_type: str, content: bytes) -> dict:
    return {
        "filename": filename,
        "media_type": media_type,
        "size_bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


# --- Excel import ---------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ImportPlan:
    """What a checked sheet will do: rows to insert and (existing, data) pairs to update."""

    new: list[tuple[int, ContractInput]]  # (worker id, data)
    changed: list[tuple[Contract, ContractInput]]
    unchanged: int


def import_contracts(db: TenantSession, plan: ImportPlan, today: date, *, actor: Actor) -> ImportOutcome:
    """Write a checked plan in the caller's transaction (the caller imports all rows or none)."""
    tenant_id = db.tenant_id
    now = datetime.now(UTC)
    if plan.new:
        rows = [
            {
                "tenant_id": tenant_id,
                "worker_id": worker_id,
                "status": ContractStatus.SIGNED if data.signed_on else ContractStatus.DRAFT,
                **_columns(data),
            }
            for worker_id, data in plan.new
        ]
        # Rows are matched back by (worker, start): RETURNING order is not a promise.
        returned = db.execute(
            insert(Contract).returning(col(Contract.worker_id), col(Contract.start_date), col(Contract.id)), rows
        ).all()
        ids = {(worker_id, start): cid for worker_id, start, cid in returned}
        record_many(
            db,
            tenant_id,
            actor,
            "contract.import_create",
            "contract",
            [
                (cid, None, snapshot(Contract(id=cid, **row)))
                for row in rows
                for cid in [ids[(row["worker_id"], row["start_date"])]]
            ],
        )
    changes: list[tuple[object, dict[str, Any] | None, dict[str, Any] | None]] = []
    for contract, data in plan.changed:
        before = snapshot(contract)
        values = _columns(data)
        if contract.status is ContractStatus.DRAFT and data.signed_on is not None:
            values["status"] = ContractStatus.SIGNED
        db.execute(
            update(Contract)
            .where(col(Contract.tenant_id) == tenant_id, col(Contract.id) == contract.id)
            .values(**values, updated_at=now)
        )
        changes.append((contract.id, before, snapshot(Contract(**(contract.model_dump() | values)))))
    record_many(db, tenant_id, actor, "contract.import_update", "contract", changes)
    worker_ids = sorted({w for w, _ in plan.new} | {c.worker_id for c, _ in plan.changed})
    if worker_ids:
        recompute(db, worker_ids, today)
    return ImportOutcome(created=len(plan.new), updated=len(plan.changed), unchanged=plan.unchanged)


def same_terms(contract: Contract, data: ContractInput) -> bool:
    return all(getattr(contract, name) == value for name, value in _columns(data).items())
