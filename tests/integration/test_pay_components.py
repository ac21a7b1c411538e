"""Pay component actions: define, update, deactivate, import amounts all or nothing, declarations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from service.audit import SYSTEM, AuditEntry
from service.errors import DomainError
from service.excel import write_rows
from service.i18n import translator
from service.keys import keys_for
from service.payroll.components import actions
from service.payroll.components.models import PayComponent, PayComponentAmount
from service.payroll.components.rules import ComponentDefinition, Method
from service.payroll.payslip import ComponentKind
from service.payroll.runs.amounts import actions as amounts
from service.payroll.runs.amounts import excel as amounts_sheet
from service.payroll.tax import actions as tax_actions
from service.payroll.tax.models import TaxDeclaration
from service.payroll.tax.queries import declaration_of
from service.payroll.tax.special_deductions import Child, Declarations, Period, Rent, RentTier
from service.workforce.identity import make_national_id
from service.workforce.imports.refusals import ImportRefused
from service.workforce.models import Worker
from tenants.isolation import tenant_session
from tests.support.factories import make_worker

D = Decimal
T = translator("zh_CN")
HEADERS = ["身份证号", "姓名", "月份", "项目代码", "金额"]
MEAL = ComponentDefinition("meal", "餐补", ComponentKind.ADDITION, Method.PER_WORKER_MONTH, None)


def sheet(*rows: list[object]) -> bytes:
    return write_rows("amounts", HEADERS, rows)


def test_define_update_deactivate_are_audited(tenant) -> None:
    with tenant_session(tenant.id) as db:
        c = actions.define_component(db, MEAL, actor=SYSTEM)
        with pytest.raises(DomainError, match="already taken"):
            actions.define_component(db, MEAL, actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        c = actions.get_component(db, c.id)
        fixed = ComponentDefinition("meal", "餐补", ComponentKind.ADDITION, Method.FIXED, D("200"))
        actions.update_component(db, c, fixed, actor=SYSTEM)
        actions.set_active(db, c, False, actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        c = actions.get_component(db, c.id)
        assert (c.method, c.amount, c.active) == ("fixed", D("200.00"), False)
        audit = [a.action for a in db.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert audit[-3:] == ["pay_component.define", "pay_component.update", "pay_component.deactivate"]


def test_import_writes_every_row_or_none(settings, tenant, other_tenant) -> None:
    number = make_national_id("510104", date(1991, 2, 3), 7, "female")
    worker = make_worker(settings, tenant, id_number=number, name="王芳")
    keys = keys_for(settings)
    with tenant_session(tenant.id) as db:
        actions.define_component(db, MEAL, actor=SYSTEM)
        actions.define_component(
            db, ComponentDefinition("transport", "交通", ComponentKind.ADDITION, Method.FIXED, D("1")), actor=SYSTEM
        )
    bad = sheet(
        [number, "王芳", "2026-03", "meal", "250"],
        [number, "李四", "2026-02", "meal", "250"],  # wrong name
        [number, "王芳", "2026-04", "transport", "1"],  # not imported per worker
        [number, "王芳", "2026-05", "nosuch", "1"],
        [number, "王芳", "2026-06", "meal", "-1"],
        [number, "王芳", "2026-03", "meal", "1"],  # duplicate of row 2
    )
    with tenant_session(tenant.id) as db, pytest.raises(ImportRefused) as refused:
        amounts.import_amounts(db, keys, bad, T, actor=SYSTEM)
    column = {T(msgid): field for field, msgid in amounts_sheet.HEADERS.items()}
    assert [(e.row, column[e.column]) for e in refused.value.errors] == [
        (3, "name"),
        (4, "code"),
        (5, "code"),
        (6, "amount"),
        (7, "id_number"),
    ]
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayComponentAmount)).all() == []

    good = sheet([number, "王芳", "2026年3月", "MEAL", "250.5"], [number, "", "2026-04", "meal", 0])
    with tenant_session(tenant.id) as db:
        assert amounts.import_amounts(db, keys, good, T, actor=SYSTEM) == 2
    with tenant_session(tenant.id) as db:  # importing again replaces
        amounts.import_amounts(db, keys, sheet([number, "王芳", "2026-03", "meal", "260"]), T, actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        rows = db.exec(select(PayComponentAmount).order_by(PayComponentAmount.month)).all()
        assert [(r.worker_id, r.month, r.amount) for r in rows] == [
            (worker.id, date(2026, 3, 1), D("260.00")),
            (worker.id, date(2026, 4, 1), D("0.00")),
        ]
    # another tenant cannot match this tenant's worker nor see its rows
    with tenant_session(other_tenant.id) as db:
        actions.define_component(db, MEAL, actor=SYSTEM)
        with pytest.raises(ImportRefused) as refused:
            amounts.import_amounts(db, keys, good, T, actor=SYSTEM)
        assert refused.value.errors[0].column == T(amounts_sheet.HEADERS["id_number"])
        assert db.exec(select(PayComponentAmount)).all() == []
        assert len(db.exec(select(PayComponent)).all()) == 1


def test_a_non_excel_file_is_refused_on_row_1(settings, tenant) -> None:
    with tenant_session(tenant.id) as db, pytest.raises(ImportRefused) as refused:
        amounts.import_amounts(db, keys_for(settings), b"not a workbook", T, actor=SYSTEM)
    assert refused.value.errors[0].row == 1


def test_declarations_are_saved_per_year_and_checked(settings, tenant) -> None:
    worker = make_worker(settings, tenant)
    first = Declarations(2026, children=(Child(date(2018, 5, 1)),))
    second = Declarations(2026, rent=Rent(RentTier.MAJOR, Period(date(2026, 1, 1))))
    with tenant_session(tenant.id) as db:
        w = db.get(Worker, (tenant.id, worker.id))
        tax_actions.save_declaration(db, w, first, actor=SYSTEM)
        tax_actions.save_declaration(db, w, second, actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        assert declaration_of(db, worker.id, 2026) == second
        assert declaration_of(db, worker.id, 2025) is None
        assert len(db.exec(select(TaxDeclaration)).all()) == 1
        saves = db.exec(select(AuditEntry).where(AuditEntry.action == "tax_declaration.save").order_by(AuditEntry.id)).all()
    assert len(saves) == 2 and saves[1].before is not None


@pytest.mark.usefixtures("db_clean")  # the amounts sheet is imported on the job worker, which sees committed data only
def test_the_pages_define_list_deactivate_and_import(signed_in, tenant, settings) -> None:
    from service.accounts.models import StaffRole
    from service.excel import XLSX_MEDIA_TYPE
    from tests.support.web import csrf_from

    number = make_national_id("510104", date(1992, 4, 5), 9, "male")
    make_worker(settings, tenant, id_number=number, name="赵六")
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    base = f"/t/{tenant.slug}/pay-components"
    token = csrf_from(client.get(base).text)
    bad = client.post(
        base,
        data={"_csrf": token, "code": "Bad code", "label": "", "kind": "addition", "method": "fixed", "amount": "x"},
        follow_redirects=False,
    )
    assert bad.status_code == 400 and "field-error" in bad.text
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayComponent)).all() == []
    ok = client.post(
        base,
        data={
            "_csrf": token,
            "code": "meal",
            "label": "餐补",
            "kind": "addition",
            "method": "per_worker_month",
            "amount": "",
            "taxable": "on",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    listing = client.get(base)
    assert listing.status_code == 200 and "餐补" in listing.text

    token = csrf_from(client.get(f"{base}/import").text)
    assert client.get(f"{base}/import/template").status_code == 200
    good = sheet([number, "赵六", "2026-03", "meal", "88"])
    upload = client.post(f"{base}/import", data={"_csrf": token}, files={"file": ("a.xlsx", good, XLSX_MEDIA_TYPE)})
    assert upload.status_code == 200, upload.text
    assert T("Imported {count} amounts.", count=1) in upload.text
    wrong = sheet([number, "赵六", "2026-03", "nosuch", "88"])
    refused = client.post(f"{base}/import", data={"_csrf": token}, files={"file": ("a.xlsx", wrong, XLSX_MEDIA_TYPE)})
    assert refused.status_code == 400 and "nosuch" in refused.text
    with tenant_session(tenant.id) as db:
        assert [a.amount for a in db.exec(select(PayComponentAmount))] == [D("88.00")]
        component_id = db.exec(select(PayComponent.id)).one()
    token = csrf_from(client.get(base).text)
    assert (
        client.post(f"{base}/{component_id}/active", data={"_csrf": token, "active": "0"}, follow_redirects=False).status_code
        == 303
    )
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayComponent.active)).one() is False

    viewer = signed_in(tenant, StaffRole.VIEWER)
    assert viewer.get(base).status_code == 200
    assert viewer.get(f"{base}/import").status_code in (403, 404)
    assert viewer.get(upload.url.path).status_code in (403, 404)  # nor the import's page
