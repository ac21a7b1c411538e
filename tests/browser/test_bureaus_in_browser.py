"""Client bureaus, an agreement and a statement on a phone (375 px): nothing
wider than the screen, and the agreement's check and the totals readable."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import text

from tenants.isolation import tenant_session
from tests.browser.conftest import screenshot
from tests.integration.test_bureau_statements import _agreement, _generate, _publish_march
from tests.support.factories import PASSWORD


def sign_in(tab: Page, server: str, slug: str, email: str) -> None:
    tab.goto(f"{server}/t/{slug}/login")
    tab.get_by_label("邮箱").fill(email)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url(lambda url: "/login" not in url)


def _fits(tab: Page) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375 + 1


def test_bureau_agreement_and_statement_on_a_phone(phone: Page, server: str, tenant, settings) -> None:
    _publish_march(settings, tenant)
    agreement_id = _agreement(tenant)
    statement = _generate(tenant)
    with tenant_session(tenant.id) as db:
        bureau_id = db.execute(text("select bureau_id from service_agreements where id = :a"), {"a": agreement_id}).scalar()
    sign_in(phone, server, tenant.slug, tenant.admin_email)
    for path, name in (
        ("/bureaus", "bureaus-phone"),
        (f"/bureaus/{bureau_id}", "bureau-phone"),
        (f"/agreements/{agreement_id}", "agreement-phone"),
        ("/statements", "statements-phone"),
        (f"/statements/{statement.id}", "statement-phone"),
    ):
        phone.goto(f"{server}/t/{tenant.slug}{path}")
        expect(phone.locator("h1")).to_be_visible()
        screenshot(phone, name)
        _fits(phone)
