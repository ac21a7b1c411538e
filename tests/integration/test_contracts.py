"""Labour contracts through HTTP: create, sign, renew, convert, terminate with
severance, the scanned file, tenant isolation, and bad input refused."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text

from service.accounts.models import StaffRole
from service.dates import add_months
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.web import csrf_from

BUREAU = "成都市锦江区城市管理和综合行政执法局"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _form(**changes: str) -> dict[str, str]:
    form = {
        "contract_type": "fixed_term",
        "start": "2023-01-01",
        "end": "2025-12-31",
        "probation_end": "",
        "probation_wage": "",
        "wage": "6000",
        "post": "市容巡查",
        "work_place": "春熙路",
        "client_bureau": BUREAU,
        "signed_on": "2022-12-28",
    }
    form.update(changes)
    return form


def _create(client, slug: str, worker_id: int, **changes: str):
    token = csrf_from(client.get(f"/t/{slug}/workers/{worker_id}/contracts/new").text)
    return client.post(
        f"/t/{slug}/workers/{worker_id}/contracts", data={"_csrf": token, **_form(**changes)}, follow_redirects=False
    )


def _contract_id(response) -> int:
    assert response.status_code == 303, response.text
    return int(re.search(r"/contracts/(\d+)", response.headers["location"]).group(1))


def _rows(tenant, sql: str, **params: object) -> list:
    with tenant_session(tenant.id) as db:
        return db.execute(text(sql), params).all()


def _count(tenant) -> int:
    return _rows(tenant, "select count(*) from contracts")[0][0]


def _post(client, url: str, **data: object):
    token = csrf_from(client.get(url.rsplit("/", 1)[0] if url.endswith(("/sign", "/renewal-decision", "/file")) else url).text)
    return client.post(url, data={"_csrf": token, **data}, follow_redirects=False)


def test_create_sign_renew_and_convert(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2023, 1, 1))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    slug = tenant.slug
    first = _contract_id(_create(client, slug, worker.id, signed_on=""))
    page = client.get(f"/t/{slug}/contracts/{first}").text
    assert "市容巡查" in page and "6,000.00" in page
    assert _rows(tenant, "select status from contracts")[0][0] == "draft"

    signed = _post(client, f"/t/{slug}/contracts/{first}/sign", signed_on="2022-12-28")
    assert signed.status_code == 303
    assert _rows(tenant, "select status, signed_on from contracts")[0] == ("signed", date(2022, 12, 28))
    decided = _post(client, f"/t/{slug}/contracts/{first}/renewal-decision", renewal_decision="renew")
    assert decided.status_code == 303

    renew_form = client.get(f"/t/{slug}/contracts/{first}/renew").text
    assert 'value="2026-01-01"' in renew_form  # the day after the current end
    renewed = client.post(
        f"/t/{slug}/contracts/{first}/renew",
        data={
            "_csrf": csrf_from(renew_form),
            "start": "",
            "end": "2028-12-31",
            "wage": "6500",
            "post": "市容巡查",
            "work_place": "春熙路",
            "client_bureau": BUREAU,
            "signed_on": "2025-12-20",
        },
        follow_redirects=False,
    )
    second = _contract_id(renewed)
    columns = "id, contract_type, status, start_date, end_date, wage, previous_contract_id"
    rows = {r.id: r for r in _rows(tenant, f"select {columns} from contracts")}
    assert rows[first].status == "renewed"
    assert (rows[second].status, rows[second].start_date) == ("signed", date(2026, 1, 1))
    assert rows[second].previous_contract_id == first
    assert rows[second].wage == Decimal("6500.00")
    detail = client.get(f"/t/{slug}/contracts/{second}").text
    assert f"/contracts/{first}" in detail  # linked to the contract it follows

    convert_form = client.get(f"/t/{slug}/contracts/{second}/convert").text
    converted = client.post(
        f"/t/{slug}/contracts/{second}/convert",
        data={
            "_csrf": csrf_from(convert_form),
            "start": "",
            "wage": "6800",
            "post": "市容巡查",
            "work_place": "",
            "client_bureau": BUREAU,
            "signed_on": "",
        },
        follow_redirects=False,
    )
    third = _contract_id(converted)
    rows = {r.id: r for r in _rows(tenant, f"select {columns} from contracts")}
    assert rows[second].status == "renewed" and rows[second].end_date == date(2028, 12, 31)
    assert (rows[third].contract_type, rows[third].end_date, rows[third].start_date) == ("open_ended", None, date(2029, 1, 1))
    assert rows[third].previous_contract_id == second and rows[third].status == "draft"

    worker_page = client.get(f"/t/{slug}/workers/{worker.id}").text
    for contract_id in (first, second, third):
        assert f"/contracts/{contract_id}" in worker_page
    actions = [r[0] for r in _rows(tenant, "select action from audit_log where entity = 'contract' order by id")]
    assert actions == [
        "contract.create",
        "contract.sign",
        "contract.renewal_decision",
        "contract.create",
        "contract.renew",
        "contract.convert",
        "contract.create",
    ]
    before, after = _rows(tenant, "select before, after from audit_log where action = 'contract.sign'")[0]
    assert (before["status"], after["status"]) == ("draft", "signed")


def test_converting_early_shortens_the_fixed_term_contract(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2023, 1, 1))
    client = signed_in(tenant, StaffRole.ADMIN)
    current = _contract_id(_create(client, tenant.slug, worker.id))
    form = client.get(f"/t/{tenant.slug}/contracts/{current}/convert").text
    response = client.post(
        f"/t/{tenant.slug}/contracts/{current}/convert",
        data={
            "_csrf": csrf_from(form),
            "start": "2024-07-01",
            "wage": "6000",
            "post": "市容巡查",
            "work_place": "",
            "client_bureau": BUREAU,
            "signed_on": "2024-06-20",
        },
        follow_redirects=False,
    )
    _contract_id(response)
    rows = _rows(tenant, "select contract_type, status, start_date, end_date from contracts order by start_date")
    assert [tuple(r) for r in rows] == [
        ("fixed_term", "renewed", date(2023, 1, 1), date(2024, 6, 30)),
        ("open_ended", "signed", date(2024, 7, 1), None),
    ]
    before, after = _rows(tenant, "select before, after from audit_log where action = 'contract.convert'")[0]
    assert (before["end_date"], after["end_date"]) == ("2025-12-31", "2024-06-30")


def _service_months(first: date, last: date) -> tuple[int, int]:
    """Whole years and months of service, counted here by stepping month by month."""
    months = 0
    while add_months(first, months + 1) <= last + timedelta(days=1):
        months += 1
    return divmod(months, 12)


def test_termination_shows_and_stores_the_severance(signed_in, tenant, settings) -> None:
    # The reference example (labor-law-cn.md §3): 7 years 8 months at 6,000 a month.
    hire, last_day = date(2018, 1, 1), date(2025, 8, 31)
    years, months = _service_months(hire, last_day)
    assert (years, months) == (7, 8)
    expected = Decimal(6000) * (years + 1 if months >= 6 else years)  # ≥ 6 months count as a year
    assert expected == Decimal(48000)

    worker = make_worker(settings, tenant, hire_date=hire)
    with tenant_session(tenant.id) as db:  # the city the seeded reference figures cover
        db.execute(text("update workers set city = 'chengdu' where id = :id"), {"id": worker.id})
    client = signed_in(tenant, StaffRole.HR_CLERK)
    contract = _contract_id(_create(client, tenant.slug, worker.id))
    form = client.get(f"/t/{tenant.slug}/contracts/{contract}/terminate?terminated_on={last_day}").text
    assert "48,000.00" in form
    assert "2,330.00" in form and "7,646.00" in form  # Chengdu's figures in force on the last day
    done = client.post(
        f"/t/{tenant.slug}/contracts/{contract}/terminate",
        data={"_csrf": csrf_from(form), "reason": "redundancy", "terminated_on": last_day.isoformat()},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    stored = _rows(tenant, "select status, terminated_on, termination_reason, severance from contracts")[0]
    assert tuple(stored) == ("terminated", last_day, "redundancy", expected)
    basis = _rows(tenant, "select after from audit_log where action = 'contract.terminate'")[0][0]["severance_basis"]
    assert basis["city"] == "chengdu" and basis["amount"] == "48000.00"
    assert "48,000.00" in client.get(f"/t/{tenant.slug}/contracts/{contract}").text
    # The contract's last day is the worker's: payroll pays to it and not after.
    assert _rows(tenant, "select left_on from workers")[0][0] == last_day


def test_without_city_figures_the_form_says_so_and_no_compensation_for_resignation(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2023, 1, 1))  # no city recorded
    client = signed_in(tenant, StaffRole.HR_CLERK)
    contract = _contract_id(_create(client, tenant.slug, worker.id))
    form = client.get(f"/t/{tenant.slug}/contracts/{contract}/terminate?terminated_on=2024-06-30").text
    # 1 year 6 months: counted as 2 years (Art. 47), no floor or cap known.
    assert "12,000.00" in form
    assert 'id="severance"' in form
    notice = form.split('id="severance"')[1].split("</p>")[0]
    assert "alert" in notice  # says the floor and cap could not be applied
    done = client.post(
        f"/t/{tenant.slug}/contracts/{contract}/terminate",
        data={"_csrf": csrf_from(form), "reason": "worker_notice", "terminated_on": "2024-06-30"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _rows(tenant, "select severance from contracts")[0][0] == Decimal("0.00")
    # A later contract may start the day after the termination.
    assert _create(client, tenant.slug, worker.id, start="2024-07-01", end="2027-06-30").status_code == 303


def test_an_impossible_termination_is_refused(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2023, 1, 1))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    contract = _contract_id(_create(client, tenant.slug, worker.id))
    form = client.get(f"/t/{tenant.slug}/contracts/{contract}/terminate").text
    for data in (
        {"reason": "redundancy", "terminated_on": "2026-01-31"},  # after the end
        {"reason": "expiry_not_renewed", "terminated_on": "2024-01-31"},  # expiry before the end date
        {"reason": "", "terminated_on": "2024-01-31"},
        {"reason": "redundancy", "terminated_on": "31/01/2024"},
        {"reason": "redundancy", "terminated_on": "0001-01-01"},  # off the calendar: refused, not previewed
    ):
        response = client.post(f"/t/{tenant.slug}/contracts/{contract}/terminate", data={"_csrf": csrf_from(form), **data})
        assert response.status_code == 400, data
        assert "field-error" in response.text
    assert _rows(tenant, "select status from contracts")[0][0] == "signed"


def _upload(client, slug: str, contract_id: int, content: bytes, filename: str, media: str = "application/pdf"):
    token = csrf_from(client.get(f"/t/{slug}/contracts/{contract_id}").text)
    return client.post(
        f"/t/{slug}/contracts/{contract_id}/file",
        data={"_csrf": token},
        files={"file": (filename, content, media)},
        follow_redirects=False,
    )


def test_the_scanned_file_uploads_downloads_and_refuses_what_is_not_a_scan(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    contract = _contract_id(_create(client, tenant.slug, worker.id))
    assert client.get(f"/t/{tenant.slug}/contracts/{contract}/file").status_code == 404

    assert _upload(client, tenant.slug, contract, PDF, "劳动合同 扫描件.pdf").status_code == 303
    download = client.get(f"/t/{tenant.slug}/contracts/{contract}/file")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"

    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    refused = _upload(client, tenant.slug, contract, exe, "合同.pdf")
    assert refused.status_code == 400 and 'id="file-error"' in refused.text
    too_big = _upload(client, tenant.slug, contract, b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf")
    assert too_big.status_code in (400, 413)
    # The first scan is still the one kept; a PNG replaces it.
    assert client.get(f"/t/{tenant.slug}/contracts/{contract}/file").content == PDF
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert _upload(client, tenant.slug, contract, png, "scan.pdf", "application/pdf").status_code == 303
    replaced = client.get(f"/t/{tenant.slug}/contracts/{contract}/file")
    assert replaced.headers["content-type"].startswith("image/png") and replaced.content == png
    assert _rows(tenant, "select filename from contract_files")[0][0] == "scan.png"
    actions = [r[0] for r in _rows(tenant, "select action from audit_log where action = 'contract.attach_file'")]
    assert len(actions) == 2


def test_another_tenants_contract_is_not_found(signed_in, tenant, other_tenant, settings) -> None:
    worker = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    contract = _contract_id(_create(client, tenant.slug, worker.id))
    assert _upload(client, tenant.slug, contract, PDF, "a.pdf").status_code == 303
    client.cookies.clear()
    intruder = signed_in(other_tenant, StaffRole.ADMIN)
    base = f"/t/{other_tenant.slug}"
    for path in ("", "/file", "/terminate", "/renew", "/edit"):
        assert intruder.get(f"{base}/contracts/{contract}{path}").status_code == 404, path
    token = csrf_from(intruder.get(f"{base}/workers").text)
    for path in ("/sign", "/terminate", "/renewal-decision"):
        data = {
            "_csrf": token,
            "signed_on": "2023-01-01",
            "reason": "redundancy",
            "terminated_on": "2024-01-01",
            "renewal_decision": "renew",
        }
        response = intruder.post(f"{base}/contracts/{contract}{path}", data=data)
        assert response.status_code == 404, path
    assert intruder.get(f"{base}/workers/{worker.id}/contracts/new").status_code == 404
    assert _rows(tenant, "select status from contracts")[0][0] == "signed"


def test_bad_terms_are_refused_next_to_the_field_and_nothing_is_written(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    cases = [
        ({"end": "2022-06-30"}, "end"),  # end before start
        ({"probation_end": "2026-03-31"}, "probation_end"),  # probation after the end
        ({"wage": "-1"}, "wage"),
        ({"contract_type": "open_ended"}, "end"),
        ({"start": "2023-02-30"}, "start"),
        ({"post": "<script>alert(1)</script>"}, "post"),
    ]
    for changes, field in cases:
        response = _create(client, tenant.slug, worker.id, **changes)
        assert response.status_code == 400, changes
        assert f'id="{field}-error"' in response.text, changes
        assert "<script>alert(1)</script>" not in response.text
    assert _count(tenant) == 0
    assert _create(client, tenant.slug, worker.id).status_code == 303
    overlapping = _create(client, tenant.slug, worker.id, start="2025-06-01", end="2028-05-31")
    assert overlapping.status_code == 400 and 'id="start-error"' in overlapping.text
    assert "2023-01-01" in overlapping.text  # names the contract it overlaps
    assert _count(tenant) == 1
    assert _rows(tenant, "select count(*) from audit_log where entity = 'contract'")[0][0] == 1


def test_the_client_bureau_is_one_of_the_tenants_and_a_rename_follows_it(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, client_bureau=BUREAU)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    unknown = _create(client, tenant.slug, worker.id, client_bureau="没有这个局")
    assert unknown.status_code == 400 and 'id="client_bureau-error"' in unknown.text
    assert _count(tenant) == 0
    contract = _contract_id(_create(client, tenant.slug, worker.id))
    assert _rows(tenant, "select bureau_id from contracts") == [(worker.bureau_id,)]
    with tenant_session(tenant.id) as db:
        db.execute(text("update client_bureaus set name = '锦江区综合执法局' where name = :n"), {"n": BUREAU})
    page = client.get(f"/t/{tenant.slug}/contracts/{contract}").text
    assert "锦江区综合执法局" in page and BUREAU not in page


def test_a_viewer_reads_but_cannot_change(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant)
    clerk = signed_in(tenant, StaffRole.HR_CLERK)
    contract = _contract_id(_create(clerk, tenant.slug, worker.id))
    clerk.cookies.clear()
    viewer = signed_in(tenant, StaffRole.VIEWER)
    page = viewer.get(f"/t/{tenant.slug}/contracts/{contract}")
    assert page.status_code == 200 and "/terminate" not in page.text
    assert "/contracts/new" not in viewer.get(f"/t/{tenant.slug}/workers/{worker.id}").text
    response = viewer.post(f"/t/{tenant.slug}/contracts/{contract}/sign", data={"_csrf": csrf_from(page.text)})
    assert response.status_code == 403


def test_a_draft_is_edited_but_not_renewed_or_terminated(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.HR_CLERK)
    draft = _contract_id(_create(client, tenant.slug, worker.id, signed_on=""))
    form = client.get(f"/t/{tenant.slug}/contracts/{draft}/edit").text
    fields = {"_csrf": csrf_from(form), **_form(wage="6200", signed_on="")}
    saved = client.post(f"/t/{tenant.slug}/contracts/{draft}", data=fields, follow_redirects=False)
    assert saved.status_code == 303
    assert _rows(tenant, "select status, wage from contracts")[0] == ("draft", Decimal("6200.00"))
    for path in ("renew", "convert", "terminate"):
        assert client.get(f"/t/{tenant.slug}/contracts/{draft}/{path}").status_code == 400, path
    refused = client.post(
        f"/t/{tenant.slug}/contracts/{draft}/terminate",
        data={"_csrf": csrf_from(form), "reason": "redundancy", "terminated_on": "2024-01-31"},
    )
    assert refused.status_code == 400
    signed = _post(client, f"/t/{tenant.slug}/contracts/{draft}/sign", signed_on="2022-12-30")
    assert signed.status_code == 303
    again = client.post(
        f"/t/{tenant.slug}/contracts/{draft}", data={"_csrf": csrf_from(form), **_form(wage="1")}, follow_redirects=False
    )
    assert again.status_code == 400  # a signed contract is no longer edited
    assert _rows(tenant, "select status, wage from contracts")[0] == ("signed", Decimal("6200.00"))
