"""An HR clerk's week, in a real browser: a contract about to end raises an
alert, renewing it makes the alert go away; a leave request recorded by a
colleague is approved."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect

from service.accounts.actions import find_by_email
from service.accounts.models import StaffRole
from service.audit import Actor
from service.workforce.contracts.actions import create_contract
from service.workforce.contracts.input import ContractInput
from service.workforce.leave.actions import submit_leave
from service.workforce.leave.rules import LeaveInput, LeaveType
from service.workforce.models import ContractType
from tenants.isolation import tenant_session
from tests.browser.conftest import screenshot
from tests.browser.test_roster_in_browser import sign_in
from tests.support.factories import make_staff, make_worker


def _contract_ending_soon(settings, tenant, name: str):
    today = date.today()
    start = today - timedelta(days=3 * 365 - 20)
    worker = make_worker(settings, tenant, name=name, hire_date=start, si_registered_on=start, city="chengdu")
    terms = ContractInput(
        contract_type=ContractType.FIXED_TERM,
        start=start,
        end=today + timedelta(days=20),
        probation_end=None,
        probation_wage=None,
        wage=Decimal("5200.00"),
        post="市容巡查",
        work_place="春熙路街道",
        bureau_id=worker.bureau_id,
        signed_on=start,
    )
    with tenant_session(tenant.id) as db:
        contract = create_contract(db, worker, terms, today, actor=Actor("system", None, "test"))
    return worker, contract


def test_renewing_a_contract_clears_its_alert(page: Page, phone: Page, server: str, tenant, settings) -> None:
    worker, contract = _contract_ending_soon(settings, tenant, "赵志刚")
    sign_in(page, server, tenant.slug, make_staff(tenant, StaffRole.HR_CLERK))
    page.get_by_role("link", name="合规预警").click()
    alert = page.locator("tr", has_text="赵志刚").filter(has_text="合同即将到期")
    expect(alert).to_have_count(1)
    screenshot(page, "compliance-desktop")

    page.goto(f"{server}/t/{tenant.slug}/contracts/{contract.id}")
    page.get_by_role("link", name="续订", exact=True).click()
    new_end = (contract.end_date + timedelta(days=3 * 365)).isoformat()
    page.get_by_label("终止日期").fill(new_end)
    page.get_by_label("签订日期").fill(date.today().isoformat())
    page.get_by_role("button", name="续订劳动合同").click()
    expect(page.get_by_role("heading", name="劳动合同")).to_be_visible()
    expect(page.get_by_text(new_end)).to_be_visible()

    page.get_by_role("link", name="合规预警").click()
    expect(page.locator("tr", has_text="赵志刚").filter(has_text="合同即将到期")).to_have_count(0)

    sign_in(phone, server, tenant.slug, tenant.admin_email)
    phone.goto(f"{server}/t/{tenant.slug}/workers/{worker.id}")
    expect(phone.get_by_role("heading", name="赵志刚")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "worker-with-contracts-phone")


def test_a_leave_request_is_approved_by_a_colleague(page: Page, server: str, tenant, settings) -> None:
    worker = make_worker(settings, tenant, name="孙丽娟", hire_date=date(2020, 3, 1))
    clerk_email = make_staff(tenant, StaffRole.HR_CLERK)
    start = date.today() + timedelta(days=7)
    with tenant_session(tenant.id) as db:
        clerk = find_by_email(db, clerk_email)
        request = submit_leave(
            db,
            LeaveInput(worker.id, LeaveType.ANNUAL, start, start + timedelta(days=2), "回老家探亲"),
            actor=Actor("staff", clerk.id, clerk.display_name),
        )
    sign_in(page, server, tenant.slug, tenant.admin_email)
    page.get_by_role("link", name="花名册").click()  # leave sits in the roster's section of the menu
    page.get_by_role("link", name="请假").click()
    page.locator("tr", has_text="孙丽娟").get_by_role("link").first.click()
    page.get_by_role("button", name="批准").click()
    expect(page.get_by_text("已批准").first).to_be_visible()
    screenshot(page, "leave-approved")
    assert request.id is not None
