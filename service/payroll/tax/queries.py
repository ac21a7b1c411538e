"""What the tax page reads: a worker's stored declarations and flags, and
what the published payslips say about the worker's tax year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import text

from service.payroll.tax.declaration_json import from_json
from service.payroll.tax.models import TaxDeclaration, TaxYearFlagsRow
from service.payroll.tax.special_deductions import Declarations
from tenants.isolation import TenantSession


def declaration_of(db: TenantSession, worker_id: int, year: int) -> Declarations | None:
    row = db.get(TaxDeclaration, (db.tenant_id, worker_id, year))
    return None if row is None else from_json(row.declarations)


def flags_of(db: TenantSession, worker_id: int, year: int) -> TaxYearFlagsRow | None:
    return db.get(TaxYearFlagsRow, (db.tenant_id, worker_id, year))


@dataclass(frozen=True)
class PublishedYear:
    """What this tenant's published payslips say about a worker's tax year."""

    months: int  # months with a published payslip
    income: Decimal  # 累计收入 on the latest of them


def published_year(db: TenantSession, worker_id: int, year: int) -> PublishedYear | None:
    """The worker's published payslips of ``year`` (one query), None when there are none."""
    row = db.execute(
        text(
            """
            select count(distinct p.month),
                   (array_agg(p.year_to_date ->> 'income' order by p.month desc, r.published_at desc))[1]
            from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
            where p.tenant_id = :tenant and p.worker_id = :worker and r.status = 'published'
              and p.month >= :start and p.month < :end
            """
        ),
        {"tenant": db.tenant_id, "worker": worker_id, "start": date(year, 1, 1), "end": date(year + 1, 1, 1)},
    ).one()
    months, income = row
    return PublishedYear(months, Decimal(income)) if months else None
