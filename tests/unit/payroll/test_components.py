"""Pay components valued for a worker and month, at the edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.payroll.components.rules import ComponentDefinition, Method, full_years_of_service, value
from service.payroll.payslip import Component, ComponentKind
from service.payroll.tax.declaration_json import from_json, to_json
from service.payroll.tax.special_deductions import Child, Declarations, ElderlySupport, ParentShare, Period, Rent, RentTier

D = Decimal
MARCH = date(2026, 3, 1)
BUREAU, OTHER = 7, 8  # client bureau ids
FIFTY = Decimal("50")


def definition(method: Method, amount: Decimal | None = FIFTY, **kw) -> ComponentDefinition:
    return ComponentDefinition("seniority", "Seniority pay", ComponentKind.ADDITION, method, amount, **kw)


@pytest.mark.parametrize(
    ("hire_date", "years"),
    [
        (date(2025, 2, 28), 1),  # the year is reached the day before the 1st
        (date(2025, 3, 1), 1),  # the anniversary is the 1st itself
        (date(2025, 3, 2), 0),  # the anniversary comes after the 1st: paid from April
        (date(2024, 3, 2), 1),
        (date(2023, 3, 1), 3),
        (date(2026, 3, 1), 0),  # hired on the 1st
        (date(2026, 3, 20), 0),  # hired later in the month
        (date(2024, 2, 29), 2),  # leap day: the anniversary is 28 February
    ],
)
def test_full_years_of_service_before_the_month_starts(hire_date: date, years: int) -> None:
    assert full_years_of_service(hire_date, date(2026, 3, 17)) == years


def test_seniority_pays_the_amount_per_full_year() -> None:
    got = value(definition(Method.PER_YEAR_OF_SERVICE), hire_date=date(2023, 2, 28), bureau_id=BUREAU, month=MARCH)
    # A fixed monthly addition: a worker's first or last month pays it for the days employed.
    assert got == Component("seniority", "Seniority pay", ComponentKind.ADDITION, D("150.00"), prorated=True)
    assert value(definition(Method.PER_YEAR_OF_SERVICE), hire_date=date(2025, 3, 2), bureau_id=BUREAU, month=MARCH) is None
    april = value(definition(Method.PER_YEAR_OF_SERVICE), hire_date=date(2025, 3, 2), bureau_id=BUREAU, month=date(2026, 4, 1))
    assert april is not None and april.amount == D("50.00")


def test_fixed_and_imported_amounts() -> None:
    fixed = ComponentDefinition("transport", "Transport", ComponentKind.ADDITION, Method.FIXED, D("300"), taxable=False)
    got = value(fixed, hire_date=MARCH, bureau_id=BUREAU, month=MARCH)
    assert got is not None and got.amount == D("300.00") and got.taxable is False and got.prorated
    imported = ComponentDefinition("rent", "Dormitory rent", ComponentKind.DEDUCTION, Method.PER_WORKER_MONTH, None)
    assert value(imported, hire_date=MARCH, bureau_id=BUREAU, month=MARCH) is None  # absent: not paid
    got = value(imported, hire_date=MARCH, bureau_id=BUREAU, month=MARCH, imported=D("0"))
    assert got is not None and got.amount == D("0.00") and got.kind is ComponentKind.DEDUCTION and not got.prorated
    got = value(imported, hire_date=MARCH, bureau_id=BUREAU, month=MARCH, imported=D("412.5"))
    assert got is not None and got.amount == D("412.50")


def test_a_bureau_component_applies_only_to_that_bureau() -> None:
    fixed = definition(Method.FIXED, bureau_id=BUREAU)
    assert value(fixed, hire_date=MARCH, bureau_id=OTHER, month=MARCH) is None
    assert value(fixed, hire_date=MARCH, bureau_id=BUREAU, month=MARCH) is not None


def test_definitions_are_checked() -> None:
    with pytest.raises(DomainError, match="Enter an amount"):
        definition(Method.FIXED, None)
    with pytest.raises(DomainError, match="no amount of its own"):
        definition(Method.PER_WORKER_MONTH, D("1"))
    with pytest.raises(DomainError, match="negative"):
        definition(Method.PER_YEAR_OF_SERVICE, D("-1"))


def test_declarations_round_trip_through_json() -> None:
    full = Declarations(
        year=2026,
        children=(Child(date(2018, 5, 1), ParentShare.HALF), Child(date(2025, 1, 9), in_education=False)),
        elderly_support=ElderlySupport(date(1960, 1, 1), False, D("1000")),
        degree_study=Period(date(2025, 9, 1), None),
        certificates=(date(2026, 6, 3),),
        rent=Rent(RentTier.MAJOR, Period(date(2026, 1, 1), date(2026, 12, 31))),
    )
    assert from_json(to_json(full)) == full
    assert from_json(to_json(Declarations(2026))) == Declarations(2026)
