"""The only code that writes payroll runs, payslips and their lines.

A run is calculated all or nothing: every input is read in a few queries
(``inputs.load``), every payslip computed in memory with the pure
``payslip.compute_payslip``, and only then are the run's payslips and lines
replaced, written with COPY, in the caller's transaction.  A worker whose
inputs are missing, or whose payslip the rule refuses, makes the whole
calculation refused (``CalculationRefused`` lists them); nothing is written.
The trail gets one audit entry per calculation with the counts and totals,
not one per payslip (the payslips themselves are the record).

draft → calculated → approved → published.  A calculated or approved run may
be calculated again (approval is then cleared); a published run is never
edited again.

A **correction run** (``create_correction``) is how a published month
changes: it names the run in force for the month and scope, carries a required
explanation, and when calculated recomputes every worker of the month from the
inputs as they are now (plus every worker paid in the published run), then
keeps only the payslips that differ from the published one in force (by line
code, category and amount), each naming the payslip it replaces
(``corrects_payslip_id``).  Its totals are the *differences* it carries.
Once published, its payslips are the ones in force for the month: the tax
year to date of every later month is summed from the payslips in force
(``inputs.published_year_to_date``), so the correction counts from then on.

Calculation reports its phase through an optional ``progress`` callable
(``progress`` writes it on separate short transactions); the payslips are
computed and COPYed chunk by chunk into temporary tables, so memory stays flat
(no list of every payslip is kept), and only moved into the real tables once
every worker has been computed without a problem.

Approval and publication are guarded (``guards``): the clerk who calculated a
run may not approve or publish it while the tenant keeps four eyes on, and a
run paying anyone below the city minimum wage is approved only with a reason
for each such worker.  Who calculated, approved and published is kept on the
run.

The month's attendance is locked (``attendance.lock_month``) when a regular
run uses it, so the figures paid stay the figures on record.  Opening a
correction run unlocks it (the figures may be corrected), and publishing the
correction locks it again.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import sqlalchemy
from sqlalchemy import func, text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from service.audit import Actor, record
from service.database.ids import id_of
from service.errors import N_, DomainError, Refused
from service.money import ZERO
from service.payroll.payslip import Payslip, compute_payslip
from service.payroll.proration import Proration
from service.payroll.runs import guards
from service.payroll.runs import inputs as run_inputs
from service.payroll.runs.inputs import Missing, ytd_to_json
from service.payroll.runs.models import PayrollRun, PayslipRow, ProgressPhase, RunKind, RunStatus
from service.workforce.attendance.actions import lock_month, unlock_month
from tenants.isolation import TenantSession

# COPY FROM is refused on a table with row-level security, so rows are COPYed
# into temporary tables (private to the session, dropped at commit) and moved
# with one INSERT ... SELECT each, which RLS checks like any insert.
SLIP_FIELDS = (
    ("worker_id", "bigint"),
    ("gross_pay", "numeric(12, 2)"),
    ("deductions", "numeric(12, 2)"),
    ("employee_social_insurance", "numeric(12, 2)"),
    ("employee_housing_fund", "numeric(12, 2)"),
    ("taxable_income", "numeric(12, 2)"),
    ("tax", "numeric(12, 2)"),
    ("net_pay", "numeric(12, 2)"),
    ("employer_contributions", "numeric(12, 2)"),
    ("employer_cost", "numeric(12, 2)"),
    ("year_to_date", "jsonb"),
    ("minimum_wage_ok", "boolean"),
    ("minimum_wage_shortfall", "numeric(12, 2)"),
    ("income", "numeric(12, 2)"),
    ("special_additional_deductions", "numeric(12, 2)"),
    ("corrects_payslip_id", "bigint"),
    ("proration", "jsonb"),
    ("severance", "numeric(12, 2)"),
    ("severance_tax", "numeric(12, 2)"),
)
LINE_FIELDS = (
    ("worker_id", "bigint"),
    ("position", "smallint"),
    ("code", "varchar(40)"),
    ("label", "varchar(120)"),
    ("category", "varchar(24)"),
    ("amount", "numeric(12, 2)"),
)
SLIPS_IN = "payroll_payslips_in"
LINES_IN = "payroll_lines_in"
CHUNK = 5000  # payslips COPYed per round trip
NULL = "\\N"  # COPY text format's null
PROGRESS_EVERY = 500  # workers between two progress reports (the reporter throttles further)
EXPLANATION_MAX = 2000

Progress = Callable[[str, int, int], None]  # (phase, done, total)


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


class CalculationRefused(Refused):
    """Workers whose payslip cannot be computed; nothing was written."""

    def __init__(self, problems: list[Missing]) -> None:
        super().__init__(f"{len(problems)} workers cannot be paid")
        self.problems = problems


@dataclass(frozen=True)
class Outcome:
    run: PayrollRun
    payslips: int
    lines: int


@dataclass(frozen=True)
class Published:
    """A worker's payslip in force for a month (what a correction compares with)."""

    payslip_id: int
    gross_pay: Decimal
    net_pay: Decimal
    tax: Decimal
    employer_cost: Decimal
    lines: tuple[tuple[str, str, Decimal], ...]  # (code, category, amount) in position order


