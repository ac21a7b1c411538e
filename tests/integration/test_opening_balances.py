"""Opening balances: a tenant starting payroll in September enters each worker's year to date from its previous
system, the cumulative withholding continues from it to the annual tax, the import refuses bad rows and published
months, and the portal's payslip shows the part before this system.

The import is a job the upload waits for, and the job worker sees committed data only: every test commits.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.cities.actions import in_force as city_in_force
from service.i18n import translator
from service.insurance.actions import set_contribution_base
from service.insurance.store import policy_in_force
from service.insurance.worker_contributions import WORK_INJURY_RATES
from service.keys import keys_for
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.minimum_wage import MinimumWage
from service.payroll.payslip import Attendance, Insurance, PayslipInput, compute_payslip
from service.payroll.runs import actions as runs
from service.payroll.runs.inputs import OPENING_BALANCE_COVERS_MONTH, ytd_from_json
from service.payroll.tax.actions import save_declaration
from service.payroll.tax.income_tax import (
    ANNUAL_BASIC_DEDUCTION,
    Amounts,
    OpeningBalance,
    TaxYearToDate,
    annual_tax,
    withhold_year,
)
from service.payroll.tax.special_deductions import Declarations, Period, Rent, RentTier
from service.workforce.models import GRADES, Worker
from service.workforce.roster.actions import reveal_id_number
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_worker
from tests.support.portal import BUREAU, make_assistant, payslip_of, run_month
from tests.support.sheets import XLSX, workbook
from tests.support.web import csrf_from

pytestmark = pytest.mark.usefixtures("db_clean")

D = Decimal
YEAR = 2026
HEADERS = [
    "身份证号",
    "姓名",
    "截至月份",
    "累计收入额",
    "累计免税收入",
    "累计专项扣除（三险一金个人部分）",
    "累计专项附加扣除",
    "累计依法确定的其他扣除",
    "累计已预扣预缴税额",
    "累计减除费用月数",
]
PUBLISHED = "Payroll here has already published {month} for this worker: the opening balance must be as of an earlier month."
RENT = D("1500")  # 住房租金 in a provincial capital (国发〔2018〕41号, 国发〔2023〕13号 amounts)


def message(msgid: str, **params: object) -> str:
    return html.escape(translator(None)(msgid, **params), quote=False)


def audit(tenant, action: str) -> list[AuditEntry]:
    with tenant_session(tenant.id) as db:
        return list(db.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def stored_balances(tenant) -> list:
    with tenant_session(tenant.id) as db:
        return list(db.execute(text("select * from payroll_opening_balances order by worker_id, year")).mappings())


def id_number(settings, tenant, worker: Worker) -> str:
    with tenant_session(tenant.id) as db:
        return reveal_id_number(keys_for(settings), db.get(Worker, (tenant.id, worker.id)))


def upload(client, tenant, content: bytes):
    token = csrf_from(client.get(f"/t/{tenant.slug}/payroll/opening-balances/import").text)
    return client.post(
        f"/t/{tenant.slug}/payroll/opening-balances/import",
        data={"_csrf": token},
        files={"file": ("期初累计.xlsx", content, XLSX)},
        follow_redirects=False,
    )


def reported(page: str) -> list[tuple[int, str]]:
    """(row, column) of each line of the error table."""
    cells = re.findall(r"<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]*)</td><td[^>]*>[^<]*</td></tr>", page)
    return [(int(r), c) for r, c in cells]


def twelve_thousand_a_month(tenant) -> None:
    """A band table paying 12,000 a month in every cell (post 9,000, grade 2,500, performance 500)."""
    cells = tuple(
        BandCell(grade=g, rating=r, post_pay=D("9000"), grade_pay=D("2500"), performance_pay=D("500"))
        for g in GRADES
        for r in RATINGS
    )
    bureau_id = make_bureau(tenant, BUREAU)
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(bureau_id, date(YEAR, 1, 1), "", cells), actor=SYSTEM)


def renting_worker(settings, tenant, **overrides) -> Worker:
    """A worker in Chengdu since 2020 declared on a 12,000 base, renting (1,500 a month), bonus-free."""
    worker = make_worker(settings, tenant, city="chengdu", client_bureau=BUREAU, **overrides)
    with tenant_session(tenant.id) as db:
        set_contribution_base(db, db.get(Worker, (tenant.id, worker.id)), D("12000"), actor=SYSTEM)
        rent = Rent(RentTier.MAJOR, Period(date(YEAR, 1, 1)))
        save_declaration(db, db.get(Worker, (tenant.id, worker.id)), Declarations(YEAR, rent=rent), actor=SYSTEM)
    return worker


def monthly_contributions(tenant, month: date) -> Decimal:
    """The employee's social insurance and housing fund on the 12,000 base, by the pure rule."""
    with tenant_session(tenant.id) as db:
        policy = policy_in_force(db, "chengdu", month)
        figures = city_in_force(db, "chengdu", month)
    slip = compute_payslip(
        PayslipInput(
            month=month,
            band=BandCell(grade=1, rating=RATINGS[0], post_pay=D("9000"), grade_pay=D("2500"), performance_pay=D("500")),
            performance_base=None,
            components=(),
            attendance=Attendance(D("21.75")),
            insurance=Insurance(policy, D("12000"), D("12000"), policy.housing_fund.rates.lower, WORK_INJURY_RATES.lower),
            year_to_date=TaxYearToDate.start(month.year),
            declarations=None,
            minimum_wage=MinimumWage("chengdu", figures.effective_from, figures.minimum_wage_monthly, False),
        )
    )
    return slip.employee_contributions


