"""Reads for a leaver's settlement: the pay actually published, the city's figures, the leave figures HR
starts from, and the settlements a payroll run pays."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import col, select

from service.cities import actions as cities
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.payroll.leavers.models import LeaverSettlement
from service.payroll.leavers.settlement import (
    CityWages,
    MonthPay,
    Settlement,
    SettlementTerms,
    history_window,
    refuse_before_hire,
    settle,
    statutory_entitlement,
)
from service.payroll.payslip import OVERTIME_LINES, LeaverPay
from service.workforce.contracts.severance import TerminationReason
from service.workforce.daily_models import LeaveType
from service.workforce.leave.actions import balances
from service.workforce.models import Contract, ContractStatus, Worker
from tenants.isolation import TenantSession

OVERTIME_CODES = [code for code, *_ in OVERTIME_LINES]


def pay_history(db: TenantSession, worker_id: int, last_day: date) -> list[MonthPay]:
    """The worker's pay in each of the 12 months before the month of ``last_day``, oldest first, from the
    published payslip in force for each month (the latest published one, a correction's included): its
    income (gross pay less unpaid absence and pre-tax deductions) and the overtime in it.  One query."""
    since, until = history_window(last_day)
    rows = db.execute(
        text(
            """
            with in_force as (
                select distinct on (p.month) p.id, p.month, coalesce(p.income, p.taxable_income) as wages
                from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
                where p.tenant_id = :tenant and p.worker_id = :worker and r.status = 'published'
                  and p.month >= :since and p.month < :until
                order by p.month, r.published_at desc, r.id desc
            )
            select f.month, f.wages,
                   coalesce(sum(l.amount) filter (where l.code = any(:overtime)), 0) as overtime
            from in_force f left join payslip_lines l on l.tenant_id = :tenant and l.payslip_id = f.id
            group by f.month, f.wages order by f.month
            """
        ),
        {"tenant": db.tenant_id, "worker": worker_id, "since": since, "until": until, "overtime": OVERTIME_CODES},
    ).all()
    return [MonthPay(row.month, row.wages, row.overtime) for row in rows]


def month_published(db: TenantSession, month: date, bureau_id: int | None) -> bool:
    """Whether a payroll run paying the worker's bureau in ``month`` is published (a tenant-wide run pays every bureau)."""
    return bool(
        db.execute(
            text(
                """
                select exists (select from payroll_runs
                               where tenant_id = :tenant and month = :month and status = 'published'
                                 and (bureau_id is null or bureau_id = :bureau))
                """
            ),
            {"tenant": db.tenant_id, "month": month.replace(day=1), "bureau": bureau_id},
        ).scalar()
    )


def city_wages(db: TenantSession, city: str | None, on: date) -> CityWages | None:
    row = cities.in_force(db, city, on) if city else None
    if row is None:
        return None
    return CityWages(row.city, row.effective_from, row.minimum_wage_monthly, row.average_wage_monthly)


@dataclass(frozen=True)
class LeaveFigures:
    """Where the form's annual-leave fields start."""

    statutory_days: int  # by the years worked with this employer (Art. 3)
    configured_days: int | None  # HR's entitlement for the year on the leave page, if any
    days_taken: int  # approved annual leave this year

    @property
    def entitlement(self) -> int:
        return self.statutory_days if self.configured_days is None else self.configured_days


def leave_figures(db: TenantSession, worker: Worker, last_day: date) -> LeaveFigures:
    annual = next(b for b in balances(db, worker, last_day.year) if b.leave_type is LeaveType.ANNUAL)
    return LeaveFigures(
        statutory_days=statutory_entitlement(worker.hire_date, last_day),
        configured_days=annual.entitlement if annual.configured else None,
        days_taken=annual.used,
    )


def termination_of(contract: Contract) -> tuple[date, TerminationReason]:
    """The day the contract was terminated and why; refused for a contract that was not terminated."""
    if contract.status is not ContractStatus.TERMINATED or contract.terminated_on is None or not contract.termination_reason:
        raise DomainError(N_("Only a terminated contract has a leaver's settlement: terminate the contract first."))
    return contract.terminated_on, TerminationReason(contract.termination_reason)


def settlement_of(db: TenantSession, contract_id: int) -> LeaverSettlement | None:
    return db.exec(
        select(LeaverSettlement).where(LeaverSettlement.tenant_id == db.tenant_id, LeaverSettlement.contract_id == contract_id)
    ).first()


def compute(db: TenantSession, worker: Worker, contract: Contract, terms: SettlementTerms) -> Settlement:
    """The settlement for ``terms`` from the pay published and the city's figures on the last day;
    raises DomainError for what must be corrected first."""
    terminated_on, reason = termination_of(contract)
    if terms.last_day > terminated_on:
        raise DomainError(
            N_("The last day is after the contract's termination date ({day})."), field="last_day", day=terminated_on
        )
    refuse_before_hire(terms.last_day, worker.hire_date)  # before looking up that day's pay and figures
    if month_published(db, terms.last_day, worker.bureau_id):
        raise DomainError(
            N_("Payroll for {month} is already published: a leaver's last day must fall in a month not yet paid."),
            field="last_day",
            month=terms.last_day.isoformat()[:7],
        )
    city = city_wages(db, worker.city, terms.last_day)
    if city is None:
        raise DomainError(
            N_("No minimum wage or average wage is recorded for the worker's city on {day}: record the city's figures first."),
            field="last_day",
            day=terms.last_day,
        )
    return settle(
        terms,
        termination=reason,
        hired_on=worker.hire_date,
        history=pay_history(db, id_of(worker), terms.last_day),
        city=city,
    )


@dataclass(frozen=True)
class Preview:
    settlement: Settlement | None
    refused: DomainError | None  # why the terms chosen have no figure


def preview(db: TenantSession, worker: Worker, contract: Contract, terms: SettlementTerms) -> Preview:
    try:
        return Preview(compute(db, worker, contract, terms), None)
    except DomainError as refused:
        return Preview(None, refused)


def leaver_pay(db: TenantSession, month: date) -> dict[int, LeaverPay]:
    """What the settlements with a last day in ``month`` add to each leaver's final payslip, by worker id
    (one settlement per worker and month: ``actions.record_settlement``)."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return {
        s.worker_id: LeaverPay(s.annual_leave_pay, s.severance, s.severance_tax)
        for s in db.exec(
            select(LeaverSettlement).where(
                LeaverSettlement.tenant_id == db.tenant_id, col(LeaverSettlement.last_day).between(first, last)
            )
        )
    }
