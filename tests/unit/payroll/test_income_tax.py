"""Cumulative withholding against the reference's vectors (labor-law-cn.md §1)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.errors import DomainError
from service.payroll.tax.income_tax import (
    ANNUAL_BASIC_DEDUCTION,
    ANNUAL_RATE_TABLE,
    Amounts,
    BasicDeduction,
    SmallEarnerConditions,
    YearToDate,
    annual_tax,
    qualifies_for_full_year_deduction,
    withhold_year,
    withholding_this_month,
)

D = Decimal


def steady(income: str, insurance: str, sad: str = "0") -> Amounts:
    return Amounts(income=D(income), special_deductions=D(insurance), special_additional_deductions=D(sad))


# --- the table -------------------------------------------------------------


def test_quick_deductions_follow_from_the_rates() -> None:
    """§1.2 identity: deduction = previous + (rate − previous rate) × lower bound."""
    for previous, bracket in pairwise(ANNUAL_RATE_TABLE):
        assert previous.upper is not None
        expected = previous.quick_deduction + (bracket.rate - previous.rate) * previous.upper
        assert bracket.quick_deduction == expected


def test_quick_deduction_worked_instance() -> None:
    assert ANNUAL_RATE_TABLE[2].quick_deduction == D("2520") + D("144000") * D("0.10")


@pytest.mark.parametrize(
    ("taxable", "tax"),
    [
        ("-1", "0.00"),
        ("0", "0.00"),
        ("36000", "1080.00"),  # top of 3%, and where 10% − 2,520 meets it
        ("36000.01", "1080.00"),
        ("144000", "11880.00"),
        ("222000", "27480.00"),  # Vector A's year
        ("960000.01", "250080.00"),
        ("100.17", "3.01"),  # 3.0051 rounds half up to the fen
    ],
)
def test_annual_tax(taxable: str, tax: str) -> None:
    assert annual_tax(D(taxable)) == D(tax)


# --- reference vectors -----------------------------------------------------


def test_vector_a_month_by_month() -> None:
    taxes = withhold_year([steady("30000", "4500", "2000")] * 12)
    assert taxes == tuple(D(x) for x in ["555", "625", "1850", "1850", "1850", "1850", "1850", "2250"] + ["3700"] * 4)
    assert sum(taxes) == D("27480")
    assert sum(taxes) == D("222000") * D("0.20") - D("16920")


def test_vector_b() -> None:
    assert withhold_year([steady("10000", "1500", "1000")] * 12) == (D("75"),) * 12


def test_vector_a_single_month_from_cumulative_figures() -> None:
    """March of Vector A, computed directly: 55,500 × 10% − 2,520 − 1,180."""
    march = YearToDate(
        month=3,
        months_employed=3,
        totals=steady("90000", "13500", "6000"),
        tax_withheld=D("1180"),
    )
    assert withholding_this_month(march) == D("1850")


def test_over_withheld_month_withholds_nothing() -> None:
    ytd = YearToDate(month=2, months_employed=2, totals=steady("10000", "0"), tax_withheld=D("90"))
    assert withholding_this_month(ytd) == D("0")


def test_tax_relief_reduces_withholding() -> None:
    ytd = YearToDate(
        month=1,
        months_employed=1,
        totals=Amounts(income=D("10000"), tax_relief=D("50")),
    )
    assert withholding_this_month(ytd) == D("100")  # 5,000 × 3% − 50


def test_tax_free_and_other_deductions_reduce_the_base() -> None:
    month = Amounts(income=D("10000"), tax_free_income=D("1000"), other_deductions=D("1000"))
    assert withhold_year([month]) == (D("90"),)  # (10,000 − 5,000 − 2,000) × 3%


def test_mid_year_hire_counts_months_with_this_employer() -> None:
    """Hired in July (not first income): 5,000 × months employed, from July."""
    taxes = withhold_year([steady("10000", "1000")] * 6, first_month=7)
    assert taxes == (D("120"),) * 6


# --- STA 2020 No. 13 and No. 19 ------------------------------------------


def test_first_wage_income_of_year_counts_from_january() -> None:
    """A graduate's first job in July: 35,000 deducted in July, so no tax all year."""
    taxes = withhold_year([steady("10000", "1000")] * 6, first_month=7, deduction=BasicDeduction.FROM_JANUARY)
    assert taxes == (D("0"),) * 6


