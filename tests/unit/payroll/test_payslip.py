"""One worker's payslip for one month (service/payroll/payslip.py).

Expected figures are computed here from the reference's numbers
(labor-law-cn.md §1.6, §2.4, §3, §5), not by calling the rules under test.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.assessment.ratings import Rating
from service.errors import DomainError
from service.insurance.cities import BEIJING, SHANGHAI, minimum_wage_for, policy_for
from service.insurance.policy import CityPolicy, HousingFundRule, Limits, Scheme
from service.payroll.bands.rules import BandCell
from service.payroll.minimum_wage import MinimumWage
from service.payroll.payslip import (
    Attendance,
    Category,
    Component,
    ComponentKind,
    Insurance,
    LeaverPay,
    PayslipInput,
    compute_payslip,
)
from service.payroll.tax.income_tax import TaxYearToDate
from service.payroll.tax.special_deductions import Child, Declarations

D = Decimal
AUGUST_2025 = date(2025, 8, 1)


def fen(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def cell(post: str, grade: str = "0", performance: str = "0") -> BandCell:
    return BandCell(3, Rating.MEETS, D(post), D(grade), performance_pay=D(performance))


def shanghai(wage: Decimal) -> Insurance:
    return Insurance(policy_for(SHANGHAI, AUGUST_2025), wage, wage, D("0.07"), D("0.002"))


def slip_input(**changes: object) -> PayslipInput:
    base = PayslipInput(
        month=AUGUST_2025,
        band=BandCell(3, Rating.GOOD, D("4000"), D("1500"), performance_coefficient=D("1.000")),
        performance_base=D("1000"),
        components=(),
        attendance=Attendance(days_worked=D("21")),
        insurance=shanghai(D("6500")),
        year_to_date=TaxYearToDate.start(2025),
        declarations=None,
        minimum_wage=minimum_wage_for(SHANGHAI, AUGUST_2025),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- the reference's Shanghai example (§2.4) -------------------------------------


def test_shanghai_august_2025_to_the_fen() -> None:
    slip = compute_payslip(slip_input())
    si_base = D("7460")  # max(6,500, the 2025 floor 7,460)
    employee_si = si_base * D("0.08") + si_base * D("0.02") + si_base * D("0.005")
    assert employee_si == D("783.30")
    housing_fund = D("6500") * D("0.07")  # 455.00, a whole yuan already
    tax = fen((D("6500") - D("5000") - employee_si - housing_fund) * D("0.03"))
    assert tax == D("7.85")
    employer = si_base * (D("0.16") + D("0.09") + D("0.005") + D("0.002")) + housing_fund
    assert employer == D("2372.22")

    assert slip.gross_pay == D("6500")
    assert slip.employee_social_insurance == employee_si
    assert slip.employee_housing_fund == housing_fund
    assert slip.taxable_income == D("6500")
    assert slip.tax == tax
    assert slip.net_pay == D("6500") - D("783.30") - D("455") - D("7.85") == D("5253.85")
    assert slip.employer_contributions == employer
    assert slip.employer_cost == D("6500") + employer
    assert slip.minimum_wage.counted_pay == D("6500") - D("1238.30")
    assert slip.minimum_wage.meets


def test_lines_in_order_with_categories() -> None:
    slip = compute_payslip(slip_input())
    assert [(line.code, line.amount, line.category) for line in slip.lines] == [
        ("post_pay", D("4000.00"), Category.EARNING),
        ("grade_pay", D("1500.00"), Category.EARNING),
        ("performance_pay", D("1000.00"), Category.EARNING),
        ("pension.employee", D("596.80"), Category.EMPLOYEE_CONTRIBUTION),
        ("medical.employee", D("149.20"), Category.EMPLOYEE_CONTRIBUTION),
        ("unemployment.employee", D("37.30"), Category.EMPLOYEE_CONTRIBUTION),
        ("housing_fund.employee", D("455.00"), Category.EMPLOYEE_CONTRIBUTION),
        ("income_tax", D("7.85"), Category.TAX),
        ("pension.employer", D("1193.60"), Category.EMPLOYER_CONTRIBUTION),
        ("medical.employer", D("671.40"), Category.EMPLOYER_CONTRIBUTION),
        ("unemployment.employer", D("37.30"), Category.EMPLOYER_CONTRIBUTION),
        ("work_injury.employer", D("14.92"), Category.EMPLOYER_CONTRIBUTION),
        ("housing_fund.employer", D("455.00"), Category.EMPLOYER_CONTRIBUTION),
    ]
    assert slip.lines[0].label == "Post pay"


def test_year_to_date_carries_to_next_month() -> None:
    august = compute_payslip(slip_input())
    ytd = august.year_to_date
    assert (ytd.year, ytd.month, ytd.months_employed) == (2025, 8, 1)
    assert (ytd.income, ytd.special_deductions, ytd.tax_withheld) == (D("6500"), D("1238.30"), D("7.85"))
    september = compute_payslip(slip_input(month=date(2025, 9, 1), year_to_date=ytd))
    # Cumulative: (13,000 − 10,000 − 2,476.60) × 3% = 15.70, less 7.85 withheld.
    assert september.tax == fen((D("13000") - D("10000") - D("2476.60")) * D("0.03")) - D("7.85") == D("7.85")
    assert september.year_to_date.tax_withheld == D("15.70")


# --- Vector A (§1.6) through twelve payslips ------------------------------------

# 三险一金 4,500 on 30,000 = 15%: pension 8% + medical 2% + housing fund 5%.
VECTOR_A_POLICY = CityPolicy(
    city="vector-a",
    effective=date(2025, 1, 1),
    si_base=Limits(D("0"), D("100000")),
    pension=Scheme(D("0.16"), D("0.08")),
    medical=Scheme(D("0.09"), D("0.02")),
    unemployment=Scheme(D("0.005"), D("0")),
    housing_fund=HousingFundRule(base=Limits(D("0"), D("100000")), rates=Limits(D("0.05"), D("0.12"))),
)
# One child at school: children's education 2,000 a month.
VECTOR_A_DECLARATIONS = Declarations(year=2025, children=(Child(date(2015, 5, 1)),))
VECTOR_A_TAXES = ["555", "625", "1850", "1850", "1850", "1850", "1850", "2250", "3700", "3700", "3700", "3700"]


def test_vector_a_through_twelve_payslips() -> None:
    ytd = TaxYearToDate.start(2025)
    taxes = []
    for month in range(1, 13):
        slip = compute_payslip(
            slip_input(
                month=date(2025, month, 1),
                band=cell("20000", "6000", "4000"),
                insurance=Insurance(VECTOR_A_POLICY, D("30000"), D("30000"), D("0.05"), D("0.002")),
                year_to_date=ytd,
                declarations=VECTOR_A_DECLARATIONS,
            )
        )
        assert slip.employee_social_insurance + slip.employee_housing_fund == D("4500")
        assert slip.special_additional_deductions == D("2000")
        taxes.append(slip.tax)
        ytd = slip.year_to_date
    assert taxes == [D(t) for t in VECTOR_A_TAXES]
    assert sum(taxes) == ytd.tax_withheld == D("27480") == D("222000") * D("0.20") - D("16920")
    assert slip.cumulative_taxable_income == D("222000")


# --- overtime and absence (§3) ----------------------------------------------------


def test_one_weekday_overtime_hour_on_6000() -> None:
    slip = compute_payslip(
        slip_input(band=cell("4000", "1000", "1000"), attendance=Attendance(D("21"), overtime_weekday_hours=D("1")))
    )
    (line,) = [line for line in slip.lines if line.code == "overtime_weekday"]
    assert line.amount == fen(D("6000") / D("174") * D("1.5")) == D("51.72")
    assert slip.gross_pay == D("6051.72")
    # Overtime never counts towards the minimum wage.
    assert slip.minimum_wage.counted_pay == D("6000") - slip.employee_contributions


def test_overtime_of_every_kind_and_absence_use_the_band_pay() -> None:
    slip = compute_payslip(
        slip_input(
            band=cell("4000", "1000", "1000"),
            components=(Component("meal", "Meal allowance", ComponentKind.ADDITION, D("300")),),
            attendance=Attendance(
                D("19"),
                absence_days=D("2"),
                overtime_rest_day_hours=D("1"),
                overtime_holiday_hours=D("1"),
            ),
        )
    )
    amounts = {line.code: line.amount for line in slip.lines}
    assert amounts["overtime_rest_day"] == D("68.97")
    assert amounts["overtime_holiday"] == D("103.45")
    assert amounts["absence"] == fen(D("6000") / D("21.75") * 2) == D("551.72")  # not on the 300 meal allowance
    assert slip.deductions == D("551.72")
    assert slip.income == D("6000") + D("300") + D("68.97") + D("103.45") - D("551.72")


def test_components_taxable_and_not() -> None:
    slip = compute_payslip(
        slip_input(
            band=cell("6500"),
            components=(
                Component("heat", "Heat allowance", ComponentKind.ADDITION, D("200"), counts_for_minimum_wage=False),
                Component("child", "Only-child fee", ComponentKind.ADDITION, D("10"), taxable=False),
                Component("fine", "Lateness", ComponentKind.DEDUCTION, D("100")),
                Component("dorm", "Dormitory", ComponentKind.DEDUCTION, D("300"), taxable=False, counts_for_minimum_wage=False),
            ),
        )
    )
    assert slip.gross_pay == D("6710")
    assert slip.deductions == D("400")
    assert slip.income == D("6610")  # the fine is taken before tax, the dormitory after
    assert slip.taxable_income == D("6600")  # the only-child fee is tax-free
    assert slip.tax == fen((D("6600") - D("5000") - D("1238.30")) * D("0.03")) == D("10.85")
    assert slip.net_pay == D("6710") - D("400") - D("1238.30") - D("10.85")
    # Minimum wage: no heat allowance; the fine counts, the dormitory does not.
    assert slip.minimum_wage.counted_pay == D("6500") + D("10") - D("100") - D("1238.30")
    assert slip.employer_cost == D("6610") + D("2372.22")


def test_a_leavers_annual_leave_pay_is_taxed_with_wages_and_the_severance_apart() -> None:
    wages = compute_payslip(slip_input(band=cell("6500")))
    slip = compute_payslip(slip_input(band=cell("6500"), leaver=LeaverPay(D("1000"), D("300000"), D("4000"))))
    codes = [(line.code, line.category) for line in slip.lines]
    assert ("annual_leave_pay", Category.EARNING) in codes and ("severance", Category.EARNING) in codes
    assert codes.index(("severance_tax", Category.TAX)) == codes.index(("income_tax", Category.TAX)) + 1
    # The annual-leave pay is this month's taxable income: 1,000 more at 3%.
    assert slip.income == wages.income + D("1000") and slip.year_to_date.income == slip.income
    wage_tax = wages.tax + D("30")
    assert slip.year_to_date.tax_withheld == wage_tax
    # The severance and its own tax are in gross, tax and net pay, not in the year to date.
    assert (slip.severance, slip.severance_tax) == (D("300000"), D("4000"))
    assert slip.gross_pay == wages.gross_pay + D("1000") + D("300000")
    assert slip.tax == wage_tax + D("4000")
    assert slip.net_pay == wages.net_pay + D("1000") - D("30") + D("300000") - D("4000")
    assert slip.employer_cost == wages.employer_cost + D("1000") + D("300000")
    # Neither counts as pay for the minimum wage.
    assert slip.minimum_wage.counted_pay == wages.minimum_wage.counted_pay


def test_a_leaver_pay_cannot_be_negative_or_taxed_above_itself() -> None:
    with pytest.raises(DomainError):
        LeaverPay(D("-1"), D("0"), D("0"))
    with pytest.raises(DomainError):
        LeaverPay(D("0"), D("100"), D("101"))


# --- the minimum wage (§5) ----------------------------------------------------


def test_minimum_wage_shortfall_flagged() -> None:
    slip = compute_payslip(slip_input(band=cell("2500"), insurance=shanghai(D("2500"))))
    employee_si = D("783.30")  # on the 7,460 floor
    housing_fund = D("188")  # 2,690 floor × 7% = 188.30, to the yuan
    counted = D("2500") - employee_si - housing_fund
    assert slip.minimum_wage.counted_pay == counted
    assert slip.minimum_wage.shortfall == D("2740") - counted == D("1211.30")
    assert not slip.minimum_wage.meets


def test_minimum_wage_counts_contributions_where_the_city_does() -> None:
    standard = MinimumWage("elsewhere", date(2025, 1, 1), D("2740"), excludes_employee_contributions=False)
    slip = compute_payslip(slip_input(band=cell("2800"), insurance=shanghai(D("2800")), minimum_wage=standard))
    assert slip.minimum_wage.counted_pay == D("2800")
    assert slip.minimum_wage.meets


# --- refusals -------------------------------------------------------------------


def field_of(**changes: object) -> str | None:
    with pytest.raises(DomainError) as caught:
        compute_payslip(slip_input(**changes))
    return caught.value.field


def test_refuses_negative_hours() -> None:
    with pytest.raises(DomainError) as caught:
        Attendance(D("21"), overtime_weekday_hours=D("-1"))
    assert caught.value.field == "overtime_weekday_hours"


def test_refuses_more_days_than_the_month_has() -> None:
    assert field_of(attendance=Attendance(D("30"), absence_days=D("2"))) == "absence_days"  # August: 31
    assert field_of(month=date(2025, 2, 1), attendance=Attendance(D("28.5"))) == "absence_days"


def test_refuses_a_month_not_after_the_year_to_date() -> None:
    august = compute_payslip(slip_input()).year_to_date
    assert field_of(month=date(2025, 7, 1), year_to_date=august) == "month"
    assert field_of(month=date(2025, 8, 1), year_to_date=august) == "month"
    assert field_of(month=date(2026, 1, 1), year_to_date=august) == "year_to_date"
    assert field_of(month=date(2024, 12, 1), year_to_date=august) == "year_to_date"


def test_refuses_other_impossible_input() -> None:
    with pytest.raises(DomainError) as caught:
        Component("x", "X", ComponentKind.ADDITION, D("-1"))
    assert caught.value.field == "components.x"
    twice = Component("x", "X", ComponentKind.ADDITION, D("1"))
    assert field_of(components=(twice, twice)) == "components"
    assert field_of(components=(Component("post_pay", "X", ComponentKind.ADDITION, D("1")),)) == "components"
    too_much = Component("fine", "Fine", ComponentKind.DEDUCTION, D("7000"))
    assert field_of(components=(too_much,)) == "components"
    assert field_of(declarations=Declarations(year=2024)) == "declarations"
    assert field_of(year_to_date=TaxYearToDate.start(2025, small_earner=True)) == "small_earner"
    with pytest.raises(DomainError) as caught:
        TaxYearToDate(2025, month=3, months_employed=4)
    assert caught.value.field == "year_to_date.months_employed"


def test_small_earner_and_first_job() -> None:
    january = compute_payslip(
        slip_input(month=date(2025, 1, 1), band=cell("8000"), year_to_date=TaxYearToDate.start(2025, small_earner=True))
    )
    assert january.tax == D("0")  # 60,000 deducted from January
    late = compute_payslip(slip_input(band=cell("8000"), year_to_date=TaxYearToDate.start(2025, first_job=True)))
    assert late.tax == D("0")  # 8 × 5,000 from January
    assert late.cumulative_taxable_income == D("8000") - D("40000") - late.employee_contributions


# --- property ---------------------------------------------------------------------

money = st.decimals(min_value=D("0"), max_value=D("20000"), places=2)
hours = st.decimals(min_value=D("0"), max_value=D("36"), places=1)
component = st.builds(
    lambda i, kind, amount, taxable, counts: Component(f"c{i}", "Item", kind, amount, taxable, counts),
    st.integers(),
    st.sampled_from(ComponentKind),
    st.decimals(min_value=D("0"), max_value=D("3000"), places=2),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    post=money,
    grade=money,
    performance=money,
    components=st.lists(component, max_size=5, unique_by=lambda c: c.code),
    absence=st.decimals(min_value=D("0"), max_value=D("10"), places=1),
    overtime=st.tuples(hours, hours, hours),
    city=st.sampled_from([BEIJING, SHANGHAI]),
    si_wage=money,
    month=st.integers(min_value=1, max_value=12),
    prior_income=money,
    with_children=st.booleans(),
)
def test_net_is_gross_less_contributions_tax_and_deductions(
    post: Decimal,
    grade: Decimal,
    performance: Decimal,
    components: list[Component],
    absence: Decimal,
    overtime: tuple[Decimal, Decimal, Decimal],
    city: str,
    si_wage: Decimal,
    month: int,
    prior_income: Decimal,
    with_children: bool,
) -> None:
    day = date(2025, month, 1)
    prior = (
        TaxYearToDate.start(2025)
        if month == 1
        else TaxYearToDate(2025, month=month - 1, income=prior_income * (month - 1), months_employed=month - 1)
    )
    inputs = slip_input(
        month=day,
        band=cell(str(post), str(grade), str(performance)),
        components=tuple(components),
        attendance=Attendance(D("15"), absence, *overtime),
        insurance=Insurance(policy_for(city, AUGUST_2025), si_wage, si_wage, D("0.07"), D("0.002")),
        year_to_date=prior,
        declarations=VECTOR_A_DECLARATIONS if with_children else None,
        minimum_wage=minimum_wage_for(city, AUGUST_2025),
    )
    try:
        slip = compute_payslip(inputs)
    except DomainError as error:
        assert error.field == "components"  # pre-tax deductions above the taxable pay
        return
    for amount in (slip.gross_pay, slip.deductions, slip.employee_contributions, slip.tax, slip.net_pay):
        assert amount == amount.quantize(D("0.01"))
    assert slip.net_pay == slip.gross_pay - slip.employee_contributions - slip.tax - slip.deductions
    assert slip.gross_pay == slip.total(Category.EARNING)
    assert slip.deductions == slip.total(Category.DEDUCTION)
    assert slip.employee_contributions == slip.total(Category.EMPLOYEE_CONTRIBUTION)
    assert slip.employer_contributions == slip.total(Category.EMPLOYER_CONTRIBUTION)
    assert slip.tax == slip.total(Category.TAX) >= 0
    assert slip.year_to_date.tax_withheld == prior.tax_withheld + slip.tax
