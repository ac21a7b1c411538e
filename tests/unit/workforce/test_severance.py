"""Economic compensation (劳动合同法 Art. 47; 实施条例 Art. 27) and termination reasons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.workforce.contracts.severance import (
    ServiceLength,
    Severance,
    TerminationReason,
    economic_compensation,
    service_length,
)

MINIMUM_WAGE = Decimal("2540.00")
BEIJING_2024_AVERAGE = Decimal("11937")


def compensation(
    wage: str,
    service_start: date,
    last_day: date,
    months: int = 12,
    city_average: Decimal = BEIJING_2024_AVERAGE,
) -> Severance:
    return economic_compensation(
        service_start=service_start,
        last_day=last_day,
        monthly_wages=[Decimal(wage)] * months,
        minimum_wage=MINIMUM_WAGE,
        city_average_wage=city_average,
    )


def test_reference_example_seven_years_eight_months() -> None:
    result = compensation("6000", date(2017, 3, 1), date(2024, 10, 31))
    assert result.service == ServiceLength(7, 8, 0)
    assert result.years_counted == 8
    assert result.monthly_base == Decimal("6000.00")
    assert not result.capped and not result.floored
    assert result.amount == Decimal("48000.00")


def test_reference_example_high_earner_cap() -> None:
    result = compensation("40000", date(2009, 1, 1), date(2023, 12, 31))
    assert result.service == ServiceLength(15, 0, 0)
    assert result.capped
    assert result.monthly_base == Decimal("35811.00")  # 3 x 11,937
    assert result.years_counted == 12
    assert result.amount == Decimal("429732.00")


@pytest.mark.parametrize(
    ("last_day", "years"),
    [
        (date(2024, 12, 31), Decimal("3")),  # exactly three years
        (date(2025, 1, 1), Decimal("3.5")),  # and a day: half a month
        (date(2025, 6, 29), Decimal("3.5")),  # the day before six months
        (date(2025, 6, 30), Decimal("4")),  # six months: a full year
        (date(2025, 7, 1), Decimal("4")),
    ],
)
def test_half_year_rule(last_day: date, years: Decimal) -> None:
    assert service_length(date(2022, 1, 1), last_day).counted_years == years


def test_under_six_months_of_service_is_half_a_month() -> None:
    result = compensation("6000", date(2024, 1, 1), date(2024, 3, 31), months=3)
    assert result.years_counted == Decimal("0.5")
    assert result.months_averaged == 3
    assert result.amount == Decimal("3000.00")


def test_half_a_month_is_rounded_to_the_fen() -> None:
    result = compensation("6000.01", date(2024, 1, 1), date(2024, 3, 31), months=3)
    assert result.amount == Decimal("3000.01")  # 3,000.005 half up


def test_only_the_last_twelve_months_are_averaged() -> None:
    result = economic_compensation(
        service_start=date(2020, 1, 1),
        last_day=date(2024, 12, 31),
        monthly_wages=[Decimal("100000")] + [Decimal("6000")] * 11 + [Decimal("7200")],
        minimum_wage=MINIMUM_WAGE,
        city_average_wage=BEIJING_2024_AVERAGE,
    )
    assert result.months_averaged == 12
    assert result.average_wage == Decimal("6100.00")  # (11 x 6,000 + 7,200) / 12
    assert result.amount == Decimal("30500.00")


def test_average_is_rounded_to_the_fen_half_up() -> None:
    result = economic_compensation(
        service_start=date(2024, 1, 1),
        last_day=date(2024, 3, 31),
        monthly_wages=[Decimal("3000.00"), Decimal("3000.00"), Decimal("3000.01")],
        minimum_wage=MINIMUM_WAGE,
        city_average_wage=BEIJING_2024_AVERAGE,
    )
    assert result.average_wage == Decimal("3000.00")  # 3,000.00333...


@pytest.mark.parametrize(
    ("wage", "floored", "base"),
    [
        ("2539.99", True, "2540.00"),
        ("2540.00", False, "2540.00"),
        ("2540.01", False, "2540.01"),
    ],
)
def test_average_below_the_minimum_wage_is_raised_to_it(wage: str, floored: bool, base: str) -> None:
    result = compensation(wage, date(2020, 1, 1), date(2024, 12, 31))
    assert result.floored is floored
    assert result.monthly_base == Decimal(base)
    assert result.amount == Decimal(base) * 5


@pytest.mark.parametrize(
    ("wage", "capped", "years"),
    [
        ("35810.99", False, 15),
        ("35811.00", False, 15),  # exactly 3x is not "higher than" 3x
        ("35811.01", True, 12),
    ],
)
def test_cap_applies_only_above_three_times_the_city_average(wage: str, capped: bool, years: int) -> None:
    result = compensation(wage, date(2009, 1, 1), date(2023, 12, 31))
    assert result.capped is capped
    assert result.years_counted == years


def test_capped_earner_with_under_twelve_years_keeps_their_years() -> None:
    result = compensation("40000", date(2014, 1, 1), date(2023, 12, 31))
    assert result.capped
    assert result.years_counted == 10
    assert result.amount == Decimal("358110.00")


def test_the_twelve_year_limit_binds_only_capped_earners() -> None:
    result = compensation("6000", date(2009, 1, 1), date(2023, 12, 31))
    assert result.years_counted == 15
    assert result.amount == Decimal("90000.00")


def test_no_wages_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        economic_compensation(
            service_start=date(2024, 1, 1),
            last_day=date(2024, 1, 31),
            monthly_wages=[],
            minimum_wage=MINIMUM_WAGE,
            city_average_wage=BEIJING_2024_AVERAGE,
        )
    assert refused.value.field == "monthly_wages"


@pytest.mark.parametrize(
    ("reason", "due"),
    [
        (TerminationReason.MUTUAL_EMPLOYER_PROPOSED, True),
        (TerminationReason.MUTUAL_WORKER_PROPOSED, False),
        (TerminationReason.WORKER_NOTICE, False),
        (TerminationReason.WORKER_EMPLOYER_FAULT, True),
        (TerminationReason.DISMISSAL_WORKER_FAULT, False),
        (TerminationReason.DISMISSAL_NO_FAULT, True),
        (TerminationReason.REDUNDANCY, True),
        (TerminationReason.EXPIRY_NOT_RENEWED, True),
        (TerminationReason.EXPIRY_RENEWAL_DECLINED, False),
        (TerminationReason.TASK_COMPLETED, True),
        (TerminationReason.RETIREMENT, False),
        (TerminationReason.DEATH, False),
        (TerminationReason.BANKRUPTCY, True),
        (TerminationReason.EMPLOYER_CLOSED, True),
    ],
)
def test_termination_reasons_say_whether_compensation_is_due(reason: TerminationReason, due: bool) -> None:
    assert reason.compensation_due is due
    assert reason.article


def test_termination_reasons_cover_the_articles_and_round_trip_by_code() -> None:
    articles = " ".join(reason.article for reason in TerminationReason)
    for number in ("36", "37", "38", "39", "40", "41", "44"):
        assert f"Art. {number}" in articles
    assert TerminationReason("redundancy") is TerminationReason.REDUNDANCY
    assert TerminationReason.REDUNDANCY.value == "redundancy"
