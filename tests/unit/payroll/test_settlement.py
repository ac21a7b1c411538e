"""The settlement composed from the pure rules: which kind is allowed, the notice month, service before 2008
and HR's entitlement, at the dates' edges."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from service.dates import add_months
from service.errors import DomainError
from service.payroll.leavers.settlement import CityWages, MonthPay, SettlementTerms, settle, statutory_entitlement
from service.workforce.contracts.severance import SeveranceKind, TerminationReason

D = Decimal
CITY = CityWages("chengdu", date(2025, 7, 1), D("2330"), D("7646"))
LAST_DAY = date(2026, 3, 31)


def months(count: int, wage: str = "6000", until: date = date(2026, 3, 1)) -> list[MonthPay]:
    return [MonthPay(add_months(until, n - count), D(wage), D("0")) for n in range(count)]


TERMS = SettlementTerms(LAST_DAY, SeveranceKind.N, "裁员", False, "", None, "", 0)


def run(terms: SettlementTerms = TERMS, *, reason=TerminationReason.REDUNDANCY, hired=date(2020, 4, 1), history=None):
    return settle(terms, termination=reason, hired_on=hired, history=months(12) if history is None else history, city=CITY)


def refusal(**kwargs) -> tuple[str | None, str]:
    with pytest.raises(DomainError) as refused:
        run(**kwargs)
    return refused.value.field, refused.value.message


def test_n_from_the_average_with_the_annual_leave_and_no_tax_below_the_exemption() -> None:
    s = run()
    assert s.severance is not None and s.severance.compensation.years_counted == 6  # 2020-04-01 to 2026-03-31
    assert s.severance_amount == D("36000.00") and s.severance_tax_amount == 0
    # Six full years: 5 days; 90 days of 2026 ÷ 365 × 5 = 1.23: one day at 200% more of 6,000 ÷ 21.75.
    assert (s.annual_leave.entitlement_days, s.annual_leave.untaken_days, s.annual_leave.amount) == (5, 1, D("551.72"))
    assert s.pay_month == date(2026, 3, 1)


def test_n_plus_one_only_for_art_40_and_only_with_the_month_before_published() -> None:
    plus_one = replace(TERMS, kind=SeveranceKind.N_PLUS_ONE)
    assert refusal(terms=plus_one)[0] == "kind"  # a redundancy is Art. 41, not Art. 40
    dismissal = TerminationReason.DISMISSAL_NO_FAULT
    assert run(plus_one, reason=dismissal, history=months(12, "5000")).severance.notice_pay == D("5000")
    field, message = refusal(terms=plus_one, reason=dismissal, history=months(11, until=date(2026, 1, 1)))
    assert field == "kind" and "not published" in message


def test_no_severance_only_where_the_reason_gives_none() -> None:
    none = replace(TERMS, kind=None, kind_reason="")
    assert refusal(terms=none)[0] == "kind"
    s = run(none, reason=TerminationReason.WORKER_NOTICE)
    assert s.severance is None and s.tax is None and s.severance_amount == 0 and s.annual_leave.amount > 0


def test_service_before_2008_needs_an_explanation_and_counts_only_when_compensable() -> None:
    assert refusal(hired=date(2006, 7, 1))[0] == "pre_2008_explanation"
    excluded = run(replace(TERMS, pre_2008_explanation="当时不补偿"), hired=date(2006, 7, 1))
    assert excluded.severance.compensation.counted_from == date(2008, 1, 1)
    counted = run(replace(TERMS, pre_2008_compensable=True, pre_2008_explanation="劳动法第二十八条"), hired=date(2006, 7, 1))
    assert counted.severance.compensation.counted_from == date(2006, 7, 1)
    # A worker hired after 2007 has nothing before 2008 to count: the box is ignored.
    assert run(replace(TERMS, pre_2008_compensable=True)).terms.pre_2008_compensable is False


def test_hrs_entitlement_needs_a_reason_and_the_dates_are_checked() -> None:
    assert refusal(terms=replace(TERMS, entitlement_days=10))[0] == "entitlement_reason"
    assert run(replace(TERMS, entitlement_days=10, entitlement_reason="外单位工龄")).annual_leave.entitlement_days == 10
    assert refusal(hired=date(2026, 4, 1))[0] == "last_day"
    assert refusal(history=[])[0] == "last_day"


def test_the_statutory_entitlement_at_the_anniversary_and_a_leap_day() -> None:
    assert statutory_entitlement(date(2016, 3, 31), date(2026, 3, 30)) == 5  # nine years and a day short
    assert statutory_entitlement(date(2016, 3, 31), date(2026, 3, 31)) == 10
    assert statutory_entitlement(date(2024, 2, 29), date(2025, 2, 27)) == 0
    assert statutory_entitlement(date(2024, 2, 29), date(2025, 2, 28)) == 5  # a 29 February anniversary falls on the 28th
