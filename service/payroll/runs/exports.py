"""A run's files: the payroll register, the payment file for the bank, the
individual income tax withholding declaration and the contribution sheet.

Every amount is written as the stored Decimal (never a float).  The rows are
read in a few queries (payslips with names, then every line of the run).

The payment file is made only for a published run, in the tenant's bank
layout (``service.payroll.runs.payments``), and each one is recorded: it is a POST.
A correction run's payment file pays the positive differences of net pay;
its other files give the corrected figures in full, as a corrected
declaration does.

The withholding declaration's headers are the Chinese column names of the
tax bureau's import template (扣缴客户端 / 自然人电子税务局), whatever the
reader's language.  Its figures come from the payslip lines: the employee
contribution lines by code, the tax line, and this month's income, which is
the employer cost less the employer contributions (see ``payslip``).  The
year's special additional deductions are stored only as one cumulative total
(no declaration per item is recorded yet), so the per-item columns are one.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.dates import parse_date
from service.errors import N_, Label
from service.excel import write_rows
from service.i18n import Translator
from service.keys import keys_for
from service.money import ZERO
from service.payroll.payslip import CONTRIBUTION_LINES, SEVERANCE, SEVERANCE_TAX
from service.payroll.runs import actions as runs
from service.payroll.runs import queries as run_queries
from service.payroll.runs.models import PayrollRun, PayslipLineRow
from service.payroll.runs.payments import actions as payments
from service.payroll.runs.payments.access import PRODUCERS
from service.payroll.runs.queries import RegisterRow
from service.payroll.runs.routes import READERS, run_refused
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import NO_STORE, xlsx_download
from service.web.refusals import shown_again_by
from service.workforce.access import SEES_FULL_ID
from service.workforce.models import Worker
from service.workforce.roster.actions import reveal_id_number
from tenants.isolation import TenantSession

RESIDENT_ID_CARD = "居民身份证"
TAX_HEADERS = (
    "姓名",
    "证件类型",
    "证件号码",
    "本期收入",
    "本期免税收入",
    "基本养老保险费",
    "基本医疗保险费",
    "失业保险费",
    "住房公积金",
    "累计专项附加扣除",
    "本期应预扣预缴税额",
)
REGISTER_HEADERS = (
    N_("Name"),
    N_("ID number"),
    N_("Client bureau"),
    N_("Gross pay"),
    N_("Deductions"),
    N_("Employee social insurance"),
    N_("Housing fund"),
    N_("Taxable income"),
    N_("Income tax"),
    N_("Net pay"),
    N_("Employer contributions"),
    N_("Employer cost"),
    N_("Minimum wage shortfall"),
    N_("Part month"),
)


def _amounts(lines: list[PayslipLineRow]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for line in lines:
        found[line.code] = found.get(line.code, ZERO) + line.amount
    return found


def _part_month(row: RegisterRow, t: Translator) -> str:
    """A prorated worker's rule and its figures; empty for a whole month."""
    note = row.part_month
    return "" if note is None else f"{t(note.rule)}: {t(note.explanation, **note.params)}"


def register_workbook(run: PayrollRun, rows: list[RegisterRow], t: Translator) -> bytes:
    body = (
        (
            r.name,
            r.id_number_masked,
            r.client_bureau,
            r.gross_pay,
            r.deductions,
            r.employee_social_insurance,
            r.employee_housing_fund,
            r.taxable_income,
            r.tax,
            r.net_pay,
            r.employer_contributions,
            r.employer_cost,
            r.minimum_wage_shortfall,
            _part_month(r, t),
        )
        for r in rows
    )
    return write_rows(t(N_("Payroll register")), [t(h) for h in REGISTER_HEADERS], body)


def tax_workbook(
    rows: list[RegisterRow], lines: dict[int, list[PayslipLineRow]], ytd: dict[int, dict], id_number: Callable[[int], str]
) -> bytes:
    body = []
    for r in rows:
        codes = _amounts(lines.get(r.payslip_id, []))
        # Wages only: a leaver's severance and its tax are declared apart from them (财税〔2018〕164号 Art. 5(1)).
        income = r.employer_cost - r.employer_contributions - codes.get(SEVERANCE[0], ZERO)
        body.append(
            (
                r.name,
                RESIDENT_ID_CARD,
                id_number(r.worker_id),
                income,
                income - r.taxable_income,
                codes.get("pension.employee", ZERO),
                codes.get("medical.employee", ZERO) + codes.get("maternity.employee", ZERO),
                codes.get("unemployment.employee", ZERO),
                codes.get("housing_fund.employee", ZERO),
                Decimal(str(ytd.get(r.payslip_id, {}).get("special_additional_deductions", "0"))),
                r.tax - codes.get(SEVERANCE_TAX[0], ZERO),
            )
        )
    return write_rows("个人所得税扣缴申报", TAX_HEADERS, body)