def test_an_opening_balance_as_of_august_continues_to_the_annual_tax_in_december(settings, tenant, signed_in) -> None:
    twelve_thousand_a_month(tenant)
    worker = renting_worker(settings, tenant, name="陈启明")
    special = monthly_contributions(tenant, date(YEAR, 9, 1))
    # January to August in the previous system: the same pay, withheld by the same cumulative method.
    months = [Amounts(income=D("12000"), special_deductions=special, special_additional_deductions=RENT)] * 8
    withheld = sum(withhold_year(months), D("0"))
    clerk = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    template = load_workbook(io.BytesIO(clerk.get(f"/t/{tenant.slug}/payroll/opening-balances/import/template").content))
    assert [cell.value for cell in template.active[1]] == HEADERS

    sheet = workbook(
        [
            [
                id_number(settings, tenant, worker),
                "陈启明",
                "2026-08",
                96000,
                None,
                str(special * 8),
                12000,
                None,
                float(withheld),
                8,
            ]
        ],
        HEADERS,
    )
    done = upload(clerk, tenant, sheet)
    assert done.status_code == 303, done.text
    (row,) = stored_balances(tenant)
    assert (row["as_of_month"], row["income"], row["special_deductions"], row["tax_withheld"], row["months_employed"]) == (
        8,
        D("96000.00"),
        special * 8,
        withheld,
        8,
    )
    assert row["source"] == "import" and len(audit(tenant, "opening_balance.import")) == 1
    listing = clerk.get(f"/t/{tenant.slug}/payroll/opening-balances?year={YEAR}")
    assert "陈启明" in listing.text and "96,000.00" in listing.text

    # The same sheet again changes nothing.
    assert upload(clerk, tenant, sheet).status_code == 303
    assert len(audit(tenant, "opening_balance.import")) == 1

    for month in range(9, 13):
        december = run_month(tenant, date(YEAR, month, 1))
    slip = payslip_of(tenant, december, worker)
    ytd = ytd_from_json(slip.year_to_date)
    taxable = D("144000") - ANNUAL_BASIC_DEDUCTION - special * 12 - RENT * 12
    assert (ytd.income, ytd.special_deductions, ytd.special_additional_deductions, ytd.months_employed) == (
        D("144000.00"),
        special * 12,
        RENT * 12,
        12,
    )
    assert ytd.tax_withheld == annual_tax(taxable)
    assert ytd.opening == OpeningBalance(
        YEAR,
        8,
        D("96000"),
        special_deductions=special * 8,
        special_additional_deductions=D("12000"),
        tax_withheld=withheld,
        months_employed=8,
    )

    # The portal's payslip and its PDF show the year to date and the part before this system.
    make_assistant(clerk, tenant, worker)
    page = clerk.get(f"/t/{tenant.slug}/my/payslips/{slip.id}")
    assert 'id="year-to-date-before-us"' in page.text
    assert message("Of which before this system (through {month})", month="2026-08") in page.text
    assert "144,000.00" in page.text and "96,000.00" in page.text and f"{withheld:,.2f}" in page.text
    pdf = clerk.get(f"/t/{tenant.slug}/my/payslips/{slip.id}/pdf")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "2026-08" in pdf_text and "96,000.00" in pdf_text


