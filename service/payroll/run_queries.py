"""Read queries for the payroll pages and exports (nothing here writes).

The register is read a page at a time in one query, with each worker's net
pay from the previous month's latest *published* run joined in (no query per
worker); the totals are summed over the whole run in a second query.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session, select

from service.payroll.run_models import PayrollRun, PayslipLineRow, PayslipRow
from service.workforce.models import Worker

PER_PAGE = 50


@dataclass(frozen=True)
class RegisterRow:
    payslip_id: int
    worker_id: int
    name: str
    id_number_masked: str
    client_bureau: str
    gross_pay: Decimal
    deductions: Decimal
    employee_social_insurance: Decimal
    employee_housing_fund: Decimal
    taxable_income: Decimal
    tax: Decimal
    net_pay: Decimal
    employer_contributions: Decimal
    employer_cost: Decimal
    minimum_wage_ok: bool
    minimum_wage_shortfall: Decimal
    previous_net: Decimal | None  # None: no payslip in last month's published run

    @property
    def net_change(self) -> Decimal | None:
        return None if self.previous_net is None else self.net_pay - self.previous_net


@dataclass(frozen=True)
class Totals:
    count: int
    gross_pay: Decimal
    employee_social_insurance: Decimal
    employee_housing_fund: Decimal
    tax: Decimal
    net_pay: Decimal
    employer_cost: Decimal
    below_minimum: int


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    totals: Totals
    page: int
    pages: int


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


_ROWS = """
    with prev as (
        select distinct on (p.worker_id) p.worker_id, p.net_pay
        from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
        where p.tenant_id = :tenant and r.status = 'published' and p.month = :prev
        order by p.worker_id, r.published_at desc, r.id desc
    )
    select p.id as payslip_id, p.worker_id, w.name, w.id_number_masked, w.client_bureau,
           p.gross_pay, p.deductions, p.employee_social_insurance, p.employee_housing_fund,
           p.taxable_income, p.tax, p.net_pay, p.employer_contributions, p.employer_cost,
           p.minimum_wage_ok, p.minimum_wage_shortfall, prev.net_pay as previous_net
    from payslips p
    join workers w on w.tenant_id = p.tenant_id and w.id = p.worker_id
    left join prev on prev.worker_id = p.worker_id
    where p.tenant_id = :tenant and p.run_id = :run
    order by w.client_bureau, w.name, p.worker_id
"""


def register_rows(
    db: Session, tenant_id: uuid.UUID, run: PayrollRun, *, limit: int | None = None, offset: int = 0
) -> list[RegisterRow]:
    """The run's payslips with worker names and last month's published net (one query)."""
    sql = _ROWS + (" limit :limit offset :offset" if limit is not None else "")
    params = {"tenant": tenant_id, "run": run.id, "prev": previous_month(run.month), "limit": limit, "offset": offset}
    return [RegisterRow(**row._mapping) for row in db.execute(text(sql), params)]


def totals(db: Session, tenant_id: uuid.UUID, run_id: int) -> Totals:
    row = db.execute(
        text(
            """
            select count(*), coalesce(sum(gross_pay), 0), coalesce(sum(employee_social_insurance), 0),
                   coalesce(sum(employee_housing_fund), 0), coalesce(sum(tax), 0), coalesce(sum(net_pay), 0),
                   coalesce(sum(employer_cost), 0), count(*) filter (where not minimum_wage_ok)
            from payslips where tenant_id = :tenant and run_id = :run
            """
        ),
        {"tenant": tenant_id, "run": run_id},
    ).one()
    return Totals(*row)


def register_page(db: Session, tenant_id: uuid.UUID, run: PayrollRun, page: int) -> RegisterPage:
    sums = totals(db, tenant_id, run.id)
    pages = max(1, math.ceil(sums.count / PER_PAGE))
    page = min(max(1, page), pages)
    rows = register_rows(db, tenant_id, run, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return RegisterPage(rows, sums, page, pages)


def get_payslip(db: Session, tenant_id: uuid.UUID, run_id: int, payslip_id: int) -> PayslipRow | None:
    return db.exec(
        select(PayslipRow).where(PayslipRow.tenant_id == tenant_id, PayslipRow.run_id == run_id, PayslipRow.id == payslip_id)
    ).first()


def lines_of(db: Session, tenant_id: uuid.UUID, payslip_ids: list[int]) -> dict[int, list[PayslipLineRow]]:
    """Every line of the payslips, in position order, by payslip id (one query)."""
    found: dict[int, list[PayslipLineRow]] = {i: [] for i in payslip_ids}
    if not payslip_ids:
        return found
    for line in db.exec(
        select(PayslipLineRow)
        .where(PayslipLineRow.tenant_id == tenant_id, PayslipLineRow.payslip_id.in_(payslip_ids))
        .order_by(PayslipLineRow.payslip_id, PayslipLineRow.position)
    ):
        found[line.payslip_id].append(line)
    return found


def workers_of(db: Session, tenant_id: uuid.UUID, worker_ids: list[int]) -> dict[int, Worker]:
    if not worker_ids:
        return {}
    return {w.id: w for w in db.exec(select(Worker).where(Worker.tenant_id == tenant_id, Worker.id.in_(worker_ids)))}


def client_bureaus(db: Session, tenant_id: uuid.UUID) -> list[str]:
    return sorted(db.exec(select(Worker.client_bureau).where(Worker.tenant_id == tenant_id).distinct()).all())


def year_to_date_of(db: Session, tenant_id: uuid.UUID, run_id: int) -> dict[int, dict]:
    """Each payslip's stored year to date (JSON), by payslip id (one query)."""
    return dict(
        db.exec(
            select(PayslipRow.id, PayslipRow.year_to_date).where(PayslipRow.tenant_id == tenant_id, PayslipRow.run_id == run_id)
        ).all()
    )
