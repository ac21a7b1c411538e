"""Importing existing contracts from Excel: all or nothing, row/column errors, idempotent re-import.

An import is a job (``service.workforce.contracts.jobs``) that the upload
waits for: the job worker sees committed data only, so every test here commits.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from service.accounts.models import StaffRole
from service.i18n import translator
from service.workforce.contracts.excel import HEADERS
from service.workforce.identity import make_national_id
from service.workforce.imports import actions as imports
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_worker
from tests.support.imports import page_once_done
from tests.support.sheets import XLSX, workbook
from tests.support.web import csrf_from

pytestmark = pytest.mark.usefixtures("db_clean")  # the import runs on the job worker, which sees committed data only

ZH = translator("zh_CN")
COLUMNS = [ZH(msgid) for msgid in HEADERS.values()]  # the template's headers, in Chinese
BUREAU = "成都市武侯区城市管理和综合行政执法局"


def column(field: str) -> str:
    return ZH(HEADERS[field])


def contract_row(id_number: str, name: str, **changes: object) -> list[object]:
    values = {
        "id_number": id_number,
        "name": name,
        "contract_type": ZH("Fixed-term"),
        "start": "2022-07-01",
        "end": "2025-06-30",
        "probation_end": "2022-08-31",
        "probation_wage": 3600,
        "wage": 4500,
        "post": "扬尘管控",
        "work_place": "玉林街道",
        "client_bureau": BUREAU,
        "signed_on": "2022-06-28",
    }
    values.update(changes)
    return [values[field] for field in HEADERS]


def reported(html: str) -> list[tuple[int, str, str]]:
    cells = re.findall(r"<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", html)
    return [(int(r), c, m) for r, c, m in cells]


def upload(client, slug: str, content: bytes):
    token = csrf_from(client.get(f"/t/{slug}/contracts/import").text)
    return client.post(f"/t/{slug}/contracts/import", data={"_csrf": token}, files={"file": ("合同.xlsx", content, XLSX)})


def _count(tenant) -> int:
    with tenant_session(tenant.id) as db:
        return db.execute(text("select count(*) from contracts")).scalar()


def _workers(settings, tenant, count: int) -> list[tuple[str, str]]:
    """Workers of another bureau than BUREAU, which exists too: a contract names the bureau it is for."""
    make_bureau(tenant, BUREAU)
    people = []
    for n in range(count):
        number = make_national_id("510107", date(1988, 3, 1 + n), 10 + n, "female")
        worker = make_worker(settings, tenant, id_number=number, name=f"王{'甲乙丙丁'[n]}", hire_date=date(2022, 7, 1))
        people.append((number, worker.name))
    return people


def test_one_bad_row_means_nothing_is_imported(signed_in, tenant, settings) -> None:
    (a, name_a), (b, name_b) = _workers(settings, tenant, 2)
    unknown = make_national_id("510107", date(1990, 1, 1), 55, "male")
    sheet = workbook(
        [
            contract_row(a, name_a),
            contract_row(unknown, "赵六"),
            contract_row(b, name_b, end="2021-06-30"),
            contract_row(b, name_b, start="2025-07-01", end="2028-06-30", wage="四千", probation_end="", probation_wage=None),
            contract_row(a, "别人", start="2025-07-01", end="2028-06-30", probation_end="", probation_wage=None),
            contract_row(b, name_b, client_bureau="已撤销的局"),  # no bureau has this name
        ],
        COLUMNS,
    )
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = upload(client, tenant.slug, sheet)
    assert response.status_code == 400
    assert ZH("Nothing was imported.") in response.text
    assert {(r, c) for r, c, _ in reported(response.text)} == {
        (3, column("id_number")),
        (4, column("end")),
        (5, column("wage")),
        (6, column("name")),
        (7, column("client_bureau")),
    }
    assert _count(tenant) == 0


def test_overlaps_inside_the_sheet_and_with_stored_contracts_are_refused(signed_in, tenant, settings) -> None:
    (a, name_a), (b, name_b) = _workers(settings, tenant, 2)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert upload(client, tenant.slug, workbook([contract_row(a, name_a)], COLUMNS)).status_code == 200
    sheet = workbook(
        [
            contract_row(a, name_a, start="2024-07-01", end="2027-06-30", probation_end="", probation_wage=None),
            contract_row(b, name_b),
            contract_row(b, name_b, start="2023-01-01", end="2025-12-31", probation_end="", probation_wage=None),
            contract_row(b, name_b, signed_on="2022-06-29"),
        ],
        COLUMNS,
    )
    response = upload(client, tenant.slug, sheet)
    assert response.status_code == 400
    assert {(r, c) for r, c, _ in reported(response.text)} == {
        (2, column("start")),
        (4, column("start")),
        (5, column("start")),
    }
    assert _count(tenant) == 1


def test_a_clean_sheet_imports_and_reimporting_it_adds_nothing(signed_in, tenant, settings) -> None:
    (a, name_a), (b, _name_b), (c, name_c) = _workers(settings, tenant, 3)
    rows = [
        contract_row(a, name_a),
        contract_row(a, name_a, start="2025-07-01", end="2028-06-30", probation_end="", probation_wage=None, wage=4800),
        contract_row(b, "", contract_type="Open-ended", end=None, signed_on=None),
        contract_row(c, name_c, contract_type="fixed_term"),
    ]
    client = signed_in(tenant, StaffRole.HR_CLERK)
    first = upload(client, tenant.slug, workbook(rows, COLUMNS))
    assert first.status_code == 200, reported(first.text)
    assert _count(tenant) == 4
    again = upload(client, tenant.slug, workbook(rows, COLUMNS))
    assert again.status_code == 200 and _count(tenant) == 4
    assert (
        ZH("Contracts imported: {created} new, {updated} updated, {unchanged} unchanged.", created=0, updated=0, unchanged=4)
        in again.text
    )
    rows[1] = contract_row(a, name_a, start="2025-07-01", end="2028-06-30", probation_end="", probation_wage=None, wage=5000)
    changed = upload(client, tenant.slug, workbook(rows, COLUMNS))
    assert changed.status_code == 200 and _count(tenant) == 4
    with tenant_session(tenant.id) as db:
        stored = db.execute(text("select contract_type, status, end_date, wage from contracts order by id")).all()
        named = db.execute(text("select distinct b.name from contracts c join client_bureaus b on b.id = c.bureau_id")).all()
        audit = "select action, count(*) from audit_log where entity = 'contract' group by action"
        actions = dict(db.execute(text(audit)).all())
    assert [tuple(r) for r in stored][1:3] == [
        ("fixed_term", "signed", date(2028, 6, 30), 5000),
        ("open_ended", "draft", None, 4500),
    ]
    assert actions == {"contract.import_create": 4, "contract.import_update": 1}
    assert named == [(BUREAU,)]  # the bureau the sheet names, not the workers'


def test_the_template_has_the_import_columns(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = client.get(f"/t/{tenant.slug}/contracts/import/template")
    assert response.headers["content-type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == COLUMNS and sheet.max_row == 1


def test_not_an_excel_file_is_refused(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = upload(client, tenant.slug, b"%PDF-1.4 not a workbook")
    assert response.status_code == 400 and _count(tenant) == 0


def test_a_sheet_left_to_the_job_worker_shows_its_rows_on_the_import_page(signed_in, tenant, settings, monkeypatch) -> None:
    """The request gives up waiting at once (as for a sheet too large to finish within the wait): the
    import's page refreshes itself until the worker has refused the sheet, then shows its rows."""
    monkeypatch.setattr(imports, "wait_for", lambda *arguments: None)
    (a, name_a), _ = _workers(settings, tenant, 2)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = upload(client, tenant.slug, workbook([contract_row(a, name_a), contract_row(a, name_a, wage="很多")], COLUMNS))
    shown = page_once_done(client, response, rf"/t/{tenant.slug}/contracts/import/\d+")
    assert [(r, c) for r, c, _ in reported(shown)] == [(3, column("wage"))]
    assert _count(tenant) == 0
