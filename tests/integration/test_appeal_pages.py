"""Appeals against published results: the window, who may answer, upheld re-publishes, rejected keeps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole
from service.assessment.appeals.models import Appeal
from service.assessment.models import AssessmentResult
from service.audit import AuditEntry
from service.workforce.models import Worker
from tenants.isolation import tenant_session
from tests.support.assessment_results import publish, record_points, staff_id
from tests.support.factories import make_staff, make_worker
from tests.support.web import csrf_from, sign_in

TODAY = clock.today()


def _published_result(tenant, settings, *, published_days_ago: int = 1, rating: str = "basic"):
    worker = make_worker(settings, tenant)
    start = TODAY - timedelta(days=40)
    ids = publish(
        tenant,
        "十月月度考核",
        start,
        start + timedelta(days=30),
        TODAY - timedelta(days=published_days_ago),
        {worker.id: ("72.50", rating)},
    )
    return worker, ids[worker.id], start


def _file(client, tenant, worker_id: int, result_id: int, reason: str = "当天请假已获批准，不应记迟到"):
    page = client.get(f"/t/{tenant.slug}/appeals/new/{worker_id}")
    assert page.status_code == 200
    return client.post(
        f"/t/{tenant.slug}/appeals/new/{worker_id}",
        data={"_csrf": csrf_from(page.text), "result_id": str(result_id), "reason": reason},
        follow_redirects=False,
    )


def _appeals(tenant) -> list[Appeal]:
    with tenant_session(tenant.id) as db:
        return list(db.exec(select(Appeal).where(Appeal.tenant_id == tenant.id)).all())


def _answer(client, tenant, appeal_id: int, **fields: str):
    page = client.get(f"/t/{tenant.slug}/appeals/{appeal_id}")
    assert page.status_code == 200
    return client.post(
        f"/t/{tenant.slug}/appeals/{appeal_id}/answer", data={"_csrf": csrf_from(page.text), **fields}, follow_redirects=False
    )


def test_an_appeal_within_the_window_is_filed_and_audited(tenant, settings, signed_in) -> None:
    worker, result_id, _ = _published_result(tenant, settings)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    index = client.get(f"/t/{tenant.slug}/appeals")
    assert f"/appeals/new/{worker.id}" in index.text  # open to appeal, on the worker's behalf
    assert client.get(f"/t/{tenant.slug}/appeals?q=%25_%5C").status_code == 200
    response = _file(client, tenant, worker.id, result_id)
    assert response.status_code == 303, response.text
    [appeal] = _appeals(tenant)
    assert appeal.status == "open" and appeal.original_rating == "basic" and appeal.revision == 1
    with tenant_session(tenant.id) as db:
        actions = db.exec(select(AuditEntry.action).where(AuditEntry.tenant_id == tenant.id)).all()
    assert "appeal.file" in actions
    listing = client.get(f"/t/{tenant.slug}/appeals")
    assert worker.name in listing.text


def test_an_appeal_after_the_window_is_refused_and_nothing_written(tenant, settings, signed_in) -> None:
    worker, result_id, _ = _published_result(tenant, settings, published_days_ago=8)  # default window: 7 days
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = _file(client, tenant, worker.id, result_id)
    assert response.status_code == 400
    assert "申诉期限已于" in response.text
    assert _appeals(tenant) == []


def test_the_window_is_configurable_and_its_last_day_counts(tenant, settings, signed_in) -> None:
    worker, result_id, _ = _published_result(tenant, settings, published_days_ago=10)
    client = signed_in(tenant, StaffRole.ADMIN)
    token = csrf_from(client.get(f"/t/{tenant.slug}/appeals").text)
    bad = client.post(f"/t/{tenant.slug}/appeals/settings", data={"_csrf": token, "window_days": "0"}, follow_redirects=False)
    assert bad.status_code == 400
    ok = client.post(f"/t/{tenant.slug}/appeals/settings", data={"_csrf": token, "window_days": "10"}, follow_redirects=False)
    assert ok.status_code == 303
    assert _file(client, tenant, worker.id, result_id).status_code == 303  # day 10 of 10


def test_an_empty_reason_is_refused_next_to_the_field(tenant, settings, signed_in) -> None:
    worker, result_id, _ = _published_result(tenant, settings)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = _file(client, tenant, worker.id, result_id, reason="  ")
    assert response.status_code == 400 and "field-error" in response.text
    assert _appeals(tenant) == []


def test_the_recorder_cannot_answer_another_assessor_upholds_and_the_result_is_republished(
    tenant,
    settings,
    client,
) -> None:
    worker, result_id, start = _published_result(tenant, settings)
    recorder_email = make_staff(tenant, StaffRole.ASSESSOR)
    record_points(tenant, worker.id, start + timedelta(days=3), staff_id(tenant, recorder_email))
    other_email = make_staff(tenant, StaffRole.ASSESSOR)

    sign_in(client, tenant.slug, tenant.admin_email)
    assert _file(client, tenant, worker.id, result_id).status_code == 303
    [appeal] = _appeals(tenant)

    client.cookies.clear()
    sign_in(client, tenant.slug, recorder_email)
    refused = _answer(client, tenant, appeal.id, decision="upheld", new_score="81.00", new_rating="meets")
    assert refused.status_code == 400
    [still] = _appeals(tenant)
    assert still.status == "open"

    client.cookies.clear()
    sign_in(client, tenant.slug, other_email)
    upheld = _answer(client, tenant, appeal.id, decision="upheld", new_score="81.00", new_rating="meets")
    assert upheld.status_code == 303, upheld.text
    [answered] = _appeals(tenant)
    assert answered.status == "upheld" and answered.new_rating == "meets"
    with tenant_session(tenant.id) as db:
        result = db.exec(select(AssessmentResult).where(AssessmentResult.id == result_id)).one()
        rating = db.exec(select(Worker.assessment_rating).where(Worker.id == worker.id)).one()
        actions = db.exec(select(AuditEntry.action).where(AuditEntry.tenant_id == tenant.id)).all()
    assert (result.rating, str(result.score), result.revision) == ("meets", "81.00", 2)
    assert rating == "meets"  # the rating payroll reads: the next run pays the new band
    assert {"appeal.upheld", "assessment_result.republish"} <= set(actions)


def test_a_rejected_appeal_needs_an_explanation_and_keeps_the_result(tenant, settings, client) -> None:
    worker, result_id, _ = _published_result(tenant, settings)
    sign_in(client, tenant.slug, tenant.admin_email)
    assert _file(client, tenant, worker.id, result_id).status_code == 303
    [appeal] = _appeals(tenant)
    client.cookies.clear()
    sign_in(client, tenant.slug, make_staff(tenant, StaffRole.ASSESSOR))
    missing = _answer(client, tenant, appeal.id, decision="rejected", explanation="")
    assert missing.status_code == 400 and "field-error" in missing.text
    rejected = _answer(client, tenant, appeal.id, decision="rejected", explanation="考勤记录显示当天未请假。")
    assert rejected.status_code == 303
    [answered] = _appeals(tenant)
    assert answered.status == "rejected" and answered.new_score is None
    with tenant_session(tenant.id) as db:
        result = db.exec(select(AssessmentResult).where(AssessmentResult.id == result_id)).one()
    assert (result.rating, result.revision) == ("basic", 1)
    again = _answer(client, tenant, appeal.id, decision="rejected", explanation="再次")
    assert again.status_code == 400


def test_a_second_open_appeal_on_the_same_result_is_refused(tenant, settings, signed_in) -> None:
    worker, result_id, _ = _published_result(tenant, settings)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert _file(client, tenant, worker.id, result_id).status_code == 303
    assert _file(client, tenant, worker.id, result_id).status_code == 400
    assert len(_appeals(tenant)) == 1


def test_a_viewer_cannot_answer(tenant, settings, signed_in) -> None:
    _worker, _result_id, _ = _published_result(tenant, settings)
    with tenant_session(tenant.id) as db:
        db.execute(text("select 1"))
    client = signed_in(tenant, StaffRole.VIEWER)
    assert client.get(f"/t/{tenant.slug}/appeals", follow_redirects=False).status_code == 403


def test_the_worker_appeals_from_the_portal_and_sees_the_answer(tenant, settings, client) -> None:
    from tests.support.portal import make_assistant

    worker, result_id, _ = _published_result(tenant, settings)
    _other, other_result, _ = _published_result(tenant, settings)
    make_assistant(client, tenant, worker)
    page = client.get(f"/t/{tenant.slug}/my/appeals")
    assert page.status_code == 200 and "十月月度考核" in page.text
    token = csrf_from(page.text)
    # Another worker's result is not theirs to appeal.
    foreign = client.post(
        f"/t/{tenant.slug}/my/appeals",
        data={"_csrf": token, "result_id": str(other_result), "reason": "不是我的"},
        follow_redirects=False,
    )
    assert foreign.status_code == 400
    filed = client.post(
        f"/t/{tenant.slug}/my/appeals",
        data={"_csrf": token, "result_id": str(result_id), "reason": "巡查记录有误"},
        follow_redirects=False,
    )
    assert filed.status_code == 303
    [appeal] = _appeals(tenant)
    assert (appeal.worker_id, appeal.filed_by_kind) == (worker.id, "assistant")
    # Staff pages stay closed to the assistant.
    assert client.get(f"/t/{tenant.slug}/appeals", follow_redirects=False).status_code == 403

    client.cookies.clear()
    sign_in(client, tenant.slug, make_staff(tenant, StaffRole.ASSESSOR))
    assert _answer(client, tenant, appeal.id, decision="rejected", explanation="记录核实无误").status_code == 303
