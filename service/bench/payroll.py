"""``paiqian bench payroll``: a month's payroll run for n workers, phase by phase, and its bank file.

A benchmark, not a test: it prints figures and checks only that the bank
file pays the run's net pay.  It seeds a tenant ``bench-payday-<n>`` once
(reused on later runs; the older ``bench-payroll-<n>`` tenants had no pay-day
data): n demo workers in Chengdu, one in fifty of them hired during the month
(paid from their hire date), one in a hundred leaving during it (marked as
left with their last day, paid to it), a bank account in force for every
worker (through ``bank_accounts.actions.put_in_force``, as an Excel import
records them), the demo salary band table, attendance figures for every tenth
worker.  Then, in one tenant transaction on the app role (RLS on), it times
the calculation of the current month's regular run: load the inputs, compute
every payslip and COPY it, 5,000 at a time, into temporary tables (COPY FROM
is refused on RLS tables; no list of every payslip is kept), move them into
payslips and lines with one INSERT ... SELECT each, totals + attendance lock
+ the one audit entry, commit.  It prints the process's peak memory too.  Last, the database's own
limit: COPY of the same payslip and line rows into temporary tables alone.

Pay day: the bench admin (not the system actor that calculated: four eyes)
approves the run, giving a reason for each part month below the minimum
wage, and publishes it; then the payment file is produced in the tenant's
layout (the shipped generic one, which carries ID numbers too) and its
amounts are read back and summed: they must come to the run's net pay.  That
transaction is rolled back, so the month stays open and the bench can run
again; its commit is not timed.
"""

from __future__ import annotations

import calendar
import io
import random
import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from time import perf_counter

from openpyxl import load_workbook
from sqlmodel import col, select
from stdnum import luhn

from service import clock
from service.accounts.models import StaffUser
from service.audit import SYSTEM, Actor
from service.bench.common import ADMIN_EMAIL, ADMIN_PASSWORD, Echo, pad
from service.bench.roster import IMPORT_CHUNK, SEED, _find_tenant, _worker_count
from service.database.engines import app_engine
from service.database.ids import id_of
from service.demo import demo_salary_bands, demo_workers, seed_demo_bureaus
from service.keys import Keys, keys_for
from service.payroll.bands.actions import create_version
from service.payroll.runs import actions as runs
from service.payroll.runs import guards
from service.payroll.runs import inputs as run_inputs
from service.payroll.runs.models import PayrollRun, RunKind, RunStatus
from service.payroll.runs.payments.actions import Produced, produce_file
from service.payroll.runs.payments.layouts import Content
from service.payroll.runs.payments.queries import layout_of
from service.platform.provisioning import create_tenant
from service.settings import Settings
from service.workforce.attendance.actions import save_month
from service.workforce.attendance.rules import AttendanceFigures
from service.workforce.bank_accounts.actions import put_in_force
from service.workforce.bank_accounts.models import AccountSource
from service.workforce.bank_accounts.rules import BankAccountInput
from service.workforce.models import Worker, WorkerStatus
from service.workforce.roster.actions import deactivate_worker, import_workers
from service.workforce.roster.input import WorkerInput
from tenants.isolation import TenantSession, tenant_session
from tenants.models import TenantStatus

ATTENDANCE_EVERY = 10  # every tenth worker has attendance figures (absence, overtime)
JOINERS_EVERY = 50  # one in fifty hired during the month: their first month is a part month
LEAVERS_EVERY = 100  # one in a hundred leaves during the month: their last month is a part month
# Where the demo workers are paid: banks with branches in Chengdu (an account at another bank needs its branch).
BANKS = (
    ("中国工商银行", "成都春熙路支行"),
    ("中国建设银行", "成都武侯支行"),
    ("中国农业银行", "成都青羊支行"),
    ("招商银行", "成都分行营业部"),
    ("成都农村商业银行", "锦江支行"),
)
CARD_PREFIX = "621700"  # six digits of an issuer, then the worker's number: 19-digit cards, check digit valid


def _with_joiners(rows: list[WorkerInput], month: date, rng: random.Random) -> list[WorkerInput]:
    """Every JOINERS_EVERY-th worker hired on a day of the month after the first, on probation and
    not yet registered for social insurance (registration follows within 30 days)."""
    days = calendar.monthrange(month.year, month.month)[1]
    return [
        replace(
            row,
            hire_date=month + timedelta(days=rng.randint(1, days - 1)),
            status=WorkerStatus.PROBATION,
            si_registered_on=None,
        )
        if n % JOINERS_EVERY == JOINERS_EVERY - 1
        else row
        for n, row in enumerate(rows)
    ]


