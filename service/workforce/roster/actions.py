"""The only code that writes workers.  Every change is audited in the same
transaction; the national ID number is encrypted and blind-indexed here and
nowhere else."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import insert, update
from sqlmodel import col, select

from service import clock, events
from service.audit import Actor, record, record_many
from service.bureaus.directory import AssignmentErrors, load_assignments
from service.crypto import blind_index
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.keys import Keys
from service.workforce.events import LastDaySet, WorkersChanged
from service.workforce.identity import mask_national_id
from service.workforce.models import Gender, Worker, WorkerStatus
from service.workforce.roster.input import WorkerInput, WorkerInputErrors
from tenants.isolation import TenantSession


def id_number_index(keys: Keys, tenant_id: uuid.UUID, number: str) -> bytes:
    """Per-tenant blind index: equal numbers in two tenants do not match."""
    return blind_index(keys.id_number_index, f"{tenant_id}:{number}")


def _columns(keys: Keys, tenant_id: uuid.UUID, data: WorkerInput, assignment: tuple[int, int | None]) -> dict:
    """The row's columns; ``assignment`` is (bureau_id, unit_id) resolved from the input's names."""
    national_id = data.national_id
    return {
        "name": data.name,
        "id_number_cipher": keys.id_number_cipher.encrypt(national_id.number, associated_data=tenant_id.bytes),
        "id_number_index": id_number_index(keys, tenant_id, national_id.number),
        "id_number_masked": mask_national_id(national_id.number),
        "gender": Gender(national_id.gender),
        "birth_date": national_id.birth_date,
        "phone": data.phone,
        "education": data.education,
        "hire_date": data.hire_date,
        "status": data.status,
        "post_line": data.post_line,
        "bureau_id": assignment[0],
        "unit_id": assignment[1],
        "grade": data.grade,
        "city": data.city,
        "si_registered_on": data.si_registered_on,
    }


def reveal_id_number(keys: Keys, worker: Worker) -> str:
    return keys.id_number_cipher.decrypt(worker.id_number_cipher, associated_data=worker.tenant_id.bytes)


def find_by_id_number(db: TenantSession, keys: Keys, number: str) -> Worker | None:
    tenant_id = db.tenant_id
    index = id_number_index(keys, tenant_id, number)
    return db.exec(select(Worker).where(Worker.tenant_id == tenant_id, Worker.id_number_index == index)).first()


def _refuse_duplicate(db: TenantSession, keys: Keys, data: WorkerInput, own_id: int | None) -> None:
    existing = find_by_id_number(db, keys, data.national_id.number)
    if existing is not None and existing.id != own_id:
        raise DomainError(N_("This ID number already belongs to {name} in the roster."), field="id_number", name=existing.name)


def resolve_assignment(db: TenantSession, data: WorkerInput) -> tuple[int, int | None]:
    """The input's bureau and unit names as record ids.  An unknown name is
    refused (WorkerInputErrors on the field): nothing is created implicitly."""
    try:
        return load_assignments(db).resolve(data.client_bureau, data.unit)
    except AssignmentErrors as problems:
        raise WorkerInputErrors(problems.errors) from None


def create_worker(db: TenantSession, keys: Keys, data: WorkerInput, *, actor: Actor) -> Worker:
    tenant_id = db.tenant_id
    assignment = resolve_assignment(db, data)
    _refuse_duplicate(db, keys, data, None)
    worker = Worker(tenant_id=tenant_id, **_columns(keys, tenant_id, data, assignment))
    db.add(worker)
    db.flush()
    db.refresh(worker, ["client_bureau", "unit"])  # the names, loaded while the session is open
    record(db, tenant_id, actor, "worker.create", "worker", worker.id, after=worker.snapshot())
    events.record(db, WorkersChanged(tenant_id, (id_of(worker),), clock.today()))
    return worker


def update_worker(db: TenantSession, keys: Keys, worker: Worker, data: WorkerInput, *, actor: Actor) -> Worker:
    tenant_id = db.tenant_id
    assignment = resolve_assignment(db, data)
    _refuse_duplicate(db, keys, data, worker.id)
    before = worker.snapshot()
    for name, value in (_columns(keys, tenant_id, data, assignment) | _rehired(worker, data)).items():
        setattr(worker, name, value)
    worker.updated_at = datetime.now(UTC)
    db.add(worker)
    db.flush()
    db.refresh(worker, ["client_bureau", "unit"])
    after = worker.snapshot()
    if after != before:
        record(db, tenant_id, actor, "worker.update", "worker", worker.id, before=before, after=after)
    events.record(db, WorkersChanged(tenant_id, (id_of(worker),), clock.today()))
    return worker


def _rehired(worker: Worker, data: WorkerInput) -> dict[str, Any]:
    """A hire date after the recorded last day is a new employment: the old last day no longer ends it."""
    return {"left_on": None} if worker.left_on is not None and data.hire_date > worker.left_on else {}


def deactivate_worker(db: TenantSession, worker: Worker, *, last_day: date | None = None, actor: Actor) -> None:
    """Mark a worker as having left, ``last_day`` (default today) their last day employed: payroll pays
    them to that day, the month it falls in being their last paid month.  Records are kept: payroll
    and contracts refer to them for years."""
    tenant_id = db.tenant_id
    last_day = last_day or clock.today()
    if worker.status is WorkerStatus.LEFT and worker.left_on == last_day:
        return
    if last_day < worker.hire_date:
        raise DomainError(
            N_("The last day employed cannot be before the hire date, {day}."), field="left_on", day=worker.hire_date
        )
    before = worker.snapshot() | {"left_on": worker.left_on.isoformat() if worker.left_on else None}
    worker.status = WorkerStatus.LEFT
    worker.left_on = last_day
    worker.updated_at = datetime.now(UTC)
    db.add(worker)
    db.flush()
    after = worker.snapshot() | {"left_on": last_day.isoformat()}
    record(db, tenant_id, actor, "worker.deactivate", "worker", worker.id, before=before, after=after)
    events.record(db, WorkersChanged(tenant_id, (id_of(worker),), clock.today()))
    events.record(db, LastDaySet(tenant_id, id_of(worker), last_day))  # payroll refuses one inside a published month


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int


def import_workers(db: TenantSession, keys: Keys, rows: list[WorkerInput], *, actor: Actor) -> ImportOutcome:
    """Insert new workers and update existing ones (matched on the ID number)
    in the caller's transaction.  Rows must already be validated and free of
    duplicates, their bureaus and units known (``roster.excel.parse_workbook``
    with the tenant's assignments); the caller imports all of them or none."""
    tenant_id = db.tenant_id
    assignments = load_assignments(db)
    by_index = {id_number_index(keys, tenant_id, r.national_id.number): r for r in rows}
    existing = {
        w.id_number_index: w
        for w in db.exec(select(Worker).where(Worker.tenant_id == tenant_id, col(Worker.id_number_index).in_(list(by_index))))
    }
    new_rows: list[dict[str, Any]] = []
    changes: list[tuple[object, dict[str, Any] | None, dict[str, Any] | None]] = []
    changed: list[Worker] = []
    unchanged = 0
    now = datetime.now(UTC)
    for index, data in by_index.items():
        columns = _columns(keys, tenant_id, data, assignments.resolve(data.client_bureau, data.unit))
        worker = existing.get(index)
        if worker is None:
            new_rows.append({"tenant_id": tenant_id, **columns})
            continue
        before = worker.snapshot()
        candidate = Worker(tenant_id=tenant_id, id=worker.id, **columns)
        if candidate.snapshot() == before:
            unchanged += 1
            continue
        db.execute(
            update(Worker)
            .where(col(Worker.tenant_id) == tenant_id, col(Worker.id) == worker.id)
            .values(**columns, **_rehired(worker, data), updated_at=now)
        )
        changes.append((worker.id, before, candidate.snapshot()))
        changed.append(worker)
    created: dict[bytes, int] = {}
    if new_rows:
        returning = insert(Worker).returning(col(Worker.id_number_index), col(Worker.id))
        # The id is an identity column: RETURNING never gives NULL, whatever the model's Optional says.
        created = cast(dict[bytes, int], dict(db.execute(returning, new_rows).all()))
        record_many(
            db,
            tenant_id,
            actor,
            "worker.import_create",
            "worker",
            [(created[row["id_number_index"]], None, Worker(**row).snapshot()) for row in new_rows],
        )
    record_many(db, tenant_id, actor, "worker.import_update", "worker", changes)
    events.record(db, WorkersChanged(tenant_id, (*created.values(), *(id_of(w) for w in changed)), clock.today()))
    return ImportOutcome(created=len(new_rows), updated=len(changes), unchanged=unchanged)
