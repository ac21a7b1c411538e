"""The only code that writes salary bands (and, until the assessment issue
publishes results, a worker's rating).  Every change is audited in the same
transaction.

A version is never deleted: new pay is a new version from its effective date;
a typing error is corrected in place, with before and after in the audit
trail.  A version is written whole (all 25 cells) or not at all: the input
is checked completely before the first row is written, and the caller's
transaction rolls back on any error.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import delete, insert
from sqlmodel import col, select

from service.assessment.ratings import Rating
from service.audit import Actor, record
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.payroll.bands.models import SalaryBandCell, SalaryBandTable
from service.payroll.bands.rules import (
    BandCell,
    BandTableInput,
    band_in_force,
    cell_for,
    uses_coefficient,
    validate_cells,
)
from service.workforce.models import Worker
from tenants.isolation import TenantSession

# A worker with no published rating yet (a new hire, or before the first
# assessment) is paid at 达标 "up to standard": the level that neither rewards
# nor penalises, which is how local practice pays until a first result is
# published.  The page says so next to the worker's band.
DEFAULT_RATING = Rating.MEETS


def to_cell(row: SalaryBandCell) -> BandCell:
    return BandCell(
        grade=row.grade,
        rating=Rating(row.rating),
        post_pay=row.post_pay,
        grade_pay=row.grade_pay,
        performance_pay=row.performance_pay,
        performance_coefficient=row.performance_coefficient,
    )


def _cell_snapshot(cell: BandCell) -> dict:
    return {
        "post_pay": str(cell.post_pay),
        "grade_pay": str(cell.grade_pay),
        "performance_pay": None if cell.performance_pay is None else str(cell.performance_pay),
        "performance_coefficient": None if cell.performance_coefficient is None else str(cell.performance_coefficient),
    }


def snapshot(table: SalaryBandTable, cells: tuple[BandCell, ...] | list[BandCell]) -> dict:
    return {
        "bureau_id": table.bureau_id,
        "effective_from": table.effective_from.isoformat(),
        "note": table.note,
        "performance_base": None if table.performance_base is None else str(table.performance_base),
        "cells": {f"{c.grade}-{c.rating.value}": _cell_snapshot(c) for c in cells},
    }


def _refuse_duplicate(db: TenantSession, bureau_id: int | None, effective_from: date, own_id: int | None) -> None:
    bureau = col(SalaryBandTable.bureau_id)
    clash = db.exec(
        select(SalaryBandTable.id).where(
            SalaryBandTable.tenant_id == db.tenant_id,
            bureau.is_(None) if bureau_id is None else bureau == bureau_id,
            SalaryBandTable.effective_from == effective_from,
        )
    ).first()
    if clash is not None and clash != own_id:
        raise DomainError(
            N_("A version from {effective_from} already exists for this scope: correct that version instead."),
            field="effective_from",
            effective_from=effective_from.isoformat(),
        )


def _cell_rows(tenant_id: uuid.UUID, table_id: int, cells: tuple[BandCell, ...]) -> list[dict]:
    return [
        {
            "tenant_id": tenant_id,
            "table_id": table_id,
            "grade": c.grade,
            "rating": c.rating.value,
            "post_pay": c.post_pay,
            "grade_pay": c.grade_pay,
            "performance_pay": c.performance_pay,
            "performance_coefficient": c.performance_coefficient,
        }
        for c in cells
    ]


def _require_base(cells: tuple[BandCell, ...], data: BandTableInput) -> None:
    if data.performance_base is not None and data.performance_base < 0:
        raise DomainError(N_("The amount cannot be negative."), field="performance_base")
    if data.performance_base is None and uses_coefficient(cells):
        raise DomainError(
            N_("Some cells use a performance coefficient: enter the performance base it multiplies."),
            field="performance_base",
        )


def create_version(db: TenantSession, data: BandTableInput, *, actor: Actor) -> SalaryBandTable:
    """A new version of the tenant-wide or a bureau's band table, all 25 cells at once."""
    tenant_id = db.tenant_id
    cells = validate_cells(data.cells)
    _refuse_duplicate(db, data.bureau_id, data.effective_from, None)
    _require_base(cells, data)
    table = SalaryBandTable(
        tenant_id=tenant_id,
        bureau_id=data.bureau_id,
        effective_from=data.effective_from,
        note=data.note,
        performance_base=data.performance_base,
    )
    db.add(table)
    db.flush()
    table_id = id_of(table)
    db.execute(insert(SalaryBandCell), _cell_rows(tenant_id, table_id, cells))
    record(db, tenant_id, actor, "salary_band.create", "salary_band_table", table_id, after=snapshot(table, cells))
    return table


