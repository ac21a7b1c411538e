"""Pay for untaken annual leave on leaving (职工带薪年休假条例 Art. 3; 实施办法 Arts. 10-12)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.i18n import translator
from service.payroll.leavers.annual_leave import AnnualLeavePay, untaken_leave_pay
from service.workforce.leave.rules import statutory_annual_leave

SIX_THOUSAND = [Decimal("6000")] * 12


def leave_pay(entitlement: int, last_day: date, taken: int = 0, hired_on: date = date(2015, 3, 1)) -> AnnualLeavePay:
    return untaken_leave_pay(
        entitlement_days=entitlement, hired_on=hired_on, last_day=last_day, days_taken=taken, monthly_wages=SIX_THOUSAND
    )


@pytest.mark.parametrize(
    ("years", "days"),
    [(0, 0), (1, 5), (9, 5), (10, 10), (19, 10), (20, 15), (35, 15)],
)
def test_entitlement_by_cumulative_years_of_work(years: int, days: int) -> None:
    assert statutory_annual_leave(years) == days


def test_prorated_to_the_part_of_the_year_worked_and_rounded_down() -> None:
    # 1 January - 30 June 2025: 181 days; 181 ÷ 365 × 5 = 2.479 → 2 days.
    result = leave_pay(5, date(2025, 6, 30))
    assert (result.days_with_employer, result.untaken_days) == (181, 2)
    assert result.daily_wage == Decimal("275.86")  # 6,000 ÷ 21.75
    # 300% of the daily wage, the 100% already paid with the wages: 6,000 ÷ 21.75 × 2 × 200% = 1,103.448...
    assert result.amount == Decimal("1103.45")
    assert "实施办法 Arts. 10-12" in result.basis


def test_days_taken_are_subtracted() -> None:
    # The whole of 2025: 365 ÷ 365 × 10 − 4 = 6 days; 6,000 ÷ 21.75 × 6 × 2 = 3,310.344...
    result = leave_pay(10, date(2025, 12, 31), taken=4)
    assert result.untaken_days == 6
    assert result.amount == Decimal("3310.34")


def test_leave_taken_beyond_the_prorated_days_is_not_clawed_back() -> None:
    result = leave_pay(5, date(2025, 6, 30), taken=3)  # 2.479 − 3
    assert result.untaken_days == 0 and result.amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("last_day", "days"),
    [
        (date(2025, 3, 13), 0),  # 72 ÷ 365 × 5 = 0.986: less than a day is not paid
        (date(2025, 3, 14), 1),  # 73 ÷ 365 × 5 = 1 exactly
    ],
)
def test_a_fraction_of_a_day_is_dropped(last_day: date, days: int) -> None:
    assert leave_pay(5, last_day).untaken_days == days


def test_a_leap_year_still_divides_by_365() -> None:
    result = leave_pay(5, date(2024, 12, 31))  # 366 ÷ 365 × 5 = 5.01 → 5
    assert (result.days_with_employer, result.untaken_days) == (366, 5)


def test_a_worker_hired_this_year_counts_from_the_hire_date_and_averages_the_months_worked() -> None:
    # Hired 1 July 2025 with 20 years' work elsewhere (15 days): 92 days ÷ 365 × 15 = 3.78 → 3.
    result = untaken_leave_pay(
        entitlement_days=statutory_annual_leave(20),
        hired_on=date(2025, 7, 1),
        last_day=date(2025, 9, 30),
        days_taken=0,
        monthly_wages=[Decimal("5000"), Decimal("6000"), Decimal("7000")],
    )
    assert (result.days_with_employer, result.untaken_days) == (92, 3)
    assert (result.monthly_wage, result.months_averaged) == (Decimal("6000.00"), 3)
    assert result.amount == Decimal("1655.17")  # 6,000 ÷ 21.75 × 3 × 2 = 1,655.172...


def test_no_entitlement_before_a_full_year_of_work() -> None:
    assert leave_pay(statutory_annual_leave(0), date(2025, 12, 31)).amount == Decimal("0.00")


def test_the_payslip_explains_the_figure() -> None:
    result = leave_pay(5, date(2025, 6, 30))
    assert "1103.45" in translator("zh_CN")(result.explanation, **result.params)


def test_bad_input_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        leave_pay(5, date(2025, 6, 30), taken=-1)
    assert refused.value.field == "days_taken"
    with pytest.raises(DomainError) as refused:
        leave_pay(-5, date(2025, 6, 30))
    assert refused.value.field == "entitlement_days"
    with pytest.raises(DomainError) as refused:
        leave_pay(5, date(2025, 6, 30), hired_on=date(2025, 7, 1))
    assert refused.value.field == "last_day"
    with pytest.raises(DomainError) as refused:
        untaken_leave_pay(
            entitlement_days=5, hired_on=date(2020, 1, 1), last_day=date(2025, 6, 30), days_taken=0, monthly_wages=[]
        )
    assert refused.value.field == "monthly_wages"
