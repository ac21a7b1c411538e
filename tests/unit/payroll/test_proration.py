"""A joiner's first and a leaver's last month, by 21.75 pay days and by calendar days.

Monthly wage 4,450 throughout.  The months: February 2026 (28 days, begins on
a Sunday, 20 weekdays), February 2024 (29 days, begins on a Thursday, 21),
April 2026 (30 days, begins on a Wednesday, 22), January 2026 (31 days,
begins on a Thursday, 22).  Each expected figure is worked out in its comment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.i18n import translator
from service.payroll.proration import Proration, ProrationRule, prorate

MONTHLY = Decimal("4450")
PAY_DAYS = ProrationRule.PAY_DAYS
CALENDAR = ProrationRule.CALENDAR_DAYS


def joiner(day: date, rule: ProrationRule) -> Proration:
    return prorate(MONTHLY, day, employed_from=day, employed_to=None, rule=rule)


def leaver(day: date, rule: ProrationRule) -> Proration:
    return prorate(MONTHLY, day, employed_from=date(2020, 1, 1), employed_to=day, rule=rule)


def test_the_issue_example_hired_on_20_january() -> None:
    # Tue 20 - Fri 30 January 2026: 9 pay days; 4,450 ÷ 21.75 × 9 = 1,841.379...
    result = joiner(date(2026, 1, 20), PAY_DAYS)
    assert (result.days, result.amount) == (9, Decimal("1841.38"))
    assert result.first_day == date(2026, 1, 20) and result.last_day == date(2026, 1, 31)
    assert not result.whole_month and not result.capped
    assert result.basis == "劳社部发〔2008〕3号; 人社部发〔2025〕2号"


@pytest.mark.parametrize(
    ("day", "pay_days", "by_pay_days", "calendar_days", "by_calendar"),
    [
        # February 2026, 28 days
        (date(2026, 2, 1), 20, "4450.00", 28, "4450.00"),  # the whole month
        (date(2026, 2, 15), 10, "2045.98", 14, "2225.00"),  # Sun 15th: 16-20, 23-27; 4,450 × 14 ÷ 28
        (date(2026, 2, 28), 0, "0.00", 1, "158.93"),  # a Saturday: no pay day; 4,450 ÷ 28 = 158.928...
        # February 2024, 29 days
        (date(2024, 2, 1), 21, "4450.00", 29, "4450.00"),
        (date(2024, 2, 15), 11, "2250.57", 15, "2301.72"),  # 15-16, 19-23, 26-29; 4,450 × 15 ÷ 29 = 2,301.724...
        (date(2024, 2, 29), 1, "204.60", 1, "153.45"),  # 4,450 ÷ 21.75 = 204.597...; ÷ 29 = 153.448...
        # April 2026, 30 days
        (date(2026, 4, 1), 22, "4450.00", 30, "4450.00"),
        (date(2026, 4, 15), 12, "2455.17", 16, "2373.33"),  # 15-17, 20-24, 27-30; 4,450 × 16 ÷ 30 = 2,373.333...
        (date(2026, 4, 30), 1, "204.60", 1, "148.33"),
        # January 2026, 31 days
        (date(2026, 1, 1), 22, "4450.00", 31, "4450.00"),
        (date(2026, 1, 15), 12, "2455.17", 17, "2440.32"),  # 15-16, 19-23, 26-30; 4,450 × 17 ÷ 31 = 2,440.322...
        (date(2026, 1, 31), 0, "0.00", 1, "143.55"),  # a Saturday; 4,450 ÷ 31 = 143.548...
    ],
)
def test_a_joiner_is_paid_from_the_hire_date(
    day: date, pay_days: int, by_pay_days: str, calendar_days: int, by_calendar: str
) -> None:
    by_days = joiner(day, PAY_DAYS)
    assert (by_days.days, by_days.amount) == (pay_days, Decimal(by_pay_days))
    by_month = joiner(day, CALENDAR)
    assert (by_month.days, by_month.amount) == (calendar_days, Decimal(by_calendar))
    assert by_days.whole_month is by_month.whole_month is (day.day == 1)


@pytest.mark.parametrize(
    ("day", "pay_days", "by_pay_days", "calendar_days", "by_calendar"),
    [
        # February 2026, 28 days
        (date(2026, 2, 1), 0, "0.00", 1, "158.93"),  # leaves on Sunday the 1st: no pay day worked
        (date(2026, 2, 15), 10, "2045.98", 15, "2383.93"),  # 2-6, 9-13; 4,450 × 15 ÷ 28 = 2,383.928...
        (date(2026, 2, 28), 20, "4450.00", 28, "4450.00"),  # the whole month
        # February 2024, 29 days
        (date(2024, 2, 1), 1, "204.60", 1, "153.45"),
        (date(2024, 2, 15), 11, "2250.57", 15, "2301.72"),  # 1-2, 5-9, 12-15
        (date(2024, 2, 29), 21, "4450.00", 29, "4450.00"),
        # April 2026, 30 days
        (date(2026, 4, 1), 1, "204.60", 1, "148.33"),
        (date(2026, 4, 15), 11, "2250.57", 15, "2225.00"),  # 1-3, 6-10, 13-15; 4,450 × 15 ÷ 30
        (date(2026, 4, 30), 22, "4450.00", 30, "4450.00"),
        # January 2026, 31 days
        (date(2026, 1, 1), 1, "204.60", 1, "143.55"),
        (date(2026, 1, 15), 11, "2250.57", 15, "2153.23"),  # 1-2, 5-9, 12-15; 4,450 × 15 ÷ 31 = 2,153.225...
        (date(2026, 1, 31), 22, "4450.00", 31, "4450.00"),
    ],
)
def test_a_leaver_is_paid_to_the_last_day(
    day: date, pay_days: int, by_pay_days: str, calendar_days: int, by_calendar: str
) -> None:
    by_days = leaver(day, PAY_DAYS)
    assert (by_days.days, by_days.amount) == (pay_days, Decimal(by_pay_days))
    by_month = leaver(day, CALENDAR)
    assert (by_month.days, by_month.amount) == (calendar_days, Decimal(by_calendar))


def test_joining_and_leaving_in_the_same_month() -> None:
    # Mon 5 - Fri 16 January 2026: 10 pay days, 12 calendar days.
    by_days = prorate(MONTHLY, date(2026, 1, 9), employed_from=date(2026, 1, 5), employed_to=date(2026, 1, 16), rule=PAY_DAYS)
    assert (by_days.days, by_days.amount) == (10, Decimal("2045.98"))  # 4,450 ÷ 21.75 × 10 = 2,045.977...
    by_month = prorate(MONTHLY, date(2026, 1, 9), employed_from=date(2026, 1, 5), employed_to=date(2026, 1, 16), rule=CALENDAR)
    assert (by_month.days, by_month.amount) == (12, Decimal("1722.58"))  # 4,450 × 12 ÷ 31 = 1,722.580...


def test_more_pay_days_than_21_75_pay_the_monthly_wage() -> None:
    # Leaving on Friday 30 January 2026: 22 pay days, which would be 4,654.60.
    result = prorate(MONTHLY, date(2026, 1, 1), employed_from=date(2025, 6, 1), employed_to=date(2026, 1, 30), rule=PAY_DAYS)
    assert result.days == 22 and result.capped and not result.whole_month
    assert result.amount == Decimal("4450.00")


def test_a_month_fully_employed_is_the_monthly_wage_under_both_rules() -> None:
    for rule in ProrationRule:
        result = prorate(MONTHLY, date(2026, 2, 10), employed_from=date(2025, 1, 1), employed_to=None, rule=rule)
        assert result.whole_month and result.amount == Decimal("4450.00")
        assert result.first_day == date(2026, 2, 1) and result.last_day == date(2026, 2, 28)


def test_the_payslip_explains_the_rule_in_both_languages() -> None:
    result = joiner(date(2026, 1, 20), PAY_DAYS)
    zh = translator("zh_CN")
    assert "1841.38" in zh(result.explanation, **result.params)
    assert "21.75" in translator("en")(result.explanation, **result.params)
    calendar_days = joiner(date(2026, 1, 15), CALENDAR)
    assert "2440.32" in zh(calendar_days.explanation, **calendar_days.params)
    assert zh(ProrationRule.CALENDAR_DAYS.label) != ProrationRule.CALENDAR_DAYS.label
    assert CALENDAR.basis == "劳动合同法 Art. 4"


def test_a_month_outside_the_employment_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        prorate(MONTHLY, date(2026, 3, 1), employed_from=date(2026, 4, 1), employed_to=None)
    assert refused.value.field == "month"
    with pytest.raises(DomainError):
        prorate(MONTHLY, date(2026, 5, 1), employed_from=date(2026, 1, 1), employed_to=date(2026, 4, 30))


def test_bad_input_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        prorate(Decimal("-1"), date(2026, 1, 1), employed_from=date(2026, 1, 5), employed_to=None)
    assert refused.value.field == "monthly"
    with pytest.raises(DomainError) as refused:
        prorate(MONTHLY, date(2026, 1, 1), employed_from=date(2026, 1, 5), employed_to=date(2026, 1, 4))
    assert refused.value.field == "employed_to"
