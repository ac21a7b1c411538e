"""The payroll clerk's pages: runs, register, payslip, approval, publication and the Excel exports."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM
from service.i18n import translator
from service.insurance.actions import set_contribution_base
from service.keys import keys_for
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.runs import actions as runs
from service.payroll.runs.exports import REGISTER_HEADERS, TAX_HEADERS
from service.payroll.runs.models import PayslipRow, RunStatus
from service.workforce.attendance.actions import save_month
from service.workforce.attendance.rules import AttendanceFigures
from service.workforce.models import GRADES, Worker
from service.workforce.roster.actions import reveal_id_number
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_staff, make_worker
from tests.support.web import csrf_from, sign_in

D = Decimal
BUREAU = "成都市锦江区城市管理和综合行政执法局"
FEBRUARY = date(2026, 2, 1)
MARCH = date(2026, 3, 1)


def band_table(tenant, effective_from: date = date(2026, 1, 1)) -> None:
    """The bureau's bands: grade pay is 200 yuan per grade number, so a payslip shows the grade it paid."""
    cells = tuple(
        BandCell(grade=g, rating=r, post_pay=D(2500 + 100 * g), grade_pay=D(200 * g), performance_pay=D(600 - 100 * r.rank))
        for g in GRADES
        for r in RATINGS
    )
    bureau_id = make_bureau(tenant, BUREAU)
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(bureau_id, effective_from, "", cells), actor=SYSTEM)


def seed(settings, tenant) -> list[int]:
    """A band table, three Chengdu workers of the bureau, one with March attendance."""
    band_table(tenant)
    ids = [make_worker(settings, tenant, city="chengdu", grade=g, client_bureau=BUREAU).id for g in (5, 3, 1)]
    with tenant_session(tenant.id) as db:
        set_contribution_base(db, db.get(Worker, (tenant.id, ids[1])), D("6000"), actor=SYSTEM)
        save_month(db, MARCH, {ids[1]: AttendanceFigures(D("20"), D("1.5"), D("10"), D("8"), D("0"))}, actor=SYSTEM)
    return ids


def base(tenant) -> str:
    return f"/t/{tenant.slug}/payroll"


def post(client, url: str, data: dict | None = None, page: str | None = None):
    token = csrf_from(client.get(page or url.rsplit("/", 1)[0]).text)
    return client.post(url, data={"_csrf": token, **(data or {})}, follow_redirects=False)


def create(client, tenant, month: str):
    return client.post(
        base(tenant),
        data={"_csrf": csrf_from(client.get(base(tenant)).text), "month": month, "client_bureau": ""},
        follow_redirects=False,
    )


def run_id_of(response) -> int:
    assert response.status_code == 303, response.text
    return int(re.search(r"/payroll/(\d+)", response.headers["location"]).group(1))


def action(client, tenant, run_id: int, name: str, data: dict | None = None):
    return post(client, f"{base(tenant)}/{run_id}/{name}", data, page=f"{base(tenant)}/{run_id}")


def payslips(tenant, run_id: int) -> list[PayslipRow]:
    with tenant_session(tenant.id) as db:
        return list(db.exec(select(PayslipRow).where(PayslipRow.run_id == run_id)))


def message(msgid: str, **params: object) -> str:
    return html.escape(translator(None)(msgid, **params), quote=False)


def second_clerk(client, tenant) -> None:
    """Sign the client in as a new payroll clerk: the four eyes that check a run someone else calculated.
    The client stays signed in as that clerk."""
    sign_in(client, tenant.slug, make_staff(tenant, StaffRole.PAYROLL_CLERK))


