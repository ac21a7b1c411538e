"""Everything a payroll run needs, read in a few set-based queries.

One query each: the run's workers (active or on probation, of the run's
bureau when it has one, hired by the month's end); the band tables in force;
the cells of those tables; the month's attendance; the insurance policies,
the tenant's insurance settings and the city figures (average wage, minimum
wage); and the year to date of every worker's latest payslip of an earlier
month of the same year in a *published* run.  Nothing is read per worker.

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
* The tax year starts from ``TaxYearToDate.start`` (no 首次取得工资 / 6 万元
  flags: they are not recorded yet) when the worker has no published payslip
  earlier in the year.
* The tenant's *active* pay components are valued by
  ``components.value`` (fixed; per full year of service before the month's
  first day; the month's imported amount, none meaning not paid), in code
  order; the worker's 专项附加扣除 declarations are those saved for the
  month's year (none: no deduction).  A band cell with a performance coefficient needs a
  performance base, which is not recorded yet: such a worker is listed as a
  missing input.

A worker whose inputs are missing is listed with the reason (``Missing``),
never skipped: the run refuses the calculation while the list is not empty.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from service.assessment.ratings import Rating
from service.cities.models import CityParameter
from service.errors import N_
from service.insurance.cities import MINIMUM_WAGES
from service.insurance.models import InsurancePolicy, InsuranceSetting
from service.insurance.policy import CityPolicy
from service.insurance.store import policy_of
from service.insurance.worker_contributions import WORK_INJURY_RATES
from service.payroll.band_actions import DEFAULT_RATING, cells_of_tables
from service.payroll.band_models import SalaryBandTable
from service.payroll.component_models import PayComponent, PayComponentAmount, TaxDeclaration
from service.payroll.components import value as value_component
from service.payroll.declaration_json import from_json as declarations_from_json
from service.payroll.minimum_wage import MinimumWage
from service.payroll.payslip import Attendance, Insurance, PayslipInput, TaxYearToDate
from service.payroll.salary_bands import band_in_force, cell_for
from service.workforce.daily_models import AttendanceMonth
from service.workforce.models import Worker, WorkerStatus

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


def _latest(rows, key) -> dict:  # noqa: ANN001
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
    }


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
    )


def published_year_to_date(db: Session, tenant_id: uuid.UUID, month: date) -> dict[int, TaxYearToDate]:
    """Each worker's year to date from their latest published payslip of an
    earlier month of ``month``'s year (one query)."""
    rows = db.execute(
        text(
            """
            select distinct on (p.worker_id) p.worker_id, p.year_to_date
            from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
            where p.tenant_id = :tenant and r.status = 'published'
              and p.month >= :year_start and p.month < :month
            order by p.worker_id, p.month desc, r.published_at desc, r.id desc
            """
        ),
        {"tenant": tenant_id, "year_start": month.replace(month=1, day=1), "month": month},
    ).all()
    return {worker_id: ytd_from_json(data) for worker_id, data in rows}


