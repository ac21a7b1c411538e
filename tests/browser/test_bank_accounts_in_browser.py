"""Bank accounts on a 375 px phone: the assistant asks for a change in the portal, HR decides it and reads the history."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from service.accounts.models import StaffRole
from service.audit import SYSTEM
from service.keys import keys_for
from service.workforce.bank_accounts import actions
from service.workforce.bank_accounts.rules import BankAccountInput
from service.workforce.models import Worker
from tenants.isolation import tenant_session
from tests.browser.conftest import screenshot
from tests.browser.test_roster_in_browser import sign_in
from tests.support.factories import make_staff, make_worker
from tests.support.portal import ASSISTANT_PASSWORD, invite

PHONE_WIDTH = 375


def fits(tab: Page) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{tab.url} scrolls sideways on a phone ({width}px)"


def test_a_change_asked_for_on_a_phone_and_approved_on_a_phone(phone: Page, server: str, tenant, settings) -> None:
    worker = make_worker(settings, tenant, name="郑五", phone="13912345678")
    with tenant_session(tenant.id) as db:
        data = BankAccountInput("6222020200112233440", "中国工商银行", "成都春熙路支行", "郑五", None)
        actions.set_account(db, keys_for(settings), db.get(Worker, (tenant.id, worker.id)), data, actor=SYSTEM)

    phone.goto(f"{server}/t/{tenant.slug}/my/invitation/{invite(tenant, worker)}")
    phone.locator("#password").fill(ASSISTANT_PASSWORD)
    phone.locator("#password_again").fill(ASSISTANT_PASSWORD)
    phone.get_by_role("button", name="设置密码并登录").click()
    phone.get_by_role("link", name="我的工资卡").click()
    expect(phone.get_by_text("6222***********3440")).to_be_visible()
    phone.get_by_label("银行账号").fill("6214 8300 0000 0222")
    phone.get_by_label("开户银行").fill("招商银行")
    phone.get_by_role("button", name="提交审批").click()
    # The number fails the card check digit: a warning the assistant confirms, not an error.
    expect(phone.get_by_text("未通过卡号校验位")).to_be_visible()
    fits(phone)
    phone.get_by_label("我已核对此账号：虽未通过卡号校验，但确认无误。").check()
    phone.get_by_role("button", name="提交审批").click()
    expect(phone.get_by_text("申请已提交")).to_be_visible()
    fits(phone)
    screenshot(phone, "bank-account-portal-phone")

    phone.context.clear_cookies()
    sign_in(phone, server, tenant.slug, make_staff(tenant, StaffRole.HR_CLERK))
    phone.goto(f"{server}/t/{tenant.slug}/bank-accounts/requests")
    expect(phone.get_by_text("6214830000000222")).to_be_visible()
    fits(phone)
    screenshot(phone, "bank-account-requests-phone")
    phone.get_by_role("button", name="批准").click()
    expect(phone.get_by_text("已批准：新账户已生效。")).to_be_visible()

    phone.goto(f"{server}/t/{tenant.slug}/workers/{worker.id}/bank-account")
    expect(phone.get_by_role("heading", name="账户历史")).to_be_visible()
    fits(phone)
    screenshot(phone, "bank-account-worker-phone")
