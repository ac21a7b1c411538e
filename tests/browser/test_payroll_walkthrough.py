"""A month's payroll in a real browser: a payroll clerk creates and calculates the run through the
pages, a second clerk approves and publishes it (four eyes); then the assistant, on a phone, signs in,
opens the payslip, downloads the PDF (the worker's name and net pay are in it), confirms it and raises a
question the clerk answers.

Labels are looked up through the zh_CN catalogue (``t``), so the test reads the page as a person
does whether or not a new msgid has been translated yet."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlmodel import select

from service.accounts.models import StaffRole
from service.i18n import translator
from service.payroll.runs.models import PayslipRow
from service.portal import actions
from tenants.isolation import tenant_session
from tests.browser.conftest import screenshot
from tests.browser.test_roster_in_browser import sign_in
from tests.support.factories import make_staff, make_worker
from tests.support.portal import ASSISTANT_PASSWORD, BUREAU, band_table, invite

t = translator("zh_CN")
PHONE_NUMBER = "13987654321"


@pytest.fixture()
def small_phone(browser: Browser, db_clean: None) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        accept_downloads=True,
    )
    tab = context.new_page()
    yield tab
    context.close()


def no_sideways_scroll(tab: Page) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways"


def published_by_two_clerks(page: Page, server: str, tenant, month: str) -> str:
    """One payroll clerk creates and calculates the month's run through the pages and is not offered its
    approval; a second clerk (four eyes) approves and publishes it and stays signed in.  The run's address."""
    sign_in(page, server, tenant.slug, make_staff(tenant, StaffRole.PAYROLL_CLERK))
    page.get_by_role("link", name=t("Payroll"), exact=True).click()
    page.get_by_label(t("Pay month")).fill(month)
    page.get_by_role("button", name=t("Create the run")).click()
    expect(page.get_by_role("heading", name=t("Payroll {month}", month=month))).to_be_visible()
    page.get_by_role("button", name=t("Calculate"), exact=True).click()
    expect(page.locator("#totals")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name=t("Approve"), exact=True)).to_have_count(0)
    run_address = page.url
    page.context.clear_cookies()
    sign_in(page, server, tenant.slug, make_staff(tenant, StaffRole.PAYROLL_CLERK))
    page.goto(run_address)
    page.get_by_role("button", name=t("Approve"), exact=True).click()
    page.get_by_label(t("I have checked the register and want to publish it.")).check()
    page.get_by_role("button", name=t("Publish"), exact=True).click()
    expect(page.get_by_text(t("The payroll run has been published. It can no longer be changed."))).to_be_visible()
    return run_address


