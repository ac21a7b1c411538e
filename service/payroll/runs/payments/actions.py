"""The only code that writes payment layouts and payment files.

A payment file is made only for a published run (its figures never change
again), in the tenant's layout, with the full account and ID numbers: the
routes let only the roles that may see them in full produce one.  The
accounts are those in force when the file is made; an account is never
recorded ahead of time, so for a pay date of today or later they are the
accounts in force on the pay date as far as anyone can know.  A worker to be
paid without an account in force refuses the whole file, naming every such
worker: a line with an empty account would be rejected by the bank or, worse,
paid nowhere.  The file and each line (payslip, amount, the bank_accounts
row paid into) are recorded with the file's SHA-256, and audited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text

from service.audit import Actor, record
from service.database.ids import id_of
from service.errors import N_, DomainError, InputErrors
from service.keys import Keys
from service.payroll.runs.models import PayrollRun, RunStatus
from service.payroll.runs.payments import queries
from service.payroll.runs.payments.layouts import Content, Layout, PaymentLine, check_layout, render
from service.payroll.runs.payments.models import PaymentFile, PaymentLayoutRow
from service.payroll.runs.payments.rules import PAY_DATE_AHEAD_DAYS, file_name, plan, purpose
from service.payroll.runs.queries import workers_of
from service.workforce.bank_accounts.queries import accounts_in_force, reveal_account_number
from service.workforce.roster.actions import reveal_id_number
from tenants.isolation import TenantSession


def save_layout(db: TenantSession, layout: Layout, *, actor: Actor) -> None:
    """Store the tenant's layout (audited, before and after)."""
    problems = check_layout(layout)
    if problems:
        raise InputErrors(problems)
    row = queries.stored_layout(db)
    before = None if row is None else dict(row.layout)
    if row is None:
        row = PaymentLayoutRow(tenant_id=db.tenant_id, layout=layout.to_json(), updated_by=actor.label[:120])
    else:
        row.layout = layout.to_json()
        row.updated_by = actor.label[:120]
    db.add(row)
    db.flush()
    record(db, db.tenant_id, actor, "payment_layout.save", "payment_layout", None, before=before, after=layout.to_json())


@dataclass(frozen=True)
class Produced:
    file: PaymentFile
    content: bytes
    media_type: str


def _check_pay_date(pay_date: date, today: date) -> None:
    if pay_date < today:
        raise DomainError(N_("The pay date cannot be in the past: a bank pays today or later."), field="pay_date")
    if pay_date > today + timedelta(days=PAY_DATE_AHEAD_DAYS):
        raise DomainError(N_("The pay date is at most {days} days ahead."), field="pay_date", days=PAY_DATE_AHEAD_DAYS)


def produce_file(db: TenantSession, keys: Keys, run: PayrollRun, pay_date: date, *, today: date, actor: Actor) -> Produced:
    """The run's payment file in the tenant's layout, recorded with its lines and checksum."""
    if run.status != RunStatus.PUBLISHED.value:
        raise DomainError(N_("A payment file is made only for a published run."), field="payment_file")
    _check_pay_date(pay_date, today)
    correction = queries.is_correction(run)
    planned = plan(queries.payables(db, run), correction=correction)
    if not planned.paid:
        raise DomainError(N_("Nobody in this run has anything to be paid."), field="payment_file")
    worker_ids = [p.worker_id for p in planned.paid]
    workers = workers_of(db, worker_ids)
    accounts = accounts_in_force(db, worker_ids)
    without = [workers[w].name for w in worker_ids if w not in accounts]
    if without:
        raise DomainError(
            N_("No bank account is in force for {count} workers to be paid: {names}. Record their accounts, then try again."),
            field="payment_file",
            count=len(without),
            names="、".join(without),
        )
    layout = queries.layout_of(db)
    what_for = purpose(run.month, correction=correction)
    with_ids = layout.carries(Content.ID_NUMBER)  # decrypted only when the file shows them
    lines = [
        PaymentLine(
            worker_id=p.worker_id,
            worker_name=workers[p.worker_id].name,
            account_name=accounts[p.worker_id].account_name,
            account_number=reveal_account_number(keys, accounts[p.worker_id]),
            bank=accounts[p.worker_id].bank_name,
            branch=accounts[p.worker_id].branch,
            id_number=reveal_id_number(keys, workers[p.worker_id]) if with_ids else "",
            amount=p.amount,
            purpose=what_for,
        )
        for p in planned.paid
    ]
    content = render(layout, lines)
    file = PaymentFile(
        tenant_id=db.tenant_id,
        run_id=id_of(run),
        layout=layout.to_json(),
        file_name=file_name(run.month, id_of(run), pay_date, layout.extension),
        pay_date=pay_date,
        row_count=len(lines),
        total=planned.total,
        not_paid=planned.not_paid_total,
        sha256=hashlib.sha256(content).hexdigest(),
        produced_by=actor.label[:120],
    )
    db.add(file)
    db.flush()
    # One statement over arrays, not one row per line: a 10,000-line file records its lines in a few ms.
    db.execute(
        text(
            "insert into payroll_payment_file_lines (tenant_id, file_id, payslip_id, worker_id, bank_account_id, amount)"
            " select :tenant, :file, line.payslip_id, line.worker_id, line.account_id, line.amount"
            " from unnest(cast(:payslips as bigint[]), cast(:workers as bigint[]), cast(:accounts as bigint[]),"
            " cast(:amounts as numeric[])) as line (payslip_id, worker_id, account_id, amount)"
        ),
        {
            "tenant": db.tenant_id,
            "file": file.id,
            "payslips": [p.payslip_id for p in planned.paid],
            "workers": [p.worker_id for p in planned.paid],
            "accounts": [id_of(accounts[p.worker_id]) for p in planned.paid],
            "amounts": [p.amount for p in planned.paid],
        },
    )
    record(db, db.tenant_id, actor, "payment_file.produce", "payment_file", file.id, after=file.snapshot())
    return Produced(file, content, layout.media_type)