def _mark_leavers(db: TenantSession, month: date, rng: random.Random) -> None:
    """Every LEAVERS_EVERY-th worker employed before the month leaves on a day of it before its last."""
    days = calendar.monthrange(month.year, month.month)[1]
    employed = db.exec(
        select(Worker)
        .where(
            Worker.tenant_id == db.tenant_id,
            Worker.hire_date < month,
            col(Worker.status).in_(run_inputs.PAID_STATUSES),
        )
        .order_by(col(Worker.id))
    ).all()
    for worker in employed[LEAVERS_EVERY - 1 :: LEAVERS_EVERY]:
        deactivate_worker(db, worker, last_day=month + timedelta(days=rng.randint(0, days - 2)), actor=SYSTEM)


def _open_accounts(db: TenantSession, keys: Keys, rng: random.Random) -> None:
    """A bank account in force for every worker, in the worker's name, as an Excel import records them."""
    accounts = []
    for worker in db.exec(select(Worker).where(Worker.tenant_id == db.tenant_id).order_by(col(Worker.id))):
        bank, branch = rng.choice(BANKS)
        number = f"{CARD_PREFIX}{id_of(worker):012d}"
        data = BankAccountInput(number + luhn.calc_check_digit(number), bank, branch, worker.name, None)
        accounts.append((id_of(worker), data))
    for start in range(0, len(accounts), IMPORT_CHUNK):
        chunk = accounts[start : start + IMPORT_CHUNK]
        put_in_force(db, keys, chunk, source=AccountSource.IMPORT, actor=SYSTEM, action="bank_account.import")


def _ensure_tenant(keys: Keys, slug: str, workers: int, month, echo: Echo) -> uuid.UUID:
    existing = _find_tenant(slug)
    if existing is not None:
        echo(f"tenant {slug} reused: {_worker_count(existing.id):,} workers")
        return existing.id
    started = perf_counter()
    rng = random.Random(SEED)
    rows = _with_joiners(demo_workers(workers, seed=SEED), month, rng)

    def populate(db, tenant_id: uuid.UUID) -> None:
        seed_demo_bureaus(db)
        for start in range(0, len(rows), IMPORT_CHUNK):
            import_workers(db, keys, rows[start : start + IMPORT_CHUNK], actor=SYSTEM)
        _mark_leavers(db, month, rng)
        _open_accounts(db, keys, rng)
        create_version(db, demo_salary_bands(), actor=SYSTEM)
        ids = db.exec(select(Worker.id).where(Worker.tenant_id == tenant_id, Worker.hire_date <= month)).all()
        figures = AttendanceFigures(Decimal("20"), Decimal("1"), Decimal("6"), Decimal("8"), Decimal("0"))
        save_month(db, month, dict.fromkeys(ids[::ATTENDANCE_EVERY], figures), actor=SYSTEM)

    create_tenant(
        slug=slug,
        name=f"薪资基准 {workers} 人",
        admin_email=ADMIN_EMAIL,
        admin_name="基准管理员",
        admin_password=ADMIN_PASSWORD,
        status=TenantStatus.ACTIVE,
        populate=populate,
    )
    echo(f"tenant {slug} created: {workers:,} workers in {perf_counter() - started:5.1f} s")
    found = _find_tenant(slug)
    assert found is not None
    return found.id


def _run_for(db, tenant_id: uuid.UUID, month) -> PayrollRun:
    run = db.exec(
        select(PayrollRun).where(
            PayrollRun.tenant_id == tenant_id,
            PayrollRun.month == month,
            PayrollRun.kind == RunKind.REGULAR.value,
            col(PayrollRun.bureau_id).is_(None),
        )
    ).first()
    if run is not None and run.status == RunStatus.PUBLISHED.value:
        raise SystemExit(f"the {month:%Y-%m} run of the bench tenant is published; nothing to recalculate")
    return run or runs.create_run(db, month, actor=SYSTEM)


