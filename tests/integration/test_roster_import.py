"""Excel import and export: all or nothing, row-level errors, idempotent re-import.

An import is a job (``service.workforce.roster.jobs``) that the upload waits
for: the job worker sees committed data only, so every test here commits.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from service.accounts.models import StaffRole
from service.workforce.imports import actions as imports
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau
from tests.support.imports import page_once_done
from tests.support.sheets import EXPORT_HEADERS_ZH, SHEET_BUREAU, SHEET_UNIT, XLSX, row, upload, workbook

pytestmark = pytest.mark.usefixtures("db_clean")  # the import runs on the job worker, which sees committed data only


@pytest.fixture(autouse=True)
def _bureaus(tenant) -> None:
    """The bureau and unit the sheets name: a sheet never creates one."""
    make_bureau(tenant, SHEET_BUREAU, SHEET_UNIT)


def reported(html: str) -> list[tuple[int, str, str]]:
    """The (row, column, message) lines of the import's error table."""
    cells = re.findall(r"<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", html)
    return [(int(r), c, m) for r, c, m in cells]


def _count(tenant) -> int:
    with tenant_session(tenant.id) as db:
        return db.execute(text("select count(*) from workers")).scalar()


def test_one_bad_row_means_nothing_is_imported(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    bad_id = row(2)[1][:-1] + ("0" if row(2)[1][-1] != "0" else "1")
    sheet = workbook([row(1), row(2, 身份证号=bad_id), row(3, 入职日期="2021-13-45", 职级=7)])
    response = upload(client, tenant.slug, sheet)
    assert response.status_code == 400
    assert "未导入任何数据" in response.text
    problems = reported(response.text)
    # row numbers as Excel shows them (the header is row 1), each with its column
    assert {(r, column) for r, column, _ in problems} == {(3, "身份证号"), (4, "入职日期"), (4, "职级")}
    assert all(message for _, _, message in problems)
    assert _count(tenant) == 0


def test_a_clean_sheet_imports_and_reimporting_it_changes_nothing(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    sheet = workbook([row(n) for n in range(1, 6)])
    first = upload(client, tenant.slug, sheet)
    assert first.status_code == 200, first.text
    assert _count(tenant) == 5
    again = upload(client, tenant.slug, sheet)
    assert again.status_code == 200
    assert _count(tenant) == 5
    changed = upload(client, tenant.slug, workbook([row(1, 职级=2), row(9)]))
    assert changed.status_code == 200
    assert _count(tenant) == 6
    with tenant_session(tenant.id) as db:
        grades = db.execute(text("select grade from workers where name = :n"), {"n": row(1)[0]}).scalars().all()
        actions = db.execute(text("select action, count(*) from audit_log where entity = 'worker' group by action")).all()
    assert grades == [2]
    assert dict(actions) == {"worker.import_create": 6, "worker.import_update": 1}


def test_the_export_reimports_as_is(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert upload(client, tenant.slug, workbook([row(n) for n in range(1, 4)])).status_code == 200
    exported = client.get(f"/t/{tenant.slug}/workers/export")
    assert exported.headers["content-type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert [c.value for c in sheet[1]] == EXPORT_HEADERS_ZH
    assert sheet.max_row == 4
    assert upload(client, tenant.slug, exported.content).status_code == 200
    assert _count(tenant) == 3


def test_english_headers_and_labels_are_accepted(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    headers = ["Name", "ID number", "Phone", "Education", "Hire date", "Status", "Post line", "Client bureau", "Unit", "Grade"]
    values = row(4, 学历="Bachelor", 状态="Active")
    assert upload(client, tenant.slug, workbook([values], headers)).status_code == 200
    assert _count(tenant) == 1


def test_duplicates_inside_one_sheet_are_reported_by_row(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = upload(client, tenant.slug, workbook([row(1), row(2), row(1, 姓名="另一个人")]))
    assert response.status_code == 400
    assert reported(response.text) == [(4, "身份证号", "该身份证号与第 2 行重复。")]
    assert _count(tenant) == 0


def test_the_template_has_the_import_columns(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    sheet = load_workbook(io.BytesIO(client.get(f"/t/{tenant.slug}/workers/import/template").content)).active
    assert [c.value for c in sheet[1]] == EXPORT_HEADERS_ZH and sheet.max_row == 1


def test_an_unknown_bureau_or_unit_is_a_row_error_and_creates_nothing(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    sheet = workbook([row(1), row(2, 派驻单位="不存在的执法局"), row(3, 所属单位="不存在的中队")])
    response = upload(client, tenant.slug, sheet)
    assert response.status_code == 400
    assert {(r, column) for r, column, _ in reported(response.text)} == {(3, "派驻单位"), (4, "所属单位")}
    assert _count(tenant) == 0
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from client_bureaus")).scalar() == 1
        assert db.execute(text("select count(*) from bureau_units")).scalar() == 1


def _import_row(tenant) -> dict:
    with tenant_session(tenant.id) as db:
        found = db.execute(text("select status, counts, errors, content is null as emptied from imports")).mappings().all()
    assert len(found) == 1
    return dict(found[0])


def _uploaded_without_waiting(client, tenant, sheet: bytes, monkeypatch) -> str:
    """Upload as a sheet too large to finish within the request's wait (the request gives up waiting at
    once, whatever the worker's speed): the page it is sent to, read again as it refreshes itself until
    the import is over."""
    monkeypatch.setattr(imports, "wait_for", lambda *arguments: None)
    response = upload(client, tenant.slug, sheet)
    return page_once_done(client, response, rf"/t/{tenant.slug}/workers/import/\d+")


def test_an_import_runs_on_the_job_worker_and_its_page_shows_the_counts(signed_in, tenant, monkeypatch) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    shown = _uploaded_without_waiting(client, tenant, workbook([row(n) for n in range(1, 8)]), monkeypatch)
    assert "导入完成：新增 7 人，更新 0 人，0 人无变化。" in shown
    assert _count(tenant) == 7
    assert _import_row(tenant) == {
        "status": "done",
        "counts": {"created": 7, "updated": 0, "unchanged": 0},
        "errors": None,
        "emptied": True,
    }


def test_a_refused_sheet_on_the_job_worker_writes_no_worker(signed_in, tenant, monkeypatch) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    sheet = workbook([row(1), row(2, 入职日期="2021-13-45"), row(3)])
    shown = _uploaded_without_waiting(client, tenant, sheet, monkeypatch)
    assert "未导入任何数据" in shown
    assert [(r, column) for r, column, _ in reported(shown)] == [(3, "入职日期")]
    assert _count(tenant) == 0
    outcome = _import_row(tenant)
    assert outcome["status"] == "refused" and outcome["emptied"] and outcome["counts"] is None
    assert [(e["row"], e["column"]) for e in outcome["errors"]] == [(3, "入职日期")]
