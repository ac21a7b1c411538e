"""Salary bands: versions by date and scope, the worker's band, refusals, isolation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select

from service.accounts.models import StaffRole
from service.assessment.ratings import Rating
from service.audit import SYSTEM, AuditEntry
from service.payroll.bands import actions
from service.payroll.bands.models import SalaryBandCell, SalaryBandTable
from service.payroll.bands.rules import RATINGS, cell_field, form_fields
from service.workforce.models import GRADES, Worker
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.web import csrf_from

D = Decimal
BUREAU = "成都市锦江区城市管理和综合行政执法局"  # the factories' default bureau


def form(post: int = 2000, **changes: str) -> dict[str, str]:
    values = dict.fromkeys(form_fields(), "")
    values["effective_from"] = "2026-01-01"
    for g in GRADES:
        for r in RATINGS:
            values[cell_field(g, r, "post_pay")] = str(post)
            values[cell_field(g, r, "grade_pay")] = str(100 * g)
            values[cell_field(g, r, "performance_pay")] = str(500 - 100 * r.rank)
    values.update(changes)
    return values


def post_form(client, tenant, values: dict[str, str], path: str = "/salary-bands"):
    token = csrf_from(client.get(f"/t/{tenant.slug}/salary-bands/new").text)
    return client.post(f"/t/{tenant.slug}{path}", data={"_csrf": token, **values}, follow_redirects=False)


def band(tenant, worker_id: int, on: date):
    with tenant_session(tenant.id) as db:
        worker = db.get(Worker, (tenant.id, worker_id))
        return actions.band_for_worker(db, worker, on)


def rate(tenant, worker_id: int, rating: Rating | None) -> None:
    with tenant_session(tenant.id) as db:
        actions.set_assessment_rating(db, db.get(Worker, (tenant.id, worker_id)), rating, actor=SYSTEM)


def counts(tenant) -> tuple[int, int, int]:
    with tenant_session(tenant.id) as db:
        return (
            db.exec(select(func.count()).select_from(SalaryBandTable)).one(),
            db.exec(select(func.count()).select_from(SalaryBandCell)).one(),
            db.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "salary_band_table")).one(),
        )


def test_a_version_gives_the_worker_band_by_grade_and_rating(tenant, signed_in, settings) -> None:
    worker = make_worker(settings, tenant, grade=3)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    response = post_form(client, tenant, form(note="2026 年薪酬标准"))
    assert response.status_code == 303, response.text
    assert counts(tenant) == (1, 25, 1)

    assert band(tenant, worker.id, date(2025, 12, 31)) is None  # before the first version
    _table, cell = band(tenant, worker.id, date(2026, 1, 1))
    assert (cell.grade, cell.rating) == (3, actions.DEFAULT_RATING)  # not rated yet: 达标
    assert (cell.post_pay, cell.grade_pay, cell.performance_pay) == (D("2000"), D("300"), D("300"))
    rate(tenant, worker.id, Rating.EXCELLENT)
    _, cell = band(tenant, worker.id, date(2026, 1, 1))
    assert cell.rating is Rating.EXCELLENT and cell.performance_pay == D("500")

    page = client.get(f"/t/{tenant.slug}/salary-bands")
    assert page.status_code == 200 and "2026-01-01" in page.text and "2026 年薪酬标准" in page.text
    assert "2,000.00" in page.text
    with tenant_session(tenant.id) as db:
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "salary_band.create")).one()
        assert entry.after["cells"]["3-good"]["post_pay"] == "2000.00" and entry.actor_kind == "staff"


def test_a_later_version_takes_over_from_its_date_and_the_form_is_prefilled(tenant, signed_in, settings) -> None:
    worker = make_worker(settings, tenant, grade=2)
    client = signed_in(tenant, StaffRole.ADMIN)
    assert post_form(client, tenant, form()).status_code == 303
    new_form = client.get(f"/t/{tenant.slug}/salary-bands/new").text
    assert 'name="cell-2-good-post_pay" value="2000.00"' in new_form
    coefficients = form(post=2500, effective_from="2027-01-01")
    coefficients["performance_base"] = "1000"  # coefficient cells need the table's base
    for g in GRADES:
        for r in RATINGS:
            coefficients[cell_field(g, r, "performance_pay")] = ""
            coefficients[cell_field(g, r, "performance_coefficient")] = "1.1"
    assert post_form(client, tenant, coefficients).status_code == 303
    assert band(tenant, worker.id, date(2026, 12, 31))[1].post_pay == D("2000")
    _, cell = band(tenant, worker.id, date(2027, 1, 1))
    assert cell.post_pay == D("2500") and cell.performance_coefficient == D("1.100") and cell.performance_pay is None

    # A second version on the same date for the same scope is refused; correcting works.
    again = post_form(client, tenant, form(effective_from="2027-01-01"))
    assert again.status_code == 400 and 'id="effective_from-error"' in again.text
    with tenant_session(tenant.id) as db:
        first = next(v for v in actions.all_versions(db) if v.effective_from == date(2026, 1, 1))
    edit = client.get(f"/t/{tenant.slug}/salary-bands/{first.id}/edit")
    assert edit.status_code == 200
    corrected = post_form(client, tenant, form(post=2100), path=f"/salary-bands/{first.id}")
    assert corrected.status_code == 303, corrected.text
    assert band(tenant, worker.id, date(2026, 6, 1))[1].post_pay == D("2100")
    with tenant_session(tenant.id) as db:
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "salary_band.correct")).one()
        assert entry.before["cells"]["1-good"]["post_pay"] == "2000.00"
        assert entry.after["cells"]["1-good"]["post_pay"] == "2100.00"


def test_a_bureau_table_beats_the_tenant_wide_one(tenant, signed_in, settings) -> None:
    ours = make_worker(settings, tenant, grade=1)
    elsewhere = make_worker(settings, tenant, grade=1, client_bureau="成都市武侯区城市管理局")
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    assert post_form(client, tenant, form(effective_from="2026-01-01")).status_code == 303
    assert post_form(client, tenant, form(post=3000, client_bureau=BUREAU, effective_from="2026-03-01")).status_code == 303
    assert post_form(client, tenant, form(post=2200, effective_from="2026-06-01")).status_code == 303
    assert band(tenant, ours.id, date(2026, 2, 28))[1].post_pay == D("2000")
    table, cell = band(tenant, ours.id, date(2026, 3, 1))
    assert table.client_bureau == BUREAU and cell.post_pay == D("3000")
    assert band(tenant, ours.id, date(2026, 7, 1))[1].post_pay == D("3000")  # newer tenant-wide does not win
    assert band(tenant, elsewhere.id, date(2026, 7, 1))[1].post_pay == D("2200")
    page = client.get(f"/t/{tenant.slug}/salary-bands").text
    assert BUREAU in page and "3,000.00" in page


def test_bad_input_is_refused_with_nothing_written(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    cases = [
        (form(**{"cell-3-good-post_pay": "-1"}), "cell-3-good-post_pay"),
        (form(**{"cell-5-fails-grade_pay": ""}), "cell-5-fails-grade_pay"),
        (form(**{"cell-2-basic-post_pay": "两千"}), "cell-2-basic-post_pay"),
        (form(**{"cell-1-excellent-performance_pay": ""}), "cell-1-excellent-performance_pay"),
        (form(**{"cell-4-meets-performance_coefficient": "1.2"}), "cell-4-meets-performance_pay"),
        (form(effective_from="2026-13-01"), "effective_from"),
        (form(client_bureau="没有这个局"), "client_bureau"),  # a bureau the tenant does not have
    ]
    for values, field in cases:
        response = post_form(client, tenant, values)
        assert response.status_code == 400, (field, response.status_code)
        assert f'id="{field}-error"' in response.text, field
    missing = form()
    del missing["cell-3-meets-post_pay"]
    response = post_form(client, tenant, missing)
    assert response.status_code == 400 and 'id="cell-3-meets-post_pay-error"' in response.text
    assert counts(tenant) == (0, 0, 0)


def test_roles_and_other_tenants(tenant, other_tenant, signed_in, client, settings) -> None:
    worker = make_worker(settings, other_tenant, grade=1)
    signed = signed_in(tenant, StaffRole.ADMIN)
    assert post_form(signed, tenant, form()).status_code == 303
    with tenant_session(tenant.id) as db:
        ours = actions.all_versions(db)[0]
    assert band(other_tenant, worker.id, date(2026, 6, 1)) is None  # our table is not theirs
    assert counts(other_tenant) == (0, 0, 0)
    assert signed.get(f"/t/{tenant.slug}/salary-bands/{ours.id}/edit").status_code == 200
    # Signed in as the other tenant, our version does not exist.
    other = signed_in(other_tenant, StaffRole.ADMIN)
    assert other.get(f"/t/{other_tenant.slug}/salary-bands/{ours.id}/edit").status_code == 404
    assert "2,000.00" not in other.get(f"/t/{other_tenant.slug}/salary-bands").text
    # An HR clerk reads but does not write.
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    assert hr.get(f"/t/{tenant.slug}/salary-bands").status_code == 200
    assert hr.get(f"/t/{tenant.slug}/salary-bands/new").status_code == 403


def test_a_version_from_off_the_calendar_is_refused_beside_its_date_when_added_and_corrected(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    refused = post_form(client, tenant, form(effective_from="0001-01-01"))
    assert refused.status_code == 400 and 'id="effective_from-error"' in refused.text
    assert post_form(client, tenant, form()).status_code == 303
    with tenant_session(tenant.id) as db:
        table_id = actions.all_versions(db)[0].id
    corrected = post_form(client, tenant, form(effective_from="0001-01-01"), path=f"/salary-bands/{table_id}")
    assert corrected.status_code == 400 and 'id="effective_from-error"' in corrected.text
    assert "2026-01-01" in corrected.text  # the version shown again is the one stored, read afresh
