"""The per-worker-month amounts of pay components, imported from Excel as
input to a month's payroll: the only code that writes them, audited in the
same transaction.

An import is all or nothing: every row is checked (the sheet, then the
roster and the components) before the first row is written, and a row for a
worker, component and month already imported replaces the amount.  A month
whose payroll is published refuses its rows.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select

from service.audit import Actor, record_many
from service.errors import N_
from service.i18n import Translator
from service.keys import Keys
from service.payroll.components.models import PayComponent, PayComponentAmount
from service.payroll.components.rules import Method
from service.payroll.runs.amounts.excel import HEADERS, AmountRow, check_amounts
from service.payroll.runs.models import PayrollRun, RunStatus
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import Worker
from service.workforce.roster.actions import id_number_index
from tenants.isolation import TenantSession


def import_amounts(
    db: TenantSession, keys: Keys, content: bytes, t: Translator, *, actor: Actor, only_month: date | None = None
) -> int:
    """Check the sheet, match rows to workers (one query over the blind index)
    and to imported components (one query), write all or nothing; raise
    ImportRefused with every problem by row.  Returns the rows written.

    A row for a month whose payroll is already published is refused (a
    published run is never calculated again, so the amount would never be
    paid).  ``only_month`` (the import reached from a payroll run) refuses
    rows of any other month."""
    tenant_id = db.tenant_id
    entries, errors = check_amounts(content, t)
    month_column = t(HEADERS["month"])
    published = set(
        db.exec(
            select(col(PayrollRun.month)).where(
                PayrollRun.tenant_id == tenant_id,
                PayrollRun.status == RunStatus.PUBLISHED.value,
                col(PayrollRun.month).in_(list({e.month for e in entries})),
            )
        ).all()
    )
    kept: list[AmountRow] = []
    for entry in entries:
        label = entry.month.isoformat()[:7]
        if only_month is not None and entry.month != only_month.replace(day=1):
            message = t(
                N_("This sheet is for the payroll of {month}: the row is for {row_month}."),
                month=only_month.isoformat()[:7],
                row_month=label,
            )
            errors.append(RowError(entry.row, month_column, message))
        elif entry.month in published:
            message = t(
                N_("Payroll for {month} is already published: it can only be changed by a correction run."), month=label
            )
            errors.append(RowError(entry.row, month_column, message))
        else:
            kept.append(entry)
    entries = kept
    indexes = {e.id_number: id_number_index(keys, tenant_id, e.id_number) for e in entries}
    workers = {
        w.id_number_index: w
        for w in db.exec(
            select(Worker).where(Worker.tenant_id == tenant_id, col(Worker.id_number_index).in_(list(set(indexes.values()))))
        )
    }
    components = {
        c.code: c
        for c in db.exec(
            select(PayComponent).where(
                PayComponent.tenant_id == tenant_id,
                col(PayComponent.code).in_(list({e.code for e in entries})),
            )
        )
    }
    rows: list[tuple[AmountRow, Worker, PayComponent]] = []
    for entry in entries:
        worker = workers.get(indexes[entry.id_number])
        component = components.get(entry.code)
        ok = True
        if worker is None:
            errors.append(RowError(entry.row, t(HEADERS["id_number"]), t(N_("No worker in the roster has this ID number."))))
            ok = False
        elif entry.name and entry.name != worker.name:
            message = t(N_("The roster has this ID number under the name {name}."), name=worker.name)
            errors.append(RowError(entry.row, t(HEADERS["name"]), message))
            ok = False
        if component is None:
            message = t(N_("No pay component has the code {code}."), code=entry.code)
            errors.append(RowError(entry.row, t(HEADERS["code"]), message))
            ok = False
        elif Method(component.method) is not Method.PER_WORKER_MONTH:
            message = t(N_("The component {code} is not imported per worker and month."), code=entry.code)
            errors.append(RowError(entry.row, t(HEADERS["code"]), message))
            ok = False
        elif not component.active:
            message = t(N_("The component {code} is inactive."), code=entry.code)
            errors.append(RowError(entry.row, t(HEADERS["code"]), message))
            ok = False
        if ok and worker is not None and component is not None:
            rows.append((entry, worker, component))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.row))
    values = [
        {"tenant_id": tenant_id, "component_id": c.id, "worker_id": w.id, "month": e.month, "amount": e.amount}
        for e, w, c in rows
    ]
    statement = pg_insert(PayComponentAmount).values(values)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "component_id", "worker_id", "month"],
            set_={"amount": statement.excluded.amount},
        )
    )
    record_many(
        db,
        tenant_id,
        actor,
        "pay_component_amount.import",
        "worker",
        [(w.id, None, {"component": c.code, "month": e.month.isoformat()[:7], "amount": str(e.amount)}) for e, w, c in rows],
    )
    return len(rows)
