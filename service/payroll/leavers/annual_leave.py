"""Pay for the statutory annual leave a leaver has not taken (未休年休假工资报酬).

* **Entitlement** (职工带薪年休假条例 Art. 3): 5 days a year after one full
  year of cumulative work (with any employer), 10 after ten, 15 after
  twenty; ``workforce.leave.rules.statutory_annual_leave`` gives it from the years, or HR's figure
  for the year is passed instead.
* **Prorated on leaving** (企业职工带薪年休假实施办法 Art. 12): (calendar days
  with this employer so far this year ÷ 365) × the full year's entitlement −
  the days already taken this year; a part of a day is not paid, and leave
  taken beyond the prorated days is not clawed back.
* **Pay** (Arts. 10-11): 300% of the daily wage for each untaken day, the
  normal wage already paid for those days being part of it, so 200% more is
  paid.  The daily wage is the monthly wage ÷ 21.75, the monthly wage being
  the average of the 12 months before (fewer when employed less) with
  overtime pay left out.

The daily wage is carried exactly and the amount rounded once, to the fen,
half up (ROUND_HALF_UP); the daily wage shown is rounded the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from service.errors import N_, DomainError
from service.money import to_fen
from service.payroll.pay_days import MONTHLY_PAY_DAYS
from service.workforce.contracts.severance import average_monthly_wage

DAYS_OF_THE_YEAR = Decimal(365)  # Art. 12 divides by 365, in a leap year too
EXTRA_MULTIPLE = Decimal(2)  # 300% less the 100% already paid with the wages
BASIS = "职工带薪年休假条例 Arts. 3, 5; 企业职工带薪年休假实施办法 Arts. 10-12"


@dataclass(frozen=True)
class AnnualLeavePay:
    """The untaken annual leave of the leaving year and what it is paid."""

    entitlement_days: int  # the full year's entitlement
    days_with_employer: int  # calendar days with this employer this year, up to the last day
    days_taken: int  # annual leave already taken this year
    untaken_days: int  # (days_with_employer ÷ 365 × entitlement − taken), whole days, never negative
    monthly_wage: Decimal  # the average of the months before, overtime left out
    months_averaged: int
    daily_wage: Decimal  # monthly ÷ 21.75, to the fen, for display
    amount: Decimal  # untaken days × daily wage × 200%
    basis: str = BASIS

    @property
    def explanation(self) -> str:
        """An English msgid for the payslip; fill it with ``params``."""
        return N_(
            "{days_with_employer} days ÷ 365 × {entitlement} days of annual leave − {taken} taken = {untaken} days"
            " untaken; {untaken} × {daily} × 200% (300% less the wage already paid) = {amount}."
        )

    @property
    def params(self) -> dict[str, object]:
        return {
            "days_with_employer": self.days_with_employer,
            "entitlement": self.entitlement_days,
            "taken": self.days_taken,
            "untaken": self.untaken_days,
            "daily": self.daily_wage,
            "amount": self.amount,
        }


def untaken_leave_pay(
    *,
    entitlement_days: int,
    hired_on: date,
    last_day: date,
    days_taken: int,
    monthly_wages: Sequence[Decimal],
) -> AnnualLeavePay:
    """The pay for the annual leave untaken when employment ends on ``last_day`` (Arts. 10-12).

    ``entitlement_days`` is the full year's entitlement (``statutory_annual_leave``
    of the cumulative years of work, or HR's figure for the year);
    ``days_taken`` the annual leave taken this calendar year; ``monthly_wages``
    the pay of the months before, oldest first, overtime left out (the last
    12 are averaged).
    """
    if entitlement_days < 0:
        raise DomainError(N_("The number must not be negative."), field="entitlement_days")
    if days_taken < 0:
        raise DomainError(N_("The number must not be negative."), field="days_taken")
    if last_day < hired_on:
        raise DomainError(N_("The last day may not be before the first day."), field="last_day")
    monthly, months_averaged = average_monthly_wage(monthly_wages)
    year_start = max(hired_on, date(last_day.year, 1, 1))
    days_with_employer = (last_day - year_start).days + 1
    due = Decimal(days_with_employer) / DAYS_OF_THE_YEAR * entitlement_days - days_taken
    untaken = max(int(due.to_integral_value(rounding=ROUND_FLOOR)), 0)
    rate = monthly / MONTHLY_PAY_DAYS
    return AnnualLeavePay(
        entitlement_days=entitlement_days,
        days_with_employer=days_with_employer,
        days_taken=days_taken,
        untaken_days=untaken,
        monthly_wage=monthly,
        months_averaged=months_averaged,
        daily_wage=to_fen(rate),
        amount=to_fen(rate * untaken * EXTRA_MULTIPLE),
    )
