"""A worker's attendance figures for one month, as a person typed them
(on the page or in an Excel cell).  Pure functions.

Days are counted to the half day or finer (one decimal place), hours to one
decimal place.  Days worked plus days of absence cannot exceed the days of
the month.  Overtime is split as 劳动法 Art. 44 pays it (weekday 150%, rest
day 200%, statutory holiday 300%; ``service.payroll.pay_days``).  Art. 41
limits overtime to 36 hours a month; more is recorded as it happened, with a
warning, not refused: the figures are the facts payroll must pay for.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from service.errors import N_, DomainError, InputErrors

MONTHLY_OVERTIME_LIMIT = Decimal("36")  # 劳动法 Art. 41
HOURS_PER_DAY = 24
TENTH = Decimal("0.1")
TOO_LARGE = Decimal("10000")  # above any month's days or hours; keeps quantize in range
DAY_FIELDS = ("days_worked", "absence_days")
HOUR_FIELDS = ("overtime_weekday_hours", "overtime_rest_day_hours", "overtime_holiday_hours")
FIELDS = DAY_FIELDS + HOUR_FIELDS
_MONTH = re.compile(r"(\d{4})[-/.年](\d{1,2})月?")


@dataclass(frozen=True)
class AttendanceFigures:
    days_worked: Decimal
    absence_days: Decimal
    overtime_weekday_hours: Decimal
    overtime_rest_day_hours: Decimal
    overtime_holiday_hours: Decimal

    @property
    def overtime_hours(self) -> Decimal:
        return self.overtime_weekday_hours + self.overtime_rest_day_hours + self.overtime_holiday_hours

    def as_dict(self) -> dict[str, Decimal]:
        return {field: getattr(self, field) for field in FIELDS}


class AttendanceErrors(InputErrors):
    """Every problem with one worker's figures for a month."""


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def month_end(month: date) -> date:
    return month.replace(day=days_in_month(month))


def parse_month(value: object) -> date:
    """ "2025-03", "2025/3", "2025年3月" or a date → the month's first day."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    text = value.strip() if isinstance(value, str) else ""
    match = _MONTH.fullmatch(text)
    if match and 2000 <= int(match.group(1)) <= 2100 and 1 <= int(match.group(2)) <= 12:
        return date(int(match.group(1)), int(match.group(2)), 1)
    raise DomainError(N_("Enter a month like 2025-03."), field="month")


def month_or(value: object, default: date) -> date:
    """The month given, or ``default`` when it is not one: a link's month that cannot be read shows ``default``."""
    try:
        return parse_month(value)
    except DomainError:
        return default


def _number(value: object, field: str) -> Decimal:
    """An empty cell is 0; otherwise a number ≥ 0 with at most one decimal place."""
    if value is None:
        return Decimal("0")
    if isinstance(value, bool):
        raise DomainError(N_("Enter a number."), field=field)
    text = (repr(value) if isinstance(value, float) else str(value)) if isinstance(value, (int, float)) else str(value).strip()
    if text == "":
        return Decimal("0")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise DomainError(N_("Enter a number."), field=field) from None
    if not number.is_finite():
        raise DomainError(N_("Enter a number."), field=field)
    if number < 0:
        raise DomainError(N_("The number must not be negative."), field=field)
    if number >= TOO_LARGE:
        raise DomainError(N_("This number is too large."), field=field)
    if number != number.quantize(TENTH):
        raise DomainError(N_("Use at most one decimal place."), field=field)
    return number.quantize(TENTH)


def parse_figures(raw: Mapping[str, object], month: date) -> AttendanceFigures:
    """Check one worker's figures for ``month``; raise AttendanceErrors with every problem."""
    errors: list[DomainError] = []
    values: dict[str, Decimal] = {}
    for field in FIELDS:
        try:
            values[field] = _number(raw.get(field), field)
        except DomainError as error:
            errors.append(error)
    days = days_in_month(month)
    for field in DAY_FIELDS:
        if field in values and values[field] > days:
            errors.append(DomainError(N_("This month has only {days} days."), field=field, days=days))
            del values[field]
    if all(field in values for field in DAY_FIELDS) and values["days_worked"] + values["absence_days"] > days:
        errors.append(
            DomainError(
                N_("Days worked and days absent add up to more than the {days} days of the month."),
                field="absence_days",
                days=days,
            )
        )
    for field in HOUR_FIELDS:
        if field in values and values[field] > days * HOURS_PER_DAY:
            errors.append(DomainError(N_("At most {hours} hours in this month."), field=field, hours=days * HOURS_PER_DAY))
    if errors:
        raise AttendanceErrors(errors)
    return AttendanceFigures(**values)


def plain_number(value: Decimal) -> str:
    """21.0 → "21", 20.5 → "20.5": figures as a person writes them."""
    return str(int(value)) if value == value.to_integral_value() else format(value, "f")


def is_blank(raw: Mapping[str, object]) -> bool:
    """Nothing typed for any figure: the row is not being entered."""
    return all(raw.get(f) is None or str(raw.get(f)).strip() == "" for f in FIELDS)


def warnings(figures: AttendanceFigures) -> list[DomainError]:
    """What is lawful to record but should be looked at (not refused)."""
    found = []
    if figures.overtime_hours > MONTHLY_OVERTIME_LIMIT:
        found.append(
            DomainError(
                N_("{hours} hours of overtime this month: more than the 36 hours 劳动法 Art. 41 allows."),
                field="overtime_weekday_hours",
                hours=plain_number(figures.overtime_hours),
            )
        )
    return found
