"""Which pay month a last day employed changes: the month it falls in, unless it is the month's last day."""

from __future__ import annotations

from datetime import date

import pytest

from service.payroll.runs.reactions import first_month_changed


@pytest.mark.parametrize(
    ("last_day", "changed"),
    [
        (date(2026, 3, 13), date(2026, 3, 1)),
        (date(2026, 3, 1), date(2026, 3, 1)),
        (date(2026, 3, 31), date(2026, 4, 1)),  # March is paid whole, as published
        (date(2028, 2, 28), date(2028, 2, 1)),  # a leap year: the 29th is February's last day
        (date(2028, 2, 29), date(2028, 3, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_the_first_month_a_last_day_changes(last_day: date, changed: date) -> None:
    assert first_month_changed(last_day) == changed
