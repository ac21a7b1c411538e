"""A bureau reviewer signs in through the bureau's own OpenID provider (a real
one, panva/oidc-provider on Node.js) in a real browser on a phone, sees only
their bureau's workers, and signs out of both the portal and the provider."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.support.factories import PASSWORD, make_bureau, make_worker
from tests.support.oidc import DOMAIN, RealProvider, connect_real, running_provider


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[RealProvider]:
    yield from running_provider()


BUREAU_A = "成都市锦江区城市管理和综合行政执法局"
BUREAU_B = "成都市青羊区城市管理和综合行政执法局"


def test_a_reviewer_signs_in_through_the_bureau_provider_on_a_phone(
    phone: Page,
    server: str,
    tenant,
    settings,
    oidc_provider: RealProvider,
) -> None:
    bureau_a = make_bureau(tenant, BUREAU_A)
    make_bureau(tenant, BUREAU_B)
    mine = make_worker(settings, tenant, client_bureau=BUREAU_A, name="李守时", post_line="扬尘管控")
    make_worker(settings, tenant, client_bureau=BUREAU_A, name="周巡查")
    make_worker(settings, tenant, client_bureau=BUREAU_B, name="赵别处")
    connect_real(settings, tenant, bureau_a, oidc_provider, server, name="锦江城管统一认证")
    oidc_provider.set_account("browser-subject", f"chen.shenhe@{DOMAIN}", "陈审核")

    phone.goto(f"{server}/t/{tenant.slug}/review/workers")
    expect(phone).to_have_url(re.compile(r"/review/login\?next="))
    screenshot(phone, "reviewer-sign-in")
    phone.get_by_role("link", name=re.compile("锦江城管统一认证")).click()

    # The provider signs the test account in and sends the browser back with a code.
    expect(phone).to_have_url(f"{server}/t/{tenant.slug}/review/workers")
    expect(phone.get_by_text("陈审核")).to_be_visible()
    expect(phone.get_by_role("link", name="李守时")).to_be_visible()
    expect(phone.get_by_role("link", name="周巡查")).to_be_visible()
    expect(phone.get_by_text("赵别处")).to_have_count(0)
    expect(phone.get_by_text(mine.id_number_masked)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "reviewer-workers-phone")

    phone.get_by_role("link", name="李守时").click()
    expect(phone.get_by_role("heading", name=re.compile("李守时"))).to_be_visible()
    screenshot(phone, "reviewer-worker-phone")

    phone.goto(f"{server}/t/{tenant.slug}/review/")
    expect(phone.get_by_role("heading", name=BUREAU_A)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "reviewer-home-phone")

    phone.get_by_role("button", name="退出", exact=True).click()
    # The provider asks to confirm signing out there too, then returns to the portal's sign-in page.
    phone.get_by_role("button", name=re.compile("sign me out", re.I)).click()
    expect(phone).to_have_url(f"{server}/t/{tenant.slug}/review/login")
    phone.goto(f"{server}/t/{tenant.slug}/review/")
    expect(phone).to_have_url(re.compile(r"/review/login"))


def test_an_administrator_registers_the_bureau_provider(page: Page, server: str, tenant) -> None:
    make_bureau(tenant, BUREAU_A)
    page.goto(f"{server}/t/{tenant.slug}/login")
    page.get_by_label("邮箱").fill(tenant.admin_email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{server}/t/{tenant.slug}/sso/connections/new")
    page.locator("#bureau_id").select_option(label=BUREAU_A)
    page.locator("#name").fill("锦江城管统一认证")
    page.locator("#issuer").fill("http://id.cgj.example.gov.cn/realms/jj")  # not https: refused
    page.locator("#client_id").fill("paiqian")
    page.locator("#client_secret").fill("s3cret-value")
    page.locator("#allowed_domains").fill(DOMAIN)
    page.locator("form.form-grid button[type=submit]").click()
    expect(page.locator("#issuer-error")).to_be_visible()
    screenshot(page, "sso-connection-refused")
    page.locator("#issuer").fill("https://id.cgj.example.gov.cn/realms/jj")
    page.locator("#client_secret").fill("s3cret-value")  # a password field is never filled back in
    page.locator("form.form-grid button[type=submit]").click()
    expect(page.get_by_text(re.compile(r"/sso/\d+/callback"))).to_be_visible()
    screenshot(page, "sso-connection-saved")
