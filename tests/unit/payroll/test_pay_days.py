"""Pay days and overtime (labor-law-cn.md §3; 劳动法 Art. 44)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.payroll.pay_days import (
    OvertimeKind,
    absence_deduction,
    daily_wage,
    hourly_wage,
    overtime_pay,
)

D = Decimal


def test_reference_hourly_wage() -> None:
    assert hourly_wage(D("6000")) == D("34.48")


@pytest.mark.parametrize(
    ("kind", "pay"),
    [
        (OvertimeKind.WEEKDAY, "51.72"),
        (OvertimeKind.REST_DAY, "68.97"),
        (OvertimeKind.HOLIDAY, "103.45"),
    ],
)
def test_reference_overtime_for_one_hour(kind: OvertimeKind, pay: str) -> None:
    assert overtime_pay(D("6000"), D("1"), kind) == D(pay)


def test_overtime_rounds_the_total_not_the_rate() -> None:
    # 6,000 ÷ 174 × 1.5 × 3 = 155.17; rounding 51.72 first would give 155.16.
    assert overtime_pay(D("6000"), D("3"), OvertimeKind.WEEKDAY) == D("155.17")


def test_daily_wage() -> None:
    assert daily_wage(D("6000")) == D("275.86")  # 275.862…


def test_absence_deduction() -> None:
    assert absence_deduction(D("6000"), D("2")) == D("551.72")  # 551.724…
    assert absence_deduction(D("6000"), D("0.5")) == D("137.93")


def test_absence_deduction_never_exceeds_the_month() -> None:
    assert absence_deduction(D("6000"), D("23")) == D("6000")


@pytest.mark.parametrize(
    ("function", "args"),
    [
        (hourly_wage, (D("-1"),)),
        (daily_wage, (D("-1"),)),
        (overtime_pay, (D("6000"), D("-1"), OvertimeKind.WEEKDAY)),
        (absence_deduction, (D("6000"), D("-0.5"))),
    ],
)
def test_negative_inputs_are_refused(function: Callable[..., Decimal], args: tuple[object, ...]) -> None:
    with pytest.raises(DomainError):
        function(*args)
