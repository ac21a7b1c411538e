"""Pay day in a real browser (issue 12, done when): HR records a leaver, a payroll clerk calculates the month,
a second clerk approves and publishes it, the bank's payment file is downloaded in a layout the clerk
configured (CSV in GBK, with a total row) and its line count and total are checked against the run in the
database; the leaver then signs in on a 375 px phone and reads the final payslip: the part month and the
bank it was paid into.

Labels are looked up through the zh_CN catalogue (``t``), so the test reads the page as a person does."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole
from service.audit import SYSTEM
from service.i18n import translator
from service.keys import keys_for
from service.payroll.runs.models import PayrollRun, PayslipRow
from service.portal import actions as portal
from service.workforce.bank_accounts import actions as bank_accounts
from service.workforce.bank_accounts.rules import BankAccountInput
from service.workforce.contracts.actions import create_contract
from service.workforce.contracts.input import ContractInput
from service.workforce.models import ContractType, Worker
from tenants.isolation import tenant_session
from tests.browser.conftest import screenshot
from tests.browser.test_payroll_walkthrough import published_by_two_clerks
from tests.browser.test_roster_in_browser import sign_in
from tests.support.factories import make_staff, make_worker
from tests.support.jobs import InProcessWorker
from tests.support.portal import ASSISTANT_PASSWORD, BUREAU, band_table, invite

t = translator("zh_CN")
D = Decimal
LEAVER_PHONE = "13987654321"
HIRED_ON = date(2024, 3, 1)
MONTH = "2026-11"
LAST_DAY = date(2026, 11, 13)  # a Friday: Mon 2 - Fri 13 November, 10 pay days of the month's 21
PHONE_WIDTH = 375


@pytest.fixture()
def desktop(browser: Browser, db_clean: None, job_worker: InProcessWorker) -> Iterator[Page]:
    """A 1366 px desktop that keeps downloads; the job worker runs the calculation."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture()
def small_phone(browser: Browser, db_clean: None) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": PHONE_WIDTH, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    tab = context.new_page()
    yield tab
    context.close()


def fits(tab: Page) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{tab.url} scrolls sideways on a phone ({width}px)"


def staff_with_accounts(settings, tenant) -> tuple[Worker, Worker, int]:
    """The leaver (with a portal account and a signed open-ended contract) and a colleague who stays, both
    paid into accounts HR entered: (leaver, colleague, the leaver's contract id)."""
    band_table(tenant)
    leaver = make_worker(
        settings, tenant, name="李晓明", phone=LEAVER_PHONE, city="chengdu", grade=3, hire_date=HIRED_ON, client_bureau=BUREAU
    )
    stays = make_worker(settings, tenant, name="王建国", city="chengdu", grade=5, hire_date=HIRED_ON, client_bureau=BUREAU)
    with tenant_session(tenant.id) as db:
        for worker, number in ((leaver, "6222020200112233445"), (stays, "6217000010001234567")):
            account = BankAccountInput(number, "中国工商银行", "成都春熙路支行", worker.name, None)
            bank_accounts.set_account(db, keys_for(settings), worker, account, actor=SYSTEM)
        terms = ContractInput(
            ContractType.OPEN_ENDED, HIRED_ON, None, None, None, D("4600"), "市容巡查", "春熙路街道", leaver.bureau_id, HIRED_ON
        )
        contract = create_contract(db, leaver, terms, HIRED_ON, actor=SYSTEM)
    with tenant_session(tenant.id) as db:  # the worker accepted HR's invitation while still employed
        portal.accept_invitation(db, invite(tenant, leaver), password=ASSISTANT_PASSWORD, password_again=ASSISTANT_PASSWORD)
    assert contract.id is not None
    return leaver, stays, contract.id


