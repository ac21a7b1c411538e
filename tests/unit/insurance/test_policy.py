"""A city policy refuses figures that cannot be right."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from service.errors import DomainError
from service.insurance.contributions import monthly_contributions
from service.insurance.policy import CityPolicy, HousingFundRule, Limits, Scheme

D = Decimal

VALID = CityPolicy(
    city="testville",
    effective=date(2025, 1, 1),
    si_base=Limits(D("4000"), D("20000")),
    pension=Scheme(D("0.16"), D("0.08")),
    medical=Scheme(D("0.08"), D("0.02")),
    unemployment=Scheme(D("0.005"), D("0.005")),
    housing_fund=HousingFundRule(Limits(D("2000"), D("30000")), Limits(D("0.05"), D("0.12"))),
)


def changed(**changes: Any) -> CityPolicy:
    return dataclasses.replace(VALID, **changes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pension": Scheme(D("1.01"), D("0.08"))}, "pension.employer_rate"),
        ({"medical": Scheme(D("0.08"), D("-0.01"))}, "medical.employee_rate"),
        (
            {"medical": Scheme(D("0.08"), D("0.02"), employee_fixed=D("-3"))},
            "medical.employee_fixed",
        ),
        ({"si_base": Limits(D("20000.01"), D("20000"))}, "si_base"),
        ({"si_base": Limits(D("-1"), D("20000"))}, "si_base"),
        (
            {"housing_fund": HousingFundRule(Limits(D("3"), D("2")), Limits(D("0.05"), D("0.12")))},
            "housing_fund.base",
        ),
        (
            {"housing_fund": HousingFundRule(Limits(D("2"), D("3")), Limits(D("0.12"), D("0.05")))},
            "housing_fund.rates",
        ),
        (
            {"housing_fund": HousingFundRule(Limits(D("2"), D("3")), Limits(D("0.05"), D("1.2")))},
            "housing_fund.rates",
        ),
        ({"maternity": Scheme(D("0.008"), D("0.001"))}, "maternity.employee_rate"),
    ],
)
def test_invalid_figures_are_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        changed(**changes)
    assert caught.value.field == field


def test_rates_of_exactly_0_and_1_and_equal_limits_are_allowed() -> None:
    changed(pension=Scheme(D("1"), D("0")), si_base=Limits(D("5000"), D("5000")))


def test_separate_maternity_is_charged_to_the_employer() -> None:
    policy = changed(maternity=Scheme(D("0.008"), D("0")))
    result = monthly_contributions(policy, D("10000"), D("10000"), D("0.05"), D("0.002"))
    assert result.maternity.employer == D("80.00")
    assert result.maternity.employee == D("0")
    assert result.employer_total == D("1600") + D("800") + D("50") + D("80") + D("20") + D("500")
