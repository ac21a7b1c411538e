"""Monthly attendance through HTTP: the page saves all rows or none, the
Excel sheet imports all rows or none, and a locked month cannot change."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from service.accounts.models import StaffRole
from service.audit import Actor
from service.i18n import translator
from service.workforce.attendance import actions as attendance
from service.workforce.attendance.excel import COLUMNS, HEADERS
from service.workforce.identity import make_national_id
from service.workforce.imports import actions as imports
from service.workforce.models import WorkerStatus
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.imports import page_once_done
from tests.support.sheets import XLSX
from tests.support.web import csrf_from

# The Excel import runs on the job worker (service.workforce.attendance.jobs), which sees committed data only.
pytestmark = pytest.mark.usefixtures("db_clean")

T = translator("zh_CN")
MONTH = "2025-03"
PAYROLL = Actor("staff", None, "工资专员")


def _rows(tenant) -> dict[int, tuple]:
    with tenant_session(tenant.id) as db:
        rows = db.execute(
            text(
                "select worker_id, days_worked, absence_days, overtime_weekday_hours, overtime_rest_day_hours, "
                "overtime_holiday_hours from attendance_months order by worker_id"
            )
        ).all()
    return {r[0]: tuple(str(v) for v in r[1:]) for r in rows}


def _save(client, slug: str, figures: dict[int, dict[str, str]], month: str = MONTH):
    token = csrf_from(client.get(f"/t/{slug}/attendance?month={month}").text)
    form = {"_csrf": token, "month": month, "workers": ",".join(str(w) for w in figures)}
    for worker_id, values in figures.items():
        form |= {f"{field}-{worker_id}": value for field, value in values.items()}
    return client.post(f"/t/{slug}/attendance", data=form, follow_redirects=False)


def _figures(days: str = "21", absent: str = "1", weekday: str = "4", rest: str = "8", holiday: str = "") -> dict:
    return {
        "days_worked": days,
        "absence_days": absent,
        "overtime_weekday_hours": weekday,
        "overtime_rest_day_hours": rest,
        "overtime_holiday_hours": holiday,
    }


def test_the_page_saves_all_rows_or_none(signed_in, tenant, settings) -> None:
    first = make_worker(settings, tenant, name="钱一")
    second = make_worker(settings, tenant, name="孙二")
    make_worker(settings, tenant, name="李未入职", hire_date=date(2025, 4, 1))  # hired after March
    client = signed_in(tenant, StaffRole.HR_CLERK)
    grid = client.get(f"/t/{tenant.slug}/attendance?month={MONTH}").text
    assert "钱一" in grid and "孙二" in grid and "李未入职" not in grid
    bad = _save(client, tenant.slug, {first.id: _figures(), second.id: _figures(days="30", absent="2")})
    assert bad.status_code == 400
    assert f'id="absence_days-{second.id}-error"' in bad.text
    assert T("Days worked and days absent add up to more than the {days} days of the month.", days=31) in bad.text
    assert 'value="30"' in bad.text  # what was typed comes back
    assert _rows(tenant) == {}

    good = _save(client, tenant.slug, {first.id: _figures(), second.id: _figures(days="20.5", absent="0.5")})
    assert good.status_code == 303
    assert _rows(tenant) == {
        first.id: ("21.0", "1.0", "4.0", "8.0", "0.0"),
        second.id: ("20.5", "0.5", "4.0", "8.0", "0.0"),
    }
    # Saving again with one change: one update, one untouched; a blank row is left alone.
    again = _save(
        client,
        tenant.slug,
        {first.id: _figures(days="22", absent="0"), second.id: _figures(days="", absent="", weekday="", rest="")},
    )
    assert again.status_code == 303
    assert _rows(tenant)[first.id][0] == "22.0" and _rows(tenant)[second.id][0] == "20.5"
    with tenant_session(tenant.id) as db:
        actions = db.execute(text("select action from audit_log where entity = 'attendance_month' order by id")).scalars()
    assert list(actions) == ["attendance.create", "attendance.create", "attendance.update"]
    page = client.get(f"/t/{tenant.slug}/attendance?month={MONTH}").text
    assert 'value="22"' in page and 'value="20.5"' in page


def test_overtime_above_36_hours_is_saved_with_a_warning(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert _save(client, tenant.slug, {worker.id: _figures(weekday="30", rest="8")}).status_code == 303
    page = client.get(f"/t/{tenant.slug}/attendance?month={MONTH}").text
    assert T("{hours} hours of overtime this month: more than the 36 hours 劳动法 Art. 41 allows.", hours="38") in page


def _sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([T(HEADERS[c]) for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, slug: str, content: bytes, month: str = MONTH):
    token = csrf_from(client.get(f"/t/{slug}/attendance/import").text)
    return client.post(
        f"/t/{slug}/attendance/import", data={"_csrf": token, "month": month}, files={"file": ("考勤.xlsx", content, XLSX)}
    )


def test_the_excel_import_matches_by_id_number_all_or_nothing(signed_in, tenant, other_tenant, settings) -> None:
    number_a = make_national_id("510104", date(1988, 2, 3), 11, "male")
    number_b = make_national_id("510104", date(1990, 7, 8), 12, "female")
    stranger = make_national_id("510104", date(1991, 1, 1), 13, "male")
    a = make_worker(settings, tenant, name="周甲", id_number=number_a)
    b = make_worker(settings, tenant, name="吴乙", id_number=number_b)
    make_worker(settings, other_tenant, name="别家", id_number=stranger)  # another tenant's worker never matches
    client = signed_in(tenant, StaffRole.HR_CLERK)

    refused = _upload(
        client,
        tenant.slug,
        _sheet(
            [
                ["周甲", number_a, 22, 0, 2, 0, 0],
                ["吴乙", number_b, 22, 10, 0, 0, 0],  # 32 days in March
                ["别家", stranger, 20, 0, 0, 0, 0],  # not in this roster
                ["王错", number_a[:-1] + "0" if number_a[-1] != "0" else number_a[:-1] + "1", 20, 0, 0, 0, 0],
                ["周甲", number_a, 20, 0, 0, 0, 0],  # the same worker twice
            ]
        ),
    )
    assert refused.status_code == 400
    assert T("Nothing was imported.") in refused.text
    for row in (3, 4, 5, 6):
        assert f">{row}</td>" in refused.text
    assert _rows(tenant) == {}

    mismatch = _upload(client, tenant.slug, _sheet([["吴丙", number_b, 20, 0, 0, 0, 0]]))
    assert mismatch.status_code == 400 and "吴乙" in mismatch.text

    imported = _upload(
        client,
        tenant.slug,
        _sheet(
            [
                ["周甲", number_a, 22, 0, 2, 0, 0],
                ["", number_b, 21.5, "0.5", "", 8, 3],
                ["", number_b[:-1], "", "", "", "", ""],  # no figures: skipped, even with a bad ID
            ]
        ),
    )
    assert imported.status_code == 200, imported.text
    assert (
        T("Imported: {created} new, {updated} updated, {unchanged} unchanged.", created=2, updated=0, unchanged=0)
        in imported.text
    )
    assert _rows(tenant) == {a.id: ("22.0", "0.0", "2.0", "0.0", "0.0"), b.id: ("21.5", "0.5", "0.0", "8.0", "3.0")}

    template = client.get(f"/t/{tenant.slug}/attendance/import/template?month={MONTH}")
    assert template.status_code == 200
    cells = [list(r) for r in load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True)]
    assert cells[0] == [T(HEADERS[c]) for c in COLUMNS]
    assert ["吴乙", number_b, 21.5, 0.5, 0, 8, 3] in cells
    # The filled-in template goes back in unchanged.
    again = _upload(client, tenant.slug, template.content)
    assert again.status_code == 200
    assert (
        T("Imported: {created} new, {updated} updated, {unchanged} unchanged.", created=0, updated=0, unchanged=2) in again.text
    )


def test_a_locked_month_refuses_changes(signed_in, tenant, settings) -> None:
    number = make_national_id("510104", date(1988, 2, 3), 21, "male")
    worker = make_worker(settings, tenant, id_number=number)
    newcomer = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert _save(client, tenant.slug, {worker.id: _figures()}).status_code == 303
    with tenant_session(tenant.id) as db:
        assert attendance.lock_month(db, date(2025, 3, 15), actor=PAYROLL) == 1
    with tenant_session(tenant.id) as db:
        assert attendance.lock_month(db, date(2025, 3, 1), actor=PAYROLL) == 0  # again: nothing new
        locked = db.execute(text("select locked_by, locked_at is not null from attendance_months")).one()
        assert tuple(locked) == ("工资专员", True)
    before = _rows(tenant)
    message = T("Attendance for {month} is locked: payroll has used it, so it can no longer change.", month=MONTH)

    changed = _save(client, tenant.slug, {worker.id: _figures(days="10")})
    assert changed.status_code == 400 and message in changed.text
    added = _save(client, tenant.slug, {newcomer.id: _figures()})
    assert added.status_code == 400 and message in added.text
    imported = _upload(client, tenant.slug, _sheet([["", number, 1, 0, 0, 0, 0]]))
    assert imported.status_code == 400 and message in imported.text
    assert _rows(tenant) == before
    page = client.get(f"/t/{tenant.slug}/attendance?month={MONTH}").text
    assert T("This month is locked: payroll has used it, so its figures can no longer change.") in page
    assert f'name="days_worked-{worker.id}"' not in page
    # The next month is open.
    assert _save(client, tenant.slug, {worker.id: _figures()}, month="2025-04").status_code == 303


def test_viewers_see_the_figures_without_inputs_and_left_workers_drop_out(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, name="郑在岗")
    make_worker(settings, tenant, name="冯已离", status=WorkerStatus.LEFT)
    make_worker(settings, tenant, name="陈候选", status=WorkerStatus.CANDIDATE)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert _save(client, tenant.slug, {worker.id: _figures()}).status_code == 303
    viewer = signed_in(tenant, StaffRole.VIEWER)
    page = viewer.get(f"/t/{tenant.slug}/attendance?month={MONTH}").text
    assert "郑在岗" in page and "冯已离" not in page and "陈候选" not in page
    assert f'name="days_worked-{worker.id}"' not in page and ">21<" in page.replace(" ", "").replace("\n", "")
    assert viewer.get(f"/t/{tenant.slug}/attendance?month=garbage").status_code == 200


def _import_row(tenant) -> dict:
    with tenant_session(tenant.id) as db:
        found = (
            db.execute(text("select kind, status, counts, errors, content is null as emptied from imports")).mappings().all()
        )
    assert len(found) == 1
    return dict(found[0])


def _uploaded_without_waiting(client, tenant, sheet: bytes, monkeypatch) -> str:
    """Upload as a sheet too large to finish within the request's wait: the import's page it is sent to,
    read again as it refreshes itself until the import is over."""
    monkeypatch.setattr(imports, "wait_for", lambda *arguments: None)
    response = _upload(client, tenant.slug, sheet)
    return page_once_done(client, response, rf"/t/{tenant.slug}/attendance/import/\d+\?month={MONTH}")


def test_an_import_runs_on_the_job_worker_and_its_page_shows_the_counts(signed_in, tenant, settings, monkeypatch) -> None:
    number = make_national_id("510104", date(1988, 2, 3), 31, "male")
    worker = make_worker(settings, tenant, name="何加班", id_number=number)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    shown = _uploaded_without_waiting(client, tenant, _sheet([["何加班", number, 22, 0, 30, 8, 0]]), monkeypatch)
    assert T("Imported: {created} new, {updated} updated, {unchanged} unchanged.", created=1, updated=0, unchanged=0) in shown
    message = "{count} workers' figures are worth a second look: the month's page says why beside each."
    assert T(message, count=1) in shown  # 38 hours of overtime
    assert f"/attendance?month={MONTH}" in shown
    assert _rows(tenant) == {worker.id: ("22.0", "0.0", "30.0", "8.0", "0.0")}
    assert _import_row(tenant) == {
        "kind": "attendance",
        "status": "done",
        "counts": {"created": 1, "updated": 0, "unchanged": 0, "to_look_at": 1},
        "errors": None,
        "emptied": True,
    }


def test_a_refused_sheet_on_the_job_worker_writes_no_figures(signed_in, tenant, settings, monkeypatch) -> None:
    number = make_national_id("510104", date(1988, 2, 3), 41, "male")
    make_worker(settings, tenant, name="许甲", id_number=number)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    sheet = _sheet([["许甲", number, 22, 0, 0, 0, 0], ["", number, 20, 0, 0, 0, 0]])  # the same worker twice
    shown = _uploaded_without_waiting(client, tenant, sheet, monkeypatch)
    assert T("Nothing was imported.") in shown and ">3</td>" in shown
    assert _rows(tenant) == {}
    outcome = _import_row(tenant)
    assert outcome["status"] == "refused" and outcome["emptied"] and outcome["counts"] is None
    assert [e["row"] for e in outcome["errors"]] == [3]
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from audit_log where entity = 'attendance_month'")).scalar() == 0
