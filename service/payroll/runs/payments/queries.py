"""Reading payment files: the tenant's layout, a run's payables and files, what paid a payslip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import col, select

from service.payroll.runs.models import PayrollRun, RunKind
from service.payroll.runs.payments.layouts import GENERIC, Layout
from service.payroll.runs.payments.models import PaymentFile, PaymentFileLine, PaymentLayoutRow
from service.payroll.runs.payments.rules import Payable, plan
from service.workforce.bank_accounts.models import BankAccount
from service.workforce.models import Worker
from tenants.isolation import TenantSession


def stored_layout(db: TenantSession) -> PaymentLayoutRow | None:
    return db.exec(select(PaymentLayoutRow).where(PaymentLayoutRow.tenant_id == db.tenant_id)).first()


def layout_of(db: TenantSession) -> Layout:
    """The tenant's layout; the generic one until the tenant saves its own."""
    row = stored_layout(db)
    return GENERIC if row is None else Layout.from_json(row.layout)


def payables(db: TenantSession, run: PayrollRun) -> list[Payable]:
    """The run's payslips with the net pay of the payslip each replaces (a correction's), in one query."""
    rows = db.execute(
        text(
            """
            select p.id, p.worker_id, p.net_pay, o.net_pay
            from payslips p
            left join payslips o on o.tenant_id = p.tenant_id and o.id = p.corrects_payslip_id
            where p.tenant_id = :tenant and p.run_id = :run
            order by p.id
            """
        ),
        {"tenant": db.tenant_id, "run": run.id},
    ).all()
    return [Payable(*row) for row in rows]


def is_correction(run: PayrollRun) -> bool:
    return run.kind == RunKind.CORRECTION.value


def files_of(db: TenantSession, run_id: int) -> list[PaymentFile]:
    """The run's payment files, the newest first."""
    return list(
        db.exec(
            select(PaymentFile)
            .where(PaymentFile.tenant_id == db.tenant_id, PaymentFile.run_id == run_id)
            .order_by(col(PaymentFile.id).desc())
        )
    )


def lines_of(db: TenantSession, file_id: int) -> list[PaymentFileLine]:
    return list(
        db.exec(
            select(PaymentFileLine)
            .where(PaymentFileLine.tenant_id == db.tenant_id, PaymentFileLine.file_id == file_id)
            .order_by(col(PaymentFileLine.payslip_id))
        )
    )


@dataclass(frozen=True)
class PaidInto:
    """Where a payslip's money went, as the worker's payslip shows it (never the full number)."""

    bank: str
    branch: str
    account_masked: str
    amount: Decimal
    pay_date: date
    produced_at: datetime | None


def paid_into(db: TenantSession, payslip_id: int) -> PaidInto | None:
    """The latest payment file that paid the payslip, with the account it paid into; None if none did."""
    found = db.exec(
        select(PaymentFileLine, PaymentFile, BankAccount)
        .join(
            PaymentFile,
            (col(PaymentFile.tenant_id) == PaymentFileLine.tenant_id) & (col(PaymentFile.id) == PaymentFileLine.file_id),
        )
        .join(
            BankAccount,
            (col(BankAccount.tenant_id) == PaymentFileLine.tenant_id)
            & (col(BankAccount.id) == PaymentFileLine.bank_account_id),
        )
        .where(PaymentFileLine.tenant_id == db.tenant_id, PaymentFileLine.payslip_id == payslip_id)
        .order_by(col(PaymentFile.id).desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    line, file, account = found
    return PaidInto(
        account.bank_name, account.branch, account.account_number_masked, line.amount, file.pay_date, file.produced_at
    )


@dataclass(frozen=True)
class NotPaid:
    worker_id: int
    name: str
    amount: Decimal  # what the worker was overpaid, as a positive amount


def not_paid_of(db: TenantSession, run: PayrollRun) -> list[NotPaid]:
    """A correction run's negative differences: no bank file pays them; the run page lists them to recover."""
    if not is_correction(run):
        return []
    planned = plan(payables(db, run), correction=True)
    if not planned.not_paid:
        return []
    names = dict(
        db.exec(
            select(col(Worker.id), col(Worker.name)).where(
                Worker.tenant_id == db.tenant_id, col(Worker.id).in_([p.worker_id for p in planned.not_paid])
            )
        ).all()
    )
    return [NotPaid(p.worker_id, names.get(p.worker_id, ""), -p.amount) for p in planned.not_paid]
