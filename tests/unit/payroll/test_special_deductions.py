"""Special additional deductions (labor-law-cn.md §1.4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from service.errors import DomainError
from service.payroll.tax.special_deductions import (
    Child,
    Declarations,
    ElderlySupport,
    MonthlyDeductions,
    ParentShare,
    Period,
    Rent,
    RentTier,
    monthly_deductions,
)

D = Decimal


def in_2025(month: int, **declared: Any) -> MonthlyDeductions:
    return monthly_deductions(Declarations(year=2025, **declared), month)


# --- children --------------------------------------------------------------


def test_children_education_per_child() -> None:
    school_age = (Child(date(2015, 5, 10)), Child(date(2018, 1, 1)))
    assert in_2025(6, children=school_age).children_education == D("4000")


def test_children_education_half_share() -> None:
    child = Child(date(2015, 5, 10), share=ParentShare.HALF)
    assert in_2025(6, children=(child,)).children_education == D("1000")


def test_child_not_in_education_gives_nothing() -> None:
    child = Child(date(2004, 5, 10), in_education=False)
    assert in_2025(6, children=(child,)).total == D("0")


def test_infant_care_until_the_month_before_the_third_birthday() -> None:
    child = (Child(date(2022, 6, 20)),)
    may = in_2025(5, children=child)
    june = in_2025(6, children=child)
    assert (may.infant_care, may.children_education) == (D("2000"), D("0"))
    assert (june.infant_care, june.children_education) == (D("0"), D("2000"))


def test_infant_care_from_the_birth_month() -> None:
    child = (Child(date(2025, 8, 31), share=ParentShare.HALF),)
    assert in_2025(7, children=child).infant_care == D("0")
    assert in_2025(8, children=child).infant_care == D("1000")


# --- elderly support -------------------------------------------------------


def test_elderly_support_only_child() -> None:
    support = ElderlySupport(date(1950, 1, 1), only_child=True)
    assert in_2025(1, elderly_support=support).elderly_support == D("3000")


def test_elderly_support_sibling_share() -> None:
    support = ElderlySupport(date(1950, 1, 1), only_child=False, sibling_share=D("1500"))
    assert in_2025(1, elderly_support=support).elderly_support == D("1500")


def test_elderly_support_from_the_month_the_parent_turns_60() -> None:
    support = ElderlySupport(date(1965, 3, 20), only_child=True)
    assert in_2025(2, elderly_support=support).elderly_support == D("0")
    assert in_2025(3, elderly_support=support).elderly_support == D("3000")


@pytest.mark.parametrize("share", [None, D("0"), D("1500.01")])
def test_sibling_share_out_of_range_is_refused(share: Decimal | None) -> None:
    with pytest.raises(DomainError) as caught:
        ElderlySupport(date(1950, 1, 1), only_child=False, sibling_share=share)
    assert caught.value.field == "sibling_share"


def test_only_child_declaring_a_share_is_refused() -> None:
    with pytest.raises(DomainError):
        ElderlySupport(date(1950, 1, 1), only_child=True, sibling_share=D("1500"))


# --- continuing education --------------------------------------------------


def test_degree_study_400_a_month() -> None:
    assert in_2025(5, degree_study=Period(date(2024, 9, 1))).continuing_education == D("400")


def test_degree_study_stops_after_48_months() -> None:
    study = Period(date(2021, 3, 1))  # months 1-48: March 2021 to February 2025
    assert in_2025(2, degree_study=study).continuing_education == D("400")
    assert in_2025(3, degree_study=study).continuing_education == D("0")


def test_degree_study_stops_when_it_ends() -> None:
    study = Period(date(2024, 9, 1), date(2025, 6, 30))
    assert in_2025(6, degree_study=study).continuing_education == D("400")
    assert in_2025(7, degree_study=study).continuing_education == D("0")


def test_certificate_counts_once_in_the_month_of_the_first_certificate() -> None:
    certificates = (date(2025, 10, 1), date(2025, 4, 18), date(2024, 6, 1))
    by_month = [in_2025(m, certificates=certificates).continuing_education for m in range(1, 13)]
    assert by_month[3] == D("3600")
    assert sum(by_month) == D("3600")


def test_certificate_from_last_year_gives_nothing() -> None:
    assert in_2025(1, certificates=(date(2024, 12, 31),)).total == D("0")


def test_degree_and_certificate_add_up() -> None:
    declared = in_2025(4, degree_study=Period(date(2024, 9, 1)), certificates=(date(2025, 4, 1),))
    assert declared.continuing_education == D("4000")


# --- housing ---------------------------------------------------------------


def test_housing_loan_interest() -> None:
    assert in_2025(1, housing_loan=Period(date(2020, 1, 1))).housing_loan_interest == D("1000")


def test_housing_loan_stops_after_240_months() -> None:
    loan = Period(date(2005, 2, 1))  # month 240 is January 2025
    assert in_2025(1, housing_loan=loan).housing_loan_interest == D("1000")
    assert in_2025(2, housing_loan=loan).housing_loan_interest == D("0")


@pytest.mark.parametrize(
    ("tier", "amount"),
    [(RentTier.MAJOR, "1500"), (RentTier.LARGE, "1100"), (RentTier.OTHER, "800")],
)
def test_rent_by_city_tier(tier: RentTier, amount: str) -> None:
    assert in_2025(3, rent=Rent(tier, Period(date(2024, 1, 1)))).housing_rent == D(amount)


def test_rent_only_during_the_lease() -> None:
    rent = Rent(RentTier.MAJOR, Period(date(2025, 3, 1), date(2025, 6, 30)))
    assert [in_2025(m, rent=rent).housing_rent for m in (2, 3, 6, 7)] == [
        D("0"),
        D("1500"),
        D("1500"),
        D("0"),
    ]


def test_loan_and_rent_together_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        Declarations(
            year=2025,
            housing_loan=Period(date(2020, 1, 1)),
            rent=Rent(RentTier.MAJOR, Period(date(2025, 1, 1))),
        )
    assert caught.value.field == "rent"


# --- other refusals and the total ------------------------------------------


def test_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(DomainError):
        Period(date(2025, 5, 1), date(2025, 4, 30))


def test_years_before_2023_amounts_are_refused() -> None:
    with pytest.raises(DomainError):
        Declarations(year=2022)


@pytest.mark.parametrize("month", [0, 13])
def test_month_out_of_range_is_refused(month: int) -> None:
    with pytest.raises(DomainError):
        monthly_deductions(Declarations(year=2025), month)


def test_total_of_vector_a_style_declarations() -> None:
    """One school child and a sibling's 1,500 of elderly support, plus rent."""
    declared = in_2025(
        1,
        children=(Child(date(2015, 5, 10), share=ParentShare.HALF),),
        elderly_support=ElderlySupport(date(1950, 1, 1), only_child=False, sibling_share=D("1500")),
        rent=Rent(RentTier.LARGE, Period(date(2024, 1, 1))),
    )
    assert declared.total == D("3600")