@dataclass
class Totals:
    """What the written payslips add up to (differences, for a correction run)."""

    payslips: int = 0
    lines: int = 0
    gross: Decimal = ZERO
    net: Decimal = ZERO
    tax: Decimal = ZERO
    employer_cost: Decimal = ZERO
    below_minimum: int = 0


@dataclass
class SlipWriter:
    """COPYs payslips into the temporary tables CHUNK at a time; keeps only totals.

    ``keep`` keeps the COPY text too (the benchmark re-COPYs it alone)."""

    db: Session
    keep: bool = False
    totals: Totals = field(default_factory=Totals)
    kept: list[tuple[str, str]] = field(default_factory=list)
    _slips: io.StringIO = field(default_factory=io.StringIO)
    _lines: io.StringIO = field(default_factory=io.StringIO)
    _pending: int = 0
    _open: bool = False

    def add(self, worker_id: int, p: Payslip, published: Published | None = None) -> None:
        t = self.totals
        t.payslips += 1
        t.lines += len(p.lines)
        t.below_minimum += 0 if p.minimum_wage.meets else 1
        if published is None:
            t.gross += p.gross_pay
            t.net += p.net_pay
            t.tax += p.tax
            t.employer_cost += p.employer_cost
        else:
            t.gross += p.gross_pay - published.gross_pay
            t.net += p.net_pay - published.net_pay
            t.tax += p.tax - published.tax
            t.employer_cost += p.employer_cost - published.employer_cost
        _slip_row(self._slips, worker_id, p, None if published is None else published.payslip_id)
        _line_rows(self._lines, worker_id, p)
        self._pending += 1
        if self._pending >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self._open:
            _create_temp(self.db, SLIPS_IN, SLIP_FIELDS)
            _create_temp(self.db, LINES_IN, LINE_FIELDS)
            self._open = True
        if not self._pending:
            return
        slips, lines = self._slips.getvalue(), self._lines.getvalue()
        _copy(self.db, SLIPS_IN, slips)
        _copy(self.db, LINES_IN, lines)
        if self.keep:
            self.kept.append((slips, lines))
        self._slips, self._lines, self._pending = io.StringIO(), io.StringIO(), 0


def get_run(db: TenantSession, run_id: int) -> PayrollRun | None:
    return db.exec(select(PayrollRun).where(PayrollRun.tenant_id == db.tenant_id, PayrollRun.id == run_id)).first()


def all_runs(db: TenantSession) -> list[PayrollRun]:
    return list(
        db.exec(
            select(PayrollRun)
            .where(PayrollRun.tenant_id == db.tenant_id)
            .order_by(col(PayrollRun.month).desc(), col(PayrollRun.id).desc())
        )
    )


def create_run(db: TenantSession, month: date, bureau_id: int | None = None, *, actor: Actor) -> PayrollRun:
    """A new regular draft run for ``month`` (tenant-wide, or one bureau's)."""
    tenant_id = db.tenant_id
    month = month.replace(day=1)
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
    if any(r.kind == RunKind.REGULAR.value and r.bureau_id == bureau_id for r in runs):
        raise DomainError(
            N_("There is already a regular payroll run for {month}: calculate that run again instead."),
            field="month",
            month=label,
        )
    run = PayrollRun(tenant_id=tenant_id, month=month, bureau_id=bureau_id)
    db.add(run)
    db.flush()
    record(db, tenant_id, actor, "payroll_run.create", "payroll_run", run.id, after=run.snapshot())
    return run


