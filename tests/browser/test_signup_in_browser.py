"""A dispatch company signs up in a real browser, lands in its empty tenant,
imports its roster from Excel, and Stripe bills it for the workers imported.

Stripe is localstripe on 127.0.0.1 (tests/support/stripe_server.py); the
server under test is started here with the Stripe settings pointing at it.
The billing sync that the CronJob runs every few minutes is run by the test.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect
from sqlmodel import select

from service.app import create_app
from service.billing import gateway
from service.billing.models import TenantBilling
from service.billing.subscriptions import process_due, setup_plans
from service.settings import Settings
from tenants.isolation import control_session
from tenants.models import Tenant
from tests.browser.conftest import _free_port, screenshot
from tests.support.factories import TenantFixture, make_bureau
from tests.support.sheets import SHEET_BUREAU, SHEET_UNIT, row, workbook
from tests.support.stripe_server import WEBHOOK_SECRET, localstripe_url  # noqa: F401


@pytest.fixture(scope="module")
def billing_server(settings: Settings, localstripe_url: str) -> Iterator[tuple[str, Settings]]:  # noqa: F811
    configured = dataclasses.replace(
        settings,
        stripe_secret_key="sk_test_browser",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe_url,
        billing_sync_delay_seconds=0,
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(configured), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", configured
    server.should_exit = True
    thread.join(timeout=10)


def test_a_company_signs_up_imports_its_workers_and_is_billed_for_them(
    page: Page, phone: Page, billing_server, tmp_path: Path
) -> None:
    server, configured = billing_server
    setup_plans(configured, lambda _line: None)

    phone.goto(f"{server}/signup")
    screenshot(phone, "signup-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(f"{server}/signup")
    page.locator("#name").fill("蓉城劳务派遣有限公司")
    page.locator("#credit_code").fill("91440300708461136t")  # lower case, as people type it
    page.locator("#licence_number").fill("510100202400031")
    page.locator("#licence_expires_on").fill((date.today() + timedelta(days=900)).isoformat())
    page.locator("#slug").fill("rongcheng")
    page.locator("#admin_name").fill("陈主管")
    page.locator("#admin_email").fill("chen@rongcheng.test")
    page.locator("#password").fill("Rongcheng-2026")
    screenshot(page, "signup-filled")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(f"{server}/t/rongcheng/welcome")
    expect(page.locator("main h1")).to_contain_text("蓉城劳务派遣有限公司")
    screenshot(page, "signup-welcome")
    with control_session() as db:
        tenant = db.exec(select(Tenant).where(Tenant.slug == "rongcheng")).one()
        billing = db.get(TenantBilling, tenant.id)
    assert billing.stripe_subscription_id and billing.billed_quantity == 1

    # the roster names its client bureau, which the company records first (bureaus page)
    make_bureau(TenantFixture(tenant, "chen@rongcheng.test"), SHEET_BUREAU, SHEET_UNIT)
    page.locator("main a[href='/t/rongcheng/workers/import']").click()
    sheet = tmp_path / "花名册.xlsx"
    sheet.write_bytes(workbook([row(1), row(2), row(3), row(4, 状态="已离职")]))
    page.get_by_label("Excel 文件").set_input_files(str(sheet))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.get_by_role("status")).to_contain_text("新增 4")

    assert process_due(configured) == 1  # `paiqian billing sync`, as the CronJob runs it
    with control_session() as db:
        billing = db.get(TenantBilling, tenant.id)
    assert billing.billed_quantity == 3  # the three on the job; the one who left is not billed
    subscription = gateway.retrieve_subscription(configured, billing.stripe_subscription_id)
    assert gateway.subscription_item(subscription)[1] == 3

    page.goto(f"{server}/t/rongcheng/billing")
    expect(page.locator("main")).to_contain_text("3")
    screenshot(page, "signup-billing")


def test_the_operator_console_on_a_phone(phone: Page, billing_server, tenant, settings) -> None:
    from tests.support.factories import PASSWORD, make_worker
    from tests.support.operators import make_operator

    server, _configured = billing_server
    make_worker(settings, tenant)
    email = make_operator()
    phone.goto(f"{server}/ops/")
    expect(phone).to_have_url(f"{server}/ops/login")
    phone.locator("#email").fill(email)
    phone.locator("#password").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator(f"a[href='/ops/tenants/{tenant.slug}']")).to_be_visible()
    screenshot(phone, "ops-tenants-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.locator(f"a[href='/ops/tenants/{tenant.slug}']").click()
    expect(phone.locator("main h1")).to_contain_text(tenant.tenant.name)
    screenshot(phone, "ops-tenant-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
