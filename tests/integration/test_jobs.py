"""The job queue: jobs run by real workers, and a worker killed mid-calculation.

The web tests run their payroll jobs on the in-process worker (tests/support/jobs.py);
here ``paiqian worker`` runs as its own process against the test database, so it can
be killed with SIGKILL like a machine losing power, and the queue's heartbeat and
stalled-job retry are what bring the run back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from service import clock
from service.accounts.models import StaffRole
from service.assessment import jobs as items_import
from service.audit import SYSTEM
from service.bench.payroll import _ensure_tenant, _run_for
from service.jobs import periodic
from service.jobs.worker import ABANDONED
from service.keys import keys_for
from service.payroll.opening_balances import jobs as opening_balances_import
from service.payroll.runs import jobs as payroll_jobs
from service.payroll.runs import progress as run_progress
from service.payroll.runs.actions import get_run
from service.payroll.runs.amounts import jobs as amounts_import
from service.payroll.runs.models import ProgressPhase, RunStatus
from service.queue import defer_in
from service.workforce.attendance import jobs as attendance_import
from service.workforce.bank_accounts import jobs as bank_accounts_import
from service.workforce.contracts import jobs as contracts_import
from service.workforce.roster import jobs as roster_import
from tenants.isolation import control_session, tenant_session
from tenants.models import Tenant
from tests.integration import test_payroll_pages as pages
from tests.support.factories import TenantFixture, make_staff, make_worker
from tests.support.web import sign_in

pytestmark = pytest.mark.usefixtures("db_clean")  # worker processes and threads: they see committed data only

ROOT = Path(__file__).resolve().parents[2]
STALLED_AFTER = 2  # seconds: a killed worker's job is taken over quickly
BULK = 4000  # workers: a calculation of several seconds, long enough to be killed in the middle


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@contextmanager
def worker_process(log: Path, *options: str) -> Iterator[subprocess.Popen]:
    """``paiqian worker`` on the test database (DATABASE_URL is the suite's), stopped at the end."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker", "--stalled-after", str(STALLED_AFTER), *options],
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def progress_of(tenant_id: uuid.UUID, run_id: int):
    with tenant_session(tenant_id) as db:
        return run_progress.current(db, run_id)


def payslip_count(tenant_id: uuid.UUID, run_id: int) -> int:
    with tenant_session(tenant_id) as db:
        return db.execute(
            text("select count(*) from payslips where tenant_id = :t and run_id = :r"), {"t": tenant_id, "r": run_id}
        ).scalar_one()


def jobs_of(superuser, task: str) -> list:
    with superuser.connect() as connection:
        return connection.execute(
            text("select id, status, attempts, worker_id from procrastinate_jobs where task_name = :task order by id"),
            {"task": task},
        ).all()


def test_a_calculation_runs_on_the_worker_and_its_job_is_gone_once_done(settings, tenant, job_worker, superuser) -> None:
    pages.seed(settings, tenant)
    with tenant_session(tenant.id) as db:
        run_id = pages.runs.create_run(db, pages.MARCH, actor=SYSTEM).id
    result = payroll_jobs.start(tenant.id, SYSTEM, run_id, wait=30)
    assert result is not None and result.payslips == 3 and result.refused is None and not result.crashed
    assert payslip_count(tenant.id, run_id) == 3
    # The run's progress row says done when the calculation commits; the worker deletes the succeeded job
    # just after the task returns.
    wait_until(lambda: jobs_of(superuser, "payroll.calculate") == [], 15, "the succeeded job deleted")


def test_a_job_deferred_in_a_transaction_that_rolls_back_never_exists(settings, tenant, superuser) -> None:
    with pytest.raises(RuntimeError), tenant_session(tenant.id) as db:
        defer_in(db, periodic.compliance_check_tenant, tenant_id=str(tenant.id), today="2026-03-01")
        assert len(jobs_of(superuser, "compliance.check_tenant")) == 0  # not committed: not visible to workers
        raise RuntimeError("the request failed")
    assert jobs_of(superuser, "compliance.check_tenant") == []


def test_paiqian_worker_runs_the_nightly_compliance_check_one_job_per_tenant(
    settings, tenant, other_tenant, no_job_worker, superuser, tmp_path
) -> None:
    make_worker(settings, tenant, hire_date=clock.today().replace(year=clock.today().year - 1))
    with superuser.connect() as connection:
        connection.execute(text("truncate compliance_alerts"))
    with control_session() as db:
        defer_in(db, periodic.compliance_check_all, timestamp=int(time.time()))
    with worker_process(tmp_path / "worker.log", "--queue", "scheduled"):
        wait_until(
            lambda: not jobs_of(superuser, "compliance.check_all") and not jobs_of(superuser, "compliance.check_tenant"),
            60,
            "the check and its per-tenant jobs",
        )
    log = (tmp_path / "worker.log").read_text()
    assert f"compliance check of tenant {tenant.id}" in log and f"compliance check of tenant {other_tenant.id}" in log
    with tenant_session(tenant.id) as db:
        alerts = db.execute(text("select count(*) from compliance_alerts")).scalar_one()
    assert alerts > 0  # recomputed by the job, in the tenant's own transaction (RLS on)


def _bulk_run(settings) -> tuple[uuid.UUID, int]:
    month = clock.today().replace(day=1)
    tenant_id = _ensure_tenant(keys_for(settings), "jobs-kill", BULK, month, lambda line: None)
    with tenant_session(tenant_id) as db:
        return tenant_id, _run_for(db, tenant_id, month).id


def _killed_mid_calculation(tenant_id: uuid.UUID, run_id: int, log: Path) -> None:
    """Start the calculation on a worker process and SIGKILL it while the run's transaction is open."""
    with worker_process(log) as first:
        assert payroll_jobs.start(tenant_id, SYSTEM, run_id, wait=0) is None
        row = wait_until(
            lambda: (
                (p := progress_of(tenant_id, run_id))
                and (p.phase == ProgressPhase.WRITING.value or (p.phase == ProgressPhase.COMPUTING.value and p.done > 0))
                and p
            ),
            120,
            "the calculation to be under way",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert row.phase in (ProgressPhase.COMPUTING.value, ProgressPhase.WRITING.value)


def test_a_worker_killed_mid_calculation_leaves_nothing_and_a_new_worker_retries_the_job(
    settings, db_clean, no_job_worker, superuser, tmp_path
) -> None:
    tenant_id, run_id = _bulk_run(settings)
    _killed_mid_calculation(tenant_id, run_id, tmp_path / "first.log")

    # The dead worker's transaction died with its connection: no payslip, the run still a draft.
    time.sleep(0.5)  # PostgreSQL notices the closed socket and rolls back
    assert payslip_count(tenant_id, run_id) == 0
    with tenant_session(tenant_id) as db:
        assert get_run(db, run_id).status == RunStatus.DRAFT.value
    [(job_id, status, attempts, _worker)] = jobs_of(superuser, "payroll.calculate")
    assert (status, attempts) == ("doing", 0)  # the queue still believes it runs ...

    # ... until a worker sees its heartbeat has stopped and retries it from the start.
    with worker_process(tmp_path / "second.log"):
        wait_until(lambda: (p := progress_of(tenant_id, run_id)) and p.phase == ProgressPhase.DONE.value, 180, "the retry")
        wait_until(lambda: not jobs_of(superuser, "payroll.calculate"), 30, "the job to be finished")
    assert f"job {job_id} (payroll.calculate): its worker stopped; retrying" in (tmp_path / "second.log").read_text()
    with tenant_session(tenant_id) as db:
        run = get_run(db, run_id)
        written = db.execute(
            text("select count(*) from payslips where tenant_id = :t and run_id = :r"), {"t": tenant_id, "r": run_id}
        ).scalar_one()
    assert run.status == RunStatus.CALCULATED.value and written == run.worker_count > 0  # complete, once


def test_a_job_whose_workers_keep_dying_is_marked_failed_on_the_run_page(
    settings, app, db_clean, no_job_worker, superuser, tmp_path
) -> None:
    tenant_id, run_id = _bulk_run(settings)
    _killed_mid_calculation(tenant_id, run_id, tmp_path / "first.log")
    with superuser.begin() as connection:  # the job's earlier runs died the same way
        connection.execute(text("update procrastinate_jobs set attempts = 2 where task_name = 'payroll.calculate'"))

    with worker_process(tmp_path / "second.log"):
        wait_until(lambda: progress_of(tenant_id, run_id).phase == ProgressPhase.FAILED.value, 60, "the job to be given up")
        failed = wait_until(
            lambda: [j for j in jobs_of(superuser, "payroll.calculate") if j.status == "failed"], 30, "the failed job"
        )
    assert len(failed) == 1  # visible in the queue as well as on the page
    assert payslip_count(tenant_id, run_id) == 0
    with control_session() as db:
        tenant = TenantFixture(db.get(Tenant, tenant_id), "")
    clerk = make_staff(tenant, StaffRole.PAYROLL_CLERK)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        sign_in(client, tenant.slug, clerk)
        page = client.get(f"/t/{tenant.slug}/payroll/{run_id}")
    assert page.status_code == 200 and pages.message(run_progress.UNEXPECTED) in page.text
    assert 'id="run-progress"' not in page.text  # not shown as running any more


SHEET_IMPORTS = {
    "roster": roster_import.SHEET,
    "contracts": contracts_import.SHEET,
    "attendance": attendance_import.SHEET,
    "pay_amounts": amounts_import.SHEET,
    "assessment_items": items_import.SHEET,
    "bank_accounts": bank_accounts_import.SHEET,
    "opening_balances": opening_balances_import.SHEET,
}
SHEET_OPTIONS = {"attendance": {"month": "2026-03-01"}, "pay_amounts": {"month": None}, "bank_accounts": {"confirmed": False}}


def test_every_kind_of_import_is_given_up_on_by_the_stalled_job_check() -> None:
    assert {name: hook for name, hook in ABANDONED.items() if name != payroll_jobs.calculate.name} == {
        sheet.task.name: sheet.abandoned for sheet in SHEET_IMPORTS.values()
    }


@pytest.mark.parametrize("kind", SHEET_IMPORTS)
def test_an_import_the_worker_check_gives_up_on_is_marked_failed_and_never_runs_after(
    kind: str, tenant: TenantFixture, no_job_worker, superuser
) -> None:
    """Its workers kept dying (service.jobs.worker): the hook says so on the row and drops the sheet, and a
    run of the job that comes after all finds nothing left to import and writes nothing."""
    sheet = SHEET_IMPORTS[kind]
    sheet.start(tenant.id, SYSTEM, "zh_CN", "表.xlsx", b"a sheet the job never reads", **SHEET_OPTIONS.get(kind, {}))
    with superuser.connect() as connection:
        arguments = connection.execute(
            text("select args from procrastinate_jobs where task_name = :name"), {"name": sheet.task.name}
        ).scalar_one()
    ABANDONED[sheet.task.name](**arguments)

    def import_row() -> dict:
        with tenant_session(tenant.id) as db:
            found = db.execute(text("select kind, status, counts, errors, content is null as emptied from imports")).mappings()
            rows = [dict(row) for row in found]
        assert len(rows) == 1
        return rows[0]

    failed = {"kind": kind, "status": "failed", "counts": None, "errors": None, "emptied": True}
    assert import_row() == failed
    with tenant_session(tenant.id) as db:
        audited = db.execute(text("select count(*) from audit_log")).scalar()
    sheet.task(**arguments)
    assert import_row() == failed
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from audit_log")).scalar() == audited
