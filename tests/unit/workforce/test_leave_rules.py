"""Annual leave by years of work (条例 Art. 3), counting leave days, overlap, and the request form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.errors import DomainError
from service.workforce.daily_models import LeaveType
from service.workforce.leave.rules import (
    LeaveInputErrors,
    Span,
    annual_leave_days,
    annual_leave_for_year,
    leave_days,
    leave_days_in_year,
    overlaps,
    parse_leave,
    refuse_over_entitlement,
    refuse_overlap,
    years_of_service,
)

HIRED = date(2005, 3, 15)
ONE_DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("years", "before", "on_and_after"),
    [(1, 0, 5), (10, 5, 10), (20, 10, 15)],
)
def test_annual_leave_steps_up_on_the_anniversary(years: int, before: int, on_and_after: int) -> None:
    anniversary = date(HIRED.year + years, HIRED.month, HIRED.day)
    assert annual_leave_days(HIRED, anniversary - ONE_DAY) == before
    assert annual_leave_days(HIRED, anniversary) == on_and_after
    assert annual_leave_days(HIRED, anniversary + ONE_DAY) == on_and_after


def test_no_annual_leave_before_the_first_full_year_or_before_hiring() -> None:
    assert annual_leave_days(HIRED, HIRED) == 0
    assert annual_leave_days(HIRED, HIRED - ONE_DAY) == 0
    assert years_of_service(HIRED, HIRED - timedelta(days=400)) == 0
    assert annual_leave_days(HIRED, date(2060, 1, 1)) == 15


def test_a_29_february_hire_completes_its_years_on_28_february() -> None:
    hired = date(2016, 2, 29)
    assert years_of_service(hired, date(2017, 2, 27)) == 0
    assert years_of_service(hired, date(2017, 2, 28)) == 1
    assert years_of_service(hired, date(2020, 2, 28)) == 3  # 2020 has a 29th
    assert years_of_service(hired, date(2020, 2, 29)) == 4


def test_a_years_annual_leave_is_what_31_december_reaches() -> None:
    hired = date(2015, 6, 1)
    assert annual_leave_for_year(hired, 2015) == 0
    assert annual_leave_for_year(hired, 2016) == 5  # one year on 1 June 2016
    assert annual_leave_for_year(hired, 2024) == 5  # nine years
    assert annual_leave_for_year(hired, 2025) == 10  # ten years on 1 June 2025
    assert annual_leave_for_year(date(2015, 12, 31), 2025) == 10  # ten years on the last day
    assert annual_leave_for_year(date(2016, 1, 1), 2025) == 5


def test_leave_counts_weekdays_and_maternity_counts_calendar_days() -> None:
    friday, monday = date(2025, 3, 7), date(2025, 3, 10)
    assert leave_days(LeaveType.ANNUAL, friday, monday) == 2  # Fri + Mon
    assert leave_days(LeaveType.SICK, date(2025, 3, 8), date(2025, 3, 9)) == 0  # a weekend
    assert leave_days(LeaveType.PERSONAL, monday, monday) == 1
    assert leave_days(LeaveType.MATERNITY, date(2025, 3, 1), date(2025, 6, 6)) == 98
    assert leave_days(LeaveType.ANNUAL, monday, friday) == 0  # backwards: nothing


def test_leave_across_new_year_counts_in_each_year() -> None:
    start, end = date(2024, 12, 30), date(2025, 1, 3)  # Mon 30 Dec .. Fri 3 Jan
    assert leave_days(LeaveType.ANNUAL, start, end) == 5
    assert leave_days_in_year(LeaveType.ANNUAL, start, end, 2024) == 2
    assert leave_days_in_year(LeaveType.ANNUAL, start, end, 2025) == 3
    assert leave_days_in_year(LeaveType.ANNUAL, start, end, 2026) == 0


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        ((date(2025, 3, 1), date(2025, 3, 9)), False),  # ends the day before
        ((date(2025, 3, 1), date(2025, 3, 10)), True),  # ends on the first day
        ((date(2025, 3, 12), date(2025, 3, 12)), True),  # inside
        ((date(2025, 3, 14), date(2025, 3, 20)), True),  # starts on the last day
        ((date(2025, 3, 15), date(2025, 3, 20)), False),  # starts the day after
        ((date(2025, 3, 1), date(2025, 3, 31)), True),  # contains it
    ],
)
def test_overlap_counts_both_ends(other: tuple[date, date], expected: bool) -> None:
    start, end = date(2025, 3, 10), date(2025, 3, 14)
    assert overlaps(start, end, *other) is expected
    assert overlaps(*other, start, end) is expected


def test_refuse_overlap_names_the_other_leave() -> None:
    existing = [Span(1, date(2025, 3, 1), date(2025, 3, 5)), Span(2, date(2025, 3, 20), date(2025, 3, 21))]
    refuse_overlap(date(2025, 3, 6), date(2025, 3, 19), existing)
    with pytest.raises(DomainError) as refused:
        refuse_overlap(date(2025, 3, 19), date(2025, 3, 20), existing)
    assert refused.value.field == "start_date"
    assert refused.value.params == {"start": "2025-03-20", "end": "2025-03-21"}


def test_entitlement_limit_counts_what_is_taken_and_pending() -> None:
    refuse_over_entitlement(LeaveType.ANNUAL, 2025, 3, 5, 2)  # exactly the rest
    refuse_over_entitlement(LeaveType.SICK, 2025, 300, None, 0)  # not limited
    with pytest.raises(DomainError) as refused:
        refuse_over_entitlement(LeaveType.ANNUAL, 2025, 4, 5, 2)
    assert refused.value.params["remaining"] == 3


TODAY = date(2025, 3, 1)


def _raw(**changes: str) -> dict[str, str]:
    return {
        "worker_id": "7",
        "leave_type": "annual",
        "start_date": "2025-03-10",
        "end_date": "2025-03-14",
        "reason": "回老家",
    } | changes


def test_a_good_request_parses() -> None:
    parsed = parse_leave(_raw(), today=TODAY)
    assert (parsed.worker_id, parsed.leave_type, parsed.days()) == (7, LeaveType.ANNUAL, 5)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"worker_id": ""}, "worker_id"),
        ({"worker_id": "abc"}, "worker_id"),
        ({"leave_type": "holiday"}, "leave_type"),
        ({"start_date": "2025-02-30"}, "start_date"),
        ({"end_date": ""}, "end_date"),
        ({"end_date": "2025-03-09"}, "end_date"),  # before the first day
        ({"start_date": "2025-03-08", "end_date": "2025-03-09"}, "end_date"),  # only a weekend
        ({"start_date": "2025-01-01", "end_date": "2026-01-02"}, "end_date"),  # more than 366 days
        ({"start_date": "2026-03-10", "end_date": "2026-03-10"}, "end_date"),  # more than a year ahead
        ({"reason": "很" * 501}, "reason"),
    ],
)
def test_bad_requests_are_refused_next_to_the_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(LeaveInputErrors) as refused:
        parse_leave(_raw(**changes), today=TODAY)
    assert field in {e.field for e in refused.value.errors}
