"""Monthly attendance: the only code that writes it.

Figures come from the month's page (many workers at once) or an Excel
sheet; either way every row is checked first and all are saved or none, in
the caller's transaction, with one audit entry per changed row.

A month is **locked** once payroll has used it (``lock_month``, which payroll
calls): its rows keep ``locked_at``/``locked_by`` and can no longer change,
and no worker can be added to it, so the pay computed stays the pay of the
figures on record.  Opening a payroll correction run for the month unlocks it
(``unlock_month``), and publishing the correction locks it again.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, update
from sqlmodel import col, select

from service.audit import Actor, record_many
from service.bureaus.directory import unit_names
from service.database.ids import id_of
from service.errors import N_, DomainError, Refused
from service.i18n import Translator
from service.keys import Keys
from service.workforce.attendance.excel import check_workbook
from service.workforce.attendance.rules import FIELDS, AttendanceFigures, month_end, warnings
from service.workforce.daily_models import AttendanceMonth
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import Worker, WorkerStatus
from service.workforce.roster.actions import id_number_index
from service.workforce.roster.queries import bureau_ids_named, unit_ids_named
from tenants.isolation import TenantSession

PER_PAGE = 50


class MonthRefused(Refused):
    """Problems per worker id; nothing was written."""

    def __init__(self, errors: dict[int, list[DomainError]]) -> None:
        super().__init__(f"{sum(len(e) for e in errors.values())} problems")
        self.errors = errors


@dataclass(frozen=True)
class SaveOutcome:
    created: int
    updated: int
    unchanged: int
    warnings: dict[int, list[DomainError]] = field(default_factory=dict)


def is_locked(db: TenantSession, month: date) -> bool:
    return (
        db.exec(
            select(func.count())
            .select_from(AttendanceMonth)
            .where(
                AttendanceMonth.tenant_id == db.tenant_id,
                AttendanceMonth.month == month,
                col(AttendanceMonth.locked_at).is_not(None),
            )
        ).one()
        > 0
    )


def month_rows(db: TenantSession, month: date) -> list[AttendanceMonth]:
    """Every worker's figures for ``month`` (what payroll reads)."""
    return list(
        db.exec(
            select(AttendanceMonth)
            .where(AttendanceMonth.tenant_id == db.tenant_id, AttendanceMonth.month == month)
            .order_by(col(AttendanceMonth.worker_id))
        )
    )


def _differs(row: AttendanceMonth, figures: AttendanceFigures) -> bool:
    return any(getattr(row, f) != getattr(figures, f) for f in FIELDS)


def _month_row(tenant_id: uuid.UUID, worker_id: int, month: date, figures: AttendanceFigures) -> AttendanceMonth:
    """The row ``figures`` make, unsaved: what the audit trail keeps of them."""
    return AttendanceMonth(
        tenant_id=tenant_id,
        worker_id=worker_id,
        month=month,
        days_worked=figures.days_worked,
        absence_days=figures.absence_days,
        overtime_weekday_hours=figures.overtime_weekday_hours,
        overtime_rest_day_hours=figures.overtime_rest_day_hours,
        overtime_holiday_hours=figures.overtime_holiday_hours,
    )


