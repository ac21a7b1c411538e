"""An opening balance as typed (the form and the sheet read it alike), what it may hold, and how a payslip
carries it on: its other deductions reduce the taxable income, and it is stored with the year to date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.assessment.ratings import Rating
from service.errors import DomainError, InputErrors
from service.insurance.cities import SHANGHAI, minimum_wage_for, policy_for
from service.payroll.bands.rules import BandCell
from service.payroll.opening_balances.rules import parse_balance, published_problem
from service.payroll.payslip import Attendance, Insurance, Payslip, PayslipInput, compute_payslip
from service.payroll.runs.inputs import ytd_from_json, ytd_to_json
from service.payroll.tax.income_tax import OpeningBalance, TaxYearToDate

D = Decimal
AUGUST = OpeningBalance(2026, 8, D("96000"), special_deductions=D("8000"), tax_withheld=D("1200"), months_employed=8)


def september(ytd: TaxYearToDate) -> Payslip:
    """12,000 a month in Shanghai, bonus-free, continuing ``ytd``."""
    month = date(2026, 9, 1)
    return compute_payslip(
        PayslipInput(
            month=month,
            band=BandCell(3, Rating.MEETS, D("12000"), D("0"), performance_pay=D("0")),
            performance_base=None,
            components=(),
            attendance=Attendance(days_worked=D("21.75")),
            insurance=Insurance(policy_for(SHANGHAI, month), D("12000"), D("12000"), D("0.07"), D("0.002")),
            year_to_date=ytd,
            declarations=None,
            minimum_wage=minimum_wage_for(SHANGHAI, month),
        )
    )


def fields_of(values: dict[str, object]) -> list[str | None]:
    with pytest.raises(InputErrors) as refused:
        parse_balance(values)
    return [e.field for e in refused.value.errors]


def test_the_typing_of_a_balance_is_read_and_every_problem_named_on_its_field() -> None:
    read = parse_balance(
        {"as_of": "2026-08", "income": 96000.0, "special_deductions": "8,000", "tax_withheld": "1200", "months_employed": 8.0}
    )
    assert read == AUGUST
    assert fields_of({"as_of": "八月", "income": "-1", "tax_withheld": "x", "months_employed": ""}) == [
        "as_of",
        "income",
        "tax_withheld",
        "months_employed",
    ]
    assert fields_of({"as_of": "2026-12", "months_employed": "3"}) == ["as_of"]  # December: nothing left to pay here
    assert fields_of({"as_of": "2026-08", "months_employed": "9"}) == ["months_employed"]
    assert fields_of({"as_of": "2026-08", "months_employed": "2.5"}) == ["months_employed"]
    assert fields_of({"as_of": "2026-08", "income": "100", "tax_free_income": "200", "months_employed": "1"}) == [
        "tax_free_income"
    ]
    assert parse_balance({"as_of": "2026-03", "months_employed": "0"}).months_employed == 0


def test_a_month_published_here_is_refused_from_the_first_one_on() -> None:
    assert published_problem(AUGUST, None) is None
    assert published_problem(AUGUST, 9) is None
    for first in (8, 3):
        problem = published_problem(AUGUST, first)
        assert problem is not None and problem.field == "as_of" and problem.params["month"] == f"2026-{first:02d}"


def test_the_payslip_continues_the_balance_and_its_other_deductions_lower_the_tax() -> None:
    start = TaxYearToDate(2026, month=8, income=D("96000"), tax_withheld=D("1200"), months_employed=8, opening=AUGUST)
    plain = september(start)
    other = TaxYearToDate(**{**start.__dict__, "other_deductions": D("1000")})
    less = september(other)
    assert plain.year_to_date.opening == AUGUST and plain.year_to_date.months_employed == 9
    assert less.cumulative_taxable_income == plain.cumulative_taxable_income - D("1000")
    assert less.year_to_date.other_deductions == D("1000")
    assert ytd_from_json(ytd_to_json(less.year_to_date)) == less.year_to_date


def test_a_year_to_date_stored_before_opening_balances_still_reads() -> None:
    stored = ytd_to_json(TaxYearToDate(2026, month=3, income=D("9000"), months_employed=3))
    del stored["other_deductions"]
    assert ytd_from_json(stored) == TaxYearToDate(2026, month=3, income=D("9000"), months_employed=3)
    with pytest.raises(DomainError):
        OpeningBalance(2026, 8, D("-1"))