def test_pay_day_from_the_leaver_to_the_bank_file_and_the_final_payslip_on_a_phone(
    desktop: Page, small_phone: Page, server: str, tenant, settings
) -> None:
    leaver, stays, contract_id = staff_with_accounts(settings, tenant)
    base = f"{server}/t/{tenant.slug}"
    page = desktop

    # HR ends the leaver's contract on their last day, and marks them as left from that day.
    sign_in(page, server, tenant.slug, make_staff(tenant, StaffRole.HR_CLERK))
    page.goto(f"{base}/contracts/{contract_id}")
    page.get_by_role("link", name=t("Terminate"), exact=True).click()
    page.get_by_label(t("Reason"), exact=True).select_option("worker_notice")
    page.get_by_label(t("Last day of the contract")).fill(LAST_DAY.isoformat())
    screenshot(page, "payday-terminate-desktop")
    page.get_by_role("button", name=t("Terminate the contract")).click()
    expect(page.get_by_text(t("The contract has been terminated."))).to_be_visible()
    page.goto(f"{base}/workers/{leaver.id}")
    page.get_by_label(t("Last day employed")).fill(LAST_DAY.isoformat())
    page.get_by_role("button", name=t("Mark as left")).click()
    expect(page.get_by_text(t("The worker has been marked as left."))).to_be_visible()
    expect(page.locator("#left-on")).to_have_text(LAST_DAY.isoformat())
    screenshot(page, "payday-leaver-desktop")

    # One payroll clerk calculates the month; a second one approves and publishes it (four eyes).
    page.context.clear_cookies()
    run_address = published_by_two_clerks(page, server, tenant, MONTH)

    # The second clerk sets the bank's layout: the generic columns, as CSV in GBK with a total row at the bottom.
    page.goto(f"{base}/payroll/payment-layout")
    page.locator("#shipped-generic").get_by_role("link", name=t("Start from this one")).click()
    page.get_by_label(t("File type")).select_option("csv")
    page.get_by_label(t("Text encoding (csv and txt; an .xlsx file is always Unicode)")).select_option("gbk")
    page.get_by_label(t("Summary row")).select_option("bottom")
    page.get_by_role("button", name=t("Save the layout")).click()
    expect(page.get_by_text(t("The layout has been saved: the next payment file uses it."))).to_be_visible()
    screenshot(page, "payday-layout-desktop")

    page.goto(run_address)
    page.get_by_label(t("Pay date")).fill(clock.today().isoformat())
    with page.expect_download() as download_info:
        page.get_by_role("button", name=t("Make the payment file")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.path().read_bytes().decode("gbk"), newline="")))
    header, lines, total_row = rows[0], rows[1:-1], rows[-1]
    with tenant_session(tenant.id) as db:
        run = db.exec(select(PayrollRun).where(PayrollRun.tenant_id == tenant.id)).one()
        slips = {p.worker_id: p for p in db.exec(select(PayslipRow).where(PayslipRow.run_id == run.id))}
    amount, account = header.index("金额"), header.index("账号")
    assert len(lines) == len(slips) == run.worker_count == 2
    assert sum(D(line[amount]) for line in lines) == run.net == sum(p.net_pay for p in slips.values())
    assert total_row == ["总笔数", "2", "总金额", f"{run.net:.2f}"]
    assert {line[account]: D(line[amount]) for line in lines} == {
        "6222020200112233445": slips[leaver.id].net_pay,
        "6217000010001234567": slips[stays.id].net_pay,
    }
    assert slips[leaver.id].proration is not None and slips[stays.id].proration is None
    page.reload()
    expect(page.locator("#payment-files")).to_contain_text(f"{run.net:,.2f}")
    page.locator("#payment-file").screenshot(path=str(screenshot(page, "payday-run-desktop").with_name("payday-file.png")))

    # The leaver, on a phone, reads the final payslip: the part month and where the money went.
    phone = small_phone
    phone.goto(f"{base}/my/login")
    phone.get_by_label(t("Phone number or ID number")).fill(LEAVER_PHONE)
    phone.get_by_label(t("Password")).fill(ASSISTANT_PASSWORD)
    phone.get_by_role("button", name=t("Sign in")).click()
    expect(phone.get_by_role("heading", name=t("My payslips"))).to_be_visible()
    net_pay = f"{slips[leaver.id].net_pay:,.2f}"
    expect(phone.get_by_text(net_pay)).to_be_visible()
    fits(phone)
    screenshot(phone, "payday-leaver-payslips-phone")

    phone.get_by_role("link", name=MONTH).click()
    expect(phone.get_by_role("heading", name=t("Payslip {month}", month=MONTH))).to_be_visible()
    expect(phone.locator(".net-amount")).to_contain_text(net_pay)
    expect(phone.locator("#proration")).to_contain_text(t("Part month"))
    paid_into = phone.locator("#paid-into")
    expect(paid_into).to_contain_text("中国工商银行")
    expect(paid_into).to_contain_text(clock.today().isoformat())
    expect(paid_into).not_to_contain_text("6222020200112233445")  # masked, even for its owner
    expect(paid_into).to_contain_text("3445")
    fits(phone)
    screenshot(phone, "payday-final-payslip-phone")

    # Leaving keeps the reading, not the changes: the account can no longer be changed in the portal.
    phone.goto(f"{base}/my/bank-account")
    expect(
        phone.get_by_text(
            t(
                "You have left this employer, so your bank account can no longer be changed here. "
                "If your final pay must go to another account, contact your former HR office."
            )
        )
    ).to_be_visible()
    expect(phone.get_by_label(t("Account number"))).to_have_count(0)
    fits(phone)
    screenshot(phone, "payday-leaver-bank-account-phone")
