"""The payroll run page in a real browser on a phone: the calculation's progress bar is
updated by /static/payroll-progress.js and the page shows the register when it ends;
a correction run shows its explanation and the difference per component."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from playwright.sync_api import Page, expect

from service.accounts.models import StaffRole
from service.audit import SYSTEM
from service.insurance.actions import set_contribution_base
from service.payroll.runs import actions as runs
from service.payroll.runs import progress as run_progress
from service.workforce.models import Worker
from tenants.isolation import tenant_session
from tests.browser.conftest import screenshot
from tests.browser.test_roster_in_browser import sign_in
from tests.integration import test_payroll_pages as pages
from tests.support.factories import make_clerk, make_staff


def _published(tenant, month: date) -> int:
    """Calculated by the system, approved and published by a clerk: four eyes."""
    clerk = make_clerk(tenant)
    with tenant_session(tenant.id) as db:
        run = runs.create_run(db, month, actor=SYSTEM)
        runs.calculate(db, run, actor=SYSTEM)
        runs.approve(db, run, actor=clerk)
        runs.publish(db, run, actor=clerk)
        return run.id


def test_progress_then_register_then_a_correction_on_a_phone(phone: Page, server: str, tenant, settings, monkeypatch) -> None:
    ids = pages.seed(settings, tenant)
    february = _published(tenant, date(2026, 2, 1))
    with tenant_session(tenant.id) as db:
        march = runs.create_run(db, pages.MARCH, actor=SYSTEM).id

    release = threading.Event()
    original = runs.compute_into

    def slow(writer, inputs, progress=runs._no_progress, published=None):
        original(writer, inputs, progress, published)
        release.wait(30)

    monkeypatch.setattr(runs, "compute_into", slow)
    monkeypatch.setattr(run_progress, "WAIT", 0.1)
    sign_in(phone, server, tenant.slug, make_staff(tenant, StaffRole.PAYROLL_CLERK))
    phone.goto(f"{server}/t/{tenant.slug}/payroll/{march}")
    phone.locator("form[action$='/calculate'] button").click()
    expect(phone.locator("#run-progress-bar")).to_be_visible()
    expect(phone.locator("#run-progress-label")).to_contain_text("3 / 3")  # computed, waiting to write
    screenshot(phone, "payroll-progress-phone")
    release.set()
    expect(phone.locator("#totals")).to_be_visible(timeout=20000)  # the script reloaded the page
    expect(phone.locator("#run-progress")).to_have_count(0)
    expect(phone.locator("#review")).to_be_visible()
    screenshot(phone, "payroll-register-review-phone")

    monkeypatch.setattr(runs, "compute_into", original)
    with tenant_session(tenant.id) as db:
        set_contribution_base(db, db.get(Worker, (tenant.id, ids[0])), Decimal("9000"), actor=SYSTEM)
    phone.goto(f"{server}/t/{tenant.slug}/payroll/{february}")
    phone.locator("#explanation").fill("二月社保基数录入有误，按 9000 元更正")
    phone.locator("#correction-form button").click()
    expect(phone.locator("#explanation")).to_contain_text("二月社保基数录入有误")
    phone.locator("form[action$='/calculate'] button").click()
    expect(phone.locator("#totals")).to_be_visible()
    phone.locator("#totals ~ tr a").first.click()
    expect(phone.locator("#correction")).to_contain_text("二月社保基数录入有误")
    expect(phone.locator("#net-difference")).to_be_visible()
    screenshot(phone, "payroll-correction-payslip-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the payslip page is {width}px wide on a 375px phone"
