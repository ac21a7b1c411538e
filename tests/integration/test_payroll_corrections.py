"""Correction runs, the calculation's progress in the page, and the register's review highlights."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM
from service.insurance.actions import set_contribution_base
from service.payroll.runs import actions as runs
from service.payroll.runs import progress as run_progress
from service.payroll.runs.inputs import ytd_from_json
from service.payroll.runs.models import PayrollRun, RunKind, RunProgress, RunStatus
from service.workforce.models import Worker, WorkerStatus
from tenants.isolation import tenant_session
from tests.integration import test_payroll_pages as pages
from tests.support.factories import make_worker
from tests.support.web import csrf_from

D = Decimal


def correct(client, tenant, run_id: int, explanation: str):
    return pages.action(client, tenant, run_id, "correct", {"explanation": explanation})


def set_base(tenant, worker_id: int, amount: str) -> None:
    with tenant_session(tenant.id) as db:
        set_contribution_base(db, db.get(Worker, (tenant.id, worker_id)), D(amount), actor=SYSTEM)


def publish(client, tenant, run_id: int) -> None:
    """Approve and publish as a second clerk (four eyes), who stays signed in."""
    pages.second_clerk(client, tenant)
    assert pages.action(client, tenant, run_id, "approve").status_code == 303
    assert pages.action(client, tenant, run_id, "publish", {"confirm": "yes"}).status_code == 303


def run_id_of_month(tenant, month: str) -> int:
    with tenant_session(tenant.id) as db:
        return db.exec(select(PayrollRun.id).where(PayrollRun.month == date.fromisoformat(month + "-01"))).first()


def get_run(tenant, run_id: int) -> PayrollRun:
    with tenant_session(tenant.id) as db:
        return runs.get_run(db, run_id)


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_correction_run_carries_the_difference_and_its_explanation(settings, tenant, signed_in) -> None:
    ids = pages.seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    february = pages.publish_month(client, tenant, "2026-02")
    published = {p.worker_id: p for p in pages.payslips(tenant, february)}

    # A regular run for the published month is refused and points to a correction run.
    refused = pages.create(client, tenant, "2026-02")
    assert refused.status_code == 400
    assert (
        pages.message("Payroll for {month} is already published: it can only be changed by a correction run.", month="2026-02")
        in refused.text
    )
    assert f"/payroll/{february}#correction-form" in refused.text
    page = client.get(f"{pages.base(tenant)}/{february}")
    assert 'id="correction-form"' in page.text and pages.message("Create a correction run") in page.text

    # The explanation is required, next to its field; nothing is written.
    blank = correct(client, tenant, february, "   ")
    assert blank.status_code == 400 and 'id="explanation-error"' in blank.text
    with tenant_session(tenant.id) as db:
        assert len(db.exec(select(PayrollRun)).all()) == 1

    # Nothing changed: the correction finds nothing to correct and stores nothing.
    response = correct(client, tenant, february, "社保基数核对")
    assert response.status_code == 303
    correction = pages.run_id_of(response)
    same = pages.action(client, tenant, correction, "calculate")
    assert same.status_code == 400
    assert pages.message("Every recalculated payslip equals the published one: there is nothing to correct.") in same.text
    assert pages.payslips(tenant, correction) == []
    # A second open correction for the month is refused.
    again = correct(client, tenant, february, "另一次")
    assert again.status_code == 400
    assert pages.message("A correction run for {month} is already open: continue with it.", month="2026-02") in again.text

    # The worker's contribution base was wrong: only that worker's payslip changes.
    set_base(tenant, ids[0], "9000")
    assert pages.action(client, tenant, correction, "calculate").status_code == 303
    slips = pages.payslips(tenant, correction)
    assert [p.worker_id for p in slips] == [ids[0]]
    fixed = slips[0]
    before = published[ids[0]]
    assert fixed.corrects_payslip_id == before.id
    assert fixed.employee_social_insurance > before.employee_social_insurance
    run = get_run(tenant, correction)
    assert (run.kind, run.corrects_run_id, run.worker_count) == (RunKind.CORRECTION.value, february, 1)
    assert run.net == fixed.net_pay - before.net_pay and run.tax == fixed.tax - before.tax  # the run carries differences
    page = client.get(f"{pages.base(tenant)}/{correction}")
    assert "社保基数核对" in page.text and 'id="explanation"' in page.text
    assert f"{fixed.net_pay - before.net_pay:,.2f}" in page.text

    slip_page = client.get(f"{pages.base(tenant)}/{correction}/payslips/{fixed.id}")
    assert slip_page.status_code == 200
    assert "社保基数核对" in slip_page.text and 'id="correction"' in slip_page.text
    assert f"{fixed.net_pay - before.net_pay:,.2f}" in slip_page.text.split('id="net-difference"')[1][:200]
    pension = slip_page.text.split(pages.message("Pension"))[1][:600]
    assert "+" in pension  # the pension line's difference is shown
    original = client.get(f"{pages.base(tenant)}/{february}/payslips/{before.id}")
    assert 'id="corrected-by"' in original.text

    publish(client, tenant, correction)
    assert get_run(tenant, february).status == RunStatus.PUBLISHED.value  # the original is untouched
    assert {p.id: p.net_pay for p in pages.payslips(tenant, february)} == {p.id: p.net_pay for p in published.values()}

    # March continues from the corrected February.
    march = pages.run_id_of(pages.create(client, tenant, "2026-03"))
    assert pages.action(client, tenant, march, "calculate").status_code == 303
    now = {p.worker_id: p for p in pages.payslips(tenant, march)}[ids[0]]
    ytd = ytd_from_json(now.year_to_date)
    assert ytd.months_employed == 3  # employed since 2020: January to March, though paid from February
    assert ytd.tax_withheld == fixed.tax + now.tax
    assert ytd.special_deductions == (
        fixed.employee_social_insurance
        + fixed.employee_housing_fund
        + now.employee_social_insurance
        + now.employee_housing_fund
    )


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_correction_of_an_earlier_month_counts_in_every_later_month(settings, tenant, signed_in) -> None:
    ids = pages.seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    february = pages.publish_month(client, tenant, "2026-02")
    march = pages.publish_month(client, tenant, "2026-03")
    set_base(tenant, ids[2], "8000")
    correction = pages.run_id_of(correct(client, tenant, february, "二月基数更正"))
    assert pages.action(client, tenant, correction, "calculate").status_code == 303
    fixed = {p.worker_id: p for p in pages.payslips(tenant, correction)}
    assert set(fixed) == {ids[2]}
    # The correction's own year to date starts from January (nothing published before February); the months
    # employed are January and February (employed since 2020).
    assert ytd_from_json(fixed[ids[2]].year_to_date).months_employed == 2
    publish(client, tenant, correction)

    april = pages.run_id_of(pages.create(client, tenant, "2026-04"))
    assert pages.action(client, tenant, april, "calculate").status_code == 303
    slip = {p.worker_id: p for p in pages.payslips(tenant, april)}[ids[2]]
    in_force = [fixed[ids[2]], {p.worker_id: p for p in pages.payslips(tenant, march)}[ids[2]], slip]
    ytd = ytd_from_json(slip.year_to_date)
    assert ytd.months_employed == 4
    assert ytd.income == sum(p.income for p in in_force)
    assert ytd.tax_withheld == sum(p.tax for p in in_force)
    assert ytd.special_deductions == sum(p.employee_social_insurance + p.employee_housing_fund for p in in_force)


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_the_register_highlights_new_missing_and_large_changes(settings, tenant, signed_in) -> None:
    ids = pages.seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    pages.publish_month(client, tenant, "2026-02")
    newcomer = make_worker(
        settings, tenant, city="chengdu", grade=2, client_bureau=pages.BUREAU, name="新来的", hire_date=date(2026, 3, 1)
    )
    with tenant_session(tenant.id) as db:  # ids[2] has left before March
        worker = db.get(Worker, (tenant.id, ids[2]))
        worker.status = WorkerStatus.LEFT
        db.add(worker)
    set_base(tenant, ids[0], "30000")  # a large change in net pay
    march = pages.run_id_of(pages.create(client, tenant, "2026-03"))
    assert pages.action(client, tenant, march, "calculate").status_code == 303
    page = client.get(f"{pages.base(tenant)}/{march}")
    assert page.status_code == 200
    review = page.text.split('id="review"')[1].split("</section>")[0]
    assert 'id="missing-workers"' in review
    with tenant_session(tenant.id) as db:
        gone = db.get(Worker, (tenant.id, ids[2])).name
    assert gone in review.split('id="missing-workers"')[1]
    assert pages.message("{count} new", count=1) in review
    rows = page.text.split('id="totals"')[1]
    feb = {p.worker_id: p for p in pages.payslips(tenant, run_id_of_month(tenant, "2026-02"))}
    now = {p.worker_id: p for p in pages.payslips(tenant, march)}

    def over(a: Decimal, b: Decimal) -> bool:
        return abs(a - b) > D("0.10") * abs(b)

    expected = {
        w for w, p in now.items() if w not in feb or over(p.net_pay, feb[w].net_pay) or over(p.gross_pay, feb[w].gross_pay)
    }
    assert {newcomer.id, ids[0]} <= expected and ids[2] not in now
    assert rows.count('class="flagged"') == len(expected)
    flagged_rows = rows.split('class="flagged"')[1:]
    assert any("新来的" in r.split("</tr>")[0] for r in flagged_rows)
    assert pages.message("{count} to check", count=len(expected)) in review
    only = client.get(f"{pages.base(tenant)}/{march}?changes=1")
    assert only.text.count("/payslips/") == len(expected)


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_progress_is_shown_while_calculating_and_nothing_is_visible_before_the_end(
    settings, tenant, signed_in, monkeypatch
) -> None:
    pages.seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_id = pages.run_id_of(pages.create(client, tenant, "2026-03"))
    release, entered = threading.Event(), threading.Event()
    original = runs.compute_into

    def slow(writer, inputs, progress=runs._no_progress, published=None):
        original(writer, inputs, progress, published)
        entered.set()
        assert release.wait(30)

    monkeypatch.setattr(runs, "compute_into", slow)
    monkeypatch.setattr(run_progress, "WAIT", 0.2)
    started = pages.action(client, tenant, run_id, "calculate")
    assert started.status_code == 303 and started.headers["location"].endswith("?done=running")
    assert entered.wait(30)
    page = client.get(f"{pages.base(tenant)}/{run_id}?done=running")
    assert 'id="run-progress"' in page.text and 'src="/static/payroll-progress.js"' in page.text
    assert '<noscript><meta http-equiv="refresh"' in page.text
    assert "<script>" not in page.text  # no inline script (CSP script-src 'self')
    status = client.get(f"{pages.base(tenant)}/{run_id}/progress").json()
    assert status["active"] is True and status["phase"] == "computing" and status["done"] == status["total"] == 3
    assert pages.payslips(tenant, run_id) == []  # the calculation's transaction is not committed yet
    again = pages.action(client, tenant, run_id, "calculate")
    assert again.status_code == 400
    assert pages.message("This run is already being calculated: wait for it to finish.") in again.text
    release.set()
    for _ in range(100):
        status = client.get(f"{pages.base(tenant)}/{run_id}/progress").json()
        if not status["active"]:
            break
        time.sleep(0.1)
    assert status["phase"] == "done" and status["percent"] == 100 and status["status"] == RunStatus.CALCULATED.value
    assert len(pages.payslips(tenant, run_id)) == 3
    page = client.get(f"{pages.base(tenant)}/{run_id}?done=running")
    assert 'id="run-progress"' not in page.text and pages.message("The payroll run has been calculated.") in page.text
    assert client.get("/static/payroll-progress.js").status_code == 200


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_failed_calculation_shows_its_error_and_writes_nothing(settings, tenant, signed_in, monkeypatch) -> None:
    pages.seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_id = pages.run_id_of(pages.create(client, tenant, "2026-03"))
    original = runs.replace_payslips

    def broken(db, run, writer):
        original(db, run, writer)  # the rows are written in the transaction ...
        raise RuntimeError("disk full")  # ... which then fails

    monkeypatch.setattr(runs, "replace_payslips", broken)
    failed = pages.action(client, tenant, run_id, "calculate")
    assert failed.status_code == 500
    assert pages.message(run_progress.UNEXPECTED) in failed.text
    assert pages.payslips(tenant, run_id) == []
    assert get_run(tenant, run_id).status == RunStatus.DRAFT.value
    with tenant_session(tenant.id) as db:
        row = db.exec(select(RunProgress)).one()
        assert row.phase == "failed"
        assert db.execute(text("select count(*) from payslip_lines")).scalar() == 0
    page = client.get(f"{pages.base(tenant)}/{run_id}")
    assert page.status_code == 200 and pages.message(run_progress.UNEXPECTED) in page.text
    monkeypatch.setattr(runs, "replace_payslips", original)
    assert pages.action(client, tenant, run_id, "calculate").status_code == 303
    assert (
        'role="alert"'
        not in client.get(f"{pages.base(tenant)}/{run_id}").text.split('id="totals"')[0].split("</h1>")[1].split("<section")[0]
    )


def test_the_progress_endpoint_is_guarded_and_isolated(settings, tenant, other_tenant, signed_in) -> None:
    with tenant_session(other_tenant.id) as db:
        foreign = runs.create_run(db, pages.MARCH, actor=SYSTEM).id
    clerk = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    assert clerk.get(f"{pages.base(tenant)}/{foreign}/progress").status_code == 404
    token = csrf_from(clerk.get(pages.base(tenant)).text)
    assert clerk.post(f"{pages.base(tenant)}/{foreign}/correct", data={"_csrf": token, "explanation": "x"}).status_code == 404
    viewer = signed_in(tenant, StaffRole.VIEWER)
    assert viewer.get(f"{pages.base(tenant)}/{foreign}/progress").status_code in (403, 404)


def test_lines_need_their_payslip_and_go_with_it(settings, tenant) -> None:
    """The statement-level triggers of migration 0015 that replace the per-row foreign key."""
    import pytest
    from sqlalchemy.exc import DBAPIError

    pages.seed(settings, tenant)
    with tenant_session(tenant.id) as db:
        run = runs.create_run(db, pages.MARCH, actor=SYSTEM)
        runs.calculate(db, run, actor=SYSTEM)
        run_id = run.id
    with pytest.raises(DBAPIError, match="payslip does not exist"), tenant_session(tenant.id) as db:
        db.execute(
            text(
                "insert into payslip_lines (payslip_id, position, code, label, category, amount)"
                " values (999999, 1, 'x', 'x', 'earning', 1)"
            )
        )
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from payslip_lines")).scalar() > 0
        db.execute(text("delete from payslips where run_id = :run"), {"run": run_id})
        assert db.execute(text("select count(*) from payslip_lines")).scalar() == 0


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_correction_reopens_the_months_attendance_until_it_is_published(settings, tenant, signed_in) -> None:
    from service.workforce.attendance.actions import is_locked, save_month
    from service.workforce.attendance.rules import AttendanceFigures

    ids = pages.seed(settings, tenant)  # ids[1] has March attendance: 1.5 days absent, overtime
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    march = pages.publish_month(client, tenant, "2026-03")
    with tenant_session(tenant.id) as db:
        assert is_locked(db, pages.MARCH)
    correction = pages.run_id_of(correct(client, tenant, march, "三月考勤漏记加班"))
    with tenant_session(tenant.id) as db:
        assert not is_locked(db, pages.MARCH)
        save_month(db, pages.MARCH, {ids[1]: AttendanceFigures(D("21.5"), D("0"), D("12"), D("8"), D("0"))}, actor=SYSTEM)
    assert pages.action(client, tenant, correction, "calculate").status_code == 303
    assert [p.worker_id for p in pages.payslips(tenant, correction)] == [ids[1]]
    with tenant_session(tenant.id) as db:
        assert not is_locked(db, pages.MARCH)  # still open until the correction is published
    publish(client, tenant, correction)
    with tenant_session(tenant.id) as db:
        assert is_locked(db, pages.MARCH)
