"""Leave through HTTP: recording on a worker's behalf, approval by someone
else, overlap and balance refusals, rejection, cancellation, 404s."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from service.accounts.models import StaffRole
from service.i18n import translator
from service.workforce.daily_models import LeaveType
from service.workforce.leave import actions as leave
from service.workforce.models import WorkerStatus
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.web import csrf_from, sign_in

T = translator("zh_CN")


def _submit(client, slug: str, worker_id: int, **changes: str):
    token = csrf_from(client.get(f"/t/{slug}/leave/new?worker_id={worker_id}").text)
    form = {
        "worker_id": str(worker_id),
        "leave_type": "annual",
        "start_date": "2024-03-04",
        "end_date": "2024-03-06",
        "reason": "探亲",
    } | changes
    return client.post(f"/t/{slug}/leave", data={"_csrf": token, **form}, follow_redirects=False)


def _act(client, slug: str, request_url: str, action: str, comment: str = ""):
    token = csrf_from(client.get(request_url).text)
    return client.post(f"{request_url}/{action}", data={"_csrf": token, "comment": comment}, follow_redirects=False)


def _statuses(tenant) -> list[str]:
    with tenant_session(tenant.id) as db:
        return db.execute(text("select status from leave_requests order by id")).scalars().all()


def _annual(tenant, worker_id: int, year: int = 2024) -> leave.LeaveBalance:
    with tenant_session(tenant.id) as db:
        from service.workforce.roster.queries import get_worker

        worker = get_worker(db, worker_id)
        return next(b for b in leave.balances(db, worker, year) if b.leave_type is LeaveType.ANNUAL)


def test_a_request_is_recorded_and_approved_by_someone_else(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, name="赵小明", hire_date=date(2020, 3, 1))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    submitted = _submit(client, tenant.slug, worker.id)
    assert submitted.status_code == 303, submitted.text
    url = submitted.headers["location"].split("?")[0]
    page = client.get(url).text
    assert "赵小明" in page and "2024-03-04" in page and "探亲" in page
    assert _annual(tenant, worker.id) == leave.LeaveBalance(LeaveType.ANNUAL, 5, False, 0, 3)

    # The clerk who submitted it may not approve it.
    own = _act(client, tenant.slug, url, "approve")
    assert own.status_code == 400
    assert T("You submitted this request, so someone else must approve or reject it.") in own.text
    assert _statuses(tenant) == ["pending"]

    sign_in(client, tenant.slug, tenant.admin_email)
    approved = _act(client, tenant.slug, url, "approve", "街道办已同意")
    assert approved.status_code == 303
    assert _statuses(tenant) == ["approved"]
    balance = _annual(tenant, worker.id)
    assert (balance.entitlement, balance.used, balance.pending, balance.remaining) == (5, 3, 0, 2)
    assert "街道办已同意" in client.get(url).text
    listing = client.get(f"/t/{tenant.slug}/leave?status=approved").text
    assert "赵小明" in listing
    with tenant_session(tenant.id) as db:
        actions = db.execute(text("select action from audit_log where entity = 'leave_request' order by id")).scalars()
        row = db.execute(text("select submitted_by, decided_by, days from leave_requests")).one()
    assert list(actions) == ["leave.submit", "leave.approve"]
    assert row[0].startswith("测试hr_clerk") and row[1] != row[0] and row[2] == 3


def test_overlapping_leave_is_refused_and_nothing_written(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert _submit(client, tenant.slug, worker.id).status_code == 303  # 4-6 March
    overlapping = _submit(client, tenant.slug, worker.id, leave_type="sick", start_date="2024-03-06", end_date="2024-03-08")
    assert overlapping.status_code == 400
    assert 'id="start_date-error"' in overlapping.text
    assert (
        T("The worker already has leave from {start} to {end}; leave may not overlap.", start="2024-03-04", end="2024-03-06")
        in overlapping.text
    )
    assert _statuses(tenant) == ["pending"]
    adjacent = _submit(client, tenant.slug, worker.id, leave_type="sick", start_date="2024-03-07", end_date="2024-03-08")
    assert adjacent.status_code == 303
    # Another worker's leave on the same days is no overlap.
    other = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    assert _submit(client, tenant.slug, other.id).status_code == 303


def test_annual_leave_beyond_the_balance_is_refused(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2020, 3, 1))  # 4 years in 2024: 5 days
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert _submit(client, tenant.slug, worker.id).status_code == 303  # 3 days pending
    too_many = _submit(client, tenant.slug, worker.id, start_date="2024-04-01", end_date="2024-04-03")
    assert too_many.status_code == 400 and 'id="end_date-error"' in too_many.text
    assert _statuses(tenant) == ["pending"]
    # HR knows of earlier employers: twelve years of work in all, ten days.
    token = csrf_from(client.get(f"/t/{tenant.slug}/workers/{worker.id}").text)
    saved = client.post(
        f"/t/{tenant.slug}/leave/entitlement",
        follow_redirects=False,
        data={"_csrf": token, "worker_id": str(worker.id), "year": "2024", "leave_type": "annual", "days": "10"},
    )
    assert saved.status_code == 303
    assert _submit(client, tenant.slug, worker.id, start_date="2024-04-01", end_date="2024-04-03").status_code == 303
    assert _annual(tenant, worker.id).entitlement == 10
    bad = client.post(
        f"/t/{tenant.slug}/leave/entitlement",
        data={"_csrf": token, "worker_id": str(worker.id), "year": "2024", "leave_type": "annual", "days": "400"},
    )
    assert bad.status_code == 400 and 'id="days-error"' in bad.text


def test_bad_requests_and_workers_not_employed_are_refused(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    gone = make_worker(settings, tenant, hire_date=date(2020, 3, 1), status=WorkerStatus.LEFT)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    cases = [
        ({"end_date": "2024-03-01"}, "end_date"),
        ({"leave_type": "vacation"}, "leave_type"),
        ({"start_date": "2019-03-04", "end_date": "2019-03-05"}, "start_date"),  # before the hire date
        ({"start_date": "2024-03-09", "end_date": "2024-03-10"}, "end_date"),  # a weekend
        ({"start_date": "not a date"}, "start_date"),
    ]
    for changes, field in cases:
        response = _submit(client, tenant.slug, worker.id, **changes)
        assert response.status_code == 400, changes
        assert f'id="{field}-error"' in response.text, changes
    refused = _submit(client, tenant.slug, gone.id)
    assert refused.status_code == 400 and 'id="worker_id-error"' in refused.text
    assert _statuses(tenant) == []


def test_rejection_needs_a_reason_and_cancelling_frees_the_days(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    first = _submit(client, tenant.slug, worker.id).headers["location"].split("?")[0]
    second = _submit(client, tenant.slug, worker.id, start_date="2024-05-06", end_date="2024-05-07")
    second = second.headers["location"].split("?")[0]
    sign_in(client, tenant.slug, tenant.admin_email)
    no_reason = _act(client, tenant.slug, first, "reject")
    assert no_reason.status_code == 400 and 'id="comment-error"' in no_reason.text
    assert _act(client, tenant.slug, first, "reject", "人手不足").status_code == 303
    assert _act(client, tenant.slug, first, "approve").status_code == 400  # already decided
    assert _act(client, tenant.slug, second, "approve").status_code == 303
    assert _annual(tenant, worker.id).used == 2
    assert _act(client, tenant.slug, second, "cancel").status_code == 303
    assert _statuses(tenant) == ["rejected", "cancelled"]
    assert _annual(tenant, worker.id).used == 0
    assert _act(client, tenant.slug, second, "cancel").status_code == 400
    # The list shows requests awaiting approval first.
    third = _submit(client, tenant.slug, worker.id, start_date="2024-01-08", end_date="2024-01-08")
    assert third.status_code == 303
    listing = client.get(f"/t/{tenant.slug}/leave").text
    assert listing.index("2024-01-08") < listing.index("2024-03-04")


def test_the_worker_page_shows_balances_and_requests(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2000, 1, 3))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    _submit(client, tenant.slug, worker.id)
    page = client.get(f"/t/{tenant.slug}/workers/{worker.id}").text
    assert 'id="leave"' in page and "2024-03-04" in page
    assert T("{days} days", days=15) in page  # 20+ years of work by this year's end
    viewer_page = signed_in(tenant, StaffRole.VIEWER).get(f"/t/{tenant.slug}/leave").text
    assert "2024-03-04" in viewer_page and "/leave/new" not in viewer_page


def test_another_tenants_leave_is_404(signed_in, tenant, other_tenant, settings) -> None:
    theirs = make_worker(settings, other_tenant, hire_date=date(2020, 3, 1))
    with tenant_session(other_tenant.id) as db:
        from service.audit import SYSTEM
        from service.workforce.leave.rules import parse_leave

        data = parse_leave(
            {"worker_id": str(theirs.id), "leave_type": "sick", "start_date": "2024-03-04", "end_date": "2024-03-04"},
            today=date.today(),
        )
        request_id = leave.submit_leave(db, data, actor=SYSTEM).id
    client = signed_in(tenant, StaffRole.ADMIN)
    assert client.get(f"/t/{tenant.slug}/leave/{request_id}").status_code == 404
    assert client.get(f"/t/{tenant.slug}/leave/new?worker_id={theirs.id}").status_code == 404
    token = csrf_from(client.get(f"/t/{tenant.slug}/leave").text)
    assert client.post(f"/t/{tenant.slug}/leave/{request_id}/approve", data={"_csrf": token}).status_code == 404
    refused = client.post(
        f"/t/{tenant.slug}/leave",
        data={
            "_csrf": token,
            "worker_id": str(theirs.id),
            "leave_type": "sick",
            "start_date": "2024-03-04",
            "end_date": "2024-03-04",
        },
    )
    assert refused.status_code == 400
    assert _statuses(other_tenant) == ["pending"]
