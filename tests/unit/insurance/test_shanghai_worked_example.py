"""The reference's worked example (labor-law-cn.md §2.4) to the fen.

Shanghai, August 2025, gross 6,500, housing fund 7%, injury 0.2%.  As in the
reference, the housing-fund base is the gross 6,500 itself (inside the fund's
limits), not a previous-year average.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from service.insurance.cities import SHANGHAI, minimum_wage_for, policy_for
from service.insurance.contributions import Contributions, monthly_contributions
from service.payroll.minimum_wage import MonthPay, check_minimum_wage
from service.payroll.tax.income_tax import Amounts, withhold_year

D = Decimal
AUGUST = date(2025, 8, 1)
GROSS = D("6500")


def contributions() -> Contributions:
    return monthly_contributions(policy_for(SHANGHAI, AUGUST), GROSS, GROSS, D("0.07"), D("0.002"))


def test_social_insurance_base() -> None:
    assert contributions().si_base == D("7460")


def test_employee_social_insurance() -> None:
    c = contributions()
    assert (c.pension.employee, c.medical.employee, c.unemployment.employee) == (
        D("596.80"),
        D("149.20"),
        D("37.30"),
    )
    assert c.employee_social_insurance == D("783.30")


def test_housing_fund() -> None:
    assert contributions().housing_fund.employee == D("455")
    assert contributions().housing_fund.employer == D("455")


def test_employer_cost() -> None:
    c = contributions()
    assert (
        c.pension.employer,
        c.medical.employer,
        c.unemployment.employer,
        c.work_injury.employer,
    ) == (D("1193.60"), D("671.40"), D("37.30"), D("14.92"))
    assert c.employer_total == D("2372.22")


def test_income_tax_first_month_no_special_additional_deductions() -> None:
    c = contributions()
    assert c.employee_total == D("1238.30")
    (tax,) = withhold_year([Amounts(income=GROSS, special_deductions=c.employee_total)], first_month=8)
    assert tax == D("7.85")  # (6,500 − 5,000 − 1,238.30) × 3% = 7.851


def test_minimum_wage() -> None:
    pay = MonthPay(gross=GROSS, employee_contributions=contributions().employee_total)
    check = check_minimum_wage(pay, minimum_wage_for(SHANGHAI, AUGUST))
    assert check.counted_pay == D("5261.70")
    assert check.minimum == D("2740")
    assert check.meets
