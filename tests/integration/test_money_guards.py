"""Guards on a run's money: four eyes, reasons for pay below the minimum wage, the housing fund's first month."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.cities import actions as cities
from service.errors import DomainError
from service.payroll.runs import actions as runs
from service.payroll.runs.models import MinimumWageReason, PayrollRun, PayslipLineRow, PayslipRow, RunStatus
from service.workforce.attendance.actions import save_month
from service.workforce.attendance.rules import AttendanceFigures
from service.workforce.models import Worker
from tenants.isolation import tenant_session
from tests.integration import test_payroll_pages as pages
from tests.integration import test_payroll_runs as run_support
from tests.support.factories import make_clerk, make_staff, make_worker
from tests.support.web import csrf_from, sign_in

D = Decimal
FEBRUARY = date(2026, 2, 1)
MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)
HALF_MONTH_ABSENT = AttendanceFigures(D("6.75"), D("15"), D("0"), D("0"), D("0"))


def message(msgid: str, **params: object) -> str:
    return pages.message(msgid, **params)


def get_run(tenant, run_id: int) -> PayrollRun:
    with tenant_session(tenant.id) as db:
        return runs.get_run(db, run_id)


def audits(tenant, action: str) -> list[AuditEntry]:
    with tenant_session(tenant.id) as db:
        return list(db.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# ---------------------------------------------------------------- four eyes


def test_the_clerk_who_calculated_a_run_can_neither_approve_nor_publish_it(settings, tenant) -> None:
    run_support.seed(settings, tenant)
    calculator, checker = make_clerk(tenant), make_clerk(tenant)
    run_id = run_support.new_run(tenant)
    with tenant_session(tenant.id) as db:
        runs.calculate(db, runs.get_run(db, run_id), actor=calculator)
    with tenant_session(tenant.id) as db, pytest.raises(DomainError, match="cannot approve it: four-eyes"):
        runs.approve(db, runs.get_run(db, run_id), actor=calculator)
    with tenant_session(tenant.id) as db:
        runs.approve(db, runs.get_run(db, run_id), actor=checker)
    with tenant_session(tenant.id) as db, pytest.raises(DomainError, match="cannot publish it: four-eyes"):
        runs.publish(db, runs.get_run(db, run_id), actor=calculator)
    with tenant_session(tenant.id) as db:
        runs.publish(db, runs.get_run(db, run_id), actor=checker)

    run = get_run(tenant, run_id)
    assert run.status == RunStatus.PUBLISHED.value
    assert (run.calculated_by_kind, run.calculated_by_id, run.calculated_by) == ("staff", calculator.id, calculator.label)
    assert (run.approved_by_kind, run.approved_by_id, run.approved_by) == ("staff", checker.id, checker.label)
    assert (run.published_by_kind, run.published_by_id, run.published_by) == ("staff", checker.id, checker.label)
    approved, published = audits(tenant, "payroll_run.approve"), audits(tenant, "payroll_run.publish")
    assert [(a.actor_id, a.after["four_eyes"]) for a in approved] == [(checker.id, True)]
    assert [(a.actor_id, a.after["four_eyes"]) for a in published] == [(checker.id, True)]

    # The system is one actor too: what it calculated, it does not approve.
    april = run_support.new_run(tenant, APRIL)
    run_support.calculate(tenant, april)
    with tenant_session(tenant.id) as db, pytest.raises(DomainError, match="cannot approve it"):
        runs.approve(db, runs.get_run(db, april), actor=SYSTEM)


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_the_run_page_refuses_the_calculating_clerk_and_a_second_clerk_approves(settings, tenant, signed_in) -> None:
    pages.seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_id = pages.run_id_of(pages.create(client, tenant, "2026-03"))
    assert pages.action(client, tenant, run_id, "calculate").status_code == 303
    page = client.get(f"{pages.base(tenant)}/{run_id}")
    assert 'id="four-eyes-own-run"' in page.text and f"/payroll/{run_id}/approve" not in page.text

    refused = pages.action(client, tenant, run_id, "approve")
    assert refused.status_code == 400
    assert (
        message(
            "You calculated this run, so you cannot approve it: four-eyes review needs another payroll clerk "
            "or an administrator to approve and publish it."
        )
        in refused.text
    )
    assert get_run(tenant, run_id).status == RunStatus.CALCULATED.value

    pages.second_clerk(client, tenant)
    assert pages.action(client, tenant, run_id, "approve").status_code == 303
    assert pages.action(client, tenant, run_id, "publish", {"confirm": "yes"}).status_code == 303
    shown = client.get(f"{pages.base(tenant)}/{run_id}").text
    run = get_run(tenant, run_id)
    # Both clerks are named 测试payroll_clerk: the rule tells them apart by account, not by name.
    assert run.published_by_id == run.approved_by_id != run.calculated_by_id
    assert run.published_by_kind == run.approved_by_kind == run.calculated_by_kind == "staff"
    assert html.escape(run.published_by) in shown.split('id="published-by"')[1].split("</dd>")[0]
    assert 'id="four-eyes-off"' not in shown


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_one_person_tenant_switches_four_eyes_off_and_every_run_says_so(settings, tenant, signed_in) -> None:
    pages.seed(settings, tenant)
    admin = signed_in(tenant, StaffRole.ADMIN)  # the tenant's only account
    run_id = pages.run_id_of(pages.create(admin, tenant, "2026-03"))
    assert pages.action(admin, tenant, run_id, "calculate").status_code == 303
    assert pages.action(admin, tenant, run_id, "approve").status_code == 400  # four eyes by default

    switch = pages.post(admin, f"{pages.base(tenant)}/four-eyes", {"four_eyes": "off"}, page=pages.base(tenant))
    assert switch.status_code == 303
    [entry] = audits(tenant, "payroll_settings.update")
    assert (entry.before, entry.after) == (None, {"four_eyes": False})
    listing = admin.get(pages.base(tenant)).text
    assert 'id="four-eyes-off"' in listing

    assert pages.action(admin, tenant, run_id, "approve").status_code == 303
    assert pages.action(admin, tenant, run_id, "publish", {"confirm": "yes"}).status_code == 303
    page = admin.get(f"{pages.base(tenant)}/{run_id}").text
    banner = message(
        "Four-eyes review is switched off for this company: the person who calculates a payroll run may also "
        "approve and publish it, with nobody else checking the figures."
    )
    assert banner in page
    assert message("by the person who calculated it: four-eyes review was off") in page.split('id="approved-by"')[1]
    assert [a.after["four_eyes"] for a in audits(tenant, "payroll_run.approve")] == [False]

    # A second payroll person: the rule can come back on, and then no longer go off.
    make_staff(tenant, StaffRole.PAYROLL_CLERK)
    assert pages.post(admin, f"{pages.base(tenant)}/four-eyes", {"four_eyes": "on"}, page=pages.base(tenant)).status_code == 303
    refused = pages.post(admin, f"{pages.base(tenant)}/four-eyes", {"four_eyes": "off"}, page=pages.base(tenant))
    assert refused.status_code == 400
    assert (
        message(
            "Four-eyes review can only be switched off when one person does the payroll: {count} active "
            "accounts can approve payroll runs (administrators and payroll clerks).",
            count=2,
        )
        in refused.text
    )
    assert [a.after for a in audits(tenant, "payroll_settings.update")] == [{"four_eyes": False}, {"four_eyes": True}]
    assert 'id="four-eyes-off"' not in admin.get(f"{pages.base(tenant)}/{run_id}").text

    clerk = make_staff(tenant, StaffRole.PAYROLL_CLERK)
    sign_in(admin, tenant.slug, clerk)
    assert (
        pages.post(admin, f"{pages.base(tenant)}/four-eyes", {"four_eyes": "off"}, page=pages.base(tenant)).status_code == 403
    )


# ---------------------------------------------------------------- minimum wage


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_run_below_the_minimum_wage_is_approved_only_with_a_reason_for_each_worker(settings, tenant, signed_in) -> None:
    ids = pages.seed(settings, tenant)
    with tenant_session(tenant.id) as db:
        save_month(db, FEBRUARY, {ids[0]: HALF_MONTH_ABSENT, ids[2]: HALF_MONTH_ABSENT}, actor=SYSTEM)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_id = pages.run_id_of(pages.create(client, tenant, "2026-02"))
    assert pages.action(client, tenant, run_id, "calculate").status_code == 303
    below = {p.worker_id: p for p in pages.payslips(tenant, run_id) if not p.minimum_wage_ok}
    assert set(below) == {ids[0], ids[2]}  # half a month absent: below the monthly minimum
    with tenant_session(tenant.id) as db:
        names = {w: db.get(Worker, (tenant.id, w)).name for w in below}

    pages.second_clerk(client, tenant)
    form = client.get(f"{pages.base(tenant)}/{run_id}").text.split('id="approve-below-minimum"')[1].split("</form>")[0]
    assert f'name="reason_{ids[0]}"' in form and f'name="reason_{ids[2]}"' in form and f'name="reason_{ids[1]}"' not in form

    def refused_for(worker_id: int) -> str:
        return message(
            "Give the reason {name} may be paid {shortfall} yuan below the minimum wage.",
            name=names[worker_id],
            shortfall=f"{below[worker_id].minimum_wage_shortfall:,.2f}",
        )

    nothing = pages.action(client, tenant, run_id, "approve")
    assert nothing.status_code == 400
    summary = message(
        "The run was not approved: {count} workers are paid below the city minimum wage. Give the reason for "
        "each of them, or correct their pay and calculate the run again.",
        count=2,
    )
    assert summary in nothing.text
    assert refused_for(ids[0]) in nothing.text and refused_for(ids[2]) in nothing.text

    reason = "二月病假半月，按病假工资规定支付"
    one = pages.action(client, tenant, run_id, "approve", {f"reason_{ids[0]}": reason, f"reason_{ids[2]}": "  "})
    assert one.status_code == 400
    assert refused_for(ids[2]) in one.text and refused_for(ids[0]) not in one.text
    assert f'value="{reason}"' in one.text  # what was typed comes back
    assert f'id="reason_{ids[2]}-error"' in one.text
    assert get_run(tenant, run_id).status == RunStatus.CALCULATED.value
    with tenant_session(tenant.id) as db:
        assert not db.exec(select(MinimumWageReason)).all()

    other = "二月事假半月，已书面确认"
    approved = pages.action(client, tenant, run_id, "approve", {f"reason_{ids[0]}": reason, f"reason_{ids[2]}": other})
    assert approved.status_code == 303
    assert get_run(tenant, run_id).status == RunStatus.APPROVED.value
    with tenant_session(tenant.id) as db:
        kept = {r.worker_id: r for r in db.exec(select(MinimumWageReason).where(MinimumWageReason.run_id == run_id))}
    assert {w: (r.reason, r.shortfall) for w, r in kept.items()} == {
        ids[0]: (reason, below[ids[0]].minimum_wage_shortfall),
        ids[2]: (other, below[ids[2]].minimum_wage_shortfall),
    }
    [entry] = audits(tenant, "payroll_run.approve")
    assert sorted((r["worker_id"], r["reason"]) for r in entry.after["minimum_wage_reasons"]) == sorted(
        [(ids[0], reason), (ids[2], other)]
    )
    shown = client.get(f"{pages.base(tenant)}/{run_id}").text.split('id="minimum-wage-reasons"')[1].split("</section>")[0]
    assert reason in shown and other in shown and names[ids[0]] in shown

    # Calculated again, the run loses its approval and the reasons that went with it.
    assert pages.action(client, tenant, run_id, "calculate").status_code == 303
    with tenant_session(tenant.id) as db:
        assert not db.exec(select(MinimumWageReason)).all()
    assert audits(tenant, "payroll_run.calculate")[-1].after["minimum_wage_reasons_cleared"] == 2
    assert 'id="minimum-wage-reasons"' not in client.get(f"{pages.base(tenant)}/{run_id}").text


# ---------------------------------------------------------------- housing fund


def housing_fund(tenant, run_id: int) -> dict[int, tuple[Decimal, Decimal]]:
    """Per worker: the employee's housing fund and the employer's housing-fund line."""
    with tenant_session(tenant.id) as db:
        slips = {p.id: p for p in db.exec(select(PayslipRow).where(PayslipRow.run_id == run_id))}
        lines = db.exec(
            select(PayslipLineRow).where(
                PayslipLineRow.payslip_id.in_(list(slips)), PayslipLineRow.code == "housing_fund.employer"
            )
        ).all()
    employer = {slips[x.payslip_id].worker_id: x.amount for x in lines}
    return {p.worker_id: (p.employee_housing_fund, employer[p.worker_id]) for p in slips.values()}


def test_a_new_hires_housing_fund_starts_in_the_month_the_city_says(settings, tenant, signed_in) -> None:
    run_support.seed(settings, tenant)
    chengdu = make_worker(settings, tenant, city="chengdu", hire_date=date(2026, 3, 10)).id
    beijing = make_worker(settings, tenant, city="beijing", hire_date=date(2026, 3, 31)).id
    long_ago = make_worker(settings, tenant, city="chengdu").id  # hired in 2020

    # Every seeded city starts it the month after; the admin sets Beijing to the hire month on the cities page.
    admin = signed_in(tenant, StaffRole.ADMIN)
    with tenant_session(tenant.id) as db:
        assert {v.housing_fund_start for v in cities.all_versions(db)} == {"next_month"}
        beijing_now = cities.in_force(db, "beijing", MARCH)
        values = {
            "effective_from": beijing_now.effective_from.isoformat(),
            "minimum_wage_monthly": str(beijing_now.minimum_wage_monthly),
            "minimum_wage_hourly": str(beijing_now.minimum_wage_hourly),
            "average_wage_monthly": str(beijing_now.average_wage_monthly),
            "source": beijing_now.source,
            "housing_fund_start": "hire_month",
        }
    token = csrf_from(admin.get(f"/t/{tenant.slug}/cities").text)
    saved = admin.post(f"/t/{tenant.slug}/cities/{beijing_now.id}", data={"_csrf": token, **values}, follow_redirects=False)
    assert saved.status_code == 303
    [entry] = audits(tenant, "city_parameter.correct")
    assert (entry.before["housing_fund_start"], entry.after["housing_fund_start"]) == ("next_month", "hire_month")
    page = admin.get(f"/t/{tenant.slug}/cities").text
    beijing_card = page.split('id="city-beijing"')[1].split("</section>")[0]
    assert message("From the month of hire") in beijing_card
    assert (
        message("A worker hired in a month pays the housing fund, and the company its share, already in that month's payroll.")
        in beijing_card
    )
    assert message("From the month after the hire month") in page.split('id="city-chengdu"')[1].split("</section>")[0]

    march = run_support.new_run(tenant, MARCH)
    run_support.calculate(tenant, march)
    paid = housing_fund(tenant, march)
    assert paid[chengdu] == (D("0"), D("0"))  # hired in March, Chengdu starts the month after
    assert paid[beijing][0] > 0 and paid[beijing][0] == paid[beijing][1]  # Beijing: from the hire month
    assert paid[long_ago][0] > 0

    april = run_support.new_run(tenant, APRIL)
    run_support.calculate(tenant, april)
    later = housing_fund(tenant, april)
    assert later[chengdu][0] > 0 and later[chengdu] == later[long_ago]  # the same base and rate from April
    assert later[beijing] == paid[beijing]
