"""Economic compensation (劳动合同法 Art. 47; 实施条例 Art. 27) and termination reasons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.i18n import translator
from service.web.citations import in_chinese
from service.workforce.contracts.severance import (
    SEVERANCE_KIND_LABELS,
    ServiceLength,
    Severance,
    SeveranceKind,
    SeverancePay,
    TerminationReason,
    average_monthly_wage,
    economic_compensation,
    service_length,
    severance_pay,
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
        pre_2008_compensable=False,
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
        pre_2008_compensable=False,
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
        pre_2008_compensable=False,
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


def test_the_average_of_actual_pay_is_what_is_compensated() -> None:
    # Pay as payroll paid it, bonus months included, not the contract wage (实施条例 Art. 27).
    paid = [
        Decimal(x) for x in ("6000", "6000", "6000", "18000", "6000", "6000", "6000", "6000", "6000", "6000", "6000", "9000")
    ]
    assert average_monthly_wage(paid) == (Decimal("7250.00"), 12)
    result = economic_compensation(
        service_start=date(2019, 1, 1),
        last_day=date(2024, 12, 31),
        monthly_wages=paid,
        minimum_wage=MINIMUM_WAGE,
        city_average_wage=BEIJING_2024_AVERAGE,
        pre_2008_compensable=False,
    )
    assert result.amount == Decimal("43500.00")  # 6 years × 7,250
    assert result.basis == "劳动合同法 Arts. 46, 47; 实施条例 Art. 27"


@pytest.mark.parametrize(
    ("last_day", "service", "years"),
    [
        (date(2025, 2, 28), ServiceLength(1, 0, 0), Decimal("1")),  # a year on 28 February, not a year and a day
        (date(2025, 2, 27), ServiceLength(0, 11, 30), Decimal("1")),
        (date(2025, 3, 1), ServiceLength(1, 0, 1), Decimal("1.5")),
        (date(2028, 2, 28), ServiceLength(4, 0, 0), Decimal("4")),
        (date(2028, 2, 29), ServiceLength(4, 0, 1), Decimal("4.5")),
    ],
)
def test_a_29_february_hire_is_not_counted_a_day_long(last_day: date, service: ServiceLength, years: Decimal) -> None:
    result = compensation("6000", date(2024, 2, 29), last_day)
    assert result.service == service
    assert result.years_counted == years


def pay(kind: SeveranceKind, termination: TerminationReason, wage: str = "6000", **extra: object) -> SeverancePay:
    arguments: dict = {
        "reason": "decided by HR",
        "termination": termination,
        "service_start": date(2017, 3, 1),
        "last_day": date(2024, 10, 31),
        "monthly_wages": [Decimal(wage)] * 12,
        "minimum_wage": MINIMUM_WAGE,
        "city_average_wage": BEIJING_2024_AVERAGE,
        "pre_2008_compensable": False,
    } | extra
    return severance_pay(kind, **arguments)


def test_n_is_the_compensation() -> None:
    result = pay(SeveranceKind.N, TerminationReason.REDUNDANCY)
    assert (result.compensation.amount, result.notice_pay, result.amount) == (
        Decimal("48000.00"),
        Decimal("0.00"),
        Decimal("48000.00"),
    )
    assert result.reason == "decided by HR"


def test_n_plus_one_adds_the_previous_month_wage_for_a_dismissal_without_notice() -> None:
    result = pay(SeveranceKind.N_PLUS_ONE, TerminationReason.DISMISSAL_NO_FAULT, previous_month_wage=Decimal("6500"))
    assert result.notice_pay == Decimal("6500.00")  # 实施条例 Art. 20: last month's wage, not the average
    assert result.amount == Decimal("54500.00")
    assert result.basis == "劳动合同法 Arts. 40, 46(3), 47; 实施条例 Arts. 20, 27"


def test_n_plus_one_for_a_capped_earner_caps_only_the_compensation() -> None:
    result = pay(
        SeveranceKind.N_PLUS_ONE,
        TerminationReason.DISMISSAL_NO_FAULT,
        wage="40000",
        service_start=date(2009, 1, 1),
        last_day=date(2023, 12, 31),
        previous_month_wage=Decimal("40000"),
    )
    assert result.compensation.capped and result.compensation.amount == Decimal("429732.00")
    assert result.amount == Decimal("469732.00")


def test_two_n_for_an_unlawful_termination() -> None:
    # A dismissal for the worker's fault (no compensation by itself) found unlawful: 2 × 48,000.
    result = pay(SeveranceKind.DOUBLE, TerminationReason.DISMISSAL_WORKER_FAULT, reason="arbitration award: unlawful dismissal")
    assert result.amount == Decimal("96000.00") and result.notice_pay == Decimal("0.00")
    assert result.basis == "劳动合同法 Arts. 47, 48, 87; 实施条例 Arts. 25, 27"


def test_two_n_keeps_the_cap_and_the_twelve_years() -> None:
    result = pay(
        SeveranceKind.DOUBLE,
        TerminationReason.REDUNDANCY,
        wage="40000",
        service_start=date(2009, 1, 1),
        last_day=date(2023, 12, 31),
    )
    assert result.compensation.years_counted == 12
    assert result.amount == Decimal("859464.00")  # 2 × 12 × 35,811


def test_service_before_2008_counts_only_where_the_old_rules_compensated() -> None:
    # Hired 1 March 2005, leaving 28 February 2025 at 6,000.
    dates = {"service_start": date(2005, 3, 1), "last_day": date(2025, 2, 28)}
    expired = pay(SeveranceKind.N, TerminationReason.EXPIRY_NOT_RENEWED, **dates)
    assert expired.compensation.counted_from == date(2008, 1, 1)
    assert expired.compensation.service == ServiceLength(17, 2, 0)
    assert expired.amount == Decimal("105000.00")  # 17.5 × 6,000
    assert expired.basis == "劳动合同法 Arts. 46, 47, 97 ¶3; 实施条例 Art. 27"
    assert in_chinese(expired.basis) == "《劳动合同法》第46条、第47条、第97条第3款；《实施条例》第27条"
    dismissed = pay(SeveranceKind.N, TerminationReason.DISMISSAL_NO_FAULT, pre_2008_compensable=True, **dates)
    assert dismissed.compensation.service == ServiceLength(20, 0, 0)
    assert dismissed.amount == Decimal("120000.00")
    assert "Art. 97" not in dismissed.compensation.basis


def test_two_n_counts_from_the_first_day_of_work_even_before_2008() -> None:
    # 实施条例 Art. 25: 赔偿金的计算年限自用工之日起计算.
    result = pay(
        SeveranceKind.DOUBLE, TerminationReason.EXPIRY_NOT_RENEWED, service_start=date(2005, 3, 1), last_day=date(2025, 2, 28)
    )
    assert result.compensation.service == ServiceLength(20, 0, 0)
    assert result.amount == Decimal("240000.00")


@pytest.mark.parametrize(
    ("kind", "termination", "extra", "field"),
    [
        (SeveranceKind.N, TerminationReason.WORKER_NOTICE, {}, "kind"),  # no compensation due
        (SeveranceKind.N_PLUS_ONE, TerminationReason.REDUNDANCY, {"previous_month_wage": Decimal(6000)}, "kind"),
        (SeveranceKind.N_PLUS_ONE, TerminationReason.DISMISSAL_NO_FAULT, {}, "previous_month_wage"),
        (SeveranceKind.N, TerminationReason.REDUNDANCY, {"reason": "  "}, "reason"),
    ],
)
def test_a_kind_the_termination_does_not_allow_is_refused(
    kind: SeveranceKind, termination: TerminationReason, extra: dict, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        pay(kind, termination, **extra)
    assert refused.value.field == field


def test_no_wages_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        economic_compensation(
            service_start=date(2024, 1, 1),
            last_day=date(2024, 1, 31),
            monthly_wages=[],
            minimum_wage=MINIMUM_WAGE,
            city_average_wage=BEIJING_2024_AVERAGE,
            pre_2008_compensable=False,
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


def test_every_severance_kind_has_a_label_in_chinese() -> None:
    zh = translator("zh_CN")
    assert {kind: zh(SEVERANCE_KIND_LABELS[kind]) for kind in SeveranceKind} == {
        SeveranceKind.N: "经济补偿（N）",
        SeveranceKind.N_PLUS_ONE: "经济补偿加一个月代通知金（N+1）",
        SeveranceKind.DOUBLE: "违法解除：经济补偿的二倍赔偿金（2N）",
    }