def test_a_payroll_month_from_draft_to_the_assistants_phone(
    page: Page, small_phone: Page, server: str, tenant, settings
) -> None:
    band_table(tenant)
    worker = make_worker(settings, tenant, name="李晓明", phone=PHONE_NUMBER, city="chengdu", grade=3, client_bureau=BUREAU)
    make_worker(settings, tenant, name="王建国", city="chengdu", grade=5, client_bureau=BUREAU)
    with tenant_session(tenant.id) as db:  # the worker accepted the HR clerk's invitation earlier
        actions.accept_invitation(db, invite(tenant, worker), password=ASSISTANT_PASSWORD, password_again=ASSISTANT_PASSWORD)

    # One payroll clerk: draft → calculated; a second one (four eyes): approved → published.
    published_by_two_clerks(page, server, tenant, "2026-03")
    screenshot(page, "payroll-published-desktop")
    with tenant_session(tenant.id) as db:
        slip = db.exec(select(PayslipRow).where(PayslipRow.tenant_id == tenant.id, PayslipRow.worker_id == worker.id)).one()
    net_pay = f"{slip.net_pay:,.2f}"

    # The assistant, on a small phone.
    phone = small_phone
    phone.goto(f"{server}/t/{tenant.slug}/my/")
    expect(phone.get_by_role("heading", name=t("Sign in to see your payslips"))).to_be_visible()
    phone.get_by_label(t("Phone number or ID number")).fill(PHONE_NUMBER)
    phone.get_by_label(t("Password")).fill(ASSISTANT_PASSWORD)
    phone.get_by_role("button", name=t("Sign in")).click()
    expect(phone.get_by_role("heading", name=t("My payslips"))).to_be_visible()
    expect(phone.get_by_text(net_pay)).to_be_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "portal-payslips-phone")

    phone.get_by_role("link", name="2026-03").click()
    expect(phone.get_by_role("heading", name=t("Payslip {month}", month="2026-03"))).to_be_visible()
    expect(phone.locator(".net-amount")).to_contain_text(net_pay)
    expect(phone.get_by_role("heading", name=t("Employer contributions (not deducted from pay)"))).to_be_visible()
    expect(phone.locator("#year-to-date")).to_contain_text(t("Income tax withheld this year"))
    no_sideways_scroll(phone)
    screenshot(phone, "portal-payslip-phone")

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name=t("Download PDF")).click()
    pdf = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "李晓明" in text and net_pay in text

    phone.get_by_role("button", name=t("Confirm this payslip")).click()
    expect(phone.get_by_text(t("Thank you: you have confirmed this payslip."))).to_be_visible()
    phone.get_by_label(t("Raise a question")).fill("三月的加班费好像没有算进去？")
    phone.get_by_role("button", name=t("Send the question")).click()
    expect(
        phone.get_by_text(t("Your question has been sent to the payroll office. The answer will appear on this page."))
    ).to_be_visible()
    expect(phone.get_by_text("三月的加班费好像没有算进去？")).to_be_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "portal-question-phone")

    # The clerk answers; the assistant reads the answer on the payslip.
    page.goto(f"{server}/t/{tenant.slug}/payroll/questions")
    question = page.locator("article", has_text="三月的加班费好像没有算进去？")
    expect(question).to_contain_text("李晓明")
    screenshot(page, "payroll-question-open-desktop")
    question.get_by_label(t("Your answer")).fill("加班费已在四月工资中补发。")
    question.get_by_role("button", name=t("Send the answer")).click()
    expect(page.get_by_text(t("Your answer has been saved. The worker sees it on the payslip."))).to_be_visible()
    screenshot(page, "payroll-questions-desktop")
    page.goto(f"{server}/t/{tenant.slug}/payroll/{slip.run_id}/payslips/{slip.id}")
    expect(page.get_by_text(t("Confirmed by the worker"))).to_be_visible()
    screenshot(page, "payroll-payslip-feedback-desktop")

    phone.reload()
    expect(phone.get_by_text("加班费已在四月工资中补发。")).to_be_visible()
    no_sideways_scroll(phone)
    screenshot(phone, "portal-answer-phone")


def test_an_hr_clerk_invites_a_worker_who_sets_a_password_on_the_phone(
    page: Page, small_phone: Page, server: str, tenant, settings
) -> None:
    worker = make_worker(settings, tenant, name="赵雪梅", phone="13911112222", city="chengdu", client_bureau=BUREAU)
    sign_in(page, server, tenant.slug, make_staff(tenant, StaffRole.HR_CLERK))
    page.goto(f"{server}/t/{tenant.slug}/workers/{worker.id}")
    page.locator("#portal-account").screenshot(
        path=str(screenshot(page, "worker-page-desktop").with_name("worker-portal-block.png"))
    )
    page.get_by_role("button", name=t("Create an invitation link")).click()
    expect(page.get_by_role("heading", name=t("Invitation link created"))).to_be_visible()
    link = page.locator("#invitation-link").get_attribute("href")
    assert link and "/my/invitation/" in link
    screenshot(page, "portal-invitation-created-desktop")
    page.emulate_media(media="print")
    screenshot(page, "portal-invitation-print")
    page.emulate_media(media="screen")

    small_phone.goto(link)
    expect(small_phone.get_by_role("heading", name=t("Set your password"))).to_be_visible()
    small_phone.get_by_label(t("New password")).fill(ASSISTANT_PASSWORD)
    small_phone.get_by_label(t("The same password again")).fill("Not-the-same-1")
    small_phone.get_by_role("button", name=t("Set the password and sign in")).click()
    expect(small_phone.get_by_text(t("The two passwords are not the same."))).to_be_visible()
    no_sideways_scroll(small_phone)
    screenshot(small_phone, "portal-invitation-phone")
    small_phone.get_by_label(t("New password")).fill(ASSISTANT_PASSWORD)
    small_phone.get_by_label(t("The same password again")).fill(ASSISTANT_PASSWORD)
    small_phone.get_by_role("button", name=t("Set the password and sign in")).click()
    expect(small_phone.get_by_text(t("Your password is set and you are signed in. Welcome!"))).to_be_visible()
    expect(small_phone.get_by_text(t("No payslip has been published for you yet."))).to_be_visible()

    small_phone.goto(link)  # used once: refused
    expect(small_phone.get_by_role("heading", name=t("This link cannot be used"))).to_be_visible()
    screenshot(small_phone, "portal-invitation-used-phone")

    page.goto(f"{server}/t/{tenant.slug}/workers/{worker.id}/portal")
    expect(page.get_by_text(t("Can sign in"), exact=True)).to_be_visible()
    screenshot(page, "portal-account-desktop")
