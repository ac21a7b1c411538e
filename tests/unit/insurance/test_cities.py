"""City data and the choice of the version in force."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.insurance.cities import (
    BEIJING,
    CHENGDU,
    HANGZHOU,
    MINIMUM_WAGES,
    POLICIES,
    SHANGHAI,
    minimum_wage_for,
    policy_for,
)

D = Decimal


@pytest.mark.parametrize(
    ("city", "on", "lower", "upper"),
    [
        (BEIJING, date(2025, 6, 30), "6821", "35283"),
        (BEIJING, date(2025, 7, 1), "7162", "35811"),
        (SHANGHAI, date(2025, 6, 30), "7384", "36921"),
        (SHANGHAI, date(2025, 7, 1), "7460", "37302"),
        (HANGZHOU, date(2025, 8, 1), "4986", "25299"),
        (CHENGDU, date(2025, 8, 1), "4588", "22938"),
    ],
)
def test_policy_in_force_by_effective_date(city: str, on: date, lower: str, upper: str) -> None:
    policy = policy_for(city, on)
    assert (policy.si_base.lower, policy.si_base.upper) == (D(lower), D(upper))


def test_reference_rates() -> None:
    beijing = policy_for(BEIJING, date(2025, 8, 1))
    assert (beijing.medical.employer_rate, beijing.medical.employee_fixed) == (D("0.098"), D("3"))
    assert policy_for(CHENGDU, date(2025, 8, 1)).unemployment.employee_rate == D("0.004")
    assert policy_for(SHANGHAI, date(2025, 8, 1)).housing_fund.rates.upper == D("0.07")


@pytest.mark.parametrize(("city", "on"), [(BEIJING, date(2024, 6, 30)), ("guangzhou", date(2025, 8, 1))])
def test_no_policy_is_refused(city: str, on: date) -> None:
    with pytest.raises(DomainError) as caught:
        policy_for(city, on)
    assert caught.value.field == "city"


def test_conflicting_figures_are_marked() -> None:
    shanghai = " ".join(policy_for(SHANGHAI, date(2025, 8, 1)).disputed)
    assert "9.5%" in shanghai and "rounding" in shanghai
    assert "40,694 or 42,151" in " ".join(policy_for(HANGZHOU, date(2025, 8, 1)).disputed)
    assert "medical not confirmed" in " ".join(policy_for(CHENGDU, date(2025, 8, 1)).disputed)
    assert all(policy.disputed for policy in POLICIES)


@pytest.mark.parametrize(
    ("city", "on", "monthly", "excludes"),
    [
        (BEIJING, date(2025, 8, 31), "2420", True),
        (BEIJING, date(2025, 9, 1), "2540", True),
        (SHANGHAI, date(2025, 6, 30), "2690", True),
        (SHANGHAI, date(2025, 7, 1), "2740", True),
        (HANGZHOU, date(2025, 1, 1), "2490", False),
        (CHENGDU, date(2025, 7, 1), "2330", False),
    ],
)
def test_minimum_wage_in_force(city: str, on: date, monthly: str, excludes: bool) -> None:
    standard = minimum_wage_for(city, on)
    assert (standard.monthly, standard.excludes_employee_contributions) == (D(monthly), excludes)


def test_chengdu_minimum_wage_before_its_known_date_is_refused() -> None:
    with pytest.raises(DomainError):
        minimum_wage_for(CHENGDU, date(2025, 6, 30))


def test_every_city_has_both_kinds_of_data() -> None:
    cities = {p.city for p in POLICIES}
    assert cities == {m.city for m in MINIMUM_WAGES} == {BEIJING, SHANGHAI, HANGZHOU, CHENGDU}