def save_month(db: TenantSession, month: date, entries: dict[int, AttendanceFigures], *, actor: Actor) -> SaveOutcome:
    """Create or update the figures of many workers for ``month``: all or nothing."""
    tenant_id = db.tenant_id
    month = month.replace(day=1)
    errors: dict[int, list[DomainError]] = {}
    workers = {w.id: w for w in db.exec(select(Worker).where(Worker.tenant_id == tenant_id, col(Worker.id).in_(list(entries))))}
    existing = {
        r.worker_id: r
        for r in db.exec(
            select(AttendanceMonth)
            .where(
                AttendanceMonth.tenant_id == tenant_id,
                AttendanceMonth.month == month,
                col(AttendanceMonth.worker_id).in_(list(entries)),
            )
            .with_for_update()
        )
    }
    locked = is_locked(db, month)
    label = month.isoformat()[:7]
    for worker_id, figures in entries.items():
        worker = workers.get(worker_id)
        if worker is None:
            errors[worker_id] = [DomainError(N_("This worker is not in the roster."), field="worker")]
            continue
        if worker.hire_date > month_end(month):
            errors[worker_id] = [
                DomainError(
                    N_("{name} was hired on {hire_date}, after this month."),
                    field="days_worked",
                    name=worker.name,
                    hire_date=worker.hire_date.isoformat(),
                )
            ]
            continue
        row = existing.get(worker_id)
        if locked and (row is None or _differs(row, figures)):
            errors[worker_id] = [
                DomainError(
                    N_("Attendance for {month} is locked: payroll has used it, so it can no longer change."),
                    field="days_worked",
                    month=label,
                )
            ]
    if errors:
        raise MonthRefused(errors)
    now = datetime.now(UTC)
    new_entries: list[tuple[int, AttendanceFigures]] = []
    created: list[tuple[object, dict[str, Any] | None, dict[str, Any] | None]] = []
    changes: list[tuple[object, dict[str, Any] | None, dict[str, Any] | None]] = []
    unchanged = 0
    for worker_id, figures in entries.items():
        row = existing.get(worker_id)
        if row is None:
            new_entries.append((worker_id, figures))
            continue
        if not _differs(row, figures):
            unchanged += 1
            continue
        before = row.snapshot()
        db.execute(
            update(AttendanceMonth)
            .where(col(AttendanceMonth.tenant_id) == tenant_id, col(AttendanceMonth.id) == row.id)
            .values(**figures.as_dict(), updated_at=now)
        )
        after = _month_row(tenant_id, worker_id, month, figures).snapshot()
        changes.append((row.id, before, after))
    if new_entries:
        new_rows = [{"tenant_id": tenant_id, "worker_id": w, "month": month, **f.as_dict()} for w, f in new_entries]
        # Matched back by worker (one row each this month): RETURNING order is not a promise.
        returning = insert(AttendanceMonth).returning(col(AttendanceMonth.worker_id), col(AttendanceMonth.id))
        ids = dict(db.execute(returning, new_rows).all())
        created = [(ids[w], None, _month_row(tenant_id, w, month, f).snapshot()) for w, f in new_entries]
    record_many(db, tenant_id, actor, "attendance.create", "attendance_month", created)
    record_many(db, tenant_id, actor, "attendance.update", "attendance_month", changes)
    found = {w: warnings(f) for w, f in entries.items()}
    return SaveOutcome(len(new_entries), len(changes), unchanged, {w: found[w] for w in found if found[w]})


def lock_month(db: TenantSession, month: date, *, actor: Actor) -> int:
    """Lock every row of ``month`` (payroll calls this when it uses the month).
    Returns how many rows were newly locked; locking again changes nothing."""
    tenant_id = db.tenant_id
    month = month.replace(day=1)
    rows = db.execute(
        update(AttendanceMonth)
        .where(
            col(AttendanceMonth.tenant_id) == tenant_id,
            col(AttendanceMonth.month) == month,
            col(AttendanceMonth.locked_at).is_(None),
        )
        .values(locked_at=datetime.now(UTC), locked_by=actor.label)
        .returning(col(AttendanceMonth.id), col(AttendanceMonth.worker_id))
    ).all()
    record_many(
        db,
        tenant_id,
        actor,
        "attendance.lock",
        "attendance_month",
        [
            (row_id, None, {"worker_id": worker_id, "month": month.isoformat()[:7], "locked_by": actor.label})
            for row_id, worker_id in rows
        ],
    )
    return len(rows)


def unlock_month(db: TenantSession, month: date, *, actor: Actor) -> int:
    """Unlock ``month`` for a payroll correction run (``payroll.runs.create_correction``): its
    figures may be corrected until the correction is published, which locks them again.
    Returns how many rows were unlocked (each audited)."""
    tenant_id = db.tenant_id
    month = month.replace(day=1)
    rows = db.execute(
        update(AttendanceMonth)
        .where(
            col(AttendanceMonth.tenant_id) == tenant_id,
            col(AttendanceMonth.month) == month,
            col(AttendanceMonth.locked_at).is_not(None),
        )
        .values(locked_at=None, locked_by=None)
        .returning(col(AttendanceMonth.id), col(AttendanceMonth.worker_id))
    ).all()
    record_many(
        db,
        tenant_id,
        actor,
        "attendance.unlock",
        "attendance_month",
        [
            (row_id, None, {"worker_id": worker_id, "month": month.isoformat()[:7], "unlocked_by": actor.label})
            for row_id, worker_id in rows
        ],
    )
    return len(rows)


