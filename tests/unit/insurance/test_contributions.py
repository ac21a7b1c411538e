"""Bases and per-item contributions, with each city's rounding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.insurance.cities import BEIJING, SHANGHAI, policy_for
from service.insurance.contributions import clamp_base, monthly_contributions

D = Decimal
SH_2025 = policy_for(SHANGHAI, date(2025, 8, 1))
BJ_2025 = policy_for(BEIJING, date(2025, 8, 1))


# --- bases -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wage", "base"),
    [
        ("0", "7460"),
        ("7459.99", "7460"),
        ("7460", "7460"),
        ("7460.01", "7460.01"),
        ("37301.99", "37301.99"),
        ("37302", "37302"),
        ("37302.01", "37302"),
    ],
)
def test_clamp_base_at_both_limits(wage: str, base: str) -> None:
    assert clamp_base(D(wage), D("7460"), D("37302")) == D(base)


def test_clamp_base_refuses_nonsense() -> None:
    with pytest.raises(DomainError):
        clamp_base(D("-0.01"), D("1"), D("2"))
    with pytest.raises(DomainError):
        clamp_base(D("5"), D("3"), D("2"))


def test_contributions_use_the_clamped_bases() -> None:
    low = monthly_contributions(SH_2025, D("3000"), D("2000"), D("0.07"), D("0.002"))
    high = monthly_contributions(SH_2025, D("50000"), D("50000"), D("0.07"), D("0.002"))
    assert (low.si_base, low.hf_base) == (D("7460"), D("2690"))
    assert (high.si_base, high.hf_base) == (D("37302"), D("37302"))
    assert high.pension.employee == D("2984.20")  # 2,984.16 up to the jiao


# --- rounding --------------------------------------------------------------


def test_shanghai_employee_si_rounds_up_to_the_jiao_and_employer_to_the_fen() -> None:
    result = monthly_contributions(SH_2025, D("7461"), D("7461"), D("0.07"), D("0.002"))
    assert result.pension.employee == D("596.90")  # 596.88
    assert result.medical.employee == D("149.30")  # 149.22
    assert result.unemployment.employee == D("37.40")  # 37.305
    assert result.pension.employer == D("1193.76")
    assert result.unemployment.employer == D("37.31")  # 37.305 half up
    assert result.work_injury.employer == D("14.92")  # 14.922


@pytest.mark.parametrize(("hf_wage", "amount"), [("6507", "455.00"), ("6508", "456.00")])
def test_shanghai_housing_fund_rounds_to_the_yuan(hf_wage: str, amount: str) -> None:
    # 6,507 × 7% = 455.49 and 6,508 × 7% = 455.56, each side.
    result = monthly_contributions(SH_2025, D("7460"), D(hf_wage), D("0.07"), D("0.002"))
    assert result.housing_fund.employer == result.housing_fund.employee == D(amount)


def test_beijing_rounds_to_the_fen_and_adds_3_yuan_medical() -> None:
    result = monthly_contributions(BJ_2025, D("7163"), D("7163"), D("0.12"), D("0.002"))
    assert result.unemployment.employee == D("35.82")  # 35.815
    assert result.medical.employee == D("146.26")  # 143.26 + 3
    assert result.medical.employer == D("701.97")  # 701.974
    assert result.housing_fund.employee == D("859.56")


def test_totals_are_sums_of_rounded_items() -> None:
    r = monthly_contributions(BJ_2025, D("9000"), D("9000"), D("0.12"), D("0.004"))
    si = (r.pension, r.medical, r.unemployment, r.maternity, r.work_injury)
    assert r.employee_social_insurance == sum((s.employee for s in si), D(0))
    assert r.employee_total == r.employee_social_insurance + r.housing_fund.employee
    assert r.employer_total == sum((s.employer for s in si), D(0)) + r.housing_fund.employer
    assert r.work_injury.employee == D("0")


# --- refusals --------------------------------------------------------------


@pytest.mark.parametrize("rate", ["0.0499", "0.0701"])
def test_housing_fund_rate_outside_the_city_range_is_refused(rate: str) -> None:
    with pytest.raises(DomainError) as caught:
        monthly_contributions(SH_2025, D("6500"), D("6500"), D(rate), D("0.002"))
    assert caught.value.field == "housing_fund_rate"
    assert caught.value.params["city"] == SHANGHAI


@pytest.mark.parametrize("rate", ["-0.001", "1.01"])
def test_impossible_injury_rate_is_refused(rate: str) -> None:
    with pytest.raises(DomainError) as caught:
        monthly_contributions(SH_2025, D("6500"), D("6500"), D("0.07"), D(rate))
    assert caught.value.field == "injury_rate"
