"""A worker's withholding adjustments for one tax year (pure).

Two announcements change only the basic deduction (累计减除费用) of the
cumulative method (``income_tax.BasicDeduction``); which one applies is a
fact about the worker's year that the employer records:

* **首次取得工资** (STA 2020 No. 13): the worker's first wage income of the
  year is ours (a graduate's first job, someone who earned no wages earlier
  in the year).  5,000 is deducted for every month from January.  It can
  only be ours if the worker starts with us in that year: hired before the
  year, the worker had our wages in January already, and the rule would
  change nothing; it is refused then so the page says what it means.
* **上年全年收入不超过 6 万元** (STA 2020 No. 19): the full 60,000 from
  January, if all three hold — declared by us every month of last year, last
  year's wages with us at most 60,000, still employed by us in January
  (``income_tax.qualifies_for_full_year_deduction`` decides, from the facts
  the clerk confirms: last year's wages and the twelve declarations; the
  hire date gives employment since January).

The two exclude each other (the first is for a new earner, the second for
someone we paid all last year).  A payroll run uses them when it starts the
worker's tax year (``TaxYearToDate.start``); once the year's first payslip is
published, its year to date carries the flags, so a later change only
affects a year not yet started.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from service.errors import N_, DomainError, InputErrors
from service.money import parse_yuan
from service.payroll.tax.income_tax import (
    ANNUAL_BASIC_DEDUCTION,
    SmallEarnerConditions,
    TaxYearToDate,
    qualifies_for_full_year_deduction,
)
from service.payroll.tax.special_deductions import FIRST_SUPPORTED_YEAR

LAST_YEAR = 2100
# A run's reason for a small earner whose year would start after January (run_inputs).
SMALL_EARNER_WITHOUT_JANUARY = N_(
    "The worker is marked as a small full-year earner for {year}, but has no published payslip earlier in the year: the 60,000 deduction starts with January's payroll. Remove the mark on the worker's tax page or publish January first."  # noqa: E501
)
WAGES_MAX = Decimal("10000000000")


@dataclass(frozen=True)
class TaxYearFlags:
    year: int
    first_job: bool = False
    small_earner: bool = False
    wages_last_year: Decimal | None = None  # our wages paid to the worker last year (small earner)
    declared_every_month_last_year: bool = False


NONE = TaxYearFlags(year=0)


def employed_since_january(hire_date: date, year: int) -> bool:
    """Employed by us in January of ``year`` at the latest from its first day."""
    return hire_date <= date(year, 1, 1)


def problems(flags: TaxYearFlags, hire_date: date) -> list[DomainError]:
    """Every reason the flags cannot hold for a worker hired on ``hire_date``."""
    errors: list[DomainError] = []
    if not FIRST_SUPPORTED_YEAR <= flags.year <= LAST_YEAR:
        errors.append(
            DomainError(
                N_("Choose a tax year from {first} to {last}."), field="year", first=FIRST_SUPPORTED_YEAR, last=LAST_YEAR
            )
        )
        return errors
    if flags.first_job and flags.small_earner:
        errors.append(
            DomainError(
                N_("A worker is either in the first job of the year or a small full-year earner, not both."),
                field="small_earner",
            )
        )
    if flags.first_job and hire_date < date(flags.year, 1, 1):
        errors.append(
            DomainError(
                N_("The worker was hired before {year}, so their first wage income of {year} is not a new job with us."),
                field="first_job",
                year=flags.year,
            )
        )
    if flags.wages_last_year is not None and not Decimal(0) <= flags.wages_last_year < WAGES_MAX:
        errors.append(DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field="wages_last_year"))
    if flags.small_earner:
        if flags.wages_last_year is None:
            errors.append(DomainError(N_("Enter last year's wages paid by us."), field="wages_last_year"))
        elif flags.wages_last_year > ANNUAL_BASIC_DEDUCTION:
            errors.append(
                DomainError(
                    N_("Last year's wages are above {limit}: the full-year deduction does not apply."),
                    field="wages_last_year",
                    limit=ANNUAL_BASIC_DEDUCTION,
                )
            )
        if not flags.declared_every_month_last_year:
            errors.append(
                DomainError(
                    N_("The full-year deduction needs our withholding declared for the worker every month of last year."),
                    field="declared_every_month_last_year",
                )
            )
        if hire_date > date(flags.year - 1, 1, 31):
            errors.append(
                DomainError(
                    N_("The worker was hired on {day}: we cannot have declared every month of {year}."),
                    field="small_earner",
                    day=hire_date.isoformat(),
                    year=flags.year - 1,
                )
            )
        elif flags.wages_last_year is not None and not errors:
            conditions = SmallEarnerConditions(
                declared_here_every_month_last_year=flags.declared_every_month_last_year,
                wages_last_year=flags.wages_last_year,
                employed_here_since_january=employed_since_january(hire_date, flags.year),
            )
            if not qualifies_for_full_year_deduction(conditions):  # pragma: no cover - the checks above
                errors.append(DomainError(N_("The full-year deduction does not apply."), field="small_earner"))
    return errors


def check(flags: TaxYearFlags, hire_date: date) -> TaxYearFlags:
    found = problems(flags, hire_date)
    if found:
        raise InputErrors(found)
    return flags


def _flag(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in ("1", "on", "true", "yes")


def parse_flags(raw: Mapping[str, str], year: int, hire_date: date) -> TaxYearFlags:
    """The flags from the form (checkboxes present or absent, wages typed);
    raises InputErrors with every problem."""
    wages: Decimal | None = None
    errors: list[DomainError] = []
    typed = (raw.get("wages_last_year") or "").strip()
    if typed:
        try:
            wages = parse_yuan(typed)
        except ValueError:
            errors.append(DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field="wages_last_year"))
    flags = TaxYearFlags(
        year=year,
        first_job=_flag(raw.get("first_job")),
        small_earner=_flag(raw.get("small_earner")),
        wages_last_year=wages,
        declared_every_month_last_year=_flag(raw.get("declared_every_month_last_year")),
    )
    unreadable = bool(errors)  # the wages were typed but unreadable: that is the message for the field
    errors.extend(p for p in problems(flags, hire_date) if not (unreadable and p.field == "wages_last_year"))
    if errors:
        raise InputErrors(errors)
    return flags


def year_start(flags: TaxYearFlags | None, year: int) -> TaxYearToDate:
    """The year to date a worker's first payslip of ``year`` starts from."""
    if flags is None:
        return TaxYearToDate.start(year)
    return TaxYearToDate.start(year, first_job=flags.first_job, small_earner=flags.small_earner)
