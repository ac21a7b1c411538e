"""On a phone: points recorded for a squad, the period published, the worker appeals in the portal,
the recorder may not answer, another assessor upholds and the rating changes; then the charts and a
grade campaign, all readable at 375 px."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect
from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole, StaffUser
from service.assessment import actions
from service.assessment.inputs import parse_item, parse_period
from service.assessment.models import AssessmentItem, AssessmentPeriod
from service.audit import SYSTEM, Actor
from service.workforce.models import Education, Worker
from tenants.isolation import tenant_session
from tests.browser.conftest import screenshot
from tests.browser.test_roster_in_browser import sign_in
from tests.support.factories import make_staff, make_worker
from tests.support.portal import ASSISTANT_PASSWORD, invite


def _fits(tab: Page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375 + 1


def _staff(tenant, email: str) -> Actor:
    with tenant_session(tenant.id) as db:
        user = db.exec(select(StaffUser).where(StaffUser.email == email)).one()
    return Actor("staff", user.id, user.display_name)


def test_appeal_upheld_changes_the_rating(phone: Page, server: str, settings, tenant) -> None:
    today = clock.today()
    squad = [make_worker(settings, tenant, unit="机动中队", phone=f"1390000010{i}") for i in range(3)]
    recorder_email = make_staff(tenant, StaffRole.ASSESSOR)
    recorder = _staff(tenant, recorder_email)
    with tenant_session(tenant.id) as db:
        actions.create_item(
            db,
            parse_item(
                {
                    "code": "A01",
                    "name": "迟到早退",
                    "category": "attendance",
                    "min_points": "-20",
                    "max_points": "-1",
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
                    "name": "上月考核",
                    "starts_on": (today - timedelta(days=30)).isoformat(),
                    "ends_on": (today - timedelta(days=1)).isoformat(),
                    "weight_daily": "100",
                    "cutoff_excellent": "95",
                    "cutoff_good": "90",
                    "cutoff_meets": "80",
                    "cutoff_basic": "60",
                },
                {},  # no bureau to name
            ),
            actor=SYSTEM,
        )
        item = db.exec(select(AssessmentItem)).one()
        actions.record_points(
            db,
            actor=recorder,
            item=item,
            on_date=today - timedelta(days=5),
            points={squad[0].id: Decimal(-15), squad[1].id: Decimal(-2)},
        )
        row = db.get(AssessmentPeriod, (tenant.id, period.id))
        actions.compute_results(db, row, actor=SYSTEM)
        for step in ("submit", "approve", "publish"):
            actions.advance(db, row, step, actor=SYSTEM)
    worker = squad[0]
    with tenant_session(tenant.id) as db:
        assert db.exec(select(Worker.assessment_rating).where(Worker.id == worker.id)).one() == "meets"

    # The worker signs up from the invitation and appeals on the phone.
    phone.goto(f"{server}/t/{tenant.slug}/my/invitation/{invite(tenant, worker)}")
    phone.locator("#password").fill(ASSISTANT_PASSWORD)
    phone.locator("#password_again").fill(ASSISTANT_PASSWORD)
    phone.locator("form.form-grid button[type=submit]").click()
    phone.wait_for_url("**/my/**")
    phone.goto(f"{server}/t/{tenant.slug}/my/appeals")
    expect(phone.locator("h1")).to_be_visible()
    phone.locator("#reason").fill("当天在执勤点协助处置突发事件，并非迟到，有中队长证明。")
    _fits(phone)
    screenshot(phone, "appeal-worker-phone")
    phone.locator("form.form-grid button[type=submit]").click()
    expect(phone.locator(".notice")).to_be_visible()
    phone.context.clear_cookies()

    # The recorder may not answer.
    sign_in(phone, server, tenant.slug, recorder_email)
    phone.goto(f"{server}/t/{tenant.slug}/appeals")
    phone.get_by_role("link", name=worker.name).first.click()
    phone.locator("#decision").select_option("upheld")
    phone.locator("#new_score").fill("95.00")
    phone.locator("#new_rating").select_option("excellent")
    phone.locator("form.form-grid button[type=submit]").click()
    expect(phone.locator("p.alert").first).to_be_visible()
    phone.context.clear_cookies()

    # Another assessor upholds: the result is re-published and the rating changes.
    sign_in(phone, server, tenant.slug, make_staff(tenant, StaffRole.ASSESSOR))
    phone.goto(f"{server}/t/{tenant.slug}/appeals")
    phone.get_by_role("link", name=worker.name).first.click()
    phone.locator("#decision").select_option("upheld")
    phone.locator("#new_score").fill("95.00")
    phone.locator("#new_rating").select_option("excellent")
    phone.locator("#explanation").fill("经核实，当日属执行临时任务。")
    _fits(phone)
    screenshot(phone, "appeal-answer-phone")
    phone.locator("form.form-grid button[type=submit]").click()
    expect(phone.locator(".notice")).to_be_visible()
    expect(phone.locator("dl.facts")).to_contain_text("95.00")
    screenshot(phone, "appeal-upheld-phone")
    with tenant_session(tenant.id) as db:
        assert db.exec(select(Worker.assessment_rating).where(Worker.id == worker.id)).one() == "excellent"

    phone.goto(f"{server}/t/{tenant.slug}/charts/assessment?by=post_line")
    expect(phone.locator("svg.chart").first).to_be_visible()
    _fits(phone)
    screenshot(phone, "assessment-charts-phone")


def test_grade_campaign_on_a_phone(phone: Page, server: str, settings, tenant) -> None:
    today = clock.today()
    star = make_worker(settings, tenant, grade=5, education=Education.BACHELOR, hire_date=date(2018, 3, 1))
    sign_in(phone, server, tenant.slug, tenant.admin_email)
    phone.goto(f"{server}/t/{tenant.slug}/grades")
    form = phone.locator("#grade-4 form")
    form.locator("select[name=min_education]").select_option("bachelor")
    form.locator("input[name=min_years_of_service]").fill("3")
    form.locator("button[type=submit]").click()
    expect(phone.locator(".notice")).to_be_visible()
    phone.locator("#campaign-name").fill("2026年职级评定")
    phone.locator("#campaign-effective_from").fill((today + timedelta(days=1)).isoformat())
    _fits(phone)
    phone.locator("form[action$='/grades/campaigns'] button[type=submit]").click()
    phone.locator("a[href='?all=1']").click()
    phone.get_by_role("link", name=star.name).click()
    phone.locator("input[name=political_standing_confirmed]").check()
    phone.locator("input[name=fitness_confirmed]").check()
    phone.locator("input[name=conduct_confirmed]").check()
    phone.locator(f"form[action$='/workers/{star.id}'] button[type=submit]").click()
    expect(phone.locator("dl.facts")).to_contain_text("4")
    phone.locator("#body").select_option("establishment_office")
    phone.locator("#reference").fill("锦编办〔2026〕12号")
    phone.locator("form[action$='/decisions'] button[type=submit]").click()
    phone.locator("form[action$='/apply'] button[type=submit]").click()
    expect(phone.locator(".notice")).to_be_visible()
    _fits(phone)
    screenshot(phone, "grade-candidate-phone")
