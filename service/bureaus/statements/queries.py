"""Reading monthly statements: a statement (or not found, for another bureau's reviewer), its lines, a
bureau's statements, and what a statement is made from: the month's payslips in force and the agreement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import col, select

from service.bureaus.agreements import queries as agreements
from service.bureaus.models import AgreementStatus, BureauStatement, BureauStatementLine, ClientBureau, ServiceAgreement
from service.dates import add_months
from tenants.isolation import TenantSession

EMPLOYER_HOUSING_FUND = "housing_fund.employer"


class StatementNotFound(Exception):
    """No such statement, or not one the caller's bureau may see."""


@dataclass(frozen=True)
class SourceSlip:
    payslip_id: int
    run_id: int
    worker_id: int
    name: str
    id_number_masked: str
    post_line: str
    gross_pay: Decimal
    employer_contributions: Decimal
    employer_housing_fund: Decimal


def source_payslips(db: TenantSession, bureau: ClientBureau, month: date) -> list[SourceSlip]:
    """Each worker of the bureau's payslip in force for the month (latest published), by name."""
    tenant_id = db.tenant_id
    rows = db.execute(
        text(
            """
            with slips as (
              select distinct on (p.worker_id) p.id, p.run_id, p.worker_id, p.gross_pay, p.employer_contributions
              from payslips p
              join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
              join workers w on w.tenant_id = p.tenant_id and w.id = p.worker_id
              where p.tenant_id = :t and p.month = :month and r.status = 'published' and w.bureau_id = :b
                and (r.bureau_id is null or r.bureau_id = :b)
              order by p.worker_id, r.published_at desc, r.id desc
            )
            select s.id, s.run_id, s.worker_id, w.name, w.id_number_masked, w.post_line, s.gross_pay,
                   s.employer_contributions,
                   coalesce((select sum(l.amount) from payslip_lines l where l.tenant_id = :t and l.payslip_id = s.id
                             and l.code = :hf), 0)
            from slips s join workers w on w.tenant_id = :t and w.id = s.worker_id
            order by w.post_line, w.name, s.worker_id
            """
        ),
        {"t": tenant_id, "month": month, "b": bureau.id, "hf": EMPLOYER_HOUSING_FUND},
    ).fetchall()
    return [SourceSlip(*row) for row in rows]


def agreement_for_month(db: TenantSession, bureau_id: int, month: date) -> ServiceAgreement | None:
    """The signed agreement in force on the month's first day, else on any later day of the month."""
    last = add_months(month, 1) - timedelta(days=1)
    for day in (month, last):
        found = agreements.in_force(db, bureau_id, day)
        if found is not None:
            return found
    for candidate in agreements.agreements_of(db, bureau_id):
        if candidate.status is not AgreementStatus.DRAFT and candidate.start_date <= last and candidate.end_date >= month:
            return candidate
    return None


def get_statement(db: TenantSession, statement_id: int, *, bureau_id: int | None = None, lock: bool = False) -> BureauStatement:
    """The statement; StatementNotFound when missing or (``bureau_id`` given) of another bureau."""
    tenant_id = db.tenant_id
    query = select(BureauStatement).where(BureauStatement.tenant_id == tenant_id, BureauStatement.id == statement_id)
    if bureau_id is not None:
        query = query.where(BureauStatement.bureau_id == bureau_id)
    found = db.exec(query.with_for_update() if lock else query).first()
    if found is None:
        raise StatementNotFound(statement_id)
    return found


def lines_of(db: TenantSession, statement_id: int) -> list[BureauStatementLine]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(BureauStatementLine)
            .where(BureauStatementLine.tenant_id == tenant_id, BureauStatementLine.statement_id == statement_id)
            .order_by(col(BureauStatementLine.position))
        ).all()
    )


def statements_of(db: TenantSession, bureau_id: int | None = None) -> list[BureauStatement]:
    tenant_id = db.tenant_id
    query = select(BureauStatement).where(BureauStatement.tenant_id == tenant_id)
    if bureau_id is not None:
        query = query.where(BureauStatement.bureau_id == bureau_id)
    return list(db.exec(query.order_by(col(BureauStatement.month).desc(), col(BureauStatement.id).desc())).all())