def publish_month(client, tenant, month: str) -> int:
    """Create and calculate the month's run as the signed-in user, then approve and publish it as a second
    clerk (who stays signed in)."""
    run_id = run_id_of(create(client, tenant, month))
    assert action(client, tenant, run_id, "calculate").status_code == 303
    second_clerk(client, tenant)
    assert action(client, tenant, run_id, "approve").status_code == 303
    refused = action(client, tenant, run_id, "publish")
    assert refused.status_code == 400  # the confirmation box was not ticked
    assert action(client, tenant, run_id, "publish", {"confirm": "yes"}).status_code == 303
    return run_id


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_clerk_runs_a_month_from_creation_to_publication(settings, tenant, signed_in) -> None:
    ids = seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    february = publish_month(client, tenant, "2026-02")

    march = run_id_of(create(client, tenant, "2026-03"))
    again = create(client, tenant, "2026-03")
    assert again.status_code == 400
    refusal = "There is already a regular payroll run for {month}: calculate that run again instead."
    assert message(refusal, month="2026-03") in again.text
    assert 'class="field has-error"' in again.text

    assert action(client, tenant, march, "calculate").status_code == 303
    page = client.get(f"{base(tenant)}/{march}")
    assert page.status_code == 200
    slips = payslips(tenant, march)
    assert len(slips) == 3
    totals = page.text.split('id="totals"')[1].split("</tr>")[0]
    for column in ("gross_pay", "tax", "net_pay", "employer_cost", "employee_social_insurance", "employee_housing_fund"):
        assert f"<strong>{sum(getattr(p, column) for p in slips):,.2f}</strong>" in totals
    for p in slips:
        assert f"/payroll/{march}/payslips/{p.id}" in page.text
    # The worker with March absence and overtime differs from February's published net pay.
    before = {p.worker_id: p.net_pay for p in payslips(tenant, february)}
    changed = next(p for p in slips if p.worker_id == ids[1])
    assert changed.net_pay != before[ids[1]]
    assert f"{'+' if changed.net_pay > before[ids[1]] else ''}{changed.net_pay - before[ids[1]]}</span>" in page.text
    assert page.text.count('class="badge badge-probation net-change"') == 1

    slip = client.get(f"{base(tenant)}/{march}/payslips/{changed.id}")
    assert slip.status_code == 200
    for msgid in ("Earnings", "Deductions", "Employee contributions", "Income tax"):
        assert message(msgid) in slip.text

    assert action(client, tenant, march, "publish", {"confirm": "yes"}).status_code == 400  # not approved yet
    second_clerk(client, tenant)  # four eyes: whoever calculated the run does not approve it
    assert action(client, tenant, march, "approve").status_code == 303
    assert action(client, tenant, march, "publish", {"confirm": "yes"}).status_code == 303
    with tenant_session(tenant.id) as db:
        assert runs.get_run(db, march).status == RunStatus.PUBLISHED.value

    refused = action(client, tenant, march, "calculate")
    assert refused.status_code == 400
    assert message("This payroll run is published and can no longer change.") in refused.text
    published = create(client, tenant, "2026-03")
    assert published.status_code == 400
    assert (
        message("Payroll for {month} is already published: it can only be changed by a correction run.", month="2026-03")
        in published.text
    )

    listing = client.get(base(tenant))
    assert listing.status_code == 200 and "2026-03" in listing.text and "2026-02" in listing.text


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_refused_calculation_lists_the_workers_and_saves_nothing(settings, tenant, signed_in) -> None:
    seed(settings, tenant)
    make_worker(settings, tenant, city="chengdu", client_bureau="成都市武侯区城市管理局", name="李四")
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_id = run_id_of(create(client, tenant, "2026-03"))
    refused = action(client, tenant, run_id, "calculate")
    assert refused.status_code == 400
    assert "李四" in refused.text
    assert message("No salary band table is in force for {month}.", month="2026-03") in refused.text
    assert payslips(tenant, run_id) == []