def run(settings: Settings, workers: int, echo: Echo) -> None:
    if workers < 1:
        echo("--workers must be at least 1")
        return
    keys = keys_for(settings)
    app_engine(settings)  # start the embedded server (if any) before timing anything
    month = clock.today().replace(day=1)
    slug = f"bench-payday-{workers}"
    echo(f"payroll benchmark: {workers:,} workers, month {month:%Y-%m}")
    tenant_id = _ensure_tenant(keys, slug, workers, month, echo)
    with tenant_session(tenant_id) as db:  # the run exists before the timed transaction
        run_id = id_of(_run_for(db, tenant_id, month))

    times: dict[str, float] = {}
    started = perf_counter()
    session = tenant_session(tenant_id)
    db = session.__enter__()
    try:
        t = perf_counter()
        payroll_run = runs.get_run(db, run_id)
        assert payroll_run is not None  # committed above
        inputs = run_inputs.load(db, month, None)
        times["load inputs (few queries)"] = perf_counter() - t
        t = perf_counter()
        writer = runs.SlipWriter(db, keep=True)
        runs.compute_into(writer, inputs)
        times["compute payslips + COPY to temp, chunked"] = perf_counter() - t
        t = perf_counter()
        totals = runs.replace_payslips(db, payroll_run, writer)
        times["move into payslips + lines (INSERT)"] = perf_counter() - t
        t = perf_counter()
        runs.finish(db, payroll_run, inputs, totals, actor=SYSTEM)
        times["totals + lock + audit"] = perf_counter() - t
    except BaseException as error:
        session.__exit__(type(error), error, error.__traceback__)
        raise
    t = perf_counter()
    session.__exit__(None, None, None)
    times["commit"] = perf_counter() - t
    total = perf_counter() - started
    count, lines = totals.payslips, totals.lines

    echo(f"run {run_id}: {count:,} payslips, {lines:,} lines, {inputs.attendance_rows:,} attendance rows")
    for label, seconds in times.items():
        echo(f"  {pad(label)} {seconds:7.3f} s")
    echo(f"  {pad('total')} {total:7.3f} s   {count / total:,.0f} workers/s")
    echo(f"  {pad('peak memory (max RSS)')} {_max_rss_mb():7.0f} MB")

    # The database's own limit: the same rows COPYed into temporary tables, nothing else.
    slip_text = "".join(s for s, _ in writer.kept)
    line_text = "".join(x for _, x in writer.kept)
    writer.kept.clear()
    del inputs
    with tenant_session(tenant_id) as db:
        t = perf_counter()
        runs.copy_into_temp(db, "bench_slips", runs.SLIP_FIELDS, slip_text)
        runs.copy_into_temp(db, "bench_lines", runs.LINE_FIELDS, line_text)
        copy_only = perf_counter() - t
    echo(
        f"  {pad('PostgreSQL COPY alone (temp tables)')} {copy_only:7.3f} s   "
        f"({count:,} + {lines:,} rows; run total is {total / copy_only:,.1f}x)"
    )
    file_seconds = _pay_day(keys, tenant_id, run_id, echo)
    echo(f"  {pad('calculation + payment file')} {total + file_seconds:7.3f} s   (target: under 5 s for 10,000 workers)")


class _Undone(Exception):
    """Rolls the pay-day transaction back: the bench month stays open for the next run."""


def _bench_admin(db: TenantSession) -> Actor:
    admin = db.exec(select(StaffUser).where(StaffUser.tenant_id == db.tenant_id, StaffUser.email == ADMIN_EMAIL)).one()
    return Actor("staff", admin.id, admin.display_name)


def _pay_day(keys: Keys, tenant_id: uuid.UUID, run_id: int, echo: Echo) -> float:
    """Approve and publish the run as the bench admin, time its payment file, check the file pays the
    run's net pay; all rolled back.  Returns the payment file's seconds."""
    echo("pay day (approved and published by the bench admin, then rolled back: the month stays open):")
    today = clock.today()
    try:
        with tenant_session(tenant_id) as db:
            admin = _bench_admin(db)
            payroll_run = runs.get_run(db, run_id)
            assert payroll_run is not None
            t = perf_counter()
            below = guards.below_minimum(db, run_id)
            reasons = {case.worker_id: "入职或离职当月，按出勤天数折算" for case in below}
            runs.approve(db, payroll_run, reasons, actor=admin)
            runs.publish(db, payroll_run, actor=admin)
            echo(f"  {pad(f'approve ({len(below):,} reasons) + publish')} {perf_counter() - t:7.3f} s")
            layout = layout_of(db)
            t = perf_counter()
            produced = produce_file(db, keys, payroll_run, today, today=today, actor=admin)
            seconds = perf_counter() - t
            echo(
                f"  {pad(f'payment file ({layout.base}, {layout.extension})')} {seconds:7.3f} s   "
                f"{produced.file.row_count:,} lines, {len(produced.content) // 1024:,} KiB"
            )
            _check_total(produced, payroll_run, layout.columns, echo)
            raise _Undone
    except _Undone:
        pass
    return seconds


def _check_total(produced: Produced, payroll_run: PayrollRun, columns, echo: Echo) -> None:
    """The file read back: what it pays less what it cannot (payslips with a negative net pay, recorded
    as ``not_paid``) must come to the run's net pay, to the fen (``payments.rules``)."""
    amount = [c.content for c in columns].index(Content.AMOUNT)
    sheet = load_workbook(io.BytesIO(produced.content), read_only=True).active
    assert sheet is not None
    rows = sheet.iter_rows(min_row=2, values_only=True)  # the shipped layouts have a header row and no summary
    paid = sum((Decimal(str(row[amount])) for row in rows), Decimal("0.00"))
    file = produced.file
    if paid != file.total or paid - file.not_paid != payroll_run.net:
        raise SystemExit(
            f"the payment file pays {paid} (recorded {file.total}, not paid {file.not_paid}); "
            f"the run's net pay is {payroll_run.net}"
        )
    echo(f"  {pad('checked: file − not paid = run net')} {paid:,.2f} − {file.not_paid:,.2f} = {payroll_run.net:,.2f} yuan")


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
