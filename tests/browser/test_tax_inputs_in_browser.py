"""A payroll clerk on a phone: the worker's tax page (专项附加扣除 and the withholding
adjustments) and a formula component, at 375 px."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from service.accounts.models import StaffRole
from tests.browser.conftest import screenshot
from tests.browser.test_roster_in_browser import sign_in
from tests.support.factories import make_staff, make_worker


def test_declarations_and_a_formula_on_a_phone(phone: Page, server: str, tenant, settings) -> None:
    worker = make_worker(settings, tenant, name="王芳", hire_date=date(2026, 2, 1))
    sign_in(phone, server, tenant.slug, make_staff(tenant, StaffRole.PAYROLL_CLERK))
    phone.goto(f"{server}/t/{tenant.slug}/workers/{worker.id}")
    phone.locator("#worker-tax-link").click()
    phone.goto(phone.url + "?year=2026")
    phone.locator('[name="child-1-birth_date"]').fill("2018-05-01")
    phone.locator("#elderly").select_option("shared")
    phone.locator("#elderly_parent_birth_date").fill("1950-01-01")
    phone.locator("#elderly_share").fill("1600")  # above 1,500: refused next to the field
    phone.locator("#declarations button[type=submit]").click()
    expect(phone.locator("#elderly_share-error")).to_be_visible()
    screenshot(phone, "tax-declarations-error-phone")
    phone.locator("#elderly_share").fill("1500")
    phone.locator("#declarations button[type=submit]").click()
    expect(phone.locator("#schedule")).to_be_visible()
    expect(phone.locator("#schedule")).to_contain_text("3,500.00")
    phone.locator("#first_job").check()
    phone.locator("#flags button[type=submit]").click()
    expect(phone.locator("#first_job")).to_be_checked()
    screenshot(phone, "tax-declarations-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    phone.goto(f"{server}/t/{tenant.slug}/pay-components")
    phone.locator("#code").fill("ot_meal")
    phone.locator("#label").fill("加班餐补")
    phone.locator("#method").select_option("formula")
    phone.locator("#formula").fill("min(overtime, 36) * 20")
    phone.locator("form[action$='/pay-components'] button[type=submit]").click()
    expect(phone.locator("#formula-error")).to_be_visible()
    screenshot(phone, "formula-error-phone")
    phone.locator("#formula").fill("min(overtime_hours, 36) * 20")
    phone.locator("form[action$='/pay-components'] button[type=submit]").click()
    expect(phone.get_by_text("min(overtime_hours, 36) * 20", exact=True)).to_be_visible()
