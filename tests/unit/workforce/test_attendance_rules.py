"""A month's attendance figures: limits, decimals, and the 36-hour overtime warning."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.workforce.attendance.rules import (
    AttendanceErrors,
    is_blank,
    parse_figures,
    parse_month,
    warnings,
)

FEBRUARY = date(2025, 2, 1)  # 28 days
LEAP_FEBRUARY = date(2024, 2, 1)


def _raw(**changes: object) -> dict[str, object]:
    return {
        "days_worked": "20",
        "absence_days": "1",
        "overtime_weekday_hours": "10",
        "overtime_rest_day_hours": "8",
        "overtime_holiday_hours": "",
    } | changes


def _fields(raw: dict[str, object], month: date = FEBRUARY) -> set[str]:
    with pytest.raises(AttendanceErrors) as refused:
        parse_figures(raw, month)
    return {e.field for e in refused.value.errors}


def test_good_figures_parse_and_empty_cells_are_zero() -> None:
    figures = parse_figures(_raw(), FEBRUARY)
    assert figures.days_worked == Decimal("20.0")
    assert figures.overtime_holiday_hours == Decimal("0")
    assert figures.overtime_hours == Decimal("18")


def test_excel_numbers_are_accepted() -> None:
    figures = parse_figures({"days_worked": 21.5, "absence_days": 0, "overtime_weekday_hours": None}, FEBRUARY)
    assert figures.days_worked == Decimal("21.5")


def test_days_worked_and_absence_fit_in_the_month() -> None:
    assert parse_figures(_raw(days_worked="27", absence_days="1"), FEBRUARY)  # exactly 28
    assert _fields(_raw(days_worked="27", absence_days="1.5"), FEBRUARY) == {"absence_days"}
    assert parse_figures(_raw(days_worked="28", absence_days="1"), LEAP_FEBRUARY)  # 29 days
    assert _fields(_raw(days_worked="29", absence_days="0")) == {"days_worked"}
    assert parse_figures(_raw(days_worked="31", absence_days="0"), date(2025, 1, 1))
    assert _fields(_raw(days_worked="32", absence_days="0"), date(2025, 1, 1)) == {"days_worked"}


@pytest.mark.parametrize("bad", ["-1", "abc", "1.25", "NaN", "Infinity", "1e400", True])
def test_bad_numbers_are_refused(bad: object) -> None:
    assert _fields(_raw(overtime_rest_day_hours=bad)) == {"overtime_rest_day_hours"}


def test_hours_cannot_exceed_the_hours_of_the_month() -> None:
    assert parse_figures(_raw(overtime_weekday_hours="672"), FEBRUARY)  # 28 × 24
    assert _fields(_raw(overtime_weekday_hours="672.1")) == {"overtime_weekday_hours"}


def test_every_problem_is_reported_at_once() -> None:
    assert _fields(_raw(days_worked="x", absence_days="-2", overtime_holiday_hours="0.55")) == {
        "days_worked",
        "absence_days",
        "overtime_holiday_hours",
    }


def test_overtime_above_36_hours_is_a_warning_not_an_error() -> None:
    at_limit = parse_figures(_raw(overtime_weekday_hours="20", overtime_rest_day_hours="16"), FEBRUARY)
    assert warnings(at_limit) == []
    above = parse_figures(_raw(overtime_weekday_hours="20", overtime_rest_day_hours="16.5"), FEBRUARY)
    found = warnings(above)
    assert len(found) == 1 and found[0].params == {"hours": "36.5"}
    assert warnings(parse_figures(_raw(overtime_weekday_hours="40"), FEBRUARY))[0].params == {"hours": "48"}


def test_blank_rows_are_recognised() -> None:
    assert is_blank({"days_worked": " ", "absence_days": None})
    assert not is_blank({"days_worked": "0"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03", date(2025, 3, 1)),
        ("2025/3", date(2025, 3, 1)),
        ("2025年3月", date(2025, 3, 1)),
        (date(2025, 3, 17), date(2025, 3, 1)),
        (datetime(2025, 12, 5, 8), date(2025, 12, 1)),  # noqa: DTZ001 (Excel cells carry no zone)
    ],
)
def test_months_parse(text: object, expected: date) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize("bad", ["", "2025-13", "2025-00", "March", "1999-12", None, "2025-03-01"])
def test_bad_months_are_refused(bad: object) -> None:
    with pytest.raises(DomainError):
        parse_month(bad)
