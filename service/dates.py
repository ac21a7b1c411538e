"""Calendar arithmetic for the labour-law rules.

The rules count months in two ways, and both are defined here once:

* A **deadline** "within N months (or days) of a day", such as the written
  contract due 自用工之日起一个月内 (劳动合同法 Art. 10), is counted as
  民法典 Arts. 201-202 count periods: the day itself is not counted, and the
  period ends on the same date N months later, or on the last day of that
  month when it has no such date.  The last day of the period is therefore
  ``add_months(day, n)``, and the duty is met on that day: work starting on
  15 January needs a written contract by 15 February; work starting on
  31 January, by 28 February (29 in a leap year).  The duty is overdue from
  the day after, which is the day the double wage starts (实施条例 Art. 6:
  "用工之日起满一个月的次日").
* A **span of days** that counts its first day, such as a contract term or a
  worker's service, lasts N whole months once the day after its last day
  reaches ``add_months(first_day, n)``: a contract from 1 January 2024 to
  31 December 2024 lasts one year; one ending on 30 December does not.
* A worker's **service**, counted for severance, in whole months served
  (``whole_months_served``): a month is served through the day before the
  same date of the next month, and where that month has no such date, through
  its last day (民法典 Art. 202).  A 29 February hire has served a year on
  28 February of a common year, not one year and one day.

And ``parse_date``, the one reading of a date as people type it in forms and sheets.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta

from service.errors import N_, DomainError

ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same date ``months`` later (or earlier), clamped to the month's end.

    31 January + 1 month is 28 February, or 29 February in a leap year.
    """
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day_of_month = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last_day_of_month))


def lasts_months(first_day: date, last_day: date, months: int) -> bool:
    """Whether the span ``first_day``..``last_day`` (both counted) lasts ``months`` whole months."""
    return last_day + ONE_DAY >= add_months(first_day, months)


def whole_months(first_day: date, last_day: date) -> tuple[int, int]:
    """Split the span ``first_day``..``last_day`` (both counted) into whole months and days left over.

    An empty span (``last_day`` the day before ``first_day``) is (0, 0).
    """
    end = last_day + ONE_DAY
    months = (end.year - first_day.year) * 12 + end.month - first_day.month
    # The month count above lands in end's month; it overshoots by one when
    # first_day's date of the month has not yet come round in that month.
    if add_months(first_day, months) > end:
        months -= 1
    return months, (end - add_months(first_day, months)).days


def _month_after(first_day: date, months: int) -> date:
    """The day ``months`` months after ``first_day``, or the 1st of the month after when that month lacks the date."""
    year, month0 = divmod(first_day.year * 12 + first_day.month - 1 + months, 12)
    if first_day.day <= calendar.monthrange(year, month0 + 1)[1]:
        return date(year, month0 + 1, first_day.day)
    return date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1)


def whole_months_served(first_day: date, last_day: date) -> tuple[int, int]:
    """Split service from ``first_day`` to ``last_day`` (both counted) into whole months and days left over.

    Each month of service ends on the day before the same date next month or,
    when that month has no such date, on its last day (民法典 Art. 202: "没有对应日的，
    月末日为期间的最后一日").  So a hire on 29 February 2024 has served exactly
    a year on 28 February 2025, and one on 31 January a month on 28 February.
    ``whole_months`` clamps instead, which made such a year one day long
    (29 Feb 2024 - 28 Feb 2025 came out as a year and a day).
    An empty span (``last_day`` the day before ``first_day``) is (0, 0).
    """
    end = last_day + ONE_DAY
    months = (end.year - first_day.year) * 12 + end.month - first_day.month
    if _month_after(first_day, months) > end:
        months -= 1
    return months, (end - _month_after(first_day, months)).days


def weekdays(first_day: date, last_day: date) -> int:
    """The Mondays to Fridays in ``first_day``..``last_day`` (both counted); 0 for an empty span."""
    days = (last_day - first_day).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    first_weekday = first_day.weekday()  # Monday is 0
    return weeks * 5 + sum(1 for offset in range(rest) if (first_weekday + offset) % 7 < 5)


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
# What a record of this app can be dated: a year like 0001 or 9999 is a typo, and the rules' arithmetic
# (a worker's age, months added to a day) would step off the calendar's ends on it.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def parse_date(value: object, field: str) -> date:
    """A date typed (2024-03-01, 2024/3/1, 2024年3月1日, full-width digits too) or given as a date,
    from 1900 to 2100."""
    day = _read_date(value, field)
    if not EARLIEST <= day <= LATEST:
        raise DomainError(N_("Enter a date between 1900 and 2100."), field=field)
    return day


def _read_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        raise DomainError(N_("Enter a date."), field=field)
    match = _DATE.fullmatch(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise DomainError(N_("Enter a date like 2024-03-01."), field=field)
