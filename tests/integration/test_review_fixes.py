"""Garbage typed into every form and query string of the daily-management,
contract, compliance, city, insurance and salary-band pages: always a 4xx or
a page, never a 500 (review sweep)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from service.accounts.models import StaffRole
from service.i18n import translator
from service.workforce.attendance import excel as attendance_excel
from service.workforce.contracts import excel as contract_excel
from tests.support.factories import make_worker
from tests.support.web import csrf_from

GARBAGE = [
    "²",
    "1" * 5000,
    "x" * 5000,
    "-1",
    "NaN",
    "Infinity",
    "1e999999",
    "9999-12-31",
    "0001-01-01",
    "2024-13-45",
    "\u0000",
    "١٢",
]
BIG_ID = "9" * 25


def _token(client, slug: str) -> str:
    return csrf_from(client.get(f"/t/{slug}/leave/new").text)


def _setup(client, tenant, settings) -> tuple[int, int, int]:
    worker = make_worker(settings, tenant, hire_date=date(2023, 1, 1))
    slug = tenant.slug
    token = _token(client, slug)
    created = client.post(
        f"/t/{slug}/workers/{worker.id}/contracts",
        follow_redirects=False,
        data={
            "_csrf": token,
            "contract_type": "fixed_term",
            "start": "2023-01-01",
            "end": "2030-12-31",
            "probation_end": "",
            "probation_wage": "",
            "wage": "6000",
            "post": "巡查",
            "work_place": "春熙路",
            "client_bureau": worker.client_bureau,
            "signed_on": "2022-12-28",
        },
    )
    assert created.status_code == 303, created.text
    contract_id = int(re.search(r"/contracts/(\d+)", created.headers["location"]).group(1))
    leave = client.post(
        f"/t/{slug}/leave",
        follow_redirects=False,
        data={
            "_csrf": token,
            "worker_id": str(worker.id),
            "leave_type": "sick",
            "start_date": "2024-03-04",
            "end_date": "2024-03-05",
            "reason": "感冒",
        },
    )
    assert leave.status_code == 303, leave.text
    leave_id = int(re.search(r"/leave/(\d+)", leave.headers["location"]).group(1))
    return worker.id, contract_id, leave_id


def test_garbage_never_gives_a_500(signed_in, tenant, settings) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    worker_id, contract_id, leave_id = _setup(client, tenant, settings)
    slug = tenant.slug
    token = _token(client, slug)
    t = f"/t/{slug}"
    gets = {
        f"{t}/leave": ["page", "year", "status", "leave_type", "q"],
        f"{t}/leave/new": ["worker_id", "q"],
        f"{t}/attendance": ["page", "month", "client_bureau", "unit"],
        f"{t}/attendance/import": ["month"],
        f"{t}/attendance/import/template": ["month"],
        f"{t}/compliance": ["page", "severity", "rule", "tab"],
        f"{t}/insurance/preview": ["on"],
        f"{t}/salary-bands/new": ["client_bureau"],
        f"{t}/contracts/{contract_id}/terminate": ["terminated_on", "reason"],
        f"{t}/workers": ["page", "grade", "status"],
    }
    posts = {
        f"{t}/leave": ["worker_id", "leave_type", "start_date", "end_date", "reason"],
        f"{t}/leave/entitlement": ["worker_id", "year", "leave_type", "days"],
        f"{t}/leave/{leave_id}/reject": ["comment"],
        f"{t}/attendance": ["month", "page", "workers", "client_bureau"],
        f"{t}/workers/{worker_id}/contracts": [
            "contract_type",
            "start",
            "end",
            "probation_end",
            "probation_wage",
            "wage",
            "post",
            "signed_on",
        ],
        f"{t}/contracts/{contract_id}/renewal-decision": ["renewal_decision"],
        f"{t}/contracts/{contract_id}/renew": ["start", "end", "wage", "post", "work_place", "signed_on"],
        f"{t}/contracts/{contract_id}/convert": ["start", "wage", "signed_on"],
        f"{t}/contracts/{contract_id}/terminate": ["reason", "terminated_on"],
        f"{t}/workers/{worker_id}/training": ["course", "provider", "trained_on", "hours", "result"],
        f"{t}/workers/{worker_id}/certificates": ["name", "number", "issued_on", "valid_until"],
        f"{t}/workers/{worker_id}/discipline": ["kind", "occurred_on", "reason", "amount", "ends_on"],
        f"{t}/compliance/1/acknowledge": ["comment"],
        f"{t}/client-workforce": ["client_bureau", "direct_headcount"],
        f"{t}/cities": ["city", "effective_from", "minimum_wage_monthly", "minimum_wage_hourly", "source"],
        f"{t}/insurance/settings/chengdu": ["housing_fund_rate", "work_injury_rate"],
        f"{t}/insurance/workers/{worker_id}/base": ["contribution_base"],
        f"{t}/salary-bands": ["effective_from", "note", "client_bureau", "g1_a_base"],
    }
    failures = []
    for url, fields in gets.items():
        for field in fields:
            for value in GARBAGE:
                extra = {"worker_id": str(worker_id)} if "preview" in url else {}
                response = client.get(url, params={**extra, field: value})
                if response.status_code >= 500:
                    failures.append(("GET", url, field, value[:20]))
    for url, fields in posts.items():
        for field in fields:
            for value in GARBAGE:
                response = client.post(url, data={"_csrf": token, field: value}, follow_redirects=False)
                if response.status_code >= 500:
                    failures.append(("POST", url, field, value[:20]))
    for url in (
        f"{t}/contracts/{BIG_ID}",
        f"{t}/leave/{BIG_ID}",
        f"{t}/workers/{BIG_ID}/contracts/new",
        f"{t}/salary-bands/{BIG_ID}/edit",
        f"{t}/insurance/preview?worker_id={BIG_ID}",
    ):
        if client.get(url).status_code >= 500:
            failures.append(("GET", url, "", ""))
    assert not failures, failures


def test_the_termination_page_cites_the_law_as_chinese_readers_do(signed_in, tenant, settings) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    _, contract_id, _ = _setup(client, tenant, settings)
    html = client.get(f"/t/{tenant.slug}/contracts/{contract_id}/terminate").text
    assert "《劳动合同法》第47条；《实施条例》第27条" in html
    assert "Art. 47" not in html


def test_a_contribution_base_too_large_for_its_column_is_refused_next_to_the_field(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2023, 1, 1))
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    token = csrf_from(client.get(f"/t/{tenant.slug}/insurance/preview?worker_id={worker.id}").text)
    for typed in ("99999999999", "1e999999"):
        refused = client.post(
            f"/t/{tenant.slug}/insurance/workers/{worker.id}/base",
            data={"_csrf": token, "contribution_base": typed},
            follow_redirects=False,
        )
        assert refused.status_code == 400, typed
        assert 'id="contribution_base-error"' in refused.text, typed


@pytest.mark.usefixtures("db_clean")  # the contract import runs on the job worker, which sees committed data only
def test_garbage_sheets_are_refused_not_a_500(signed_in, tenant, settings) -> None:
    from tests.support.sheets import XLSX, workbook

    client = signed_in(tenant, StaffRole.ADMIN)
    token = _token(client, tenant.slug)
    huge = ["1" * 5000, "1e999999", "²", "9999-12-31", "x" * 300, -1, 10**30, 1e308]
    sheets = [b"not a workbook", b"PK\x03\x04garbage", workbook([huge * 2], headers=[str(i) for i in range(16)])]
    zh = translator("zh_CN")
    for headers in (contract_excel.HEADERS, attendance_excel.HEADERS):
        header_row = [zh(h) for h in headers.values()]
        rows = [(huge * 2)[: len(header_row)], (huge[::-1] * 2)[: len(header_row)]]
        sheets.append(workbook(rows, headers=header_row))
    for url, extra in (
        (f"/t/{tenant.slug}/contracts/import", {}),
        (f"/t/{tenant.slug}/attendance/import", {"month": "2024-03"}),
    ):
        for content in sheets:
            response = client.post(url, data={"_csrf": token, **extra}, files={"file": ("x.xlsx", content, XLSX)})
            assert response.status_code == 400, (url, content[:20], response.status_code)