def correct_version(db: TenantSession, table: SalaryBandTable, data: BandTableInput, *, actor: Actor) -> SalaryBandTable:
    """Correct a version in place (date, note, cells); its scope stays the same."""
    tenant_id = db.tenant_id
    if data.bureau_id != table.bureau_id:
        raise DomainError(N_("A version cannot move to another client bureau."), field="client_bureau")
    cells = validate_cells(data.cells)
    table_id = id_of(table)
    _refuse_duplicate(db, table.bureau_id, data.effective_from, table_id)
    before = snapshot(table, cells_of(db, table_id))
    _require_base(cells, data)
    table.effective_from = data.effective_from
    table.note = data.note
    table.performance_base = data.performance_base
    table.updated_at = datetime.now(UTC)
    db.add(table)
    db.execute(
        delete(SalaryBandCell).where(col(SalaryBandCell.tenant_id) == tenant_id, col(SalaryBandCell.table_id) == table_id)
    )
    db.execute(insert(SalaryBandCell), _cell_rows(tenant_id, table_id, cells))
    db.flush()
    after = snapshot(table, cells)
    if after != before:
        record(db, tenant_id, actor, "salary_band.correct", "salary_band_table", table_id, before=before, after=after)
    return table


def set_assessment_rating(db: TenantSession, worker: Worker, rating: Rating | None, *, actor: Actor) -> Worker:
    """Record the worker's latest published rating (until the assessment issue does)."""
    before = {"assessment_rating": worker.assessment_rating}
    worker.assessment_rating = rating.value if rating else None
    worker.updated_at = datetime.now(UTC)
    db.add(worker)
    db.flush()
    after = {"assessment_rating": worker.assessment_rating}
    if after != before:
        record(db, db.tenant_id, actor, "worker.assessment_rating", "worker", worker.id, before=before, after=after)
    return worker


def get_version(db: TenantSession, table_id: int) -> SalaryBandTable | None:
    return db.exec(
        select(SalaryBandTable).where(SalaryBandTable.tenant_id == db.tenant_id, SalaryBandTable.id == table_id)
    ).first()


def all_versions(db: TenantSession) -> list[SalaryBandTable]:
    """Every version: tenant-wide first, then by bureau, newest first."""
    return list(
        db.exec(
            select(SalaryBandTable)
            .where(SalaryBandTable.tenant_id == db.tenant_id)
            .order_by(
                col(SalaryBandTable.bureau_id).is_not(None),
                col(SalaryBandTable.client_bureau),  # by the bureau's name
                col(SalaryBandTable.effective_from).desc(),
            )
        ).all()
    )


def cells_of(db: TenantSession, table_id: int) -> list[BandCell]:
    rows = db.exec(
        select(SalaryBandCell).where(SalaryBandCell.tenant_id == db.tenant_id, SalaryBandCell.table_id == table_id)
    ).all()
    return [to_cell(r) for r in rows]


def cells_of_tables(db: TenantSession, table_ids: list[int]) -> dict[int, list[BandCell]]:
    """``cells_of`` for several versions in one query."""
    found: dict[int, list[BandCell]] = {i: [] for i in table_ids}
    if found:
        for row in db.exec(
            select(SalaryBandCell).where(SalaryBandCell.tenant_id == db.tenant_id, col(SalaryBandCell.table_id).in_(table_ids))
        ):
            found[row.table_id].append(to_cell(row))
    return found


def rating_of(worker: Worker) -> Rating:
    """The rating the band is read with: the worker's latest, or DEFAULT_RATING."""
    return Rating(worker.assessment_rating) if worker.assessment_rating else DEFAULT_RATING


def band_for_worker(db: TenantSession, worker: Worker, on: date) -> tuple[SalaryBandTable, BandCell] | None:
    """The band table in force for the worker's bureau on ``on`` and the cell of
    the worker's grade and rating (``rating_of``); None when no table is in force."""
    tables = db.exec(
        select(SalaryBandTable).where(
            SalaryBandTable.tenant_id == db.tenant_id,
            SalaryBandTable.effective_from <= on,
            col(SalaryBandTable.bureau_id).is_(None) | (col(SalaryBandTable.bureau_id) == worker.bureau_id),
        )
    ).all()
    table = band_in_force(tables, worker.bureau_id, on)
    if table is None:
        return None
    cell = cell_for(cells_of(db, id_of(table)), worker.grade, rating_of(worker))
    return (table, cell) if cell is not None else None
