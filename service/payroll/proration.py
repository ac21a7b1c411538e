"""Part of a month's pay for a worker who joins or leaves during it (or both).

Two rules, the tenant chooses one:

* **pay days** (``PAY_DAYS``): monthly ÷ 21.75 × the pay days employed.  Pay
  days are the Mondays to Fridays, as the 21.75 basis counts them: 21.75 =
  (365 − 104 rest days) ÷ 12, statutory holidays paid and so counted
  (劳社部发〔2008〕3号, kept by 人社部发〔2025〕2号; ``pay_days``).  Holidays
  and the weekend days swapped for them (调休) are not in the repository's
  calendar, so a holiday on a weekday counts as the pay day it is and a
  swapped working Saturday does not.  A month has up to 23 weekdays, more
  than 21.75, so the figure is capped at the monthly wage: a part month
  never pays more than the whole.
* **calendar days** (``CALENDAR_DAYS``): monthly × the days employed ÷ the
  days of the month.  No statute sets it; it is a pay rule the employer
  adopts (劳动合同法 Art. 4).

A month the worker is employed from its first to its last day is the whole
monthly wage under either rule.  The amount is rounded once, to the fen,
half up (ROUND_HALF_UP).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from service.dates import weekdays
from service.errors import N_, DomainError
from service.money import to_fen
from service.payroll.pay_days import MONTHLY_PAY_DAYS


class ProrationRule(str, Enum):
    PAY_DAYS = "pay_days"
    CALENDAR_DAYS = "calendar_days"

    @property
    def basis(self) -> str:
        return _BASIS[self]

    @property
    def label(self) -> str:
        """An English msgid naming the rule on the payslip and the tenant's settings."""
        return _LABELS[self]


DEFAULT_RULE = ProrationRule.PAY_DAYS

_BASIS = {
    ProrationRule.PAY_DAYS: "劳社部发〔2008〕3号; 人社部发〔2025〕2号",
    ProrationRule.CALENDAR_DAYS: "劳动合同法 Art. 4",
}
_LABELS = {
    ProrationRule.PAY_DAYS: N_("By 21.75 monthly pay days"),
    ProrationRule.CALENDAR_DAYS: N_("By calendar days"),
}


@dataclass(frozen=True)
class Proration:
    """The pay for the days employed in one month, and how it was reached."""

    rule: ProrationRule
    monthly: Decimal  # the full month's wage
    first_day: date  # the first day employed in the month
    last_day: date  # the last day employed in the month
    days: int  # pay days (Mon-Fri) or calendar days employed in the month
    of_days: Decimal  # 21.75, or the days of the month
    whole_month: bool  # employed from the month's first day to its last
    capped: bool  # more pay days than 21.75: the monthly wage is paid
    amount: Decimal

    @property
    def basis(self) -> str:
        return self.rule.basis

    @property
    def explanation(self) -> str:
        """An English msgid for the payslip; fill it with ``params``."""
        if self.whole_month:
            return N_("Employed the whole month: the monthly wage.")
        if self.capped:
            return N_("{days} pay days from {first} to {last}, more than 21.75: the monthly wage {monthly}.")
        if self.rule is ProrationRule.PAY_DAYS:
            return N_("{days} pay days from {first} to {last}: {monthly} ÷ 21.75 × {days} = {amount}.")
        return N_("{days} calendar days from {first} to {last}: {monthly} × {days} ÷ {of_days} = {amount}.")

    @property
    def params(self) -> dict[str, object]:
        return {
            "days": self.days,
            "first": self.first_day.isoformat(),
            "last": self.last_day.isoformat(),
            "monthly": to_fen(self.monthly),
            "of_days": self.of_days,
            "amount": self.amount,
        }


def prorate(
    monthly: Decimal,
    month: date,
    *,
    employed_from: date,
    employed_to: date | None,
    rule: ProrationRule = DEFAULT_RULE,
) -> Proration:
    """The pay for the part of ``month`` (any day in it) that the employment ``employed_from`` ..
    ``employed_to`` (both counted; None while it lasts) covers.

    ``employed_from`` is the hire date and ``employed_to`` the last day of
    employment, so one call handles the first month, the last, and a worker
    who joins and leaves in the same month.  Refused when the employment does
    not reach into the month.
    """
    if monthly < 0:
        raise DomainError(N_("The amount must not be negative."), field="monthly")
    if employed_to is not None and employed_to < employed_from:
        raise DomainError(N_("The last day may not be before the first day."), field="employed_to")
    length = calendar.monthrange(month.year, month.month)[1]
    month_start, month_end = month.replace(day=1), month.replace(day=length)
    first, last = max(employed_from, month_start), min(employed_to or month_end, month_end)
    if last < first:
        raise DomainError(N_("The worker is not employed in this month."), field="month")
    whole = first == month_start and last == month_end
    if rule is ProrationRule.PAY_DAYS:
        days, of_days = weekdays(first, last), MONTHLY_PAY_DAYS
    else:
        days, of_days = (last - first).days + 1, Decimal(length)
    share = monthly * days / of_days
    capped = not whole and share > monthly
    amount = to_fen(monthly if whole or capped else share)
    return Proration(rule, monthly, first, last, days, of_days, whole, capped, amount)