def _scope(query: SelectOfScalar[PayrollRun], bureau_id: int | None) -> SelectOfScalar[PayrollRun]:
    bureau = col(PayrollRun.bureau_id)
    return query.where(bureau.is_(None) if bureau_id is None else bureau == bureau_id)


def published_in_force(db: TenantSession, month: date, bureau_id: int | None) -> PayrollRun | None:
    """The latest published run (regular or correction) of the month and scope."""
    return db.exec(
        _scope(select(PayrollRun), bureau_id)
        .where(
            PayrollRun.tenant_id == db.tenant_id,
            PayrollRun.month == month.replace(day=1),
            PayrollRun.status == RunStatus.PUBLISHED.value,
        )
        .order_by(col(PayrollRun.published_at).desc(), col(PayrollRun.id).desc())
    ).first()


def create_correction(db: TenantSession, month: date, bureau_id: int | None, explanation: str, *, actor: Actor) -> PayrollRun:
    """A draft correction run for a published month and scope, with its required explanation."""
    tenant_id = db.tenant_id
    month = month.replace(day=1)
    label = month.isoformat()[:7]
    explanation = explanation.strip()
    if not explanation:
        raise DomainError(
            N_("Explain the correction: the explanation is shown on the run and on every corrected payslip."),
            field="explanation",
        )
    if len(explanation) > EXPLANATION_MAX:
        raise DomainError(N_("At most {max} characters."), field="explanation", max=EXPLANATION_MAX)
    runs = db.exec(
        _scope(select(PayrollRun), bureau_id)
        .where(PayrollRun.tenant_id == tenant_id, PayrollRun.month == month)
        .with_for_update()
    ).all()
    published = [r for r in runs if r.status == RunStatus.PUBLISHED.value]
    if not published:
        raise DomainError(
            N_("Payroll for {month} is not published: change it by calculating its run again, not by a correction."),
            field="month",
            month=label,
        )
    if any(r.kind == RunKind.CORRECTION.value and r.status != RunStatus.PUBLISHED.value for r in runs):
        raise DomainError(N_("A correction run for {month} is already open: continue with it."), field="month", month=label)
    in_force = max(published, key=lambda r: (r.published_at or datetime.min.replace(tzinfo=UTC), r.id or 0))
    run = PayrollRun(
        tenant_id=tenant_id,
        month=month,
        bureau_id=bureau_id,
        kind=RunKind.CORRECTION.value,
        corrects_run_id=in_force.id,
        explanation=explanation,
    )
    db.add(run)
    db.flush()
    record(db, tenant_id, actor, "payroll_run.create", "payroll_run", run.id, after=run.snapshot())
    unlock_month(db, month, actor=actor)  # attendance may be corrected; publishing locks it again
    return run


def _refuse_published(run: PayrollRun) -> None:
    if run.status == RunStatus.PUBLISHED.value:
        raise DomainError(N_("This payroll run is published and can no longer change."), field="status")


def compute(inputs: run_inputs.RunInputs) -> dict[int, Payslip]:
    """Every payslip, in memory; raises CalculationRefused listing every worker that cannot be paid.
    (Tests and small callers; a run's calculation streams through ``compute_into`` instead.)"""
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


def compute_into(
    writer: SlipWriter,
    inputs: run_inputs.RunInputs,
    progress: Progress = _no_progress,
    published: dict[int, Published] | None = None,
) -> None:
    """Compute every payslip and hand it to ``writer`` (for a correction, only those that differ
    from ``published``); raises CalculationRefused listing every worker that cannot be paid."""
    problems = list(inputs.missing)
    total = len(inputs.inputs)
    progress(ProgressPhase.COMPUTING.value, 0, total)
    for done, (worker_id, data) in enumerate(inputs.inputs.items(), start=1):
        try:
            slip = compute_payslip(data)
        except DomainError as error:
            problems.append(Missing(worker_id, inputs.names.get(worker_id, ""), error.message, dict(error.params)))
            continue
        finally:
            if done % PROGRESS_EVERY == 0:
                progress(ProgressPhase.COMPUTING.value, done, total)
        if problems:
            continue  # nothing will be written: only look for further problems
        if published is None:
            writer.add(worker_id, slip)
            continue
        before = published.get(worker_id)
        if before is None or before.lines != tuple((x.code, x.category.value, x.amount) for x in slip.lines):
            writer.add(worker_id, slip, before)
    progress(ProgressPhase.COMPUTING.value, total, total)
    if problems:
        raise CalculationRefused(sorted(problems, key=lambda p: p.worker_id))


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def proration_to_json(proration: Proration) -> dict[str, Any]:
    """What a part month's payslip keeps of its proration: the rule, the explanation (a msgid) with
    its parameters, and the rule's basis (``payslip_view.proration_note`` shows it)."""
    return {
        "rule": proration.rule.value,
        "explanation": proration.explanation,
        "params": {name: value if isinstance(value, int) else str(value) for name, value in proration.params.items()},
        "basis": proration.basis,
    }


