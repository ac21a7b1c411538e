"""The only code that writes a worker's tax declarations and tax-year flags.
Every change is audited in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from service.audit import Actor, record
from service.database.ids import id_of
from service.payroll.tax.declaration_json import to_json
from service.payroll.tax.models import TaxDeclaration, TaxYearFlagsRow
from service.payroll.tax.special_deductions import Declarations, monthly_deductions
from service.payroll.tax.year_flags import TaxYearFlags
from service.payroll.tax.year_flags import check as check_flags
from service.workforce.models import Worker
from tenants.isolation import TenantSession


def save_declaration(db: TenantSession, worker: Worker, declarations: Declarations, *, actor: Actor) -> None:
    """Replace the worker's declarations for ``declarations.year``.  The
    dataclasses have validated the rules already; month 1 to 12 are valued
    here too, so nothing is stored that a payroll run would refuse."""
    tenant_id = db.tenant_id

    for month in range(1, 13):
        monthly_deductions(declarations, month)
    data = to_json(declarations)
    worker_id = id_of(worker)
    row = db.get(TaxDeclaration, (tenant_id, worker_id, declarations.year))
    before = None if row is None else row.declarations
    if row is None:
        row = TaxDeclaration(tenant_id=tenant_id, worker_id=worker_id, year=declarations.year, declarations=data)
    else:
        row.declarations = data
        row.updated_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    record(db, tenant_id, actor, "tax_declaration.save", "worker", worker_id, before=before, after=data)


def save_flags(db: TenantSession, worker: Worker, flags: TaxYearFlags, *, actor: Actor) -> None:
    """Replace the worker's flags for ``flags.year`` after ``year_flags.check``."""
    tenant_id = db.tenant_id
    check_flags(flags, worker.hire_date)
    worker_id = id_of(worker)
    row = db.get(TaxYearFlagsRow, (tenant_id, worker_id, flags.year))
    before = None if row is None else row.snapshot()
    if row is None:
        row = TaxYearFlagsRow(tenant_id=tenant_id, worker_id=worker_id, year=flags.year)
    row.first_job = flags.first_job
    row.small_earner = flags.small_earner
    row.wages_last_year = flags.wages_last_year
    row.declared_every_month_last_year = flags.declared_every_month_last_year
    row.updated_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    after = row.snapshot()
    if after != before:
        record(db, tenant_id, actor, "tax_year_flags.save", "worker", worker_id, before=before, after=after)