def test_the_import_refuses_every_bad_row_and_writes_nothing(settings, tenant, signed_in) -> None:
    a, b = (make_worker(settings, tenant, name=n) for n in ("钱一", "钱二"))
    ids = {w.name: id_number(settings, tenant, w) for w in (a, b)}
    clerk = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    sheet = workbook(
        [
            [ids["钱一"], "钱一", "2026-08", 96000, 0, 8000, 12000, 0, 3000, 8],  # 2: fine on its own
            ["110101199003070014", "无名", "2026-08", 96000, 0, 8000, 12000, 0, 3000, 8],  # 3: unknown worker
            [ids["钱二"], "钱三", "2026-08", 96000, 0, 8000, 12000, 0, 3000, 8],  # 4: another name
            [ids["钱二"], "钱二", "2026-08", -1, 0, 8000, 12000, 0, 3000, 8],  # 5: negative income
            [ids["钱二"], "钱二", "2026-08", 96000, 0, 8000, 12000, 0, 3000, 9],  # 6: 9 months by August
            [ids["钱二"], "钱二", "2026-08", "九万六", 0, 8000, 12000, 0, "三千", 8],  # 7: two cells not numbers
            [ids["钱一"], "钱一", "2026-05", 60000, 0, 5000, 7500, 0, 1000, 5],  # 8: 钱一's 2026 again
            [ids["钱二"], "钱二", "2026-12", 96000, 0, 8000, 12000, 0, 3000, 8],  # 9: December
            [ids["钱二"], "钱二", "2026-08", 96000, 0, 8000, 12000, 0, 3000, "八"],  # 10: months not a number
        ],
        HEADERS,
    )
    refused = upload(clerk, tenant, sheet)
    assert refused.status_code == 400, refused.text
    assert "未导入任何数据" in refused.text
    assert reported(refused.text) == [
        (3, "身份证号"),
        (4, "姓名"),
        (5, "累计收入额"),
        (6, "累计减除费用月数"),
        (7, "累计收入额"),
        (7, "累计已预扣预缴税额"),
        (8, "身份证号"),
        (9, "截至月份"),
        (10, "累计减除费用月数"),
    ]
    assert message("The same worker and tax year are already on row {row}.", row=2) in refused.text
    assert message("Months employed must be between 0 and {month}, the month of the balance.", month=8) in refused.text
    assert stored_balances(tenant) == []


def test_a_month_published_here_cannot_be_in_an_opening_balance(settings, tenant, signed_in) -> None:
    twelve_thousand_a_month(tenant)
    worker = renting_worker(settings, tenant, name="周密")
    run_month(tenant, date(YEAR, 3, 1))  # March published here
    clerk = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    number = id_number(settings, tenant, worker)
    for as_of in ("2026-03", "2026-05"):
        refused = upload(clerk, tenant, workbook([[number, "周密", as_of, 36000, 0, 0, 0, 0, 0, 3]], HEADERS))
        assert refused.status_code == 400, as_of
        assert reported(refused.text) == [(2, "截至月份")]
        assert message(PUBLISHED, month="2026-03") in refused.text
    # The form refuses it too, on its field; February is before the first published month.
    form = f"/t/{tenant.slug}/payroll/opening-balances/workers/{worker.id}?year={YEAR}"
    values = {"as_of": "2026-03", "income": "36000", "months_employed": "3"}
    refused_form = clerk.post(form.split("?")[0], data={"_csrf": csrf_from(clerk.get(form).text), **values})
    assert refused_form.status_code == 400 and 'id="as_of-error"' in refused_form.text
    assert stored_balances(tenant) == []
    saved = clerk.post(
        form.split("?")[0],
        data={"_csrf": csrf_from(clerk.get(form).text), **values, "as_of": "2026-02", "months_employed": "2"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    ((row,),) = [stored_balances(tenant)]
    assert (row["as_of_month"], row["income"], row["months_employed"], row["source"]) == (2, D("36000.00"), 2, "form")
    assert [e.after["income"] for e in audit(tenant, "opening_balance.save")] == ["36000.00"]

    # The clerk corrects it on the form, then removes it: each audited, no SQL.
    corrected = {"_csrf": csrf_from(clerk.get(form).text), "as_of": "2026-02", "income": "24000", "months_employed": "2"}
    assert clerk.post(form.split("?")[0], data=corrected, follow_redirects=False).status_code == 303
    assert stored_balances(tenant)[0]["income"] == D("24000.00")
    remove = f"/t/{tenant.slug}/payroll/opening-balances/workers/{worker.id}/{YEAR}/remove"
    assert clerk.post(remove, data={"_csrf": csrf_from(clerk.get(form).text)}, follow_redirects=False).status_code == 303
    assert stored_balances(tenant) == []
    assert audit(tenant, "opening_balance.remove")[0].before["income"] == "24000.00"


def test_a_run_refuses_a_month_the_opening_balance_covers(settings, tenant) -> None:
    twelve_thousand_a_month(tenant)
    worker = renting_worker(settings, tenant, name="吴越")
    from service.payroll.opening_balances.actions import Source, put_balances

    with tenant_session(tenant.id) as db:
        balance = OpeningBalance(YEAR, 8, D("96000"), months_employed=8, tax_withheld=D("1000"))
        put_balances(db, [(worker.id, balance)], source=Source.FORM, actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        run = runs.create_run(db, date(YEAR, 8, 1), actor=SYSTEM)
    with tenant_session(tenant.id) as db, pytest.raises(runs.CalculationRefused) as refused:
        runs.calculate(db, runs.get_run(db, run.id), actor=SYSTEM)
    assert [(p.worker_id, p.reason, p.params) for p in refused.value.problems] == [
        (worker.id, OPENING_BALANCE_COVERS_MONTH, {"through": "2026-08"})
    ]