def _json(value: dict[str, Any] | None) -> str:
    return NULL if value is None else _text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _slip_row(out: io.StringIO, worker_id: int, p: Payslip, corrects: int | None) -> None:
    """One COPY text row in SLIP_FIELDS order."""
    replaced = NULL if corrects is None else corrects
    prorated = _json(None if p.proration is None else proration_to_json(p.proration))
    out.write(
        f"{worker_id}\t{p.gross_pay}\t{p.deductions}\t"
        f"{p.employee_social_insurance}\t{p.employee_housing_fund}\t{p.taxable_income}\t{p.tax}\t"
        f"{p.net_pay}\t{p.employer_contributions}\t{p.employer_cost}\t"
        f"{_text(json.dumps(ytd_to_json(p.year_to_date), separators=(',', ':')))}\t"
        f"{'t' if p.minimum_wage.meets else 'f'}\t{p.minimum_wage.shortfall}\t"
        f"{p.income}\t{p.special_additional_deductions}\t{replaced}\t{prorated}\t{p.severance}\t{p.severance_tax}\n"
    )


@lru_cache(maxsize=4096)
def _line_middle(code: str, label: str, category: str) -> str:
    """The escaped code, label and category of a line (the same few on every payslip)."""
    return f"{_text(code)}\t{_text(label)}\t{category}"


def _line_rows(out: io.StringIO, worker_id: int, p: Payslip) -> None:
    """COPY text rows in LINE_FIELDS order."""
    out.write(
        "".join(
            f"{worker_id}\t{position}\t{_line_middle(line.code, line.label, line.category.value)}\t{line.amount}\n"
            for position, line in enumerate(p.lines, start=1)
        )
    )


def payslip_copy_text(slips: dict[int, Payslip]) -> str:
    """COPY text rows in SLIP_FIELDS order."""
    out = io.StringIO()
    for worker_id, p in slips.items():
        _slip_row(out, worker_id, p, None)
    return out.getvalue()


def line_copy_text(slips: dict[int, Payslip]) -> str:
    """COPY text rows in LINE_FIELDS order."""
    out = io.StringIO()
    for worker_id, p in slips.items():
        _line_rows(out, worker_id, p)
    return out.getvalue()


def _create_temp(db: Session, table: str, fields: tuple[tuple[str, str], ...]) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in fields)
    db.connection().connection.cursor().execute(f"create temp table {table} ({columns}) on commit drop")


def _copy(db: Session, table: str, data: str) -> None:
    with db.connection().connection.cursor().copy(f"copy {table} from stdin") as copy:
        copy.write(data)


def copy_into_temp(db: Session, table: str, fields: tuple[tuple[str, str], ...], data: str) -> None:
    """Create the temporary ``table`` (dropped at commit) and COPY text-format rows
    into it on the transaction's own connection."""
    _create_temp(db, table, fields)
    _copy(db, table, data)


def write_payslips(db: TenantSession, run: PayrollRun, slips: dict[int, Payslip]) -> int:
    """Replace the run's payslips and lines with ``slips``; returns the number of lines."""
    writer = SlipWriter(db)
    for worker_id, slip in slips.items():
        writer.add(worker_id, slip)
    return replace_payslips(db, run, writer).lines


