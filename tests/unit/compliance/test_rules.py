"""Compliance alerts, each rule at its boundaries: the day before, the day of, the day after."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from service.assessment.ratings import Rating
from service.compliance.rules import (
    Alert,
    Rule,
    Severity,
    check_assessment_failures,
    check_certificate,
    check_contract_ending,
    check_dispatch_cap,
    check_dispatch_term,
    check_open_ended_entitlement,
    check_probation_length,
    check_probation_pay,
    check_second_probation,
    check_social_insurance_registration,
    check_written_contract,
    deemed_open_ended_on,
    double_wage_owed,
    social_insurance_due,
    written_contract_due,
)
from service.workforce.contracts.terms import Contract, ContractType, TermRule

WAGE = Decimal("6000.00")
START = date(2024, 1, 15)  # a Monday; the contract is due on Thursday 15 February
DAY = timedelta(days=1)


def contract(**changes: object) -> Contract:
    """A lawful three-year dispatch contract, no probation."""
    base = Contract(
        type=ContractType.FIXED_TERM,
        start=date(2021, 1, 1),
        end=date(2023, 12, 31),
        wage=WAGE,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def assert_formats(alert: Alert) -> None:
    assert "{" not in alert.message.format(**alert.params)


# --- written contract ---


def test_written_contract_is_due_one_month_after_the_start_of_work() -> None:
    assert written_contract_due(START) == date(2024, 2, 15)
    assert written_contract_due(date(2024, 1, 31)) == date(2024, 2, 29)
    assert deemed_open_ended_on(START) == date(2025, 1, 15)


def unsigned(today: date) -> Alert | None:
    return check_written_contract(start_of_work=START, signed_on=None, monthly_wage=WAGE, today=today)


@pytest.mark.parametrize("today", [date(2024, 2, 14), date(2024, 2, 15)])
def test_unsigned_within_the_month_is_medium_with_no_exposure(today: date) -> None:
    alert = unsigned(today)
    assert alert is not None
    assert alert.rule is Rule.WRITTEN_CONTRACT_MISSING
    assert alert.severity is Severity.MEDIUM
    assert alert.act_by == date(2024, 2, 15)
    assert alert.amount is None
    assert_formats(alert)


@pytest.mark.parametrize(
    ("today", "owed"),
    [
        (date(2024, 2, 16), Decimal("275.86")),  # Friday: 6,000 / 21.75
        (date(2024, 2, 18), Decimal("275.86")),  # the weekend is not a pay day
        (date(2024, 2, 19), Decimal("551.72")),  # Monday: two pay days
        (date(2024, 3, 14), Decimal("5517.24")),  # 20 pay days, a day short of a month
        (date(2024, 3, 15), Decimal("6000.00")),  # one whole month
        (date(2024, 3, 18), Decimal("6275.86")),  # a month and a Monday
    ],
)
def test_unsigned_after_the_month_is_high_with_double_wage_so_far(today: date, owed: Decimal) -> None:
    alert = unsigned(today)
    assert alert is not None
    assert alert.severity is Severity.HIGH
    assert alert.act_by == today
    assert alert.amount == owed
    assert alert.params["amount"] == owed
    assert_formats(alert)


def test_double_wage_stops_the_day_before_the_first_anniversary() -> None:
    before, on, after = (
        unsigned(date(2025, 1, 14)),
        unsigned(date(2025, 1, 15)),
        unsigned(date(2025, 1, 16)),
    )
    assert before is not None and on is not None and after is not None
    # 16 Feb 2024 - 14 Jan 2025: ten months and 22 pay days, the part month capped at a month.
    assert before.amount == on.amount == after.amount == Decimal("66000.00")
    assert "deemed" not in before.message
    assert "deemed" in on.message and "deemed" in after.message
    assert on.params["deemed_on"] == date(2025, 1, 15)
    assert_formats(on)


def test_a_partial_month_never_costs_more_than_a_month() -> None:
    # 16 Dec 2024 - 14 Jan 2025 is short of a month but has 22 pay days:
    # a month's wage, not 22 / 21.75 of one (6,068.97).
    assert double_wage_owed(date(2024, 11, 15), date(2025, 1, 14), WAGE) == Decimal("6000.00")


def test_no_double_wage_before_it_starts() -> None:
    assert double_wage_owed(START, date(2024, 2, 15), WAGE) == Decimal("0.00")


@pytest.mark.parametrize("signed_on", [date(2024, 1, 15), date(2024, 2, 15)])
def test_signed_within_the_month_raises_nothing(signed_on: date) -> None:
    alert = check_written_contract(start_of_work=START, signed_on=signed_on, monthly_wage=WAGE, today=date(2024, 6, 1))
    assert alert is None


def test_signed_the_day_after_the_month_costs_nothing() -> None:
    # The double wage runs to the day before signature: 16 Feb to 15 Feb is empty.
    alert = check_written_contract(start_of_work=START, signed_on=date(2024, 2, 16), monthly_wage=WAGE, today=date(2024, 6, 1))
    assert alert is None


def test_signed_late_keeps_the_double_wage_owed() -> None:
    alert = check_written_contract(start_of_work=START, signed_on=date(2024, 2, 19), monthly_wage=WAGE, today=date(2024, 6, 1))
    assert alert is not None
    assert alert.severity is Severity.HIGH
    assert alert.amount == Decimal("275.86")  # Friday 16 Feb only
    assert alert.act_by == date(2024, 6, 1)
    assert_formats(alert)


def test_signed_after_a_year_owes_the_full_double_wage() -> None:
    alert = check_written_contract(start_of_work=START, signed_on=date(2025, 3, 1), monthly_wage=WAGE, today=date(2025, 3, 2))
    assert alert is not None and alert.amount == Decimal("66000.00")


# --- a contract's own terms ---


def test_probation_too_long_acts_by_the_last_lawful_day() -> None:
    one_year = contract(start=date(2024, 1, 1), end=date(2024, 12, 31), probation_end=date(2024, 3, 1))
    alert = check_probation_length(one_year, today=date(2024, 1, 10))
    assert alert is not None
    assert alert.rule is TermRule.PROBATION_TOO_LONG
    assert alert.severity is Severity.HIGH
    assert alert.act_by == date(2024, 2, 29)
    assert_formats(alert)
    overdue = check_probation_length(one_year, today=date(2024, 4, 1))
    assert overdue is not None and overdue.act_by == date(2024, 4, 1)
    lawful = replace(one_year, probation_end=date(2024, 2, 29))
    assert check_probation_length(lawful, today=date(2024, 1, 10)) is None


def test_second_probation_alert() -> None:
    earlier = contract(probation_end=date(2021, 6, 30))
    renewal = contract(start=date(2024, 1, 1), end=date(2026, 12, 31), probation_end=date(2024, 6, 30))
    alert = check_second_probation(renewal, (earlier,), today=date(2024, 1, 2))
    assert alert is not None
    assert alert.rule is TermRule.SECOND_PROBATION
    assert alert.act_by == date(2024, 1, 2)
    assert_formats(alert)
    assert check_second_probation(renewal, (contract(),), today=date(2024, 1, 2)) is None


def test_probation_pay_alert() -> None:
    low = contract(probation_end=date(2021, 6, 30), probation_wage=Decimal("4799.99"))
    alert = check_probation_pay(low, minimum_wage=Decimal("2540"), today=date(2021, 1, 5))
    assert alert is not None
    assert alert.rule is TermRule.PROBATION_PAY_TOO_LOW
    assert alert.params == {"floor": Decimal("4800.00")}
    fair = replace(low, probation_wage=Decimal("4800.00"))
    assert check_probation_pay(fair, minimum_wage=Decimal("2540"), today=date(2021, 1, 5)) is None


def test_dispatch_term_alert() -> None:
    short = contract(end=date(2022, 12, 30))
    alert = check_dispatch_term(short, today=date(2021, 1, 5))
    assert alert is not None and alert.rule is TermRule.DISPATCH_TERM_TOO_SHORT
    assert check_dispatch_term(contract(end=date(2022, 12, 31)), today=date(2021, 1, 5)) is None


# --- contract ending ---


@pytest.mark.parametrize(
    ("days_left", "severity", "act_by"),
    [
        (61, None, None),
        (60, Severity.MEDIUM, date(2023, 12, 1)),
        (59, Severity.MEDIUM, date(2023, 12, 1)),
        (31, Severity.MEDIUM, date(2023, 12, 1)),
        (30, Severity.HIGH, date(2023, 12, 1)),
        (29, Severity.HIGH, date(2023, 12, 2)),
        (0, Severity.HIGH, date(2023, 12, 31)),
        (-1, Severity.HIGH, date(2024, 1, 1)),  # lapsed without a decision
    ],
)
def test_contract_ending_without_a_decision(days_left: int, severity: Severity | None, act_by: date | None) -> None:
    end = date(2023, 12, 31)
    alert = check_contract_ending(contract(), renewal_decided=False, today=end - timedelta(days=days_left))
    if severity is None:
        assert alert is None
        return
    assert alert is not None
    assert alert.rule is Rule.CONTRACT_ENDING
    assert alert.severity is severity
    assert alert.act_by == act_by
    assert alert.params["days_left"] == days_left
    assert_formats(alert)


def test_contract_ending_with_a_decision_or_no_end_raises_nothing() -> None:
    today = date(2023, 12, 20)
    assert check_contract_ending(contract(), renewal_decided=True, today=today) is None
    open_ended = contract(type=ContractType.OPEN_ENDED, end=None)
    assert check_contract_ending(open_ended, renewal_decided=False, today=today) is None


# --- open-ended contract at renewal ---

FIRST = contract(start=date(2018, 1, 1), end=date(2020, 12, 31))
SECOND = contract(start=date(2021, 1, 1), end=date(2023, 12, 31))
NEAR_END = date(2023, 12, 1)


def entitlement(
    current: Contract = SECOND,
    earlier: tuple[Contract, ...] = (FIRST,),
    service_start: date = date(2018, 1, 1),
    dismissal_grounds: bool = False,
    today: date = NEAR_END,
) -> Alert | None:
    return check_open_ended_entitlement(
        current,
        earlier,
        service_start=service_start,
        dismissal_grounds=dismissal_grounds,
        today=today,
    )


def test_two_consecutive_fixed_terms_give_the_right_at_renewal() -> None:
    alert = entitlement()
    assert alert is not None
    assert alert.rule is Rule.OPEN_ENDED_DUE
    assert alert.severity is Severity.HIGH
    assert alert.params["renewal_on"] == date(2024, 1, 1)
    assert alert.act_by == date(2023, 12, 1)
    assert "two consecutive" in alert.message
    assert_formats(alert)


def test_one_fixed_term_is_not_enough() -> None:
    assert entitlement(earlier=()) is None


def test_dismissal_grounds_bar_the_two_contract_route() -> None:
    assert entitlement(dismissal_grounds=True) is None


@pytest.mark.parametrize(("first_end", "entitled"), [(date(2020, 12, 30), False), (date(2020, 12, 31), True)])
def test_a_gap_between_contracts_breaks_the_run(first_end: date, entitled: bool) -> None:
    first = replace(FIRST, end=first_end)
    assert (entitlement(earlier=(first,)) is not None) is entitled


def test_a_contract_of_another_type_breaks_the_run() -> None:
    task = contract(type=ContractType.TASK_BASED, start=date(2020, 1, 1), end=date(2020, 12, 31))
    first = contract(start=date(2017, 1, 1), end=date(2019, 12, 31))
    assert entitlement(earlier=(first, task), service_start=date(2017, 1, 1)) is None


@pytest.mark.parametrize(("first_start", "entitled"), [(date(2007, 12, 31), False), (date(2008, 1, 1), True)])
def test_only_contracts_from_2008_count(first_start: date, entitled: bool) -> None:
    first = contract(start=first_start, end=date(2010, 12, 31))
    current = contract(start=date(2011, 1, 1), end=date(2013, 12, 31))
    alert = entitlement(current, (first,), service_start=date(2008, 1, 1), today=date(2013, 12, 1))
    assert (alert is not None) is entitled


@pytest.mark.parametrize(("service_start", "entitled"), [(date(2014, 1, 2), False), (date(2014, 1, 1), True)])
def test_ten_years_of_service_give_the_right(service_start: date, entitled: bool) -> None:
    alert = entitlement(earlier=(), service_start=service_start, dismissal_grounds=True)
    assert (alert is not None) is entitled
    if alert is not None:
        assert "ten years" in alert.message


def test_ten_years_count_service_before_2008() -> None:
    current = contract(start=date(2008, 1, 1), end=date(2010, 12, 31))
    alert = entitlement(current, (), service_start=date(2001, 1, 1), today=date(2010, 12, 1))
    assert alert is not None


@pytest.mark.parametrize(("days_left", "raised"), [(61, False), (60, True), (59, True)])
def test_entitlement_is_raised_within_sixty_days_of_the_end(days_left: int, raised: bool) -> None:
    alert = entitlement(today=date(2023, 12, 31) - timedelta(days=days_left))
    assert (alert is not None) is raised


def test_no_entitlement_alert_for_an_open_ended_contract() -> None:
    current = contract(type=ContractType.OPEN_ENDED, start=date(2021, 1, 1), end=None)
    assert entitlement(current) is None


# --- dispatch cap ---


@pytest.mark.parametrize(
    ("direct", "dispatched", "allowed"),
    [
        (90, 9, None),
        (90, 10, None),  # exactly 10% of 100
        (90, 11, 10),
        (89, 10, 9),  # 10 of 99 is above 10%
    ],
)
def test_dispatch_cap(direct: int, dispatched: int, allowed: int | None) -> None:
    alert = check_dispatch_cap(direct_headcount=direct, dispatched_headcount=dispatched, enabled=True, today=START)
    if allowed is None:
        assert alert is None
        return
    assert alert is not None
    assert alert.rule is Rule.DISPATCH_CAP
    assert alert.severity is Severity.MEDIUM
    assert alert.params == {
        "dispatched": dispatched,
        "total": direct + dispatched,
        "allowed": allowed,
    }
    assert_formats(alert)


def test_dispatch_cap_is_off_when_disabled_or_the_workforce_is_unknown() -> None:
    assert check_dispatch_cap(direct_headcount=10, dispatched_headcount=50, enabled=False, today=START) is None
    assert check_dispatch_cap(direct_headcount=None, dispatched_headcount=50, enabled=True, today=START) is None


# --- social insurance registration ---


@pytest.mark.parametrize(
    ("today", "severity", "act_by"),
    [
        (date(2024, 2, 13), Severity.MEDIUM, date(2024, 2, 14)),
        (date(2024, 2, 14), Severity.MEDIUM, date(2024, 2, 14)),  # day 30
        (date(2024, 2, 15), Severity.HIGH, date(2024, 2, 15)),
    ],
)
def test_social_insurance_registration(today: date, severity: Severity, act_by: date) -> None:
    assert social_insurance_due(START) == date(2024, 2, 14)
    alert = check_social_insurance_registration(start_of_work=START, registered=False, today=today)
    assert alert is not None
    assert alert.rule is Rule.SOCIAL_INSURANCE_UNREGISTERED
    assert alert.severity is severity
    assert alert.act_by == act_by
    assert_formats(alert)


def test_registered_social_insurance_raises_nothing() -> None:
    assert check_social_insurance_registration(start_of_work=START, registered=True, today=date(2024, 6, 1)) is None


# --- certificate to work ---

VALID_UNTIL = date(2024, 6, 30)


@pytest.mark.parametrize(
    ("today", "severity", "act_by"),
    [
        (date(2024, 5, 30), None, None),  # 31 days left
        (date(2024, 5, 31), Severity.LOW, VALID_UNTIL),  # 30 days left
        (date(2024, 6, 30), Severity.LOW, VALID_UNTIL),  # the last valid day
        (date(2024, 7, 1), Severity.MEDIUM, date(2024, 7, 1)),  # expired
    ],
)
def test_certificate_expiry(today: date, severity: Severity | None, act_by: date | None) -> None:
    alert = check_certificate(valid_until=VALID_UNTIL, today=today)
    if severity is None:
        assert alert is None
        return
    assert alert is not None
    assert alert.rule is Rule.CERTIFICATE_EXPIRING
    assert alert.severity is severity
    assert alert.act_by == act_by
    assert_formats(alert)


def test_certificate_notice_is_configurable() -> None:
    assert check_certificate(valid_until=VALID_UNTIL, today=date(2024, 5, 1), notice_days=60) is not None
    assert check_certificate(valid_until=VALID_UNTIL, today=date(2024, 6, 21), notice_days=7) is None


# --- assessment ---

F, M = Rating.FAILS, Rating.MEETS


@pytest.mark.parametrize(
    ("ratings", "count"),
    [
        ((), None),
        ((F,), None),
        ((M, F), None),
        ((F, M), None),
        ((F, F, M), None),  # the streak was broken by the latest result
        ((F, M, F), None),
        ((Rating.BASIC, F), None),  # 基本达标 is not 不达标
        ((F, F), 2),
        ((Rating.GOOD, F, F, F), 3),
    ],
)
def test_two_consecutive_failing_results_call_for_a_dismissal_review(ratings: tuple[Rating, ...], count: int | None) -> None:
    alert = check_assessment_failures(ratings, today=START)
    if count is None:
        assert alert is None
        return
    assert alert is not None
    assert alert.rule is Rule.ASSESSMENT_FAILED_TWICE
    assert alert.params == {"count": count}
    assert alert.act_by == START
    assert_formats(alert)
