"""The 专项附加扣除 form and the 首次取得工资 / 6 万元 flags (pure), with the reference vectors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import InputErrors
from service.payroll.tax.declaration_form import form_values, parse_declaration_form, year_schedule
from service.payroll.tax.income_tax import Amounts, BasicDeduction, withhold_year
from service.payroll.tax.special_deductions import monthly_deductions
from service.payroll.tax.year_flags import TaxYearFlags, check, parse_flags, year_start

D = Decimal


def fields_of(refused: pytest.ExceptionInfo[InputErrors]) -> list[str | None]:
    return [e.field for e in refused.value.errors]


def test_every_item_at_the_reference_amounts() -> None:
    raw = {
        "child-1-birth_date": "2018-05-01",
        "child-1-share": "full",
        "child-1-in_education": "on",  # education 2,000
        "child-2-birth_date": "2025-02-10",
        "child-2-share": "half",  # infant care 1,000 until Jan 2028
        "elderly": "shared",
        "elderly_parent_birth_date": "1960-07-15",
        "elderly_share": "1500",
        "degree_start": "2024-09",
        "degree_end": "",
        "certificate-1": "2026-06-20",
        "housing": "rent",
        "rent_tier": "large",
        "rent_start": "2026-01",
        "rent_end": "2026-10",
    }
    declarations = parse_declaration_form(raw, 2026)
    june = monthly_deductions(declarations, 6)
    assert (
        june.children_education,
        june.infant_care,
        june.elderly_support,
        june.continuing_education,
        june.housing_loan_interest,
        june.housing_rent,
    ) == (D("2000.00"), D("1000.00"), D("1500.00"), D("4000.00"), D("0.00"), D("1100.00"))
    assert monthly_deductions(declarations, 11).housing_rent == D("0.00")  # rent ended in October
    rows, items, total = year_schedule(declarations)
    assert items["continuing_education"] == D("400") * 12 + D("3600")
    assert items["housing_rent"] == D("1100") * 10
    assert total == sum((r.deductions.total * (r.last - r.first + 1) for r in rows), D(0))
    # runs of equal months: Jan–May, June (the certificate), Jul–Oct, Nov–Dec (rent ended)
    assert [(r.first, r.last) for r in rows] == [(1, 5), (6, 6), (7, 10), (11, 12)]
    assert rows[0].items == {
        "children_education": D("2000.00"),
        "infant_care": D("1000.00"),
        "elderly_support": D("1500.00"),
        "continuing_education": D("400.00"),
        "housing_rent": D("1100.00"),
    }
    assert parse_declaration_form(form_values(declarations), 2026) == declarations  # the form round-trips


def test_only_child_elderly_support_and_loan() -> None:
    raw = {"elderly": "only_child", "elderly_parent_birth_date": "1958-01-01", "housing": "loan", "loan_start": "2020-03-15"}
    declarations = parse_declaration_form(raw, 2026)
    month = monthly_deductions(declarations, 1)
    assert (month.elderly_support, month.housing_loan_interest, month.total) == (D("3000.00"), D("1000.00"), D("4000.00"))
    assert form_values(declarations)["loan_start"] == "2020-03"


def test_an_empty_form_declares_nothing() -> None:
    declarations = parse_declaration_form({}, 2026)
    assert all(monthly_deductions(declarations, m).total == 0 for m in range(1, 13))


def test_every_problem_is_reported_next_to_its_field() -> None:
    raw = {
        "child-1-birth_date": "2027-01-01",  # after the year
        "child-2-birth_date": "not a date",
        "child-3-birth_date": "2019-01-01",
        "child-3-share": "third",
        "elderly": "shared",
        "elderly_parent_birth_date": "1960-01-01",
        "elderly_share": "2000",  # above 1,500
        "degree_start": "2026-13",
        "certificate-1": "2025-12-31",  # not in the year
        "housing": "rent",
        "rent_tier": "",
        "rent_start": "2026-05",
        "rent_end": "2026-03",
    }
    with pytest.raises(InputErrors) as refused:
        parse_declaration_form(raw, 2026)
    assert fields_of(refused) == [
        "child-1-birth_date",
        "child-2-birth_date",
        "child-3-share",
        "elderly_share",
        "degree_start",
        "certificate-1",
        "rent_tier",
        "rent_end",
    ]


def test_a_parent_under_60_all_year_and_a_missing_share_are_refused() -> None:
    with pytest.raises(InputErrors) as refused:
        parse_declaration_form({"elderly": "only_child", "elderly_parent_birth_date": "1967-02-01"}, 2026)
    assert fields_of(refused) == ["elderly_parent_birth_date"]
    with pytest.raises(InputErrors) as refused:
        parse_declaration_form({"elderly": "shared", "elderly_parent_birth_date": "1950-02-01"}, 2026)
    assert fields_of(refused) == ["elderly_share"]
    # turning 60 in December is allowed: deducted from December
    late = parse_declaration_form({"elderly": "only_child", "elderly_parent_birth_date": "1966-12-31"}, 2026)
    assert [monthly_deductions(late, m).elderly_support for m in (11, 12)] == [D("0.00"), D("3000.00")]


def test_years_before_2023_are_refused() -> None:
    with pytest.raises(InputErrors) as refused:
        parse_declaration_form({}, 2022)
    assert fields_of(refused) == ["year"]


def test_vector_a_with_declared_children_education_and_elderly_support() -> None:
    """Reference §1.6 Vector A: salary 30,000, 三险一金 4,500, SAD 2,000 → 555, 625, 1,850 … 27,480."""
    declarations = parse_declaration_form(
        {
            "child-1-birth_date": "2015-09-01",
            "child-1-share": "half",
            "child-1-in_education": "on",
            "elderly": "shared",
            "elderly_parent_birth_date": "1950-03-01",
            "elderly_share": "1000",
        },
        2026,
    )
    sad = [monthly_deductions(declarations, m).total for m in range(1, 13)]
    assert set(sad) == {D("2000.00")}
    months = [Amounts(income=D("30000"), special_deductions=D("4500"), special_additional_deductions=s) for s in sad]
    taxes = withhold_year(months)
    assert taxes[:3] == (D("555.00"), D("625.00"), D("1850.00"))
    assert taxes[7] == D("2250.00") and taxes[11] == D("3700.00")
    assert sum(taxes) == D("27480.00")


def test_vector_b_with_one_child_shared() -> None:
    """Reference §1.6 Vector B: salary 10,000, 三险一金 1,500, SAD 1,000 → 75 a month."""
    declarations = parse_declaration_form(
        {"child-1-birth_date": "2016-01-01", "child-1-share": "half", "child-1-in_education": "on"}, 2026
    )
    sad = [monthly_deductions(declarations, m).total for m in range(1, 13)]
    months = [Amounts(income=D("10000"), special_deductions=D("1500"), special_additional_deductions=s) for s in sad]
    assert set(withhold_year(months)) == {D("75.00")}


# --- flags ---------------------------------------------------------------------------------

LONG_SERVING = date(2023, 6, 1)


def test_flags_start_the_year_with_the_right_basic_deduction() -> None:
    assert year_start(None, 2026).deduction is BasicDeduction.MONTHS_EMPLOYED
    assert year_start(TaxYearFlags(2026, first_job=True), 2026).deduction is BasicDeduction.FROM_JANUARY
    small = TaxYearFlags(2026, small_earner=True, wages_last_year=D("48000"), declared_every_month_last_year=True)
    assert year_start(check(small, LONG_SERVING), 2026).deduction is BasicDeduction.FULL_YEAR


def test_small_earner_at_60000_exactly_but_not_above() -> None:
    ok = parse_flags(
        {"small_earner": "on", "wages_last_year": "60,000", "declared_every_month_last_year": "on"}, 2026, LONG_SERVING
    )
    assert ok.small_earner and ok.wages_last_year == D("60000.00")
    with pytest.raises(InputErrors) as refused:
        parse_flags(
            {"small_earner": "on", "wages_last_year": "60000.01", "declared_every_month_last_year": "on"}, 2026, LONG_SERVING
        )
    assert fields_of(refused) == ["wages_last_year"]


def test_flag_problems_are_reported_by_field() -> None:
    with pytest.raises(InputErrors) as refused:
        parse_flags({"small_earner": "on", "first_job": "on"}, 2026, LONG_SERVING)
    assert fields_of(refused) == ["small_earner", "first_job", "wages_last_year", "declared_every_month_last_year"]
    with pytest.raises(InputErrors) as refused:  # hired in March last year: not declared every month
        parse_flags(
            {"small_earner": "on", "wages_last_year": "30000", "declared_every_month_last_year": "on"}, 2026, date(2025, 3, 1)
        )
    assert fields_of(refused) == ["small_earner"]
    with pytest.raises(InputErrors) as refused:
        parse_flags(
            {"small_earner": "on", "wages_last_year": "lots", "declared_every_month_last_year": "on"}, 2026, LONG_SERVING
        )
    assert fields_of(refused) == ["wages_last_year"]
    # a first job of the year is for someone starting with us that year
    assert parse_flags({"first_job": "on"}, 2026, date(2026, 7, 1)).first_job
    with pytest.raises(InputErrors) as refused:
        parse_flags({"first_job": "on"}, 2026, date(2025, 12, 31))
    assert fields_of(refused) == ["first_job"]


def test_first_job_deducts_from_january_in_the_cumulative_method() -> None:
    """Hired in July, first wage income of the year: 7 × 5,000 deducted in July (STA 2020 No. 13)."""
    months = [Amounts(income=D("12000"), special_deductions=D("1000"))] * 6
    plain = withhold_year(months, first_month=7)
    first_job = withhold_year(months, first_month=7, deduction=BasicDeduction.FROM_JANUARY)
    assert plain[0] == D("180.00")  # (12,000 − 5,000 − 1,000) × 3%
    assert first_job[0] == D("0.00")  # 12,000 − 35,000 − 1,000 < 0
    assert sum(first_job) < sum(plain)