def replace_payslips(db: TenantSession, run: PayrollRun, writer: SlipWriter) -> Totals:
    """Replace the run's payslips and lines with what ``writer`` COPYed into the temporary tables."""
    writer.flush()
    params = {"tenant": db.tenant_id, "run": run.id, "month": run.month}
    db.execute(
        text(
            "delete from payslip_lines l using payslips p where l.tenant_id = p.tenant_id and l.payslip_id = p.id"
            " and p.tenant_id = :tenant and p.run_id = :run"
        ),
        params,
    )
    db.execute(text("delete from payslips where tenant_id = :tenant and run_id = :run"), params)
    # One statement: the new payslips' ids come back from the INSERT (a CTE) and are joined
    # to the lines by worker with a hash join.  Joining the lines to ``payslips`` instead let
    # the planner, which has no statistics for a brand-new run, pick a nested loop over the
    # temporary table: minutes for 50,000 workers.
    slip_columns = ", ".join(name for name, _ in SLIP_FIELDS)
    line_columns = ", ".join(name for name, _ in LINE_FIELDS[1:])
    line_values = ", ".join("i." + name for name, _ in LINE_FIELDS[1:])
    db.execute(text(f"analyze {SLIPS_IN}"))
    db.execute(text(f"analyze {LINES_IN}"))
    db.execute(
        text(
            f"with new as (insert into payslips (run_id, month, {slip_columns})"
            f" select :run, :month, {slip_columns} from {SLIPS_IN} returning id, worker_id)"
            f" insert into payslip_lines (payslip_id, {line_columns}) select new.id, {line_values}"
            f" from {LINES_IN} i join new on new.worker_id = i.worker_id"
        ),
        params,
    )
    db.execute(text(f"drop table {SLIPS_IN}, {LINES_IN}"))
    return writer.totals


def published_payslips(db: TenantSession, run: PayrollRun) -> dict[int, Published]:
    """Each worker's payslip in force for the run's month (the latest published one), with its
    lines, for the workers of the run's scope: two queries."""
    tenant_id = db.tenant_id
    bureau = "" if run.bureau_id is None else " and r.bureau_id = :bureau"
    rows = db.execute(
        text(
            f"""
            select distinct on (p.worker_id) p.worker_id, p.id, p.gross_pay, p.net_pay, p.tax, p.employer_cost
            from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
            where p.tenant_id = :tenant and r.status = 'published' and p.month = :month{bureau}
            order by p.worker_id, r.published_at desc, r.id desc
            """
        ),
        {"tenant": tenant_id, "month": run.month, "bureau": run.bureau_id},
    ).all()
    lines: dict[int, list[tuple[str, str, Decimal]]] = {row.id: [] for row in rows}
    if lines:
        for payslip_id, code, category, amount in db.execute(
            text(
                "select payslip_id, code, category, amount from payslip_lines where tenant_id = :tenant"
                " and payslip_id = any(:ids) order by payslip_id, position"
            ),
            {"tenant": tenant_id, "ids": list(lines)},
        ):
            lines[payslip_id].append((code, category, amount))
    return {
        row.worker_id: Published(row.id, row.gross_pay, row.net_pay, row.tax, row.employer_cost, tuple(lines[row.id]))
        for row in rows
    }