def test_first_wage_income_rule_only_defers_when_income_is_high() -> None:
    # July: 20,000 − 35,000 < 0; by December 120,000 − 60,000 − 12,000 = 48,000.
    taxes = withhold_year([steady("20000", "2000")] * 6, first_month=7, deduction=BasicDeduction.FROM_JANUARY)
    assert taxes[0] == D("0")
    assert sum(taxes) == annual_tax(D("48000"))


def test_small_earner_full_year_deduction() -> None:
    """6,000 a month, SI 600: nothing until the 60,000 is used, then the year's tax."""
    months = [steady("6000", "600")] * 12
    full_year = withhold_year(months, deduction=BasicDeduction.FULL_YEAR)
    assert full_year == (D("0"),) * 11 + (D("144"),)
    # The normal rule withholds the same year's tax, 12 a month.
    assert withhold_year(months) == (D("12"),) * 12


def test_full_year_deduction_needs_employment_from_january() -> None:
    with pytest.raises(DomainError):
        withhold_year([steady("6000", "600")], first_month=3, deduction=BasicDeduction.FULL_YEAR)


ELIGIBLE = SmallEarnerConditions(
    declared_here_every_month_last_year=True,
    wages_last_year=D("60000"),
    employed_here_since_january=True,
)


def test_small_earner_eligible_at_exactly_60000() -> None:
    assert qualifies_for_full_year_deduction(ELIGIBLE)


@pytest.mark.parametrize(
    "failing",
    [
        SmallEarnerConditions(False, D("60000"), True),
        SmallEarnerConditions(True, D("60000.01"), True),
        SmallEarnerConditions(True, D("30000"), False),
    ],
)
def test_small_earner_needs_all_three_conditions(failing: SmallEarnerConditions) -> None:
    assert not qualifies_for_full_year_deduction(failing)


# --- refusals --------------------------------------------------------------


@pytest.mark.parametrize(("month", "employed"), [(0, 1), (13, 1), (3, 0), (3, 4)])
def test_impossible_months_are_refused(month: int, employed: int) -> None:
    with pytest.raises(DomainError):
        YearToDate(month=month, months_employed=employed, totals=steady("1", "0"))


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        Amounts(income=D("100"), special_deductions=D("-1"))
    assert caught.value.field == "special_deductions"


def test_too_many_months_are_refused() -> None:
    with pytest.raises(DomainError):
        withhold_year([steady("1", "0")] * 13)


# --- properties ------------------------------------------------------------

fen = st.integers(min_value=0, max_value=10_000_000).map(lambda n: D(n) / 100)


@st.composite
def rising_month(draw: st.DrawFn) -> Amounts:
    """A month whose income covers its deductions, so cumulative taxable never falls."""
    tax_free, insurance, sad, other, surplus = (draw(fen) for _ in range(5))
    income = tax_free + insurance + sad + other + Decimal("5000") + surplus
    return Amounts(income, tax_free, insurance, sad, other)


any_month = st.builds(Amounts, fen, fen, fen, fen, fen)


def year_taxable(months: list[Amounts]) -> Decimal:
    return (
        sum(
            (
                m.income - m.tax_free_income - m.special_deductions - m.special_additional_deductions - m.other_deductions
                for m in months
            ),
            Decimal(0),
        )
        - ANNUAL_BASIC_DEDUCTION
    )


@given(st.lists(rising_month(), min_size=12, max_size=12))
def test_twelve_withholdings_sum_to_the_annual_tax(months: list[Amounts]) -> None:
    assert sum(withhold_year(months)) == annual_tax(year_taxable(months))


@given(st.lists(any_month, min_size=12, max_size=12))
def test_withholding_never_falls_short_of_the_annual_tax(months: list[Amounts]) -> None:
    """With uneven months tax may be over-withheld (refunded at settlement), never under."""
    taxes = withhold_year(months)
    assert all(t >= 0 for t in taxes)
    assert sum(taxes) >= annual_tax(year_taxable(months))
