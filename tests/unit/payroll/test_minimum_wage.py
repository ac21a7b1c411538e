"""The minimum-wage check (labor-law-cn.md §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.payroll.minimum_wage import MinimumWage, MonthPay, check_minimum_wage

D = Decimal
SHANGHAI = MinimumWage("shanghai", date(2025, 7, 1), D("2740"), excludes_employee_contributions=True)
HANGZHOU = MinimumWage("hangzhou", date(2024, 1, 1), D("2490"), excludes_employee_contributions=False)


def test_pay_above_the_minimum() -> None:
    check = check_minimum_wage(MonthPay(D("6500"), employee_contributions=D("1238.30")), SHANGHAI)
    assert check.meets
    assert check.counted_pay == D("5261.70")
    assert check.shortfall == D("0")


def test_overtime_allowances_and_contributions_do_not_count_in_shanghai() -> None:
    pay = MonthPay(
        gross=D("3500"),
        overtime=D("300"),
        special_allowances=D("100"),
        employee_contributions=D("783.30"),
    )
    check = check_minimum_wage(pay, SHANGHAI)
    assert check.counted_pay == D("2316.70")
    assert not check.meets
    assert check.shortfall == D("423.30")


def test_contributions_count_where_the_city_does_not_exclude_them() -> None:
    pay = MonthPay(gross=D("2600"), overtime=D("100"), employee_contributions=D("500"))
    check = check_minimum_wage(pay, HANGZHOU)
    assert check.counted_pay == D("2500")
    assert check.meets


def test_exactly_the_minimum_meets_it_and_one_fen_less_does_not() -> None:
    assert check_minimum_wage(MonthPay(D("2490")), HANGZHOU).meets
    short = check_minimum_wage(MonthPay(D("2489.99")), HANGZHOU)
    assert (short.meets, short.shortfall) == (False, D("0.01"))


def test_impossible_pay_is_refused() -> None:
    with pytest.raises(DomainError):
        MonthPay(D("100"), overtime=D("101"))
    with pytest.raises(DomainError):
        MonthPay(D("-1"))