def calculate(db: TenantSession, run: PayrollRun, progress: Progress = _no_progress, *, actor: Actor) -> Outcome:
    """Compute every payslip of the run and replace the stored ones, all or nothing.

    A correction run keeps only the payslips that differ from the published ones in force;
    none differing refuses the calculation (nothing to correct)."""
    _refuse_published(run)
    db.exec(
        select(PayrollRun.id)
        .where(PayrollRun.tenant_id == db.tenant_id, PayrollRun.id == run.id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE: the progress row's key check is not blocked
    ).one()
    progress(ProgressPhase.LOADING.value, 0, 0)
    published = None
    if run.kind == RunKind.CORRECTION.value:
        published = published_payslips(db, run)
    inputs = run_inputs.load(db, run.month, run.bureau_id, include=set(published or ()))
    writer = SlipWriter(db)
    compute_into(writer, inputs, progress, published)
    if published is not None and writer.totals.payslips == 0:
        raise DomainError(
            N_("Every recalculated payslip equals the published one: there is nothing to correct."),
            field="status",
        )
    progress(ProgressPhase.WRITING.value, 0, 0)
    totals = replace_payslips(db, run, writer)
    progress(ProgressPhase.FINISHING.value, 0, 0)
    return finish(db, run, inputs, totals, actor=actor)


def finish(db: TenantSession, run: PayrollRun, inputs: run_inputs.RunInputs, totals: Totals, *, actor: Actor) -> Outcome:
    """The run's totals and status, the attendance lock and the one audit entry."""
    tenant_id = db.tenant_id
    before = run.snapshot()
    run.worker_count = totals.payslips
    run.gross = totals.gross
    run.net = totals.net
    run.tax = totals.tax
    run.employer_cost = totals.employer_cost
    run.status = RunStatus.CALCULATED.value
    run.calculated_at = datetime.now(UTC)
    run.calculated_by, run.calculated_by_kind, run.calculated_by_id = actor.label, actor.kind, actor.id
    run.approved_at = None
    run.approved_by, run.approved_by_kind, run.approved_by_id = None, None, None
    db.add(run)
    db.flush()
    cleared = guards.clear_reasons(db, id_of(run))  # they approved the figures replaced now
    # A regular run locks the month's attendance when it uses it; a correction run leaves it open
    # for further corrections until it is published (``publish`` locks it).
    regular = run.kind == RunKind.REGULAR.value
    locked = lock_month(db, run.month, actor=actor) if inputs.attendance_rows and regular else 0
    after = run.snapshot() | {
        "payslips": totals.payslips,
        "lines": totals.lines,
        "attendance_rows": inputs.attendance_rows,
        "attendance_locked": locked,
        "minimum_wage_flags": totals.below_minimum,
        "minimum_wage_reasons_cleared": cleared,
    }
    record(db, tenant_id, actor, "payroll_run.calculate", "payroll_run", run.id, before=before, after=after)
    return Outcome(run, totals.payslips, totals.lines)


refuse_published = _refuse_published


def approve(db: TenantSession, run: PayrollRun, reasons: Mapping[int, str] | None = None, *, actor: Actor) -> PayrollRun:
    """Approve a calculated run: not by the clerk who calculated it (four eyes, unless switched off), and
    with ``reasons`` (by worker id) for every worker paid below the city minimum wage."""
    _refuse_published(run)
    if run.status != RunStatus.CALCULATED.value:
        raise DomainError(N_("Only a calculated payroll run can be approved."), field="status")
    guards.refuse_own_run(db, run, actor, publishing=False)
    cases = guards.below_minimum(db, id_of(run))
    given = guards.check_reasons(cases, reasons or {})
    before = run.snapshot()
    run.status = RunStatus.APPROVED.value
    run.approved_at = datetime.now(UTC)
    run.approved_by, run.approved_by_kind, run.approved_by_id = actor.label, actor.kind, actor.id
    db.add(run)
    db.flush()
    kept = guards.keep_reasons(db, run, cases, given, actor=actor)
    after = run.snapshot() | {"four_eyes": guards.four_eyes(db), "minimum_wage_reasons": kept}
    record(db, db.tenant_id, actor, "payroll_run.approve", "payroll_run", run.id, before=before, after=after)
    return run


def publish(db: TenantSession, run: PayrollRun, *, actor: Actor) -> PayrollRun:
    """Publish an approved run: not by the clerk who calculated it (four eyes, unless switched off)."""
    tenant_id = db.tenant_id
    _refuse_published(run)
    if run.status != RunStatus.APPROVED.value:
        raise DomainError(N_("Only an approved payroll run can be published."), field="status")
    guards.refuse_own_run(db, run, actor, publishing=True)
    before = run.snapshot()
    run.status = RunStatus.PUBLISHED.value
    run.published_at = datetime.now(UTC)
    run.published_by, run.published_by_kind, run.published_by_id = actor.label, actor.kind, actor.id
    db.add(run)
    db.flush()
    if run.kind == RunKind.CORRECTION.value:
        lock_month(db, run.month, actor=actor)  # the corrected figures are the ones on record
    after = run.snapshot() | {"four_eyes": guards.four_eyes(db)}
    record(db, tenant_id, actor, "payroll_run.publish", "payroll_run", run.id, before=before, after=after)
    return run


def payslip_totals(db: TenantSession, run_id: int) -> tuple[int, Decimal, Decimal, Decimal, Decimal]:

    # Five columns: more than sqlmodel's select() has typed overloads for.
    count, gross, net, tax, cost = db.execute(
        sqlalchemy.select(
            func.count(),
            func.coalesce(func.sum(PayslipRow.gross_pay), 0),
            func.coalesce(func.sum(PayslipRow.net_pay), 0),
            func.coalesce(func.sum(PayslipRow.tax), 0),
            func.coalesce(func.sum(PayslipRow.employer_cost), 0),
        ).where(col(PayslipRow.tenant_id) == db.tenant_id, col(PayslipRow.run_id) == run_id)
    ).one()
    return count, gross, net, tax, cost