def load(db: Session, tenant_id: uuid.UUID, month: date, client_bureau: str | None) -> RunInputs:
    month = month.replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])

    conditions = [
        Worker.tenant_id == tenant_id,
        Worker.status.in_(PAID_STATUSES),
        Worker.hire_date <= last,
    ]
    if client_bureau:
        conditions.append(Worker.client_bureau == client_bureau)
    workers = db.exec(
        select(
            Worker.id, Worker.name, Worker.client_bureau, Worker.grade, Worker.assessment_rating,
            Worker.city, Worker.contribution_base, Worker.hire_date,
        ).where(*conditions).order_by(Worker.id)
    ).all()  # fmt: skip

    tables = db.exec(
        select(SalaryBandTable).where(SalaryBandTable.tenant_id == tenant_id, SalaryBandTable.effective_from <= month)
    ).all()
    bureaus = {w.client_bureau for w in workers}
    table_of = {b: band_in_force(tables, b, month) for b in bureaus}
    cells = cells_of_tables(db, tenant_id, sorted({t.id for t in table_of.values() if t is not None}))

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
                select(InsurancePolicy).where(
                    InsurancePolicy.tenant_id == tenant_id, InsurancePolicy.effective_from <= month
                )
            ).all(),
            lambda r: r.city,
        ).items()
    }
    settings = {
        s.city: s for s in db.exec(select(InsuranceSetting).where(InsuranceSetting.tenant_id == tenant_id))
    }
    figures = _latest(
        db.exec(
            select(CityParameter).where(CityParameter.tenant_id == tenant_id, CityParameter.effective_from <= month)
        ).all(),
        lambda r: r.city,
    )
    years = published_year_to_date(db, tenant_id, month)
    definitions = [
        (c.id, c.definition())
        for c in db.exec(
            select(PayComponent)
            .where(PayComponent.tenant_id == tenant_id, PayComponent.active.is_(True))  # type: ignore[attr-defined]
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
        for d in db.exec(
            select(TaxDeclaration).where(TaxDeclaration.tenant_id == tenant_id, TaxDeclaration.year == month.year)
        )
    }

    excludes = {m.city for m in MINIMUM_WAGES if m.excludes_employee_contributions}
    minimums = {
        city: MinimumWage(city, f.effective_from, f.minimum_wage_monthly, city in excludes)
        for city, f in figures.items()
    }
    start = TaxYearToDate.start(month.year)

    inputs: dict[int, PayslipInput] = {}
    missing: list[Missing] = []

    def miss(w, reason: str, **params: Any) -> None:  # noqa: ANN001
        missing.append(Missing(w.id, w.name, reason, params))

    for w in workers:
        table = table_of.get(w.client_bureau)
        if table is None:
            miss(w, N_("No salary band table is in force for {month}."), month=month.isoformat()[:7])
            continue
        rating = Rating(w.assessment_rating) if w.assessment_rating else DEFAULT_RATING
        cell = cell_for(cells[table.id], w.grade, rating)
        if cell is None:
            miss(w, N_("The band table has no cell for grade {grade}."), grade=w.grade)
            continue
        if cell.performance_coefficient is not None:
            miss(w, N_("The band cell uses a performance coefficient, and no performance base is recorded."))
            continue
        if not w.city:
            miss(w, N_("The worker has no insurance city."))
            continue
        policy = policies.get(w.city)
        if policy is None:
            miss(w, N_("No insurance policy for the worker's city is in force in {month}."), month=month.isoformat()[:7])
            continue
        figure = figures.get(w.city)
        if figure is None:
            miss(w, N_("No minimum wage for the worker's city is in force in {month}."), month=month.isoformat()[:7])
            continue
        base = w.contribution_base if w.contribution_base is not None else figure.average_wage_monthly
        setting = settings.get(w.city)
        hf_rate = setting.housing_fund_rate if setting and setting.housing_fund_rate is not None else None
        injury = setting.work_injury_rate if setting and setting.work_injury_rate is not None else None
        row = attendance.get(w.id)
        inputs[w.id] = PayslipInput(
            month=month,
            band=cell,
            performance_base=None,
            components=tuple(
                c
                for component_id, definition in definitions
                if (
                    c := value_component(
                        definition, hire_date=w.hire_date, client_bureau=w.client_bureau, month=month,
                        imported=imported.get((component_id, w.id)),
                    )
                )
                is not None
            ),  # fmt: skip
            attendance=FULL_MONTH
            if row is None
            else Attendance(
                days_worked=row.days_worked,
                absence_days=row.absence_days,
                overtime_weekday_hours=row.overtime_weekday_hours,
                overtime_rest_day_hours=row.overtime_rest_day_hours,
                overtime_holiday_hours=row.overtime_holiday_hours,
            ),
            insurance=Insurance(
                policy=policy,
                si_base_wage=base,
                hf_base_wage=base,
                housing_fund_rate=policy.housing_fund.rates.lower if hf_rate is None else hf_rate,
                injury_rate=WORK_INJURY_RATES.lower if injury is None else injury,
            ),
            year_to_date=years.get(w.id, start),
            declarations=declared.get(w.id),
            minimum_wage=minimums[w.city],
        )
    return RunInputs(
        month=month, inputs=inputs, missing=missing, attendance_rows=len(attendance),
        names={w.id: w.name for w in workers},
    )  # fmt: skip
