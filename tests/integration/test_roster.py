"""The roster through HTTP: create, edit, deactivate, masking, search, audit, 404s."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from service.accounts.models import StaffRole
from service.workforce.identity import make_national_id
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_worker
from tests.support.web import csrf_from


@pytest.fixture(autouse=True)
def _bureaus(tenant) -> None:
    """The bureau and unit the forms name (a form never creates one)."""
    make_bureau(tenant, "成都市锦江区城市管理和综合行政执法局", "春熙路街道中队")


ID_NUMBER = make_national_id("510104", date(1990, 6, 15), 12, "male")


def _form(**changes: str) -> dict[str, str]:
    form = {
        "name": "周建国",
        "id_number": ID_NUMBER,
        "phone": "13912345678",
        "education": "junior_college",
        "hire_date": "2022-03-01",
        "status": "active",
        "post_line": "市容市貌",
        "client_bureau": "成都市锦江区城市管理和综合行政执法局",
        "unit": "春熙路街道中队",
        "grade": "4",
    }
    form.update(changes)
    return form


def _create(client, slug: str, **changes: str):
    token = csrf_from(client.get(f"/t/{slug}/workers/new").text)
    return client.post(f"/t/{slug}/workers", data={"_csrf": token, **_form(**changes)}, follow_redirects=False)


def test_an_hr_clerk_adds_edits_and_deactivates_a_worker(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    created = _create(client, tenant.slug)
    assert created.status_code == 303
    detail_url = created.headers["location"].split("?")[0]
    detail = client.get(detail_url).text
    assert "周建国" in detail and ID_NUMBER in detail  # HR sees the full number
    assert "1990-06-15" in detail  # birth date derived from the ID number
    edit = client.get(detail_url + "/edit").text
    saved = client.post(
        detail_url, data={"_csrf": csrf_from(edit), **_form(grade="3", phone="028-85551234")}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert "028-85551234" in client.get(detail_url).text
    left = client.post(detail_url + "/deactivate", data={"_csrf": csrf_from(edit)}, follow_redirects=False)
    assert left.status_code == 303
    assert "已离职" in client.get(detail_url).text
    with tenant_session(tenant.id) as db:
        actions = db.execute(text("select action from audit_log where entity = 'worker' order by id")).scalars().all()
        stored = db.execute(text("select id_number_cipher, id_number_masked from workers")).one()
        audit_text = db.execute(text("select string_agg(coalesce(after::text, ''), ' ') from audit_log")).scalar()
    assert actions == ["worker.create", "worker.update", "worker.deactivate"]
    assert ID_NUMBER.encode() not in bytes(stored[0])  # encrypted at rest
    assert stored[1] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert ID_NUMBER not in audit_text  # the audit trail keeps only the mask


def test_roles_without_need_see_the_id_number_masked(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, id_number=ID_NUMBER)
    client = signed_in(tenant, StaffRole.VIEWER)
    page = client.get(f"/t/{tenant.slug}/workers/{worker.id}").text
    assert ID_NUMBER not in page and "5101**********" in page
    api = client.get(f"/t/{tenant.slug}/api/workers/{worker.id}").json()
    assert api["id_number"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    export = client.get(f"/t/{tenant.slug}/workers/export").content
    assert ID_NUMBER.encode() not in export


def test_the_list_searches_filters_and_pages(signed_in, tenant, settings) -> None:
    for n in range(55):
        make_worker(settings, tenant, name="王" + "甲乙丙丁戊"[n % 5], grade=1 + n % 5)
    make_worker(settings, tenant, name="欧阳娜", id_number=ID_NUMBER, phone="13700001111")
    client = signed_in(tenant, StaffRole.VIEWER)
    first = client.get(f"/t/{tenant.slug}/workers").text
    assert "共 56 人" in first and "第 1 / 2 页" in first
    assert "欧阳娜" in client.get(f"/t/{tenant.slug}/workers?q=欧阳").text
    assert "欧阳娜" in client.get(f"/t/{tenant.slug}/workers?q={ID_NUMBER}").text
    assert "欧阳娜" in client.get(f"/t/{tenant.slug}/workers?q=1370000").text
    graded = client.get(f"/t/{tenant.slug}/api/workers?q=王甲").json()
    assert graded["total"] == 11
    assert "欧阳娜" not in client.get(f"/t/{tenant.slug}/workers?grade=1").text
    assert client.get(f"/t/{tenant.slug}/workers?page=2").status_code == 200
    assert client.get(f"/t/{tenant.slug}/workers?page=999&grade=x&status=nonsense").status_code == 200


def test_another_tenants_worker_is_404(signed_in, tenant, other_tenant, settings) -> None:
    theirs = make_worker(settings, other_tenant)
    mine = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.ADMIN)
    missing = client.get(f"/t/{tenant.slug}/workers/999999")
    for url in (
        f"/t/{tenant.slug}/workers/{theirs.id}",
        f"/t/{tenant.slug}/api/workers/{theirs.id}",
        f"/t/{tenant.slug}/workers/{theirs.id}/edit",
    ):
        response = client.get(url)
        assert response.status_code == 404
        if "/api/" not in url:  # the same page as for a number that exists nowhere
            assert _heading(response.text) == _heading(missing.text)
    token = csrf_from(client.get(f"/t/{tenant.slug}/workers/{mine.id}").text)
    assert client.post(f"/t/{tenant.slug}/workers/{theirs.id}/deactivate", data={"_csrf": token}).status_code == 404
    assert client.get("/t/no-such-company/login").status_code == 404


def _heading(html: str) -> str:
    return html.split("<h1>")[1].split("</h1>")[0]


def test_a_duplicate_id_number_is_refused_next_to_its_field(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert _create(client, tenant.slug).status_code == 303
    again = _create(client, tenant.slug, name="周建华")
    assert again.status_code == 400
    assert "周建国" in again.text  # says whose number it is
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from workers")).scalar() == 1


def test_the_audit_page_lists_changes_with_filters(signed_in, tenant, settings) -> None:
    make_worker(settings, tenant, name="审计对象")
    client = signed_in(tenant, StaffRole.ADMIN)
    page = client.get(f"/t/{tenant.slug}/audit?entity=worker").text
    assert "worker.create" in page and "审计对象" in page
    assert "staff_user.create" not in page
    assert "worker.create" not in client.get(f"/t/{tenant.slug}/audit?action=staff_user").text


def test_an_unknown_bureau_is_refused_next_to_its_field(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    refused = _create(client, tenant.slug, client_bureau="没有这个局")
    assert refused.status_code == 400 and "没有这个局" in refused.text
    other_unit = _create(client, tenant.slug, unit="别的中队")
    assert other_unit.status_code == 400
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from workers")).scalar() == 0
        assert db.execute(text("select count(*) from client_bureaus")).scalar() == 1


def test_a_hire_date_off_the_calendar_is_refused_beside_its_field_on_both_forms(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    for day in ("0001-01-01", "9999-12-31"):
        refused = _create(client, tenant.slug, hire_date=day)
        assert refused.status_code == 400 and 'id="hire_date-error"' in refused.text, day
        assert "1900" in refused.text
    before_birth = _create(client, tenant.slug, hire_date="1960-01-01")  # the worker is born in 1990
    assert before_birth.status_code == 400 and 'id="hire_date-error"' in before_birth.text
    detail_url = _create(client, tenant.slug).headers["location"].split("?")[0]
    edit = client.get(detail_url + "/edit").text
    refused = client.post(detail_url, data={"_csrf": csrf_from(edit), **_form(hire_date="0001-01-01")})
    assert refused.status_code == 400 and 'id="hire_date-error"' in refused.text
