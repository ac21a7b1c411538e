"""Bad input gets a clear 4xx and writes nothing; never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from service.accounts.models import StaffRole
from tenants.isolation import tenant_session
from tests.support.sheets import row, upload, workbook
from tests.support.web import csrf_from

GOOD = {
    "name": "刘洋",
    "id_number": "11010519491231002X",
    "phone": "13912345678",
    "education": "bachelor",
    "hire_date": "2021-01-04",
    "status": "active",
    "post_line": "数字城管",
    "client_bureau": "成都市青羊区城市管理和综合行政执法局",
    "unit": "",
    "grade": "5",
}


def _nothing_written(tenant) -> bool:
    with tenant_session(tenant.id) as db:
        return db.execute(text("select count(*) from workers")).scalar() == 0


def _post_worker(client, slug: str, **changes: object):
    token = csrf_from(client.get(f"/t/{slug}/workers/new").text)
    return client.post(f"/t/{slug}/workers", data={"_csrf": token, **GOOD, **changes}, follow_redirects=False)


def test_each_bad_field_is_refused_next_to_it(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    cases = {
        "id_number": ["11010519491231002Y", "110105194912310021", "1101051949123100", "110105194913310028", ""],
        "phone": ["12345", "139-1234-567a"],
        "hire_date": ["2021-02-30", "yesterday", "1950-01-01"],
        "grade": ["6", "0", "二", "-1"],
        "education": ["phd"],
        "status": ["retired"],
        "name": ["", "A" * 51, "张三<script>alert(1)</script>", "张三1"],
        "post_line": [""],
        "client_bureau": ["<b>局</b>"],
    }
    for field, values in cases.items():
        for value in values:
            response = _post_worker(client, tenant.slug, **{field: value})
            assert response.status_code == 400, (field, value)
            assert f'id="{field}-error"' in response.text, (field, value)
            assert "<script>alert(1)</script>" not in response.text  # echoed back escaped, never raw
    assert _nothing_written(tenant)


def test_html_in_a_name_is_never_executed(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = _post_worker(client, tenant.slug, name='"><img src=x onerror=alert(1)>')
    assert response.status_code == 400
    assert "<img src=x" not in response.text
    assert "&#34;&gt;&lt;img" in response.text or "&quot;&gt;&lt;img" in response.text
    assert _nothing_written(tenant)


def test_malformed_forms_are_4xx(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    token = csrf_from(client.get(f"/t/{tenant.slug}/workers/new").text)
    headers = {"content-type": "application/x-www-form-urlencoded", "x-csrf-token": token}
    for body in (b"\xff\xfe\xfa=\xc3\x28", b"%%%%&&&===", b"name=" + "张".encode("gbk") * 3, b"grade[]=1&grade[]=2"):
        response = client.post(f"/t/{tenant.slug}/workers", content=body, headers=headers)
        assert 400 <= response.status_code < 500, (body, response.status_code)
    json_body = client.post(f"/t/{tenant.slug}/workers", json={"name": "x"}, headers={"x-csrf-token": token})
    assert 400 <= json_body.status_code < 500
    assert _nothing_written(tenant)


@pytest.mark.usefixtures("db_clean")  # the roster import runs on the job worker, which sees committed data only
def test_oversized_and_wrong_files_are_refused_clearly(signed_in, tenant, settings) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    big = b"PK" + b"0" * (settings.import_max_bytes + 1)
    too_big = upload(client, tenant.slug, big)
    assert too_big.status_code == 413
    assert "5 MB" in too_big.text
    not_excel = upload(client, tenant.slug, "姓名,身份证号\n张三,1101".encode("gbk"), "roster.csv", "text/csv")
    assert not_excel.status_code == 400 and "Excel" in not_excel.text
    old_xls = upload(client, tenant.slug, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls")
    assert old_xls.status_code == 400 and ".xlsx" in old_xls.text
    pdf = upload(client, tenant.slug, b"%PDF-1.7 not a sheet", "roster.xlsx")
    assert pdf.status_code == 400
    missing_columns = upload(client, tenant.slug, workbook([["张三"]], headers=["姓名"]))
    assert missing_columns.status_code == 400 and "身份证号" in missing_columns.text
    empty = upload(client, tenant.slug, workbook([]))
    assert empty.status_code == 400
    no_file = client.post(
        f"/t/{tenant.slug}/workers/import",
        data={"_csrf": csrf_from(client.get(f"/t/{tenant.slug}/workers/import").text)},
        files={"other": ("x.txt", b"x", "text/plain")},
    )
    assert no_file.status_code == 400
    assert _nothing_written(tenant)


@pytest.mark.usefixtures("db_clean")  # the roster import runs on the job worker, which sees committed data only
def test_an_id_number_typed_as_a_number_in_excel_is_refused(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = upload(client, tenant.slug, workbook([row(1, 身份证号=110105194912310021)]))
    assert response.status_code == 400 and "文本" in response.text
    assert _nothing_written(tenant)


def test_query_strings_never_break_the_list(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.VIEWER)
    for query in ("page=-1", "page=abc", "grade=99", "status=<x>", "q=%", "q=_", "q=" + "x" * 500, "q=\\", "page=99999999999"):
        response = client.get(f"/t/{tenant.slug}/workers?{query}")
        assert response.status_code == 200, query
    assert client.get(f"/t/{tenant.slug}/api/workers?page=abc").status_code == 400
    assert client.get(f"/t/{tenant.slug}/workers/abc").status_code == 404