def import_month(db: TenantSession, keys: Keys, month: date, content: bytes, t: Translator, *, actor: Actor) -> SaveOutcome:
    """Check the sheet, match each row to a worker by ID number, save all or
    none; raise ImportRefused with every problem by row."""
    tenant_id = db.tenant_id
    entries, errors = check_workbook(content, t, month)
    indexes = {id_number_index(keys, tenant_id, e.id_number): e for e in entries}
    workers = {
        w.id_number_index: w
        for w in db.exec(select(Worker).where(Worker.tenant_id == tenant_id, col(Worker.id_number_index).in_(list(indexes))))
    }
    by_worker: dict[int, AttendanceFigures] = {}
    row_of: dict[int, int] = {}
    for index, entry in indexes.items():
        worker = workers.get(index)
        if worker is None:
            errors.append(RowError(entry.row, t(N_("ID number")), t(N_("No worker in the roster has this ID number."))))
        elif entry.name and entry.name != worker.name:
            message = t(N_("The roster has this ID number under the name {name}."), name=worker.name)
            errors.append(RowError(entry.row, t(N_("Name")), message))
        else:
            by_worker[id_of(worker)] = entry.figures
            row_of[id_of(worker)] = entry.row
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.row))
    try:
        return save_month(db, month, by_worker, actor=actor)
    except MonthRefused as refused:
        raise ImportRefused(
            sorted(
                (RowError(row_of[w], "", t.error(e)) for w, problems in refused.errors.items() for e in problems),
                key=lambda e: e.row,
            )
        ) from refused


@dataclass(frozen=True)
class GridFilter:
    client_bureau: str = ""
    unit: str = ""


@dataclass(frozen=True)
class GridPage:
    rows: list[tuple[Worker, AttendanceMonth | None]]
    total: int
    page: int
    pages: int
    locked: bool


def _grid_query(tenant_id: uuid.UUID, month: date, f: GridFilter):
    """The month's workers: hired by its end, not candidates, and not gone
    unless they have figures for it (someone who left mid-month is entered
    from the sheet, or is shown once a row exists)."""
    joined = and_(
        col(AttendanceMonth.tenant_id) == Worker.tenant_id,
        col(AttendanceMonth.worker_id) == Worker.id,
        col(AttendanceMonth.month) == month,
    )
    conditions = [
        Worker.tenant_id == tenant_id,
        Worker.hire_date <= month_end(month),
        Worker.status != WorkerStatus.CANDIDATE,
        or_(col(Worker.status) != WorkerStatus.LEFT, col(AttendanceMonth.id).is_not(None)),
    ]
    if f.client_bureau:
        conditions.append(col(Worker.bureau_id).in_(bureau_ids_named(tenant_id, f.client_bureau)))
    if f.unit:
        conditions.append(col(Worker.unit_id).in_(unit_ids_named(tenant_id, f.unit)))
    return joined, conditions


def month_grid(db: TenantSession, month: date, f: GridFilter, page: int = 1) -> GridPage:
    joined, conditions = _grid_query(db.tenant_id, month, f)
    total = db.exec(select(func.count()).select_from(Worker).outerjoin(AttendanceMonth, joined).where(*conditions)).one()
    pages = max(1, math.ceil(total / PER_PAGE))
    page = max(1, min(page, pages))
    rows = db.exec(
        select(Worker, AttendanceMonth)
        .outerjoin(AttendanceMonth, joined)
        .where(*conditions)
        .order_by(col(Worker.bureau_id), col(Worker.unit_id), col(Worker.name), col(Worker.id))
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return GridPage([(w, r) for w, r in rows], total, page, pages, is_locked(db, month))


def all_grid_rows(db: TenantSession, month: date, f: GridFilter) -> list[tuple[Worker, AttendanceMonth | None]]:
    """Every row of the grid, for the sheet to fill in."""
    joined, conditions = _grid_query(db.tenant_id, month, f)
    rows = db.exec(
        select(Worker, AttendanceMonth)
        .outerjoin(AttendanceMonth, joined)
        .where(*conditions)
        .order_by(col(Worker.bureau_id), col(Worker.unit_id), col(Worker.name), col(Worker.id))
    ).all()
    return [(w, r) for w, r in rows]


def units(db: TenantSession) -> list[str]:
    return unit_names(db)
