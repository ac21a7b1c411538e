"""Months employed for the basic deduction: 当年截至本月在本单位的任职受雇月份数.

The cumulative basic deduction is 5,000 × the months of the tax year, up to
the current one, in which the worker was employed by this employer (STA
Announcement 2018 No. 61, Art. 6).  A month counts when any day of it falls
in an employment with the tenant: the month of hire and the month of
leaving count in full, a month without pay (suspension, unpaid leave) counts
because the employment goes on, and a month between leaving and rejoining
does not count.  So the count comes from the employment intervals, never
from the payslips.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from service.errors import N_, DomainError

BASIS = "国家税务总局公告2018年第61号 Art. 6"


@dataclass(frozen=True)
class Employment:
    """One spell of employment with the tenant, both days counted; ``last_day`` None while it lasts."""

    first_day: date
    last_day: date | None = None

    def __post_init__(self) -> None:
        if self.last_day is not None and self.last_day < self.first_day:
            raise DomainError(N_("The last day may not be before the first day."), field="last_day")


def months_employed(year: int, through_month: int, employments: Iterable[Employment]) -> int:
    """How many of the months January .. ``through_month`` of ``year`` have a day of employment."""
    if not 1 <= through_month <= 12:
        raise DomainError(N_("The month must be between 1 and 12."), field="month")
    months: set[int] = set()
    for spell in employments:
        first = max(spell.first_day, date(year, 1, 1))
        last = min(spell.last_day or date(year, 12, 31), date(year, through_month, 1))
        # ``last`` is a day in the last month that can count; comparing months is enough.
        if (first.year, first.month) <= (last.year, last.month):
            months.update(range(first.month, last.month + 1))
    return len(months)
