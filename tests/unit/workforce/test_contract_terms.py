"""A labour contract's own terms: refusals that block saving, findings that are flagged."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from service.errors import DomainError
from service.workforce.contracts.terms import (
    Contract,
    ContractType,
    TermRule,
    check_contract,
    max_probation_months,
    probation_pay_floor,
    probation_too_long,
    refuse_impossible_terms,
)

MINIMUM_WAGE = Decimal("2540.00")
FIXED = ContractType.FIXED_TERM
OPEN = ContractType.OPEN_ENDED
TASK = ContractType.TASK_BASED


def contract(**changes: object) -> Contract:
    """A lawful three-year dispatch contract with a six-month probation."""
    base = Contract(
        type=FIXED,
        start=date(2024, 1, 1),
        end=date(2026, 12, 31),
        wage=Decimal("6000.00"),
        probation_end=date(2024, 6, 30),
        probation_wage=Decimal("4800.00"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rules(c: Contract, others: tuple[Contract, ...] = ()) -> set[TermRule]:
    return {finding.rule for finding in check_contract(c, others, MINIMUM_WAGE)}


def test_a_lawful_contract_has_no_findings() -> None:
    assert check_contract(contract(), (), MINIMUM_WAGE) == []


# --- refusals ---


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": None}, "end"),  # fixed-term without an end
        ({"type": OPEN}, "end"),  # open-ended with an end
        ({"end": date(2023, 12, 31), "probation_end": None}, "end"),  # the day before the start
        ({"probation_end": date(2023, 12, 31)}, "probation_end"),
        ({"end": date(2024, 6, 29)}, "probation_end"),  # probation ends the day after the end
    ],
)
def test_impossible_records_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_contract(contract(**changes), (), MINIMUM_WAGE)
    assert refused.value.field == field


def test_boundary_dates_that_are_possible_are_accepted() -> None:
    refuse_impossible_terms(contract(end=date(2024, 1, 1), probation_end=None), ())  # a one-day contract
    refuse_impossible_terms(contract(probation_end=date(2024, 1, 1)), ())  # one day of probation
    refuse_impossible_terms(contract(end=date(2024, 6, 30)), ())  # probation to the last day
    refuse_impossible_terms(contract(type=OPEN, end=None), ())
    refuse_impossible_terms(contract(type=TASK, end=None, probation_end=None), ())


def test_overlapping_contracts_of_the_same_worker_are_refused() -> None:
    earlier = contract(start=date(2021, 1, 1), end=date(2024, 1, 1), probation_end=None)
    with pytest.raises(DomainError) as refused:
        refuse_impossible_terms(contract(), (earlier,))
    assert refused.value.field == "start"
    assert refused.value.params == {"other_start": date(2021, 1, 1)}


def test_a_contract_starting_the_day_after_the_last_one_ends_does_not_overlap() -> None:
    earlier = contract(start=date(2021, 1, 1), end=date(2023, 12, 31), probation_end=None)
    refuse_impossible_terms(contract(), (earlier,))


def test_an_open_ended_contract_overlaps_everything_after_its_start() -> None:
    open_ended = contract(type=OPEN, start=date(2020, 1, 1), end=None, probation_end=None)
    with pytest.raises(DomainError):
        refuse_impossible_terms(contract(), (open_ended,))


# --- probation length (Art. 19) ---


@pytest.mark.parametrize(
    ("end", "months"),
    [
        (date(2024, 3, 30), 0),  # one day short of 3 months
        (date(2024, 3, 31), 1),  # 3 months
        (date(2024, 12, 30), 1),  # one day short of a year
        (date(2024, 12, 31), 2),  # one year
        (date(2026, 12, 30), 2),  # one day short of 3 years
        (date(2026, 12, 31), 6),  # 3 years
    ],
)
def test_max_probation_follows_the_term(end: date, months: int) -> None:
    assert max_probation_months(contract(end=end, probation_end=None)) == months


def test_open_ended_allows_six_months_and_task_based_none() -> None:
    assert max_probation_months(contract(type=OPEN, end=None)) == 6
    assert max_probation_months(contract(type=TASK, end=None)) == 0


@pytest.mark.parametrize(
    ("end", "probation_end", "too_long"),
    [
        # a one-year contract: two months, to 29 February 2024
        (date(2024, 12, 31), date(2024, 2, 28), False),
        (date(2024, 12, 31), date(2024, 2, 29), False),
        (date(2024, 12, 31), date(2024, 3, 1), True),
        # a three-year contract: six months, to 30 June 2024
        (date(2026, 12, 31), date(2024, 6, 29), False),
        (date(2026, 12, 31), date(2024, 6, 30), False),
        (date(2026, 12, 31), date(2024, 7, 1), True),
        # under three months: any probation at all
        (date(2024, 3, 30), date(2024, 1, 1), True),
    ],
)
def test_probation_longer_than_allowed_is_found(end: date, probation_end: date, too_long: bool) -> None:
    c = contract(end=end, probation_end=probation_end, dispatched=False)
    assert (TermRule.PROBATION_TOO_LONG in rules(c)) is too_long


def test_probation_finding_names_the_lawful_end() -> None:
    finding = probation_too_long(contract(end=date(2024, 12, 31), probation_end=date(2024, 3, 1)))
    assert finding is not None
    assert finding.field == "probation_end"
    assert finding.article == "劳动合同法 Art. 19"
    assert finding.params == {"max_months": 2, "lawful_end": date(2024, 2, 29)}
    assert finding.message.format(**finding.params)


def test_task_based_contracts_allow_no_probation() -> None:
    c = contract(type=TASK, end=None, probation_end=date(2024, 1, 1))
    assert TermRule.PROBATION_TOO_LONG in rules(c)


# --- second probation (Art. 19 ¶2) ---


def test_a_second_probation_with_the_same_employer_is_found() -> None:
    earlier = contract(start=date(2021, 1, 1), end=date(2023, 12, 31))
    assert TermRule.SECOND_PROBATION in rules(contract(), (earlier,))
    assert TermRule.SECOND_PROBATION not in rules(contract(probation_end=None), (earlier,))


def test_an_earlier_contract_without_probation_leaves_the_one_probation() -> None:
    earlier = contract(start=date(2021, 1, 1), end=date(2023, 12, 31), probation_end=None)
    assert TermRule.SECOND_PROBATION not in rules(contract(), (earlier,))


def test_a_later_contract_does_not_make_this_probation_the_second() -> None:
    later = contract(start=date(2027, 1, 1), end=date(2029, 12, 31))
    assert TermRule.SECOND_PROBATION not in rules(contract(), (later,))


# --- probation pay (Art. 20) ---


@pytest.mark.parametrize(
    ("probation_wage", "too_low"),
    [
        (Decimal("4799.99"), True),
        (Decimal("4800.00"), False),  # exactly 80% of 6,000
        (Decimal("4800.01"), False),
    ],
)
def test_probation_pay_under_80_percent_is_found(probation_wage: Decimal, too_low: bool) -> None:
    assert (TermRule.PROBATION_PAY_TOO_LOW in rules(contract(probation_wage=probation_wage))) is too_low


@pytest.mark.parametrize(
    ("probation_wage", "too_low"),
    [
        (Decimal("2539.99"), True),
        (Decimal("2540.00"), False),  # the minimum wage, above 80% of 3,000
        (Decimal("2540.01"), False),
    ],
)
def test_probation_pay_under_the_minimum_wage_is_found(probation_wage: Decimal, too_low: bool) -> None:
    c = contract(wage=Decimal("3000.00"), probation_wage=probation_wage)
    assert (TermRule.PROBATION_PAY_TOO_LOW in rules(c)) is too_low


def test_probation_pay_floor_rounds_80_percent_up_to_the_fen() -> None:
    # 80% of 6,001.01 is 4,800.808: 4,800.80 is short of it, 4,800.81 is not.
    assert probation_pay_floor(Decimal("6001.01"), MINIMUM_WAGE) == Decimal("4800.81")
    assert probation_pay_floor(Decimal("3000.00"), MINIMUM_WAGE) == MINIMUM_WAGE


def test_without_a_stated_probation_wage_the_contract_wage_applies() -> None:
    assert TermRule.PROBATION_PAY_TOO_LOW not in rules(contract(probation_wage=None))
    low = contract(wage=Decimal("2000.00"), probation_wage=None)
    assert TermRule.PROBATION_PAY_TOO_LOW in rules(low)


def test_pay_is_not_checked_without_probation() -> None:
    assert rules(contract(probation_end=None, probation_wage=Decimal("1.00"))) == set()


# --- dispatch term (Art. 58) ---


@pytest.mark.parametrize(
    ("end", "too_short"),
    [
        (date(2025, 12, 30), True),  # one day short of two years
        (date(2025, 12, 31), False),  # two years
        (date(2026, 1, 1), False),
    ],
)
def test_dispatch_contract_under_two_years_is_found(end: date, too_short: bool) -> None:
    c = contract(end=end, probation_end=date(2024, 1, 31))
    assert (TermRule.DISPATCH_TERM_TOO_SHORT in rules(c)) is too_short


def test_dispatch_term_applies_only_to_dispatched_fixed_or_task_contracts() -> None:
    short = contract(end=date(2024, 12, 31), probation_end=None)
    assert TermRule.DISPATCH_TERM_TOO_SHORT not in rules(replace(short, dispatched=False))
    assert TermRule.DISPATCH_TERM_TOO_SHORT not in rules(contract(type=OPEN, end=None))
    assert TermRule.DISPATCH_TERM_TOO_SHORT in rules(contract(type=TASK, end=None, probation_end=None))


def test_every_finding_message_formats_with_its_params() -> None:
    earlier = contract(start=date(2021, 1, 1), end=date(2023, 12, 31))
    bad = contract(end=date(2024, 12, 31), probation_end=date(2024, 6, 30), probation_wage=Decimal("1000"))
    findings = check_contract(bad, (earlier,), MINIMUM_WAGE)
    assert {f.rule for f in findings} == set(TermRule)
    for finding in findings:
        assert "{" not in finding.message.format(**finding.params)
