"""The only code that writes payroll runs, payslips and their lines.

A run is calculated all or nothing: every input is read in a few queries
(``run_inputs.load``), every payslip computed in memory with the pure
``payslip.compute_payslip``, and only then are the run's payslips and lines
replaced, written with COPY, in the caller's transaction.  A worker whose
inputs are missing, or whose payslip the rule refuses, makes the whole
calculation refused (``CalculationRefused`` lists them); nothing is written.
The trail gets one audit entry per calculation with the counts and totals,
not one per payslip (the payslips themselves are the record).

draft → calculated → approved → published.  A calculated or approved run may
be calculated again (approval is then cleared); a published run is never
edited again.  Approval by someone other than the calculating clerk is not
enforced in this slice: both names are kept on the run.

The month's attendance is locked (``attendance.lock_month``) when a run uses
it, so the figures paid stay the figures on record.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, text
from sqlmodel import Session, select

from service.audit import Actor, record
from service.errors import N_, DomainError
from service.money import ZERO
from service.payroll import run_inputs
from service.payroll.payslip import Payslip, compute_payslip
from service.payroll.run_inputs import Missing, ytd_to_json
from service.payroll.run_models import PayrollRun, RunKind, RunStatus
from service.workforce.attendance import lock_month

# COPY FROM is refused on a table with row-level security, so rows are COPYed
# into temporary tables (private to the session, dropped at commit) and moved
# with one INSERT ... SELECT each, which RLS checks like any insert.
SLIP_FIELDS = (
    ("worker_id", "bigint"), ("gross_pay", "numeric(12, 2)"), ("deductions", "numeric(12, 2)"),
    ("employee_social_insurance", "numeric(12, 2)"), ("employee_housing_fund", "numeric(12, 2)"),
    ("taxable_income", "numeric(12, 2)"), ("tax", "numeric(12, 2)"), ("net_pay", "numeric(12, 2)"),
    ("employer_contributions", "numeric(12, 2)"), ("employer_cost", "numeric(12, 2)"), ("year_to_date", "jsonb"),
    ("minimum_wage_ok", "boolean"), ("minimum_wage_shortfall", "numeric(12, 2)"),
)  # fmt: skip
LINE_FIELDS = (
    ("worker_id", "bigint"), ("position", "smallint"), ("code", "varchar(40)"), ("label", "varchar(120)"),
    ("category", "varchar(24)"), ("amount", "numeric(12, 2)"),
)  # fmt: skip
SLIPS_IN = "payroll_payslips_in"
LINES_IN = "payroll_lines_in"


class CalculationRefused(Exception):
    """Workers whose payslip cannot be computed; nothing was written."""

    def __init__(self, problems: list[Missing]) -> None:
        super().__init__(f"{len(problems)} workers cannot be paid")
        self.problems = problems


@dataclass(frozen=True)
class Outcome:
    run: PayrollRun
    payslips: int
    lines: int


def get_run(db: Session, tenant_id: uuid.UUID, run_id: int) -> PayrollRun | None:
    return db.exec(select(PayrollRun).where(PayrollRun.tenant_id == tenant_id, PayrollRun.id == run_id)).first()


def all_runs(db: Session, tenant_id: uuid.UUID) -> list[PayrollRun]:
    return list(
        db.exec(
            select(PayrollRun).where(PayrollRun.tenant_id == tenant_id).order_by(PayrollRun.month.desc(), PayrollRun.id.desc())
        )
    )


def create_run(
    db: Session, tenant_id: uuid.UUID, actor: Actor, month: date, client_bureau: str | None = None
) -> PayrollRun:
    """A new regular draft run for ``month`` (tenant-wide, or one bureau's)."""
    month = month.replace(day=1)
    client_bureau = client_bureau or None
    label = month.isoformat()[:7]
    runs = db.exec(
        select(PayrollRun).where(PayrollRun.tenant_id == tenant_id, PayrollRun.month == month).with_for_update()
    ).all()
    if any(r.status == RunStatus.PUBLISHED.value for r in runs):
        raise DomainError(
            N_("Payroll for {month} is already published: it can only be changed by a correction run."),
            field="month",
            month=label,
        )
    if any(r.kind == RunKind.REGULAR.value and r.client_bureau == client_bureau for r in runs):
        raise DomainError(
            N_("There is already a regular payroll run for {month}: calculate that run again instead."),
            field="month",
            month=label,
        )
    run = PayrollRun(tenant_id=tenant_id, month=month, client_bureau=client_bureau)
    db.add(run)
    db.flush()
    record(db, tenant_id, actor, "payroll_run.create", "payroll_run", run.id, after=run.snapshot())
    return run


def _refuse_published(run: PayrollRun) -> None:
    if run.status == RunStatus.PUBLISHED.value:
        raise DomainError(N_("This payroll run is published and can no longer change."), field="status")


def compute(inputs: run_inputs.RunInputs) -> dict[int, Payslip]:
    """Every payslip, in memory; raises CalculationRefused listing every worker that cannot be paid."""
    problems = list(inputs.missing)
    slips: dict[int, Payslip] = {}
    for worker_id, data in inputs.inputs.items():
        try:
            slips[worker_id] = compute_payslip(data)
        except DomainError as error:
            problems.append(Missing(worker_id, inputs.names.get(worker_id, ""), error.message, dict(error.params)))
    if problems:
        raise CalculationRefused(sorted(problems, key=lambda p: p.worker_id))
    return slips


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def payslip_copy_text(slips: dict[int, Payslip]) -> str:
    """COPY text rows in SLIP_FIELDS order."""
    out = io.StringIO()
    for worker_id, p in slips.items():
        out.write(
            f"{worker_id}\t{p.gross_pay}\t{p.deductions}\t"
            f"{p.employee_social_insurance}\t{p.employee_housing_fund}\t{p.taxable_income}\t{p.tax}\t"
            f"{p.net_pay}\t{p.employer_contributions}\t{p.employer_cost}\t"
            f"{_text(json.dumps(ytd_to_json(p.year_to_date), separators=(',', ':')))}\t"
            f"{'t' if p.minimum_wage.meets else 'f'}\t{p.minimum_wage.shortfall}\n"
        )
    return out.getvalue()


def line_copy_text(slips: dict[int, Payslip]) -> str:
    """COPY text rows in LINE_FIELDS order."""
    out = io.StringIO()
    for worker_id, p in slips.items():
        for position, line in enumerate(p.lines, start=1):
            out.write(
                f"{worker_id}\t{position}\t{_text(line.code)}\t{_text(line.label)}\t"
                f"{line.category.value}\t{line.amount}\n"
            )
    return out.getvalue()


def copy_into_temp(db: Session, table: str, fields: tuple[tuple[str, str], ...], data: str) -> None:
    """Create the temporary ``table`` (dropped at commit) and COPY text-format rows
    into it on the transaction's own connection."""
    columns = ", ".join(f"{name} {kind}" for name, kind in fields)
    cursor = db.connection().connection.cursor()
    cursor.execute(f"create temp table {table} ({columns}) on commit drop")
    with cursor.copy(f"copy {table} from stdin") as copy:
        copy.write(data)


def write_payslips(db: Session, tenant_id: uuid.UUID, run: PayrollRun, slips: dict[int, Payslip]) -> int:
    """Replace the run's payslips and lines; returns the number of lines."""
    params = {"tenant": tenant_id, "run": run.id, "month": run.month}
    db.execute(
        text(
            "delete from payslip_lines l using payslips p where l.tenant_id = p.tenant_id and l.payslip_id = p.id"
            " and p.tenant_id = :tenant and p.run_id = :run"
        ),
        params,
    )
    db.execute(text("delete from payslips where tenant_id = :tenant and run_id = :run"), params)
    lines = line_copy_text(slips)
    copy_into_temp(db, SLIPS_IN, SLIP_FIELDS, payslip_copy_text(slips))
    copy_into_temp(db, LINES_IN, LINE_FIELDS, lines)
    slip_columns = ", ".join(name for name, _ in SLIP_FIELDS)
    db.execute(
        text(
            f"insert into payslips (run_id, month, {slip_columns}) select :run, :month, {slip_columns} from {SLIPS_IN}"
        ),
        params,
    )
    line_columns = ", ".join(name for name, _ in LINE_FIELDS[1:])
    line_values = ", ".join("i." + name for name, _ in LINE_FIELDS[1:])
    db.execute(
        text(
            f"insert into payslip_lines (payslip_id, {line_columns}) select p.id, {line_values}"
            f" from {LINES_IN} i join payslips p on p.tenant_id = :tenant and p.run_id = :run and p.worker_id = i.worker_id"
        ),
        params,
    )
    db.execute(text(f"drop table {SLIPS_IN}, {LINES_IN}"))
    return lines.count("\n")


def calculate(db: Session, tenant_id: uuid.UUID, actor: Actor, run: PayrollRun) -> Outcome:
    """Compute every payslip of the run and replace the stored ones, all or nothing."""
    _refuse_published(run)
    db.exec(select(PayrollRun.id).where(PayrollRun.tenant_id == tenant_id, PayrollRun.id == run.id).with_for_update()).one()
    inputs = run_inputs.load(db, tenant_id, run.month, run.client_bureau)
    slips = compute(inputs)
    return store(db, tenant_id, actor, run, inputs, slips)


def store(
    db: Session, tenant_id: uuid.UUID, actor: Actor, run: PayrollRun, inputs: run_inputs.RunInputs, slips: dict[int, Payslip]
) -> Outcome:
    """Write computed payslips, then ``finish``."""
    lines = write_payslips(db, tenant_id, run, slips)
    return finish(db, tenant_id, actor, run, inputs, slips, lines)


def finish(
    db: Session, tenant_id: uuid.UUID, actor: Actor, run: PayrollRun, inputs: run_inputs.RunInputs,
    slips: dict[int, Payslip], lines: int,
) -> Outcome:  # fmt: skip
    """The run's totals and status, the attendance lock and the one audit entry."""
    before = run.snapshot()
    values = list(slips.values())
    run.worker_count = len(values)
    run.gross = sum((p.gross_pay for p in values), ZERO)
    run.net = sum((p.net_pay for p in values), ZERO)
    run.tax = sum((p.tax for p in values), ZERO)
    run.employer_cost = sum((p.employer_cost for p in values), ZERO)
    run.status = RunStatus.CALCULATED.value
    run.calculated_at = datetime.now(UTC)
    run.calculated_by = actor.label
    run.approved_at = None
    run.approved_by = None
    db.add(run)
    db.flush()
    locked = lock_month(db, tenant_id, run.month, actor) if inputs.attendance_rows else 0
    after = run.snapshot() | {
        "payslips": len(values),
        "lines": lines,
        "attendance_rows": inputs.attendance_rows,
        "attendance_locked": locked,
        "minimum_wage_flags": sum(1 for p in values if not p.minimum_wage.meets),
    }
    record(db, tenant_id, actor, "payroll_run.calculate", "payroll_run", run.id, before=before, after=after)
    return Outcome(run, len(values), lines)


def approve(db: Session, tenant_id: uuid.UUID, actor: Actor, run: PayrollRun) -> PayrollRun:
    _refuse_published(run)
    if run.status != RunStatus.CALCULATED.value:
        raise DomainError(N_("Only a calculated payroll run can be approved."), field="status")
    before = run.snapshot()
    run.status = RunStatus.APPROVED.value
    run.approved_at = datetime.now(UTC)
    run.approved_by = actor.label
    db.add(run)
    db.flush()
    record(db, tenant_id, actor, "payroll_run.approve", "payroll_run", run.id, before=before, after=run.snapshot())
    return run


def publish(db: Session, tenant_id: uuid.UUID, actor: Actor, run: PayrollRun) -> PayrollRun:
    _refuse_published(run)
    if run.status != RunStatus.APPROVED.value:
        raise DomainError(N_("Only an approved payroll run can be published."), field="status")
    before = run.snapshot()
    run.status = RunStatus.PUBLISHED.value
    run.published_at = datetime.now(UTC)
    db.add(run)
    db.flush()
    record(db, tenant_id, actor, "payroll_run.publish", "payroll_run", run.id, before=before, after=run.snapshot())
    return run


def payslip_totals(db: Session, tenant_id: uuid.UUID, run_id: int) -> tuple[int, Decimal, Decimal, Decimal, Decimal]:
    from service.payroll.run_models import PayslipRow

    return tuple(
        db.exec(
            select(
                func.count(), func.coalesce(func.sum(PayslipRow.gross_pay), 0), func.coalesce(func.sum(PayslipRow.net_pay), 0),
                func.coalesce(func.sum(PayslipRow.tax), 0), func.coalesce(func.sum(PayslipRow.employer_cost), 0),
            ).where(PayslipRow.tenant_id == tenant_id, PayslipRow.run_id == run_id)
        ).one()
    )  # type: ignore[return-value]  # fmt: skip
