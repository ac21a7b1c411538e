"""Two failing results in a row raise the dismissal-review alert; the rating charts render as SVG."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole
from service.compliance.engine import recompute_tenant
from service.compliance.models import ComplianceAlert
from tenants.isolation import tenant_session
from tests.support.assessment_results import publish
from tests.support.factories import make_worker

TODAY = clock.today()


def _three_periods(tenant, results_by_period) -> None:
    for i, results in enumerate(results_by_period):
        start = TODAY - timedelta(days=100 - 31 * i)
        publish(
            tenant,
            f"第{i + 1}月",
            start,
            start + timedelta(days=29),
            start + timedelta(days=30),
            results,
        )


def _alerts(tenant) -> dict[int, ComplianceAlert]:
    with tenant_session(tenant.id) as db:
        return {
            a.worker_id: a
            for a in db.exec(
                select(ComplianceAlert).where(ComplianceAlert.rule == "assessment_failed_twice", ComplianceAlert.open)
            )
        }


def test_two_consecutive_failures_raise_the_dismissal_review_alert(tenant, settings, signed_in) -> None:
    twice = make_worker(settings, tenant)
    apart = make_worker(settings, tenant)
    _three_periods(
        tenant,
        [
            {twice.id: ("90", "good"), apart.id: ("50", "fails")},
            {twice.id: ("55", "fails"), apart.id: ("80", "meets")},
            {twice.id: ("52", "fails"), apart.id: ("51", "fails")},
        ],
    )
    with tenant_session(tenant.id) as db:
        recompute_tenant(db, TODAY)
    alerts = _alerts(tenant)
    assert set(alerts) == {twice.id}
    assert alerts[twice.id].params["count"] == 2
    client = signed_in(tenant, StaffRole.HR_CLERK)
    page = client.get(f"/t/{tenant.slug}/compliance")
    assert page.status_code == 200 and twice.name in page.text


def test_the_charts_render_as_svg_by_bureau_and_post_line(tenant, settings, signed_in) -> None:
    a = make_worker(settings, tenant, post_line="扬尘管控")
    b = make_worker(settings, tenant, post_line="市容市貌")
    _three_periods(
        tenant,
        [
            {a.id: ("95", "excellent"), b.id: ("50", "fails")},
            {a.id: ("85", "good"), b.id: ("75", "meets")},
        ],
    )
    client = signed_in(tenant, StaffRole.VIEWER)
    for query in ("", "?by=post_line", "?by=post_line&group=扬尘管控&kind=monthly", "?by=nonsense&kind=<x>"):
        page = client.get(f"/t/{tenant.slug}/charts/assessment{query}")
        assert page.status_code == 200
        assert page.text.count("<svg") == 2 and "<script" not in page.text
        assert 'viewBox="0 0 340' in page.text
    page = client.get(f"/t/{tenant.slug}/charts/assessment?by=post_line")
    assert "扬尘管控" in page.text and "polyline" in page.text
    assert a.client_bureau in client.get(f"/t/{tenant.slug}/charts/assessment").text  # grouped by the bureau's name


def test_the_charts_page_without_results_says_so(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ASSESSOR)
    page = client.get(f"/t/{tenant.slug}/charts/assessment")
    assert page.status_code == 200 and "<svg" not in page.text
