"""Bad payroll inputs, each refused with a clear message next to its field or row, and nothing written:
negative overtime hours and absence days, non-numeric cells in the attendance and pay-component
imports, missing insurance city / band / contribution base, and a run for a month already published."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM
from service.excel import XLSX_MEDIA_TYPE, write_rows
from service.payroll.components import actions as component_actions
from service.payroll.components.models import PayComponentAmount
from service.payroll.components.rules import ComponentDefinition, Method
from service.payroll.payslip import ComponentKind
from service.payroll.runs.amounts import excel as amounts_sheet
from service.payroll.runs.models import PayrollRun, RunProgress
from service.workforce.identity import make_national_id
from tenants.isolation import tenant_session
from tests.integration import test_attendance as attendance_pages
from tests.integration import test_payroll_pages as pages
from tests.support.factories import make_worker
from tests.support.web import csrf_from

T = attendance_pages.T


def attendance_rows(tenant) -> int:
    with tenant_session(tenant.id) as db:
        return db.execute(text("select count(*) from attendance_months")).scalar()


def test_negative_overtime_and_absence_are_refused_next_to_the_field(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    bad = attendance_pages._save(
        client, tenant.slug, {worker.id: attendance_pages._figures(absent="-1", weekday="-4", rest="-0.5")}
    )
    assert bad.status_code == 400
    for field in ("absence_days", "overtime_weekday_hours", "overtime_rest_day_hours"):
        assert f'id="{field}-{worker.id}-error"' in bad.text
    assert T("The number must not be negative.") in bad.text
    assert attendance_rows(tenant) == 0


@pytest.mark.usefixtures("db_clean")  # the attendance sheet is read on the job worker, which sees committed data only
def test_non_numeric_and_negative_cells_in_the_attendance_import_are_refused_by_row(signed_in, tenant, settings) -> None:
    number_a = make_national_id("510104", date(1988, 2, 3), 31, "male")
    number_b = make_national_id("510104", date(1990, 7, 8), 32, "female")
    make_worker(settings, tenant, name="周甲", id_number=number_a)
    make_worker(settings, tenant, name="吴乙", id_number=number_b)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    refused = attendance_pages._upload(
        client,
        tenant.slug,
        attendance_pages._sheet(
            [
                ["周甲", number_a, "二十", 0, "abc", 0, 0],  # non-numeric days and overtime
                ["吴乙", number_b, 20, -1, 0, -3, 0],  # negative absence and overtime
            ]
        ),
    )
    assert refused.status_code == 400
    assert T("Nothing was imported.") in refused.text
    assert ">2</td>" in refused.text and ">3</td>" in refused.text
    assert T("Enter a number.") in refused.text and T("The number must not be negative.") in refused.text
    assert attendance_rows(tenant) == 0


@pytest.mark.usefixtures("db_clean")  # the amounts sheet is read on the job worker, which sees committed data only
def test_a_non_numeric_pay_component_amount_is_refused_by_row(signed_in, tenant, settings) -> None:
    number = make_national_id("510104", date(1992, 4, 5), 33, "male")
    make_worker(settings, tenant, id_number=number, name="赵六")
    with tenant_session(tenant.id) as db:
        component_actions.define_component(
            db,
            ComponentDefinition("meal", "餐补", ComponentKind.ADDITION, Method.PER_WORKER_MONTH, None),
            actor=SYSTEM,
        )
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    base = f"/t/{tenant.slug}/pay-components"
    token = csrf_from(client.get(f"{base}/import").text)
    headers = [T(amounts_sheet.HEADERS[c]) for c in amounts_sheet.COLUMNS]
    sheet = write_rows(
        "amounts",
        headers,
        [
            [number, "赵六", "2026-03", "meal", "八十八"],
            [number, "赵六", "2026-04", "meal", "-5"],
        ],
    )
    refused = client.post(f"{base}/import", data={"_csrf": token}, files={"file": ("a.xlsx", sheet, XLSX_MEDIA_TYPE)})
    assert refused.status_code == 400
    assert T("Enter an amount in yuan, like 200 or 200.50.") in refused.text
    assert T("The amount must not be negative.") in refused.text
    assert ">2</td>" in refused.text and ">3</td>" in refused.text
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayComponentAmount)).all() == []


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_missing_city_band_and_contribution_base_are_listed_and_nothing_is_written(signed_in, tenant, settings) -> None:
    ids = pages.seed(settings, tenant)
    no_city = make_worker(settings, tenant, city=None, client_bureau=pages.BUREAU, name="无城市")
    no_band = make_worker(settings, tenant, city="chengdu", client_bureau="成都市武侯区城市管理局", name="无薪级表")
    with tenant_session(tenant.id) as db:  # no city figures for Chengdu: no average wage to default the base to
        db.execute(text("delete from city_parameters where city = 'chengdu'"))
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_id = pages.run_id_of(pages.create(client, tenant, "2026-03"))
    refused = pages.action(client, tenant, run_id, "calculate")
    assert refused.status_code == 400
    assert pages.message("The run was not calculated: nothing was saved.") in refused.text
    listed = refused.text.split('id="refused"')[1].split("</section>")[0]
    assert "无城市" in listed and pages.message("The worker has no insurance city.") in listed
    assert "无薪级表" in listed and pages.message("No salary band table is in force for {month}.", month="2026-03") in listed
    no_base = pages.message(
        "No contribution base: the worker has none declared, and no average wage for the city is in force in {month}.",
        month="2026-03",
    )
    assert listed.count(no_base) == 2  # ids[0] and ids[2] have no declared base
    assert pages.message("No minimum wage for the worker's city is in force in {month}.", month="2026-03") in listed
    assert no_city.id and no_band.id and ids
    assert pages.payslips(tenant, run_id) == []
    # The list stays on the run's page until the next calculation.
    again = client.get(f"{pages.base(tenant)}/{run_id}")
    assert "无城市" in again.text.split('id="refused"')[1]
    with tenant_session(tenant.id) as db:
        assert db.exec(select(RunProgress.phase)).one() == "failed"


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_run_for_a_month_already_published_is_refused_with_a_way_to_correct_it(signed_in, tenant, settings) -> None:
    pages.seed(settings, tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    published = pages.publish_month(client, tenant, "2026-02")
    refused = pages.create(client, tenant, "2026-02")
    assert refused.status_code == 400
    assert 'id="month-error"' in refused.text
    assert (
        pages.message("Payroll for {month} is already published: it can only be changed by a correction run.", month="2026-02")
        in refused.text
    )
    assert f"/payroll/{published}#correction-form" in refused.text
    with tenant_session(tenant.id) as db:
        assert len(db.exec(select(PayrollRun)).all()) == 1
