"""Months employed for the 5,000 basic deduction (STA Announcement 2018 No. 61, Art. 6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.payroll.tax.income_tax import Amounts, YearToDate, cumulative_basic_deduction
from service.payroll.tax.months_employed import Employment, months_employed


@pytest.mark.parametrize(("through", "months"), [(5, 0), (6, 1), (12, 7)])
def test_a_worker_hired_mid_year_counts_from_the_month_of_hire(through: int, months: int) -> None:
    assert months_employed(2025, through, [Employment(date(2025, 6, 15))]) == months


def test_hired_in_mid_year_the_december_deduction_is_seven_months() -> None:
    count = months_employed(2025, 12, [Employment(date(2025, 6, 15))])
    ytd = YearToDate(month=12, months_employed=count, totals=Amounts(income=Decimal("42000")))
    assert cumulative_basic_deduction(ytd) == Decimal("35000")


def test_a_worker_employed_since_an_earlier_year_counts_every_month_so_far() -> None:
    assert months_employed(2025, 8, [Employment(date(2019, 3, 1))]) == 8


def test_a_suspended_month_without_pay_still_counts() -> None:
    # Suspended in March and April with no payslip: the employment goes on, so both months count.
    assert months_employed(2025, 5, [Employment(date(2024, 1, 1))]) == 5


@pytest.mark.parametrize(("through", "months"), [(3, 3), (4, 3), (5, 3), (6, 4), (12, 10)])
def test_a_worker_who_leaves_and_rejoins_skips_the_months_between(through: int, months: int) -> None:
    # Left on 31 March, rejoined on 1 June: April and May do not count.
    spells = [Employment(date(2023, 5, 1), date(2025, 3, 31)), Employment(date(2025, 6, 1))]
    assert months_employed(2025, through, spells) == months


def test_leaving_and_rejoining_within_a_month_counts_it_once() -> None:
    spells = [Employment(date(2025, 1, 1), date(2025, 2, 10)), Employment(date(2025, 2, 20))]
    assert months_employed(2025, 3, spells) == 3


def test_the_month_of_leaving_counts_and_later_months_do_not() -> None:
    assert months_employed(2025, 12, [Employment(date(2025, 1, 1), date(2025, 9, 1))]) == 9


def test_spells_outside_the_year_count_nothing() -> None:
    spells = [Employment(date(2020, 1, 1), date(2024, 12, 31)), Employment(date(2026, 1, 1))]
    assert months_employed(2025, 12, spells) == 0


def test_bad_input_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        months_employed(2025, 13, [])
    assert refused.value.field == "month"
    with pytest.raises(DomainError) as refused:
        Employment(date(2025, 5, 1), date(2025, 4, 30))
    assert refused.value.field == "last_day"
