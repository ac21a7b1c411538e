"""Leave: the annual-leave entitlement, counting days, overlap, and the
checks on a request as a person typed it.  Pure functions.

**Annual leave** (《职工带薪年休假条例》 Art. 3): 5 days after one full year of
cumulative work, 10 after ten, 15 after twenty; none before the first full
year (Art. 2).  The years are counted from the worker's ``hire_date`` with
this employer only: years worked for earlier employers count by law but are
not known to the system, so HR records them as a per-year entitlement
(``LeaveEntitlement``) that overrides the computed figure.  The figure for a
calendar year is the one reached by its last day, 31 December: a worker who
completes ten years in June has ten days that year.  That is never less than
the statute gives; the proration of 《企业职工带薪年休假实施办法》 Art. 5 for
the first qualifying year is not applied (HR may set a lower figure where it
applies).

**Counting days.** Leave is taken in whole days.  A request counts its
working days, Monday to Friday: rest days do not count (Art. 3 ¶2 says the
same of statutory holidays, but holidays and the weekend days swapped for
them, 调休, are not modelled yet, so a holiday on a weekday is counted).  The
exception is maternity leave, whose 98 days (《女职工劳动保护特别规定》 Art. 7)
are calendar days, so it counts every day.

**Overlap.** A worker cannot be on two leaves on the same day: a request whose
dates share a day with one of the worker's pending or approved requests is
refused.  Both ends are inclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from service.dates import add_months, weekdays
from service.errors import N_, DomainError, InputErrors, Label
from service.workforce.daily_models import DAILY_LABELS, LeaveType
from service.workforce.roster.input import parse_date

ANNUAL_LEAVE_STEPS = ((20, 15), (10, 10), (1, 5))  # (full years of work, days), highest first
CALENDAR_DAY_TYPES = frozenset({LeaveType.MATERNITY})
MAX_SPAN_DAYS = 366
REASON_LIMIT = 500
FIELDS = ("worker_id", "leave_type", "start_date", "end_date", "reason")


def years_of_service(hire_date: date, on: date) -> int:
    """Full years worked from ``hire_date`` by ``on``: a year is full on its
    anniversary (hired 1 March 2015: ten years on 1 March 2025, nine the day
    before).  29 February anniversaries fall on 28 February."""
    if on < hire_date:
        return 0
    years = on.year - hire_date.year
    if add_months(hire_date, 12 * years) > on:
        years -= 1
    return max(0, years)


def statutory_annual_leave(years_of_work: int) -> int:
    """The annual leave for ``years_of_work`` full years of cumulative work, with any employer (Art. 3)."""
    for threshold, days in ANNUAL_LEAVE_STEPS:
        if years_of_work >= threshold:
            return days
    return 0


def annual_leave_days(hire_date: date, on: date) -> int:
    """The statutory annual leave for the years of work completed by ``on`` (Art. 3)."""
    return statutory_annual_leave(years_of_service(hire_date, on))


def annual_leave_for_year(hire_date: date, year: int) -> int:
    """The annual leave of calendar ``year``: what the years reached by 31 December give."""
    return annual_leave_days(hire_date, date(year, 12, 31))


def counts_calendar_days(leave_type: LeaveType) -> bool:
    return leave_type in CALENDAR_DAY_TYPES


def leave_days(leave_type: LeaveType, start: date, end: date) -> int:
    """Days a leave from ``start`` to ``end`` (both included) takes: working
    days (Mon–Fri), or calendar days for maternity leave; 0 if ``end`` < ``start``."""
    if end < start:
        return 0
    if counts_calendar_days(leave_type):
        return (end - start).days + 1
    return weekdays(start, end)


def leave_days_in_year(leave_type: LeaveType, start: date, end: date, year: int) -> int:
    """The part of a leave that falls in calendar ``year`` (a leave across New Year counts in both)."""
    return leave_days(leave_type, max(start, date(year, 1, 1)), min(end, date(year, 12, 31)))


def overlaps(start: date, end: date, other_start: date, other_end: date) -> bool:
    """Whether two spans share a day; both ends count (a leave ending on the
    day another starts overlaps it, one ending the day before does not)."""
    return start <= other_end and other_start <= end


@dataclass(frozen=True)
class Span:
    """An existing request, for the overlap check."""

    id: int
    start: date
    end: date


def refuse_overlap(start: date, end: date, existing: Iterable[Span]) -> None:
    """Raise if ``start``..``end`` shares a day with any of ``existing``
    (the worker's pending and approved requests)."""
    for other in sorted(existing, key=lambda s: s.start):
        if overlaps(start, end, other.start, other.end):
            raise DomainError(
                N_("The worker already has leave from {start} to {end}; leave may not overlap."),
                field="start_date",
                start=other.start.isoformat(),
                end=other.end.isoformat(),
            )


def refuse_over_entitlement(leave_type: LeaveType, year: int, requested: int, entitlement: int | None, taken: int) -> None:
    """Raise if ``requested`` days plus ``taken`` (approved and pending) pass
    the year's ``entitlement``; ``None`` means the type is not limited."""
    if entitlement is None or requested + taken <= entitlement:
        return
    raise DomainError(
        N_("Only {remaining} days of {leave_type} are left for {year}; this request needs {requested}."),
        field="end_date",
        remaining=max(0, entitlement - taken),
        leave_type=Label(DAILY_LABELS[leave_type]),
        year=year,
        requested=requested,
    )


@dataclass(frozen=True)
class LeaveInput:
    worker_id: int
    leave_type: LeaveType
    start_date: date
    end_date: date
    reason: str

    def days(self) -> int:
        return leave_days(self.leave_type, self.start_date, self.end_date)

    def years(self) -> range:
        return range(self.start_date.year, self.end_date.year + 1)


class LeaveInputErrors(InputErrors):
    """Every problem with a leave request form."""


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_leave(raw: Mapping[str, object], *, today: date) -> LeaveInput:
    """Check a leave request's fields; raise LeaveInputErrors with every problem."""
    errors: list[DomainError] = []
    worker_text = _text(raw.get("worker_id"))
    worker_id = int(worker_text) if worker_text.isascii() and worker_text.isdigit() and len(worker_text) < 19 else None
    if worker_id is None:
        errors.append(DomainError(N_("Choose a worker."), field="worker_id"))
    leave_type = None
    try:
        leave_type = LeaveType(_text(raw.get("leave_type")))
    except ValueError:
        errors.append(DomainError(N_("Choose the type of leave."), field="leave_type"))
    dates: dict[str, date] = {}
    for field in ("start_date", "end_date"):
        try:
            dates[field] = parse_date(raw.get(field), field)
        except DomainError as error:
            errors.append(error)
    start, end = dates.get("start_date"), dates.get("end_date")
    if start and end:
        if end < start:
            errors.append(DomainError(N_("The last day may not be before the first day."), field="end_date"))
        elif (end - start).days + 1 > MAX_SPAN_DAYS:
            errors.append(DomainError(N_("A request may cover at most {days} days."), field="end_date", days=MAX_SPAN_DAYS))
        elif leave_type is not None and leave_days(leave_type, start, end) == 0:
            errors.append(DomainError(N_("These dates contain no working day: nothing to take leave from."), field="end_date"))
    if end and end > today + timedelta(days=MAX_SPAN_DAYS):
        errors.append(DomainError(N_("The leave ends more than a year ahead."), field="end_date"))
    reason = _text(raw.get("reason"))
    if len(reason) > REASON_LIMIT:
        errors.append(DomainError(N_("At most {limit} characters."), field="reason", limit=REASON_LIMIT))
    if errors:
        raise LeaveInputErrors(errors)
    return LeaveInput(worker_id, leave_type, start, end, reason)  # type: ignore[arg-type]
