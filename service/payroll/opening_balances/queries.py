"""Reading opening balances, and the months payroll here has published, for the page, the form and the import."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, text
from sqlmodel import col, select

from service.payroll.tax.models import OpeningBalanceRow
from service.workforce.models import Worker
from tenants.isolation import TenantSession


def balances_of_year(db: TenantSession, year: int) -> list[tuple[OpeningBalanceRow, Worker]]:
    """The year's opening balances with their workers, by worker name."""
    return list(
        db.exec(
            select(OpeningBalanceRow, Worker)
            .join(
                Worker,
                and_(
                    col(Worker.tenant_id) == col(OpeningBalanceRow.tenant_id),
                    col(Worker.id) == col(OpeningBalanceRow.worker_id),
                ),
            )
            .where(OpeningBalanceRow.tenant_id == db.tenant_id, OpeningBalanceRow.year == year)
            .order_by(col(Worker.name), col(Worker.id))
        ).all()
    )


def balance_of(db: TenantSession, worker_id: int, year: int, *, for_update: bool = False) -> OpeningBalanceRow | None:
    query = select(OpeningBalanceRow).where(
        OpeningBalanceRow.tenant_id == db.tenant_id, OpeningBalanceRow.worker_id == worker_id, OpeningBalanceRow.year == year
    )
    return db.exec(query.with_for_update() if for_update else query).first()


def first_published_months(db: TenantSession, worker_ids: Iterable[int], years: Iterable[int]) -> dict[tuple[int, int], int]:
    """(worker id, year) → the first month of the year with a payslip of a published run (regular or
    correction), for these workers and years, in one query."""
    workers, wanted_years = sorted(set(worker_ids)), sorted(set(years))
    if not workers or not wanted_years:
        return {}
    rows = db.execute(
        text(
            """
            select p.worker_id, extract(year from p.month)::int as year, min(extract(month from p.month))::int as month
            from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
            where p.tenant_id = :tenant and r.status = 'published' and p.worker_id = any(:workers)
              and extract(year from p.month)::int = any(:years)
            group by p.worker_id, extract(year from p.month)
            """
        ),
        {"tenant": db.tenant_id, "workers": workers, "years": wanted_years},
    ).all()
    return {(row.worker_id, row.year): row.month for row in rows}
