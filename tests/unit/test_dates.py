"""Calendar helpers: month arithmetic, spans, and the "within one month" deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.dates import add_months, lasts_months, parse_date, weekdays, whole_months, whole_months_served
from service.errors import DomainError


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: clamped to 29 Feb
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
        (date(2024, 5, 20), 0, date(2024, 5, 20)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start_of_work", "last_day_of_the_month"),
    [
        (date(2024, 1, 15), date(2024, 2, 15)),  # the same date next month
        (date(2024, 1, 31), date(2024, 2, 29)),  # no 31 February: the month's last day
        (date(2023, 1, 31), date(2023, 2, 28)),
        (date(2024, 12, 31), date(2025, 1, 31)),
    ],
)
def test_one_month_from_a_day_ends_on_the_same_date_next_month(start_of_work: date, last_day_of_the_month: date) -> None:
    # 民法典 Arts. 201-202: the starting day is not counted, so a period of
    # one month from 15 January still runs on 15 February and ends there.
    assert add_months(start_of_work, 1) == last_day_of_the_month


@pytest.mark.parametrize(
    ("last_day", "expected"),
    [
        (date(2024, 12, 30), False),  # one day short of a year
        (date(2024, 12, 31), True),  # 1 Jan - 31 Dec is one year
        (date(2025, 1, 1), True),
    ],
)
def test_lasts_months_counts_the_first_day(last_day: date, expected: bool) -> None:
    assert lasts_months(date(2024, 1, 1), last_day, 12) is expected


def test_lasts_months_from_the_end_of_a_month() -> None:
    # 31 January + 1 month is 29 February, so 31 Jan - 28 Feb is a whole month.
    assert not lasts_months(date(2024, 1, 31), date(2024, 2, 27), 1)
    assert lasts_months(date(2024, 1, 31), date(2024, 2, 28), 1)


@pytest.mark.parametrize(
    ("first_day", "last_day", "expected"),
    [
        (date(2017, 3, 1), date(2024, 10, 31), (92, 0)),  # 7 years 8 months
        (date(2024, 1, 15), date(2024, 2, 13), (0, 30)),
        (date(2024, 1, 15), date(2024, 2, 14), (1, 0)),
        (date(2024, 1, 15), date(2024, 2, 15), (1, 1)),
        (date(2024, 1, 15), date(2024, 1, 15), (0, 1)),
        (date(2024, 1, 15), date(2024, 1, 14), (0, 0)),  # empty span
        (date(2024, 2, 16), date(2025, 1, 14), (10, 30)),
    ],
)
def test_whole_months_splits_a_span(first_day: date, last_day: date, expected: tuple[int, int]) -> None:
    assert whole_months(first_day, last_day) == expected


@pytest.mark.parametrize(
    ("first_day", "last_day", "expected"),
    [
        (date(2024, 1, 15), date(2024, 1, 21), 5),  # Monday to Sunday
        (date(2024, 1, 20), date(2024, 1, 20), 0),  # a Saturday
        (date(2024, 1, 19), date(2024, 1, 22), 2),  # Friday to Monday
        (date(2024, 1, 22), date(2024, 1, 21), 0),  # empty span
        (date(2024, 12, 16), date(2025, 1, 14), 22),
        (date(2024, 1, 1), date(2024, 12, 31), 262),
    ],
)
def test_weekdays_counts_mondays_to_fridays(first_day: date, last_day: date, expected: int) -> None:
    assert weekdays(first_day, last_day) == expected


@pytest.mark.parametrize(
    ("first_day", "last_day", "expected"),
    [
        (date(2017, 3, 1), date(2024, 10, 31), (92, 0)),  # the same as whole_months where every month has the date
        (date(2024, 1, 15), date(2024, 2, 14), (1, 0)),
        (date(2024, 1, 15), date(2024, 1, 14), (0, 0)),  # empty span
        (date(2024, 2, 29), date(2025, 2, 28), (12, 0)),  # a 29 February hire: a year on 28 February
        (date(2024, 2, 29), date(2025, 2, 27), (11, 30)),
        (date(2024, 2, 29), date(2025, 3, 1), (12, 1)),
        (date(2024, 2, 29), date(2028, 2, 28), (48, 0)),  # four years, the last ending in a leap February
        (date(2024, 2, 29), date(2028, 2, 29), (48, 1)),
        (date(2023, 1, 31), date(2023, 2, 28), (1, 0)),  # no 31 February: the month ends on its last day
        (date(2023, 1, 31), date(2023, 2, 27), (0, 28)),
        (date(2024, 3, 31), date(2024, 4, 30), (1, 0)),
        (date(2024, 3, 1), date(2024, 3, 31), (1, 0)),
    ],
)
def test_whole_months_served_ends_a_month_without_the_date_on_its_last_day(
    first_day: date, last_day: date, expected: tuple[int, int]
) -> None:
    assert whole_months_served(first_day, last_day) == expected


def test_whole_months_clamps_where_service_does_not() -> None:
    # The difference whole_months_served exists for: whole_months makes the 29 February year a day long.
    assert whole_months(date(2024, 2, 29), date(2025, 2, 28)) == (12, 1)
    assert whole_months_served(date(2024, 2, 29), date(2025, 2, 28)) == (12, 0)


@pytest.mark.parametrize(
    "value", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31", date(1, 1, 1), datetime(9999, 1, 1, tzinfo=UTC)]
)
def test_a_date_off_the_calendar_of_records_is_refused_on_its_field(value: object) -> None:
    with pytest.raises(DomainError) as refused:
        parse_date(value, "hire_date")
    assert refused.value.field == "hire_date"


def test_the_ends_of_the_calendar_of_records_are_dates() -> None:
    assert (parse_date("1900-01-01", "d"), parse_date("2100/12/31", "d")) == (date(1900, 1, 1), date(2100, 12, 31))