def insurance_workbook(rows: list[RegisterRow], lines: dict[int, list[PayslipLineRow]], t: Translator) -> bytes:
    headers = [t(N_("Name")), t(N_("ID number"))]
    for _code, label in CONTRIBUTION_LINES:
        headers += [t(N_("{item}, employee"), item=Label(label)), t(N_("{item}, employer"), item=Label(label))]
    headers += [t(N_("Employee total")), t(N_("Employer total"))]
    body = []
    for r in rows:
        codes = _amounts(lines.get(r.payslip_id, []))
        row: list[object] = [r.name, r.id_number_masked]
        employee = employer = ZERO
        for code, _label in CONTRIBUTION_LINES:
            e, c = codes.get(f"{code}.employee", ZERO), codes.get(f"{code}.employer", ZERO)
            employee, employer = employee + e, employer + c
            row += [e, c]
        body.append([*row, employee, employer])
    return write_rows(t(N_("Contributions")), headers, body)


def _read(
    db: TenantSession, ctx: RequestContext, run_id: int, with_lines: bool = False
) -> tuple[PayrollRun, list[RegisterRow], dict[int, list[PayslipLineRow]]]:
    run = runs.get_run(db, run_id)
    if run is None:
        raise NotFoundException()
    rows = run_queries.register_rows(db, run)
    lines = run_queries.lines_of(db, [r.payslip_id for r in rows]) if with_lines else {}
    return run, rows, lines


class PayrollExportsController(Controller):
    path = "/payroll/{run_id:int}"

    @get("/register.xlsx", opt=allow(*READERS), sync_to_thread=True)
    def register(self, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int]) -> Response:
        run, rows, _ = _read(db, ctx, run_id)
        return xlsx_download(register_workbook(run, rows, ctx.translate), _name(run, "register"))

    @post("/payment-file", opt=allow(*PRODUCERS) | shown_again_by(run_refused), sync_to_thread=True)
    def payment_file(self, request: Request, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int], data: FormData) -> Response:
        """Make, record and hand out the run's payment file (the browser downloads it)."""
        run = runs.get_run(db, run_id)
        if run is None:
            raise NotFoundException()
        pay_date = parse_date(field_text(data, "pay_date"), "pay_date")
        keys = keys_for(request.app.state.settings)
        produced = payments.produce_file(db, keys, run, pay_date, today=clock.today(), actor=ctx.actor)
        return Response(
            content=produced.content,
            media_type=produced.media_type,
            status_code=200,  # a download, though a POST: nothing for the browser to go to
            headers={"content-disposition": f'attachment; filename="{produced.file.file_name}"', **NO_STORE},
        )

    @get("/tax.xlsx", opt=allow(*READERS), sync_to_thread=True)
    def tax(self, request: Request, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int]) -> Response:
        run, rows, lines = _read(db, ctx, run_id, with_lines=True)
        workers = run_queries.workers_of(db, [r.worker_id for r in rows])
        ytd = run_queries.year_to_date_of(db, run_id)
        full = ctx.has_role(*SEES_FULL_ID)
        keys = keys_for(request.app.state.settings)

        def id_number(worker_id: int) -> str:
            worker: Worker = workers[worker_id]
            return reveal_id_number(keys, worker) if full else worker.id_number_masked

        return xlsx_download(tax_workbook(rows, lines, ytd, id_number), _name(run, "tax"))

    @get("/insurance.xlsx", opt=allow(*READERS), sync_to_thread=True)
    def insurance(self, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int]) -> Response:
        run, rows, lines = _read(db, ctx, run_id, with_lines=True)
        return xlsx_download(insurance_workbook(rows, lines, ctx.translate), _name(run, "insurance"))


def _name(run: PayrollRun, kind: str) -> str:
    return f"payroll-{run.month.isoformat()[:7]}-{run.id}-{kind}.xlsx"
