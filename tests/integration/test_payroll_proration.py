"""Joiners and leavers in a payroll run: part months by the tenant's rule, the final payslip, months employed.

The band pays 4,450 a month at grade 5 (post 2,800 + grade 750 + performance 900): the monthly wage of the
issue's example (the demo bands have no 4,450 cell; the issue's figure is a given wage, as in
tests/unit/payroll/test_proration.py).  Grade 1 pays 12,000, enough for tax to show the months employed.
"""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.i18n import translator
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.proration import ProrationRule
from service.payroll.runs import actions as runs
from service.payroll.runs import settings as payroll_settings
from service.payroll.runs.inputs import ytd_from_json
from service.payroll.runs.models import PayslipLineRow, PayslipRow
from service.payroll.tax.income_tax import annual_tax
from service.workforce.models import GRADES, Worker, WorkerStatus
from service.workforce.roster.actions import deactivate_worker
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_clerk, make_worker
from tests.support.web import csrf_from

D = Decimal
BUREAU = "成都市锦江区城市管理和综合行政执法局"
BAND = {1: (D("8000"), D("2500"), D("1500"))}  # (post, grade, performance); every other grade pays 4,450
ISSUE_WAGE = (D("2800"), D("750"), D("900"))


def seed_bands(tenant) -> None:
    cells = tuple(BandCell(g, r, *BAND.get(g, ISSUE_WAGE)) for g in GRADES for r in RATINGS)
    bureau_id = make_bureau(tenant, BUREAU)
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(bureau_id, date(2025, 1, 1), "", cells), actor=SYSTEM)


def worker(settings, tenant, **overrides) -> int:
    return make_worker(settings, tenant, city="chengdu", client_bureau=BUREAU, **overrides).id


def calculated(tenant, month: date) -> tuple[int, dict[int, PayslipRow]]:
    with tenant_session(tenant.id) as db:
        run = runs.create_run(db, month, actor=SYSTEM)
        runs.calculate(db, run, actor=SYSTEM)
        run_id = run.id
    with tenant_session(tenant.id) as db:
        return run_id, {p.worker_id: p for p in db.exec(select(PayslipRow).where(PayslipRow.run_id == run_id))}


def published(tenant, month: date) -> dict[int, PayslipRow]:
    run_id, slips = calculated(tenant, month)
    checker = make_clerk(tenant)
    with tenant_session(tenant.id) as db:
        run = runs.get_run(db, run_id)
        runs.approve(db, run, actor=checker)
        runs.publish(db, run, actor=checker)
    return slips


def band_lines(tenant, payslip_id: int) -> dict[str, Decimal]:
    with tenant_session(tenant.id) as db:
        lines = db.exec(select(PayslipLineRow).where(PayslipLineRow.payslip_id == payslip_id)).all()
    return {x.code: x.amount for x in lines if x.code in ("post_pay", "grade_pay", "performance_pay")}


def test_a_joiner_on_20_january_is_paid_the_pay_days_employed(settings, tenant, signed_in) -> None:
    seed_bands(tenant)
    joiner = worker(settings, tenant, hire_date=date(2026, 1, 20))
    veteran = worker(settings, tenant)
    run_id, slips = calculated(tenant, date(2026, 1, 1))

    # Tue 20 - Fri 30 January 2026: 9 pay days; 4,450 ÷ 21.75 × 9 = 1,841.38 (the issue's figure).
    lines = band_lines(tenant, slips[joiner].id)
    assert sum(lines.values()) == slips[joiner].gross_pay == D("1841.38")
    # Prorated once, shared by the lines: 2,800 and 750 × 1,841.38 ÷ 4,450, the rest to performance pay.
    assert lines == {"post_pay": D("1158.62"), "grade_pay": D("310.34"), "performance_pay": D("372.42")}
    assert slips[joiner].proration == {
        "rule": "pay_days",
        "explanation": "{days} pay days from {first} to {last}: {monthly} ÷ 21.75 × {days} = {amount}.",
        "params": {
            "days": 9,
            "first": "2026-01-20",
            "last": "2026-01-31",
            "monthly": "4450.00",
            "of_days": "21.75",
            "amount": "1841.38",
        },
        "basis": "劳社部发〔2008〕3号; 人社部发〔2025〕2号",
    }
    assert slips[veteran].gross_pay == D("4450.00") and slips[veteran].proration is None
    # The minimum wage is owed for the days employed: 2,330 ÷ 21.75 × 9 = 964.14, met.
    assert slips[joiner].minimum_wage_ok

    # The clerk's payslip page and the register say how the month was prorated.
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    page = client.get(f"/t/{tenant.slug}/payroll/{run_id}/payslips/{slips[joiner].id}").text
    assert 'id="proration"' in page and "2026-01-20至2026-01-31共9个计薪日：4450.00 ÷ 21.75 × 9 = 1841.38" in page
    assert "劳社部发〔2008〕3号" in page
    register = client.get(f"/t/{tenant.slug}/payroll/{run_id}").text
    assert register.count('class="muted part-month"') == 1