def test_a_bad_month_is_refused_next_to_the_field(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    response = create(client, tenant, "2026-13")
    assert response.status_code == 400
    assert 'id="month-error"' in response.text
    assert message("No payroll run yet.") in response.text


def test_a_bureau_the_tenant_does_not_have_is_refused_next_to_the_field(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    response = client.post(
        base(tenant),
        data={"_csrf": csrf_from(client.get(base(tenant)).text), "month": "2026-03", "client_bureau": "没有这个局"},
        follow_redirects=False,
    )
    assert response.status_code == 400 and 'id="client_bureau-error"' in response.text and "没有这个局" in response.text
    assert message("No payroll run yet.") in response.text


def _sheet(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    return rows[0], rows[1:]


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_each_export_has_its_header_and_one_row_per_payslip(settings, tenant, signed_in) -> None:
    ids = seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_id = run_id_of(create(client, tenant, "2026-03"))
    assert action(client, tenant, run_id, "calculate").status_code == 303
    slips = {p.worker_id: p for p in payslips(tenant, run_id)}
    t = translator(None)

    header, rows = _sheet(client.get(f"{base(tenant)}/{run_id}/register.xlsx"))
    assert list(header) == [t(h) for h in REGISTER_HEADERS] and len(rows) == 3
    assert sorted(D(str(r[9])) for r in rows) == sorted(p.net_pay for p in slips.values())

    header, rows = _sheet(client.get(f"{base(tenant)}/{run_id}/tax.xlsx"))
    assert header == TAX_HEADERS and len(rows) == 3
    with tenant_session(tenant.id) as db:
        full = {reveal_id_number(keys_for(settings), db.get(Worker, (tenant.id, i))) for i in ids}
    assert {r[2] for r in rows} == full  # a payroll clerk sees the full ID for the declaration
    assert all(r[1] == "居民身份证" for r in rows)
    assert sorted(D(str(r[10])) for r in rows) == sorted(p.tax for p in slips.values())
    assert all(D(str(r[5])) > 0 for r in rows)  # pension from the lines

    header, rows = _sheet(client.get(f"{base(tenant)}/{run_id}/insurance.xlsx"))
    assert header[0] == t("Name") and len(rows) == 3
    by_name = {r[0]: r for r in rows}
    assert len(by_name) >= 1
    for r in rows:
        assert D(str(r[-1])) > 0 and D(str(r[-2])) > 0


def test_a_viewer_is_refused_and_another_tenants_run_is_not_found(settings, tenant, other_tenant, signed_in) -> None:
    with tenant_session(other_tenant.id) as db:
        foreign = runs.create_run(db, MARCH, actor=SYSTEM).id
    viewer = signed_in(tenant, StaffRole.VIEWER)
    assert viewer.get(base(tenant)).status_code == 403
    assert viewer.get(f"{base(tenant)}/{foreign}").status_code in (403, 404)
    clerk = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    assert clerk.get(base(tenant)).status_code == 200
    assert clerk.get(f"{base(tenant)}/{foreign}").status_code == 404
    assert clerk.get(f"{base(tenant)}/{foreign}/register.xlsx").status_code == 404
    assert clerk.get(f"{base(tenant)}/{foreign}/payslips/1").status_code == 404
    token = csrf_from(clerk.get(base(tenant)).text)
    assert clerk.post(f"{base(tenant)}/{foreign}/calculate", data={"_csrf": token}).status_code == 404


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_the_register_is_paged_with_totals_over_the_whole_run(settings, tenant, signed_in, monkeypatch) -> None:
    from service.payroll.runs import queries as run_queries

    seed(settings, tenant)
    monkeypatch.setattr(run_queries, "PER_PAGE", 2)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_id = run_id_of(create(client, tenant, "2026-03"))
    assert action(client, tenant, run_id, "calculate").status_code == 303
    slips = payslips(tenant, run_id)
    total = f"<strong>{sum(p.net_pay for p in slips):,.2f}</strong>"
    first, second = client.get(f"{base(tenant)}/{run_id}"), client.get(f"{base(tenant)}/{run_id}?page=2")
    assert first.text.count("/payslips/") == 2 and second.text.count("/payslips/") == 1
    assert total in first.text and total in second.text
    assert 'class="pager"' in first.text
