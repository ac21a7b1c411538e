"""An assessor on a phone: records points for a squad on one page, sees the running total and the period."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect

from service import clock
from service.accounts.models import StaffRole
from service.assessment import actions
from service.assessment.inputs import parse_item, parse_period
from service.audit import SYSTEM
from tenants.isolation import tenant_session
from tests.browser.conftest import screenshot
from tests.browser.test_roster_in_browser import sign_in
from tests.support.factories import make_staff, make_worker


def test_squad_entry_on_a_phone(phone: Page, server: str, settings, tenant) -> None:
    today = clock.today()
    squad = [make_worker(settings, tenant, unit="机动中队") for _ in range(3)]
    with tenant_session(tenant.id) as db:
        actions.create_item(
            db,
            parse_item(
                {
                    "code": "A01",
                    "name": "迟到早退",
                    "category": "attendance",
                    "min_points": "-2",
                    "max_points": "-1",
                    "period_cap": "3",
                    "effective_from": (today - timedelta(days=60)).isoformat(),
                },
                {},  # no bureau to name
            ),
            actor=SYSTEM,
        )
        period = actions.create_period(
            db,
            parse_period(
                {
                    "kind": "monthly",
                    "name": "本月考核",
                    "starts_on": (today - timedelta(days=20)).isoformat(),
                    "ends_on": today.isoformat(),
                    "weight_daily": "100",
                    "cutoff_excellent": "99",
                    "cutoff_good": "90",
                    "cutoff_meets": "80",
                    "cutoff_basic": "60",
                    "quota_excellent": "50",
                },
                {},  # no bureau to name
            ),
            actor=SYSTEM,
        )
    sign_in(phone, server, tenant.slug, make_staff(tenant, StaffRole.ASSESSOR))
    phone.goto(f"{server}/t/{tenant.slug}/assessment/records?unit=机动中队")
    phone.locator("select[name=item_id]").select_option(label="A01 迟到早退 (-2.00 … -1.00)")
    phone.locator("input[name=points]").fill("-1")
    for worker in squad[:2]:
        phone.locator(f"input[name=workers][value='{worker.id}']").check()
    phone.locator(f"input[name=points_{squad[1].id}]").fill("-2")
    screenshot(phone, "assessment-entry-phone")
    phone.locator("form.card button[type=submit]").click()
    expect(phone.locator(".notice")).to_be_visible()
    expect(phone.locator("table.responsive").last).to_contain_text(squad[1].name)
    screenshot(phone, "assessment-recorded-phone")
    with tenant_session(tenant.id) as db:
        from service.assessment.models import AssessmentPeriod

        actions.compute_results(db, db.get(AssessmentPeriod, (tenant.id, period.id)), actor=SYSTEM)
    phone.goto(f"{server}/t/{tenant.slug}/assessment/periods/{period.id}")
    expect(phone.locator("h1")).to_contain_text("本月考核")
    screenshot(phone, "assessment-period-phone")
    phone.goto(f"{server}/t/{tenant.slug}/assessment/workers/{squad[1].id}")
    expect(phone.locator("dd strong")).to_have_text(str(Decimal("98.00")))
    screenshot(phone, "assessment-worker-phone")