def test_a_leaver_gets_a_final_prorated_payslip_and_nothing_after(settings, tenant) -> None:
    seed_bands(tenant)
    leaver = worker(settings, tenant)
    worker(settings, tenant)  # stays
    with tenant_session(tenant.id) as db:
        deactivate_worker(db, db.get(Worker, (tenant.id, leaver)), last_day=date(2026, 3, 13), actor=SYSTEM)
        left = db.get(Worker, (tenant.id, leaver))
        assert (left.status, left.left_on) == (WorkerStatus.LEFT, date(2026, 3, 13))

    # Mon 2 - Fri 13 March 2026: 10 pay days; 4,450 ÷ 21.75 × 10 = 2,045.977 → 2,045.98.
    march = published(tenant, date(2026, 3, 1))
    assert march[leaver].gross_pay == D("2045.98")
    assert march[leaver].proration["params"]["days"] == 10
    # Social insurance is a monthly contribution: due in full for the last month.
    _, april = calculated(tenant, date(2026, 4, 1))
    assert leaver not in april


def test_the_tenant_chooses_calendar_days(settings, tenant, signed_in) -> None:
    seed_bands(tenant)
    joiner = worker(settings, tenant, hire_date=date(2026, 1, 20))
    admin = signed_in(tenant, StaffRole.ADMIN)
    listing = admin.get(f"/t/{tenant.slug}/payroll").text
    assert 'value="pay_days" checked' in listing
    chosen = admin.post(
        f"/t/{tenant.slug}/payroll/proration",
        data={"_csrf": csrf_from(listing), "proration_rule": "calendar_days"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    with tenant_session(tenant.id) as db:
        assert payroll_settings.proration_rule(db) is ProrationRule.CALENDAR_DAYS
        [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == "payroll_settings.update")).all()
    assert (entry.before, entry.after) == (None, {"proration_rule": "calendar_days"})
    refused = admin.post(
        f"/t/{tenant.slug}/payroll/proration",
        data={"_csrf": csrf_from(listing), "proration_rule": "by_mood"},
        follow_redirects=False,
    )
    assert refused.status_code == 400
    clerk = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    token = csrf_from(clerk.get(f"/t/{tenant.slug}/payroll").text)
    only_admins = clerk.post(f"/t/{tenant.slug}/payroll/proration", data={"_csrf": token, "proration_rule": "pay_days"})
    assert only_admins.status_code == 403

    # 20 - 31 January: 12 of 31 days; 4,450 × 12 ÷ 31 = 1,722.58.
    _, slips = calculated(tenant, date(2026, 1, 1))
    assert slips[joiner].gross_pay == D("1722.58")
    assert slips[joiner].proration["rule"] == "calendar_days"


def test_a_suspended_month_still_counts_as_a_month_employed(settings, tenant) -> None:
    seed_bands(tenant)
    suspended = worker(settings, tenant, grade=1)
    worker(settings, tenant)  # paid every month
    january = published(tenant, date(2026, 1, 1))
    with tenant_session(tenant.id) as db:
        row = db.get(Worker, (tenant.id, suspended))
        row.status = WorkerStatus.SUSPENDED  # suspended without pay through February
        db.add(row)
    february = published(tenant, date(2026, 2, 1))
    assert suspended not in february
    with tenant_session(tenant.id) as db:
        row = db.get(Worker, (tenant.id, suspended))
        row.status = WorkerStatus.ACTIVE
        db.add(row)
    _, march = calculated(tenant, date(2026, 3, 1))

    slip = march[suspended]
    ytd = ytd_from_json(slip.year_to_date)
    assert ytd.months_employed == 3  # January, February (suspended, unpaid) and March
    # Cumulative withholding with 3 × 5,000: what the annual table gives on the year's figures so far.
    taxable = ytd.income - ytd.tax_free_income - D("15000") - ytd.special_deductions
    assert slip.tax == annual_tax(taxable) - january[suspended].tax
    # Counting only the two paid months would withhold 5,000 × 3% = 150 more.
    assert annual_tax(taxable + D("5000")) - annual_tax(taxable) == D("150.00")


def test_months_employed_of_a_mid_year_hire_count_from_the_hire_month(settings, tenant) -> None:
    seed_bands(tenant)
    hired = worker(settings, tenant, grade=1, hire_date=date(2026, 6, 10))  # entered after June was paid
    _, july = calculated(tenant, date(2026, 7, 1))
    assert ytd_from_json(july[hired].year_to_date).months_employed == 2  # June and July, no June payslip

    late = worker(settings, tenant, grade=1, hire_date=date(2026, 7, 1))
    _, again = calculated(tenant, date(2026, 8, 1))
    assert ytd_from_json(again[late].year_to_date).months_employed == 2  # July (unpaid here) and August


# --- a last day inside a published month (issue 12's bad input) ---------------------------------------------


def refusal(month: str, day: str) -> str:
    return html.escape(
        translator(None)(
            "The payroll of {month} is already published with this worker in it, so their last day employed "
            "cannot be {day}: it would change pay already published. Choose a day in a month not yet published.",
            month=month,
            day=day,
        ),
        quote=False,
    )


def left_on_and_audit(tenant, worker_id: int) -> tuple[date | None, list[str]]:
    with tenant_session(tenant.id) as db:
        stored = db.get(Worker, (tenant.id, worker_id))
        actions = db.exec(select(AuditEntry.action).where(AuditEntry.entity_id == str(worker_id))).all()
        return stored.left_on, [a for a in actions if a in ("worker.deactivate", "contract.terminate")]


def test_marking_left_inside_a_published_month_is_refused(settings, tenant, signed_in) -> None:
    seed_bands(tenant)
    leaver = worker(settings, tenant, hire_date=date(2025, 6, 1))
    published(tenant, date(2026, 3, 1))
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    page = f"/t/{tenant.slug}/workers/{leaver}"

    def mark_left(day: str):
        token = csrf_from(hr.get(page).text)
        return hr.post(f"{page}/deactivate", data={"_csrf": token, "left_on": day}, follow_redirects=False)

    refused = mark_left("2026-03-13")
    assert refused.status_code == 400
    assert refusal("2026-03", "2026-03-13") in refused.text
    assert 'value="2026-03-13"' in refused.text  # the form comes back with the day typed
    # An earlier day is refused too: March, published in full, would change.
    assert refusal("2026-03", "2026-02-20") in mark_left("2026-02-20").text
    assert left_on_and_audit(tenant, leaver) == (None, [])

    # The month's last day leaves March paid whole, as published; the next month is not published.
    assert mark_left("2026-03-31").status_code == 303
    assert left_on_and_audit(tenant, leaver) == (date(2026, 3, 31), ["worker.deactivate"])


def test_terminating_a_contract_inside_a_published_month_is_refused(settings, tenant, signed_in) -> None:
    seed_bands(tenant)
    leaver = worker(settings, tenant, hire_date=date(2025, 6, 1))
    published(tenant, date(2026, 3, 1))
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    new = hr.get(f"/t/{tenant.slug}/workers/{leaver}/contracts/new").text
    contract = {
        "contract_type": "fixed_term",
        "start": "2025-06-01",
        "end": "2027-05-31",
        "wage": "4450",
        "post": "市容巡查",
        "work_place": "春熙路",
        "client_bureau": BUREAU,
        "signed_on": "2025-05-28",
    }
    created = hr.post(
        f"/t/{tenant.slug}/workers/{leaver}/contracts", data={"_csrf": csrf_from(new), **contract}, follow_redirects=False
    )
    assert created.status_code == 303, created.text
    contract_page = created.headers["location"].split("?")[0]
    with tenant_session(tenant.id) as db:
        status_before = db.execute(text("select status from contracts")).scalar_one()

    def terminate(day: str):
        form = hr.get(f"{contract_page}/terminate?terminated_on={day}").text
        return hr.post(
            f"{contract_page}/terminate",
            data={"_csrf": csrf_from(form), "reason": "worker_notice", "terminated_on": day},
            follow_redirects=False,
        )

    refused = terminate("2026-03-20")
    assert refused.status_code == 400
    assert refusal("2026-03", "2026-03-20") in refused.text
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select status from contracts")).scalar_one() == status_before
    assert left_on_and_audit(tenant, leaver) == (None, [])

    assert terminate("2026-04-17").status_code == 303  # April is not published: its final payslip is still to come
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select status from contracts")).scalar_one() == "terminated"
    assert left_on_and_audit(tenant, leaver)[0] == date(2026, 4, 17)
