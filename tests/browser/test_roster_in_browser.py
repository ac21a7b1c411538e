"""An HR clerk's first day, in a real browser: sign in, import the roster
from Excel (one bad row first), see it listed, switch language; and the
roster on a phone."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from service.accounts.models import StaffRole
from tests.browser.conftest import screenshot
from tests.support.factories import PASSWORD, make_bureau, make_staff, make_worker
from tests.support.sheets import SHEET_BUREAU, SHEET_UNIT, row, workbook


def sign_in(tab: Page, server: str, slug: str, email: str) -> None:
    tab.goto(f"{server}/t/{slug}/login")
    tab.get_by_label("邮箱").fill(email)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab.get_by_role("link", name="花名册")).to_be_visible()


def test_import_with_a_bad_row_then_fixed(page: Page, server: str, tenant, tmp_path: Path) -> None:
    make_bureau(tenant, SHEET_BUREAU, SHEET_UNIT)  # the sheet names a bureau the company has recorded
    sign_in(page, server, tenant.slug, make_staff(tenant, StaffRole.HR_CLERK))
    page.get_by_role("link", name="花名册").click()
    page.get_by_role("link", name="从 Excel 导入").click()

    bad_number = row(2)[1][:-1] + ("1" if row(2)[1][-1] != "1" else "2")
    bad = tmp_path / "花名册.xlsx"
    bad.write_bytes(workbook([row(1), row(2, 身份证号=bad_number), row(3)]))
    page.get_by_label("Excel 文件").set_input_files(str(bad))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.get_by_role("alert")).to_contain_text("未导入任何数据")
    error_row = page.locator(".errors-table tbody tr")
    expect(error_row).to_have_count(1)
    expect(error_row.first).to_contain_text("3")
    expect(error_row.first).to_contain_text("身份证号")
    screenshot(page, "import-error")

    fixed = tmp_path / "花名册-已更正.xlsx"
    fixed.write_bytes(workbook([row(1), row(2), row(3)]))
    page.get_by_label("Excel 文件").set_input_files(str(fixed))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.get_by_role("status")).to_contain_text("新增 3")
    page.get_by_role("link", name="查看花名册").click()
    for n in (1, 2, 3):
        expect(page.get_by_role("link", name=row(n)[0], exact=True)).to_be_visible()
    expect(page.get_by_text("共 3 人")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Roster")).to_be_visible()
    expect(page.get_by_role("link", name="Import from Excel")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", name="花名册")).to_be_visible()


def test_the_roster_at_desktop_and_phone_width(page: Page, phone: Page, server: str, tenant, settings) -> None:
    for n in range(12):
        make_worker(settings, tenant, name="王" + "伟芳娜敏静丽强磊军洋勇艳"[n], grade=1 + n % 5)
    sign_in(page, server, tenant.slug, tenant.admin_email)
    page.goto(f"{server}/t/{tenant.slug}/workers")
    expect(page.locator("table.responsive thead")).to_be_visible()
    screenshot(page, "roster-desktop")

    sign_in(phone, server, tenant.slug, tenant.admin_email)
    phone.goto(f"{server}/t/{tenant.slug}/workers")
    expect(phone.get_by_role("link", name="王伟", exact=True)).to_be_visible()
    # On a phone the table header is hidden and each row is a card with labels.
    expect(phone.locator("table.responsive thead")).to_be_hidden()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "roster-phone")
    phone.get_by_role("link", name="王伟", exact=True).click()
    expect(phone.get_by_role("heading", name="王伟")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "worker-phone")
