"""``paiqian bench payroll``: a month's payroll run for n workers, phase by phase.

A benchmark, not a test: it prints figures and asserts nothing.  It seeds a
tenant ``bench-payroll-<n>`` once (reused on later runs): n demo workers in
Chengdu, the demo salary band table, attendance figures for every tenth
worker.  Then, in one tenant transaction on the app role (RLS on), it times
the calculation of the current month's regular run: load the inputs, compute
every payslip and COPY it, 5,000 at a time, into temporary tables (COPY FROM
is refused on RLS tables; no list of every payslip is kept), move them into
payslips and lines with one INSERT ... SELECT each, totals + attendance lock
+ the one audit entry, commit.  It prints the process's peak memory too.  Last, the database's own
limit: COPY of the same payslip and line rows into temporary tables alone.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from time import perf_counter

from sqlmodel import col, select

from service import clock
from service.audit import SYSTEM
from service.bench.common import ADMIN_EMAIL, ADMIN_PASSWORD, Echo, pad
from service.bench.roster import IMPORT_CHUNK, SEED, _find_tenant, _worker_count
from service.database.engines import app_engine
from service.database.ids import id_of
from service.demo import demo_salary_bands, demo_workers, seed_demo_bureaus
from service.keys import Keys, keys_for
from service.payroll.bands.actions import create_version
from service.payroll.runs import actions as runs
from service.payroll.runs import inputs as run_inputs
from service.payroll.runs.models import PayrollRun, RunKind, RunStatus
from service.platform.provisioning import create_tenant
from service.settings import Settings
from service.workforce.attendance.actions import save_month
from service.workforce.attendance.rules import AttendanceFigures
from service.workforce.models import Worker
from service.workforce.roster.actions import import_workers
from tenants.isolation import tenant_session
from tenants.models import TenantStatus

ATTENDANCE_EVERY = 10  # every tenth worker has attendance figures (absence, overtime)


def _ensure_tenant(keys: Keys, slug: str, workers: int, month, echo: Echo) -> uuid.UUID:
    existing = _find_tenant(slug)
    if existing is not None:
        echo(f"tenant {slug} reused: {_worker_count(existing.id):,} workers")
        return existing.id
    started = perf_counter()
    rows = demo_workers(workers, seed=SEED)

    def populate(db, tenant_id: uuid.UUID) -> None:
        seed_demo_bureaus(db)
        for start in range(0, len(rows), IMPORT_CHUNK):
            import_workers(db, keys, rows[start : start + IMPORT_CHUNK], actor=SYSTEM)
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
    slug = f"bench-payroll-{workers}"
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


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
