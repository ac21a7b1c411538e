"""Everything a payroll run needs, read in a few set-based queries.

One query each: the run's workers (employed in the month: hired by its end,
their last day, if any, in it or later; active or on probation, or left
during the month; of the run's bureau when it has one); the band tables in force;
the cells of those tables; the month's attendance; the insurance policies,
the tenant's insurance settings and the city figures (average wage, minimum
wage); and each worker's tax year to date, summed over the payslips *in
force* of the earlier months of the year (per month the latest published
one, so a published correction counts).  Nothing is read per worker.

Choices made here (and said on the run's page):

* The band table and the city figures in force on the **first day** of the
  month pay the whole month (a version effective mid-month pays from the
  next month).
* A worker without attendance figures for the month is paid a **full month
  worked**: no absence, no overtime (``FULL_MONTH``).  Attendance is the
  exception record; a missing row means nothing to deduct.
* The contribution base is the worker's declared base, else the city's
  average monthly wage; the tenant's rates for the city, else the lowest
  (as ``insurance.worker_contributions.worker_month`` chooses them).
* The housing fund is left out of a new hire's first month where the city's
  figures in force start it the month after (``cities.housing_fund``).
* A worker's opening balance (the year to date the previous payroll system
  withheld, through the month before the first run here) starts the tax year
  instead; a month it covers is not paid here (``Missing``).
* The tax year starts from ``year_flags.year_start`` (the worker's
  首次取得工资 / 6 万元 flags saved for the year, none meaning neither) when
  the worker has no published payslip earlier in the year.  A small
  full-year earner without one is a missing input unless the month is
  January (the 60,000 applies from January only).
* The tenant's *active* pay components are valued by
  ``components.rules.month_components`` (fixed; per full year of service before
  the month's first day; the month's imported amount, none meaning not paid;
  a formula over ``components.rules.formula_inputs``), in code order; a formula
  that cannot be valued makes the worker a missing input.  The worker's
  专项附加扣除 declarations are those saved for the month's year (none: no
  deduction).  A band cell with a performance coefficient uses the
  performance base of its band table; a table without one leaves the worker
  a missing input.
* A leaver whose settlement (``leavers``) has its last day in the month is
  in the run whatever their status, and the final payslip pays the
  settlement's annual-leave compensation and severance (``LeaverPay``).

* A worker's first and last month are paid for the days employed, hire date
  to last day (``Worker.left_on``), by the tenant's proration rule
  (``settings.proration_rule``; what is prorated: ``payslip``, "Part
  months").  A worker who left during the month gets that month's final
  payslip; after it, nothing.  A worker marked as left without a last day on
  record is not paid.  The months employed for the basic deduction come
  from the same employment.

A worker whose inputs are missing is listed with the reason (``Missing``),
never skipped: the run refuses the calculation while the list is not empty.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy
from sqlalchemy import ColumnElement, and_, or_, text
from sqlmodel import col, select

from service.assessment.ratings import Rating
from service.cities.housing_fund import housing_fund_due
from service.cities.models import CityParameter
from service.database.ids import among, id_of
from service.errors import N_, DomainError
from service.grades.standing import standing_on
from service.insurance.cities import MINIMUM_WAGES
from service.insurance.models import InsurancePolicy, InsuranceSetting
from service.insurance.policy import CityPolicy
from service.insurance.store import policy_of
from service.insurance.worker_contributions import WORK_INJURY_RATES
from service.payroll.bands.actions import DEFAULT_RATING, cells_of_tables
from service.payroll.bands.models import SalaryBandTable
from service.payroll.bands.rules import band_in_force, band_pay
from service.payroll.components.models import PayComponent, PayComponentAmount
from service.payroll.components.rules import month_components
from service.payroll.leavers.queries import leaver_pay
from service.payroll.minimum_wage import MinimumWage
from service.payroll.payslip import Attendance, Insurance, PayslipInput
from service.payroll.runs.settings import proration_rule
from service.payroll.tax.declaration_json import from_json as declarations_from_json
from service.payroll.tax.income_tax import OPENING_AMOUNTS, OpeningBalance, TaxYearToDate
from service.payroll.tax.models import OpeningBalanceRow, TaxDeclaration, TaxYearFlagsRow
from service.payroll.tax.months_employed import Employment
from service.payroll.tax.year_flags import SMALL_EARNER_WITHOUT_JANUARY, year_start
from service.workforce.daily_models import AttendanceMonth
from service.workforce.models import Worker, WorkerStatus
from tenants.isolation import TenantSession

OPENING_BALANCE_COVERS_MONTH = N_(
    "The worker's opening balance runs through {through}: the previous payroll system paid this month. Correct the opening balance on the opening balances page if it is wrong."  # noqa: E501
)
FULL_MONTH = Attendance(days_worked=Decimal("21.75"))  # no attendance row: the whole month worked
PAID_STATUSES = (WorkerStatus.ACTIVE, WorkerStatus.PROBATION)


@dataclass(frozen=True)
class Missing:
    worker_id: int
    name: str
    reason: str  # msgid
    params: dict[str, Any]


@dataclass(frozen=True)
class RunInputs:
    month: date
    inputs: dict[int, PayslipInput]  # by worker id, in id order
    missing: list[Missing]
    attendance_rows: int  # workers with attendance figures this month
    names: dict[int, str]  # every worker of the run, by id


def _latest(rows, key) -> dict:
    """The latest version per key among rows already filtered to 'effective on or before'."""
    found: dict = {}
    for row in rows:
        k = key(row)
        if k not in found or row.effective_from > found[k].effective_from:
            found[k] = row
    return found


def ytd_to_json(ytd: TaxYearToDate) -> dict[str, Any]:
    return {
        "year": ytd.year,
        "month": ytd.month,
        "income": str(ytd.income),
        "tax_free_income": str(ytd.tax_free_income),
        "special_deductions": str(ytd.special_deductions),
        "special_additional_deductions": str(ytd.special_additional_deductions),
        "tax_withheld": str(ytd.tax_withheld),
        "months_employed": ytd.months_employed,
        "first_job": ytd.first_job,
        "small_earner": ytd.small_earner,
        "other_deductions": str(ytd.other_deductions),
        **({} if ytd.opening is None else {"opening": _opening_to_json(ytd.opening)}),
    }


def _opening_to_json(opening: OpeningBalance) -> dict[str, Any]:
    return {
        "year": opening.year,
        "as_of_month": opening.as_of_month,
        "months_employed": opening.months_employed,
        **{name: str(getattr(opening, name)) for name in OPENING_AMOUNTS},
    }


def _opening_from_json(data: dict[str, Any]) -> OpeningBalance:
    return OpeningBalance(
        year=data["year"],
        as_of_month=data["as_of_month"],
        months_employed=data["months_employed"],
        **{name: Decimal(data[name]) for name in OPENING_AMOUNTS},
    )


def ytd_from_json(data: dict[str, Any]) -> TaxYearToDate:
    return TaxYearToDate(
        year=data["year"],
        month=data["month"],
        income=Decimal(data["income"]),
        tax_free_income=Decimal(data["tax_free_income"]),
        special_deductions=Decimal(data["special_deductions"]),
        special_additional_deductions=Decimal(data["special_additional_deductions"]),
        tax_withheld=Decimal(data["tax_withheld"]),
        months_employed=data["months_employed"],
        first_job=data["first_job"],
        small_earner=data["small_earner"],
        # Payslips stored before opening balances (migration 0034) have neither.
        other_deductions=Decimal(data.get("other_deductions", "0")),
        opening=_opening_from_json(data["opening"]) if data.get("opening") else None,
    )


_OPENING_COLUMNS = ", ".join(f"o.{name} as opening_{name}" for name in OPENING_AMOUNTS)


def published_year_to_date(db: TenantSession, month: date) -> dict[int, TaxYearToDate]:
    """Each worker's tax year to date before ``month``, in one query: the opening balance of the
    year (what the previous payroll system withheld through a month before ``month``), if any, plus
    the payslips *in force* of the later months (per worker and month of the year, the latest
    published one, correction runs included).  So a published correction of an earlier month counts
    in every later month, and the months already paid after it keep what they withheld: the
    cumulative method settles the difference in the next month calculated (so does an opening
    balance corrected after its next month was published).  Months employed are the opening
    balance's months plus the months paid here after it.  The flags (首次取得工资 / 6 万元) are those
    of the latest month in force; a worker with an opening balance and no payslip here yet has the
    flags saved for the year."""
    rows = db.execute(
        text(
            f"""
            with opening as (
                select * from payroll_opening_balances
                where tenant_id = :tenant and year = :year and as_of_month < :month_number
            ),
            in_force as (
                select distinct on (p.worker_id, p.month) p.worker_id, p.month,
                       coalesce(p.income, p.taxable_income) as income, p.taxable_income,
                       p.employee_social_insurance + p.employee_housing_fund as special,
                       coalesce(p.special_additional_deductions, 0) as sad,
                       p.tax - p.severance_tax as tax, p.year_to_date
                from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
                     left join opening o on o.worker_id = p.worker_id
                where p.tenant_id = :tenant and r.status = 'published'
                  and p.month >= :year_start and p.month < :month
                  and (o.as_of_month is null or extract(month from p.month) > o.as_of_month)
                order by p.worker_id, p.month, r.published_at desc, r.id desc
            ),
            paid as (
                select worker_id, extract(month from max(month))::int as last_month, count(*)::int as months,
                       sum(income) as income, sum(income - taxable_income) as tax_free, sum(special) as special,
                       sum(sad) as sad, sum(tax) as tax,
                       (array_agg(year_to_date order by month desc))[1] as latest
                from in_force group by worker_id
            )
            select coalesce(paid.worker_id, o.worker_id) as worker_id,
                   coalesce(paid.last_month, o.as_of_month) as last_month,
                   coalesce(paid.months, 0) + coalesce(o.months_employed, 0) as months,
                   coalesce(paid.income, 0) + coalesce(o.income, 0) as income,
                   coalesce(paid.tax_free, 0) + coalesce(o.tax_free_income, 0) as tax_free,
                   coalesce(paid.special, 0) + coalesce(o.special_deductions, 0) as special,
                   coalesce(paid.sad, 0) + coalesce(o.special_additional_deductions, 0) as sad,
                   coalesce(o.other_deductions, 0) as other,
                   coalesce(paid.tax, 0) + coalesce(o.tax_withheld, 0) as tax,
                   coalesce((paid.latest ->> 'first_job')::boolean, f.first_job, false) as first_job,
                   coalesce((paid.latest ->> 'small_earner')::boolean, f.small_earner, false) as small_earner,
                   o.as_of_month as opening_as_of_month, o.months_employed as opening_months, {_OPENING_COLUMNS}
            from paid full join opening o on o.worker_id = paid.worker_id
                 left join tax_year_flags f on paid.worker_id is null and f.tenant_id = :tenant
                   and f.year = :year and f.worker_id = o.worker_id
            """
        ),
        {
            "tenant": db.tenant_id,
            "year": month.year,
            "month_number": month.month,
            "year_start": month.replace(month=1, day=1),
            "month": month,
        },
    ).all()
    return {
        row.worker_id: TaxYearToDate(
            year=month.year,
            # None: an opening balance of no month employed, and nothing paid here yet.
            month=row.last_month if row.months else None,
            income=row.income,
            tax_free_income=row.tax_free,
            special_deductions=row.special,
            special_additional_deductions=row.sad,
            tax_withheld=row.tax,
            months_employed=row.months,
            first_job=row.first_job,
            small_earner=row.small_earner,
            other_deductions=row.other,
            opening=None
            if row.opening_as_of_month is None
            else OpeningBalance(
                year=month.year,
                as_of_month=row.opening_as_of_month,
                months_employed=row.opening_months,
                **{name: getattr(row, f"opening_{name}") for name in OPENING_AMOUNTS},
            ),
        )
        for row in rows
    }


def load(db: TenantSession, month: date, bureau_id: int | None, include: set[int] | None = None) -> RunInputs:
    """``include``: worker ids paid whatever their status or bureau now (a correction run
    recomputes every worker of the published month, even one who has left since)."""
    tenant_id = db.tenant_id
    month = month.replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])

    left = col(Worker.left_on)
    # A leaver with a settlement in the month is paid their final payslip, whatever their status now.
    leavers = leaver_pay(db, month)
    paid: list[ColumnElement[bool]] = [
        or_(
            col(Worker.status).in_(PAID_STATUSES),
            and_(col(Worker.status) == WorkerStatus.LEFT, left.is_not(None)),
            among(col(Worker.id), leavers),
        )
    ]
    if bureau_id is not None:
        paid.append(col(Worker.bureau_id) == bureau_id)
    chosen = and_(*paid)
    if include:
        chosen = or_(chosen, among(col(Worker.id), include))
    employed = and_(col(Worker.hire_date) <= last, or_(left.is_(None), left >= month))
    conditions = [col(Worker.tenant_id) == tenant_id, employed, chosen]
    # More columns than sqlmodel's select() has typed overloads for: SQLAlchemy's, rows read by name.
    workers = db.execute(
        sqlalchemy.select(
            col(Worker.id),
            col(Worker.name),
            col(Worker.bureau_id),
            col(Worker.grade),
            col(Worker.assessment_rating),
            col(Worker.city),
            col(Worker.contribution_base),
            col(Worker.hire_date),
            left,
        )
        .where(*conditions)
        .order_by(col(Worker.id))
    ).all()
    # The band: the grade and the published rating in force on the month's first day
    # (service.grades.standing: a grade change dated later pays from its date, even in
    # a run calculated after it); the roster's rating only where none is published.
    standing = standing_on(db, [w.id for w in workers], month)

    tables = db.exec(
        select(SalaryBandTable).where(SalaryBandTable.tenant_id == tenant_id, SalaryBandTable.effective_from <= month)
    ).all()
    bureaus = {w.bureau_id for w in workers}
    table_of = {b: band_in_force(tables, b, month) for b in bureaus}
    cells = cells_of_tables(db, sorted({id_of(t) for t in table_of.values() if t is not None}))

    attendance = {
        row.worker_id: row
        for row in db.exec(
            select(AttendanceMonth).where(AttendanceMonth.tenant_id == tenant_id, AttendanceMonth.month == month)
        )
    }
    policies: dict[str, CityPolicy] = {
        city: policy_of(row)
        for city, row in _latest(
            db.exec(
                select(InsurancePolicy).where(InsurancePolicy.tenant_id == tenant_id, InsurancePolicy.effective_from <= month)
            ).all(),
            lambda r: r.city,
        ).items()
    }
    settings = {s.city: s for s in db.exec(select(InsuranceSetting).where(InsuranceSetting.tenant_id == tenant_id))}
    figures = _latest(
        db.exec(select(CityParameter).where(CityParameter.tenant_id == tenant_id, CityParameter.effective_from <= month)).all(),
        lambda r: r.city,
    )
    years = published_year_to_date(db, month)
    # Workers whose opening balance runs through this month: the previous payroll system paid it.
    paid_before = {
        o.worker_id: o.as_of_month
        for o in db.exec(
            select(OpeningBalanceRow).where(
                OpeningBalanceRow.tenant_id == tenant_id,
                OpeningBalanceRow.year == month.year,
                col(OpeningBalanceRow.as_of_month) >= month.month,
            )
        )
    }
    definitions = [
        (id_of(c), c.definition())
        for c in db.exec(
            select(PayComponent)
            .where(PayComponent.tenant_id == tenant_id, col(PayComponent.active).is_(True))
            .order_by(PayComponent.code)
        )
    ]
    imported = {
        (a.component_id, a.worker_id): a.amount
        for a in db.exec(
            select(PayComponentAmount).where(PayComponentAmount.tenant_id == tenant_id, PayComponentAmount.month == month)
        )
    }
    declared = {
        d.worker_id: declarations_from_json(d.declarations)
        for d in db.exec(select(TaxDeclaration).where(TaxDeclaration.tenant_id == tenant_id, TaxDeclaration.year == month.year))
    }

    flags = {
        f.worker_id: f.flags()
        for f in db.exec(
            select(TaxYearFlagsRow).where(TaxYearFlagsRow.tenant_id == tenant_id, TaxYearFlagsRow.year == month.year)
        )
    }

    rule = proration_rule(db)
    excludes = {m.city for m in MINIMUM_WAGES if m.excludes_employee_contributions}
    minimums = {
        city: MinimumWage(city, f.effective_from, f.minimum_wage_monthly, city in excludes) for city, f in figures.items()
    }

    inputs: dict[int, PayslipInput] = {}
    missing: list[Missing] = []

    def miss(w, reason: str, **params: Any) -> None:
        missing.append(Missing(w.id, w.name, reason, params))

    # Per-worker lookups by dict, not by scanning (100,000 workers: ~3 s saved).
    cell_index: dict[int, dict[tuple[int, Rating], Any]] = {}
    for table_id, table_cells in cells.items():
        index = cell_index.setdefault(table_id, {})
        for c in table_cells:
            index.setdefault((c.grade, c.rating), c)
    plain_start = year_start(None, month.year)  # frozen: shared by every worker without flags

    for w in workers:
        table = table_of.get(w.bureau_id)
        if table is None:
            miss(w, N_("No salary band table is in force for {month}."), month=month.isoformat()[:7])
            continue
        grade = standing[w.id].grade
        rating = standing[w.id].rating or (Rating(w.assessment_rating) if w.assessment_rating else DEFAULT_RATING)
        cell = cell_index.get(id_of(table), {}).get((grade, rating))
        if cell is None:
            miss(w, N_("The band table has no cell for grade {grade}."), grade=grade)
            continue
        if cell.performance_coefficient is not None and table.performance_base is None:
            miss(
                w,
                N_("The band cell uses a performance coefficient, and the band table from {day} has no performance base."),
                day=table.effective_from.isoformat(),
            )
            continue
        if w.id in paid_before:
            miss(w, OPENING_BALANCE_COVERS_MONTH, through=f"{month.year}-{paid_before[w.id]:02d}")
            continue
        ytd = years.get(w.id)
        if ytd is None:
            worker_flags = flags.get(w.id)
            ytd = plain_start if worker_flags is None else year_start(worker_flags, month.year)
            if ytd.small_earner and month.month != 1:
                miss(w, SMALL_EARNER_WITHOUT_JANUARY, year=month.year)
                continue
        if not w.city:
            miss(w, N_("The worker has no insurance city."))
            continue
        policy = policies.get(w.city)
        if policy is None:
            miss(w, N_("No insurance policy for the worker's city is in force in {month}."), month=month.isoformat()[:7])
            continue
        figure = figures.get(w.city)
        if figure is None and w.contribution_base is None:
            miss(
                w,
                N_(
                    "No contribution base: the worker has none declared, and no average wage for the city is in force in {month}."  # noqa: E501
                ),
                month=month.isoformat()[:7],
            )
            continue
        if figure is None:
            miss(w, N_("No minimum wage for the worker's city is in force in {month}."), month=month.isoformat()[:7])
            continue
        base = w.contribution_base if w.contribution_base is not None else figure.average_wage_monthly
        setting = settings.get(w.city)
        hf_rate = setting.housing_fund_rate if setting and setting.housing_fund_rate is not None else None
        injury = setting.work_injury_rate if setting and setting.work_injury_rate is not None else None
        row = attendance.get(w.id)
        worked = (
            FULL_MONTH
            if row is None
            else Attendance(
                days_worked=row.days_worked,
                absence_days=row.absence_days,
                overtime_weekday_hours=row.overtime_weekday_hours,
                overtime_rest_day_hours=row.overtime_rest_day_hours,
                overtime_holiday_hours=row.overtime_holiday_hours,
            )
        )
        try:
            components = month_components(
                definitions,
                worker_id=w.id,
                imported=imported,
                hire_date=w.hire_date,
                bureau_id=w.bureau_id,
                grade=grade,
                month=month,
                attendance=worked,
                band=functools.partial(band_pay, cell, table.performance_base),
            )
        except DomainError as error:
            miss(w, error.message, **error.params)
            continue
        inputs[w.id] = PayslipInput(
            month=month,
            band=cell,
            performance_base=table.performance_base,
            components=components,
            attendance=worked,
            insurance=Insurance(
                policy=policy,
                si_base_wage=base,
                hf_base_wage=base,
                housing_fund_rate=policy.housing_fund.rates.lower if hf_rate is None else hf_rate,
                injury_rate=WORK_INJURY_RATES.lower if injury is None else injury,
                housing_fund_due=housing_fund_due(figure.housing_fund_start, w.hire_date, month),
            ),
            year_to_date=ytd,
            declarations=declared.get(w.id),
            minimum_wage=minimums[w.city],
            employment=Employment(w.hire_date, w.left_on),
            proration_rule=rule,
            leaver=leavers.get(w.id),
        )
    return RunInputs(
        month=month,
        inputs=inputs,
        missing=missing,
        attendance_rows=len(attendance),
        names={w.id: w.name for w in workers},
    )
