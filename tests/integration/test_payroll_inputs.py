"""Payroll inputs: formula components, the band table's performance base, 专项附加扣除 and the
首次取得工资 / 6 万元 flags per worker and year, one-off items imported from a run — the pages and
their effect on a calculated run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.excel import XLSX_MEDIA_TYPE, write_rows
from service.i18n import translator
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.components.actions import define_component
from service.payroll.components.models import PayComponent, PayComponentAmount
from service.payroll.components.rules import ComponentDefinition, Method
from service.payroll.payslip import ComponentKind
from service.payroll.runs import actions as runs
from service.payroll.runs.inputs import ytd_from_json
from service.payroll.runs.models import PayrollRun, PayslipLineRow, PayslipRow, RunStatus
from service.payroll.tax.income_tax import annual_tax
from service.payroll.tax.models import TaxDeclaration, TaxYearFlagsRow
from service.workforce.attendance.actions import save_month
from service.workforce.attendance.rules import AttendanceFigures
from service.workforce.identity import make_national_id
from service.workforce.imports import actions as imports
from service.workforce.models import GRADES
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.imports import page_once_done
from tests.support.web import csrf_from

D = Decimal
MARCH = date(2026, 3, 1)
JANUARY = date(2026, 1, 1)


def cells(coefficient: bool = False) -> tuple[BandCell, ...]:
    return tuple(
        BandCell(
            grade=g,
            rating=r,
            post_pay=D(2500 + 100 * g),
            grade_pay=D(200 * g),
            performance_pay=None if coefficient else D(600 - 100 * r.rank),
            performance_coefficient=D("1.2") - D("0.1") * r.rank if coefficient else None,
        )
        for g in GRADES
        for r in RATINGS
    )


def seed_band(tenant, *, coefficient: bool = False, base: Decimal | None = None) -> None:
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(None, date(2025, 1, 1), "", cells(coefficient), base), actor=SYSTEM)


def run_for(tenant, month: date = MARCH) -> int:
    with tenant_session(tenant.id) as db:
        return runs.create_run(db, month, actor=SYSTEM).id


def calculate(tenant, run_id: int) -> None:
    with tenant_session(tenant.id) as db:
        runs.calculate(db, db.get(PayrollRun, (tenant.id, run_id)), actor=SYSTEM)


def slip_of(tenant, run_id: int, worker_id: int) -> tuple[PayslipRow, dict[str, Decimal]]:
    with tenant_session(tenant.id) as db:
        slip = db.exec(select(PayslipRow).where(PayslipRow.run_id == run_id, PayslipRow.worker_id == worker_id)).one()
        lines = {x.code: x.amount for x in db.exec(select(PayslipLineRow).where(PayslipLineRow.payslip_id == slip.id))}
    return slip, lines


# --- formula components --------------------------------------------------------------------


def test_a_formula_component_is_checked_on_save_and_paid_by_the_run(signed_in, settings, tenant) -> None:
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    base = f"/t/{tenant.slug}/pay-components"
    page = client.get(base)
    assert page.status_code == 200 and "overtime_hours" in page.text  # the documented inputs
    token = csrf_from(page.text)
    fields = {
        "_csrf": token,
        "code": "ot_meal",
        "label": "加班餐补",
        "kind": "addition",
        "method": "formula",
        "taxable": "on",
        "counts_for_minimum_wage": "on",
    }
    for typed, message in (("overtime * 20", "overtime"), ("min(overtime_hours, 36", ""), ("", "")):
        bad = client.post(base, data={**fields, "formula": typed}, follow_redirects=False)
        assert bad.status_code == 400 and 'id="formula-error"' in bad.text and message in bad.text
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayComponent)).all() == []
    ok = client.post(base, data={**fields, "formula": "min(overtime_hours, 36) * 20"}, follow_redirects=False)
    assert ok.status_code == 303, ok.text
    assert "min(overtime_hours, 36) * 20" in client.get(base).text
    with tenant_session(tenant.id) as db:
        stored = db.exec(select(PayComponent)).one()
        assert (stored.method, stored.formula, stored.amount) == ("formula", "min(overtime_hours, 36) * 20", None)
        assert db.exec(select(AuditEntry).where(AuditEntry.action == "pay_component.define")).one().after["formula"]

    seed_band(tenant)
    busy = make_worker(settings, tenant, city="chengdu", grade=3)
    idle = make_worker(settings, tenant, city="chengdu", grade=3)
    with tenant_session(tenant.id) as db:
        save_month(db, MARCH, {busy.id: AttendanceFigures(D("21.75"), D("0"), D("30"), D("10"), D("0"))}, actor=SYSTEM)
    run_id = run_for(tenant)
    calculate(tenant, run_id)
    _slip, lines = slip_of(tenant, run_id, busy.id)
    assert lines["ot_meal"] == D("720.00")  # 40 hours, capped at 36, × 20
    assert "ot_meal" not in slip_of(tenant, run_id, idle.id)[1]  # 0 hours: nothing paid


def test_a_formula_that_cannot_be_valued_refuses_the_calculation(settings, tenant) -> None:
    seed_band(tenant)
    worker = make_worker(settings, tenant, city="chengdu", name="李四")
    with tenant_session(tenant.id) as db:
        per_absence = ComponentDefinition(
            "per_absence", "缺勤补", ComponentKind.ADDITION, Method.FORMULA, None, formula="post_pay / absence_days"
        )
        define_component(db, per_absence, actor=SYSTEM)
    run_id = run_for(tenant)
    with pytest.raises(runs.CalculationRefused) as refused:
        calculate(tenant, run_id)
    assert [(p.worker_id, p.reason) for p in refused.value.problems] == [(worker.id, "The formula divides by zero.")]
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayslipRow)).all() == []


# --- performance base ------------------------------------------------------------------------


def test_coefficient_cells_are_paid_with_the_tables_performance_base(settings, tenant) -> None:
    with tenant_session(tenant.id) as db, pytest.raises(Exception, match="performance base"):
        create_version(db, BandTableInput(None, date(2025, 1, 1), "", cells(True), None), actor=SYSTEM)
    seed_band(tenant, coefficient=True, base=D("1000"))
    worker = make_worker(settings, tenant, city="chengdu", grade=2)  # not rated: 达标, coefficient 1.0
    run_id = run_for(tenant)
    calculate(tenant, run_id)
    _, lines = slip_of(tenant, run_id, worker.id)
    assert lines["performance_pay"] == D("1000.00")
    # A table saved before the base existed leaves the worker a missing input, with the reason.
    with tenant_session(tenant.id) as db:
        db.execute(text("update salary_band_tables set performance_base = null"))
    with pytest.raises(runs.CalculationRefused) as refused:
        calculate(tenant, run_id)
    assert "no performance base" in refused.value.problems[0].reason


def test_the_band_form_asks_for_the_base(signed_in, tenant) -> None:
    from service.payroll.bands.rules import cell_field, form_fields

    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    token = csrf_from(client.get(f"/t/{tenant.slug}/salary-bands/new").text)
    values = dict.fromkeys(form_fields(), "") | {"effective_from": "2026-01-01"}
    for g in GRADES:
        for r in RATINGS:
            values[cell_field(g, r, "post_pay")] = "2000"
            values[cell_field(g, r, "grade_pay")] = "100"
            values[cell_field(g, r, "performance_coefficient")] = "1"
    bad = client.post(f"/t/{tenant.slug}/salary-bands", data={"_csrf": token, **values}, follow_redirects=False)
    assert bad.status_code == 400 and 'id="performance_base-error"' in bad.text
    ok = client.post(
        f"/t/{tenant.slug}/salary-bands", data={"_csrf": token, **values, "performance_base": "800"}, follow_redirects=False
    )
    assert ok.status_code == 303
    assert "800.00" in client.get(f"/t/{tenant.slug}/salary-bands").text
    with tenant_session(tenant.id) as db:
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "salary_band.create")).one()
    assert entry.after["performance_base"] == "800.00"


# --- declarations and flags -----------------------------------------------------------------


def test_the_tax_page_saves_declarations_and_flags_with_audit(signed_in, settings, tenant, other_tenant) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2026, 2, 1))
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    detail = client.get(f"/t/{tenant.slug}/workers/{worker.id}").text
    assert f"/t/{tenant.slug}/workers/{worker.id}/tax" in detail
    base = f"/t/{tenant.slug}/workers/{worker.id}/tax"
    page = client.get(f"{base}?year=2026")
    assert page.status_code == 200
    token = csrf_from(page.text)

    bad = client.post(
        f"{base}/2026/declarations",
        data={
            "_csrf": token,
            "child-1-birth_date": "2018-05-01",
            "child-1-share": "full",
            "child-1-in_education": "on",
            "elderly": "shared",
            "elderly_parent_birth_date": "1950-01-01",
            "elderly_share": "1600",
            "housing": "rent",
            "rent_tier": "",
            "rent_start": "2026-01",
        },
        follow_redirects=False,
    )
    assert bad.status_code == 400
    assert 'id="elderly_share-error"' in bad.text and 'id="rent_tier-error"' in bad.text
    assert 'value="2018-05-01"' in bad.text  # what was typed is kept
    with tenant_session(tenant.id) as db:
        assert db.exec(select(TaxDeclaration)).all() == []

    ok = client.post(
        f"{base}/2026/declarations",
        data={
            "_csrf": token,
            "child-1-birth_date": "2018-05-01",
            "child-1-share": "full",
            "child-1-in_education": "on",
            "housing": "rent",
            "rent_tier": "major",
            "rent_start": "2026-02",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    shown = client.get(ok.headers["location"]).text
    assert 'id="schedule"' in shown and "3,500.00" in shown  # 2,000 education + 1,500 rent a month

    small = {"_csrf": token, "small_earner": "on", "wages_last_year": "70000", "declared_every_month_last_year": "on"}
    bad_flags = client.post(f"{base}/2026/flags", data=small, follow_redirects=False)
    assert bad_flags.status_code == 400 and 'id="small_earner-error"' in bad_flags.text  # hired in 2026
    assert 'id="wages_last_year-error"' in bad_flags.text
    good_flags = client.post(f"{base}/2026/flags", data={"_csrf": token, "first_job": "on"}, follow_redirects=False)
    assert good_flags.status_code == 303
    with tenant_session(tenant.id) as db:
        flags = db.exec(select(TaxYearFlagsRow)).one()
        assert (flags.worker_id, flags.year, flags.first_job, flags.small_earner) == (worker.id, 2026, True, False)
        actions = [a.action for a in db.exec(select(AuditEntry).where(AuditEntry.entity_id == str(worker.id)))]
    assert "tax_declaration.save" in actions and "tax_year_flags.save" in actions

    # out of range years, other tenants' workers and readers without the role
    assert client.post(f"{base}/1999/flags", data={"_csrf": token}).status_code == 404
    other = make_worker(settings, other_tenant)
    assert client.get(f"/t/{tenant.slug}/workers/{other.id}/tax").status_code == 404
    viewer = signed_in(tenant, StaffRole.VIEWER)
    assert viewer.get(f"{base}?year=2026", follow_redirects=False).status_code in (401, 403)


def test_declarations_and_first_job_change_the_runs_tax(settings, tenant) -> None:
    from service.payroll.tax.actions import save_declaration, save_flags
    from service.payroll.tax.special_deductions import Child, Declarations
    from service.payroll.tax.year_flags import TaxYearFlags
    from service.workforce.models import Worker

    seed_band(tenant)
    plain = make_worker(settings, tenant, city="chengdu", grade=5, hire_date=date(2026, 3, 1))
    declared = make_worker(settings, tenant, city="chengdu", grade=5, hire_date=date(2026, 3, 1))
    with tenant_session(tenant.id) as db:
        w = db.get(Worker, (tenant.id, declared.id))
        save_declaration(db, w, Declarations(2026, children=(Child(date(2018, 5, 1)),)), actor=SYSTEM)
        save_flags(db, w, TaxYearFlags(2026, first_job=True), actor=SYSTEM)
    run_id = run_for(tenant)
    calculate(tenant, run_id)
    base_slip, _ = slip_of(tenant, run_id, plain.id)
    slip, lines = slip_of(tenant, run_id, declared.id)
    special = slip.employee_social_insurance + slip.employee_housing_fund
    # plain: 5,000 for one month with us; declared: 5,000 × 3 months from January and 2,000 of education
    assert base_slip.tax == annual_tax(base_slip.taxable_income - D("5000") - special)
    assert slip.tax == annual_tax(slip.taxable_income - D("15000") - special - D("2000"))
    assert lines["special_additional_deductions"] == D("2000.00")
    ytd = ytd_from_json(slip.year_to_date)
    assert ytd.first_job and ytd.special_additional_deductions == D("2000.00")


def test_a_small_earner_deducts_60000_from_january_only(settings, tenant) -> None:
    from service.payroll.tax.actions import save_flags
    from service.payroll.tax.year_flags import TaxYearFlags
    from service.workforce.models import Worker

    seed_band(tenant)
    worker = make_worker(settings, tenant, city="chengdu", grade=5, hire_date=date(2020, 3, 1))
    with tenant_session(tenant.id) as db:
        flags = TaxYearFlags(2026, small_earner=True, wages_last_year=D("58000"), declared_every_month_last_year=True)
        save_flags(db, db.get(Worker, (tenant.id, worker.id)), flags, actor=SYSTEM)
    january = run_for(tenant, JANUARY)
    calculate(tenant, january)
    slip, _ = slip_of(tenant, january, worker.id)
    assert slip.tax == D("0.00") and ytd_from_json(slip.year_to_date).small_earner
    # March without a published January: the worker is listed, not paid on the wrong basis
    march = run_for(tenant)
    with pytest.raises(runs.CalculationRefused) as refused:
        calculate(tenant, march)
    assert "small full-year earner" in refused.value.problems[0].reason


# --- one-off items from the run ------------------------------------------------------------------

HEADERS = ["身份证号", "姓名", "月份", "项目代码", "金额"]


@pytest.mark.usefixtures("db_clean")  # the sheet is imported on the job worker, which sees committed data only
def test_one_off_items_are_imported_from_the_runs_page(signed_in, settings, tenant) -> None:
    seed_band(tenant)
    number = make_national_id("510104", date(1991, 2, 3), 7, "female")
    worker = make_worker(settings, tenant, id_number=number, name="王芳", city="chengdu")
    with tenant_session(tenant.id) as db:
        define_component(
            db,
            ComponentDefinition("bonus", "一次性奖励", ComponentKind.ADDITION, Method.PER_WORKER_MONTH, None),
            actor=SYSTEM,
        )
    run_id = run_for(tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    run_page = client.get(f"/t/{tenant.slug}/payroll/{run_id}").text
    link = f"/t/{tenant.slug}/pay-components/import?run={run_id}"
    assert link in run_page
    form = client.get(link)
    assert form.status_code == 200 and f'name="run" value="{run_id}"' in form.text
    token = csrf_from(form.text)

    def upload(*rows: list[object]):
        sheet = write_rows("amounts", HEADERS, list(rows))
        return client.post(
            f"/t/{tenant.slug}/pay-components/import",
            data={"_csrf": token, "run": str(run_id)},
            files={"file": ("a.xlsx", sheet, XLSX_MEDIA_TYPE)},
        )

    refused = upload(
        [number, "王芳", "2026-03", "bonus", "500"],
        [number, "王芳", "2026-04", "bonus", "500"],
        [number, "王芳", "2026-03", "bonus", "五百"],
    )
    assert refused.status_code == 400
    assert "2026-04" in refused.text and "errors-table" in refused.text
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayComponentAmount)).all() == []
    imported = upload([number, "王芳", "2026-03", "bonus", "500"])
    assert imported.status_code == 200
    assert translator("zh_CN")("Imported {count} amounts.", count=1) in imported.text
    assert f'href="/t/{tenant.slug}/payroll/{run_id}"' in imported.text  # the import's page keeps its run
    calculate(tenant, run_id)
    assert slip_of(tenant, run_id, worker.id)[1]["bonus"] == D("500.00")

    # once the month is published, its one-off items can no longer be imported
    with tenant_session(tenant.id) as db:
        db.execute(text("update payroll_runs set status = :s"), {"s": RunStatus.PUBLISHED.value})
    published = upload([number, "王芳", "2026-03", "bonus", "600"])
    message = translator("zh_CN")(
        "Payroll for {month} is already published: it can only be changed by a correction run.", month="2026-03"
    )
    assert published.status_code == 400 and message in published.text
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayComponentAmount.amount)).one() == D("500.00")


def _amounts_uploaded_without_waiting(client, tenant, run_id: int, sheet: bytes, monkeypatch) -> str:
    """Upload from the run as a sheet too large to finish within the request's wait: the import's page
    it is sent to, read again as it refreshes itself until the import is over."""
    monkeypatch.setattr(imports, "wait_for", lambda *arguments: None)
    token = csrf_from(client.get(f"/t/{tenant.slug}/pay-components/import?run={run_id}").text)
    response = client.post(
        f"/t/{tenant.slug}/pay-components/import",
        data={"_csrf": token, "run": str(run_id)},
        files={"file": ("a.xlsx", sheet, XLSX_MEDIA_TYPE)},
    )
    return page_once_done(client, response, rf"/t/{tenant.slug}/pay-components/import/\d+\?run={run_id}")


def _amount_imports(tenant) -> list[dict]:
    with tenant_session(tenant.id) as db:
        found = db.execute(
            text("select kind, status, counts, errors, content is null as emptied from imports order by id")
        ).mappings()
        return [dict(r) for r in found]


@pytest.mark.usefixtures("db_clean")
def test_a_pay_amount_import_runs_on_the_job_worker_for_its_runs_month(signed_in, settings, tenant, monkeypatch) -> None:
    number = make_national_id("510104", date(1991, 2, 3), 17, "female")
    make_worker(settings, tenant, id_number=number, name="王芳", city="chengdu")
    with tenant_session(tenant.id) as db:
        define_component(
            db,
            ComponentDefinition("bonus", "一次性奖励", ComponentKind.ADDITION, Method.PER_WORKER_MONTH, None),
            actor=SYSTEM,
        )
    run_id = run_for(tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    T = translator("zh_CN")

    # the job knows the run's month: a row of another month is refused, and nothing of the sheet is written
    sheet = write_rows(
        "amounts", HEADERS, [[number, "王芳", "2026-03", "bonus", "500"], [number, "王芳", "2026-04", "bonus", "9"]]
    )
    shown = _amounts_uploaded_without_waiting(client, tenant, run_id, sheet, monkeypatch)
    assert T("Nothing was imported.") in shown and ">3</td>" in shown
    assert (
        T("This sheet is for the payroll of {month}: the row is for {row_month}.", month="2026-03", row_month="2026-04")
        in shown
    )
    assert f'name="run" value="{run_id}"' in shown  # the next upload is for the same run

    sheet = write_rows("amounts", HEADERS, [[number, "王芳", "2026-03", "bonus", "500"]])
    shown = _amounts_uploaded_without_waiting(client, tenant, run_id, sheet, monkeypatch)
    assert T("Imported {count} amounts.", count=1) in shown
    assert f'href="/t/{tenant.slug}/payroll/{run_id}"' in shown
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayComponentAmount.amount)).one() == D("500.00")
        audited = db.exec(select(AuditEntry).where(AuditEntry.action == "pay_component_amount.import")).all()
    assert [a.actor_kind for a in audited] == ["staff"]  # in the uploader's name, not the worker's
    refused, done = _amount_imports(tenant)
    assert refused["kind"] == "pay_amounts" and refused["status"] == "refused" and refused["emptied"]
    assert [(e["row"], e["column"]) for e in refused["errors"]] == [(3, "月份")]
    assert done == {"kind": "pay_amounts", "status": "done", "counts": {"imported": 1}, "errors": None, "emptied": True}
