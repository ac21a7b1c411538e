"""Compliance alerts: each rule checked against plain facts on a given day.

One pure function per rule; each returns an ``Alert`` or ``None``.  An
alert's ``act_by`` is never before ``today``: a duty already overdue is due
today.  Messages are English msgids whose placeholders are filled from
``params`` after translation; ``amount`` carries money owed, in yuan.

Days are counted as ``dates`` explains: a duty due "within a month (or 30
days) of" a day may be met on the last day of that period and is overdue from
the day after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from service.assessment.ratings import Rating
from service.bureaus.client_workforce import DISPATCH_CAP_DIVISOR, exceeds_dispatch_cap
from service.dates import ONE_DAY, add_months, lasts_months, weekdays, whole_months
from service.errors import N_
from service.money import ZERO, to_fen
from service.workforce.contracts.terms import (
    Contract,
    ContractType,
    Finding,
    TermRule,
    dispatch_term_too_short,
    lawful_probation_end,
    max_probation_months,
    probation_pay_too_low,
    probation_too_long,
    second_probation,
)
from service.workforce.records.actions import CERTIFICATE_NOTICE_DAYS

# 21.75 monthly pay days = (365 - 104 weekend days) / 12: statutory holidays
# are paid, weekends are not (劳社部发〔2008〕3号, kept by 人社部发〔2025〕2号).
PAY_DAYS_PER_MONTH = Decimal("21.75")
ENDING_NOTICE_DAYS = 60  # a contract ending this close without a decision: medium
ENDING_URGENT_DAYS = 30  # ... and this close: high
SOCIAL_INSURANCE_DAYS = 30
OPEN_ENDED_SERVICE_MONTHS = 120
LCL_IN_FORCE = date(2008, 1, 1)


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Rule(StrEnum):
    """Codes of the alerts raised here besides a contract's own terms (``TermRule``)."""

    WRITTEN_CONTRACT_MISSING = "written_contract_missing"
    CONTRACT_ENDING = "contract_ending"
    OPEN_ENDED_DUE = "open_ended_due"
    DISPATCH_CAP = "dispatch_cap"
    SOCIAL_INSURANCE_UNREGISTERED = "social_insurance_unregistered"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    ASSESSMENT_FAILED_TWICE = "assessment_failed_twice"


@dataclass(frozen=True)
class Alert:
    rule: Rule | TermRule
    severity: Severity
    article: str  # the citation shown next to the alert
    message: str  # English msgid; placeholders filled from params
    act_by: date
    params: Mapping[str, object] = field(default_factory=dict)
    amount: Decimal | None = None  # yuan owed, where the rule costs money


# --- written contract (劳动合同法 Arts. 10, 14 ¶3, 82; 实施条例 Arts. 6-7) ---


def written_contract_due(start_of_work: date) -> date:
    """The last day to sign a written contract: one month from 用工之日 (劳动合同法 Art. 10)."""
    return add_months(start_of_work, 1)


def deemed_open_ended_on(start_of_work: date) -> date:
    """The day a worker still without a written contract is deemed to hold an open-ended one.

    "视为自用工之日起满一年的当日已经与劳动者订立无固定期限劳动合同"
    (实施条例 Art. 7; 劳动合同法 Art. 14 ¶3): the first anniversary of 用工之日.
    """
    return add_months(start_of_work, 12)


def double_wage_owed(start_of_work: date, last_day: date, monthly_wage: Decimal) -> Decimal:
    """The extra wage owed for days without a written contract up to ``last_day`` (劳动合同法 Art. 82).

    The worker has been paid once, so the exposure of "二倍的工资" is one more
    wage, from the day after the contract was due to ``last_day`` (the day
    before signature, or today), and never past the day before the first
    anniversary (实施条例 Arts. 6-7).  Each whole month costs a month's wage.
    The part month left costs ``monthly_wage / 21.75`` per pay day in it
    (Monday to Friday, since 21.75 counts holidays as paid days), at most a
    month's wage.  Rounded to the fen, half up, once at the end.
    """
    first = written_contract_due(start_of_work) + ONE_DAY
    last = min(last_day, deemed_open_ended_on(start_of_work) - ONE_DAY)
    if last < first:
        return ZERO
    months, _ = whole_months(first, last)
    pay_days = weekdays(add_months(first, months), last)
    part_month = min(monthly_wage, monthly_wage * pay_days / PAY_DAYS_PER_MONTH)
    return to_fen(monthly_wage * months + part_month)


def check_written_contract(*, start_of_work: date, signed_on: date | None, monthly_wage: Decimal, today: date) -> Alert | None:
    """No written contract within one month of 用工之日, and the double wage it costs.

    劳动合同法 Arts. 10, 82; 实施条例 Arts. 6-7; after a year, Art. 14 ¶3.
    Unsigned within the month: medium, sign by the due day.  Unsigned after
    it: high, with the double wage accrued to today; from the first
    anniversary an open-ended contract is deemed concluded and the double
    wage stops growing.  Signed late: high while the late days cost money.
    """
    article = "劳动合同法 Arts. 10, 14 ¶3, 82; 实施条例 Arts. 6-7"
    due = written_contract_due(start_of_work)
    if signed_on is not None and signed_on <= due:
        return None
    if signed_on is None and today <= due:
        return _alert(
            Rule.WRITTEN_CONTRACT_MISSING,
            Severity.MEDIUM,
            article,
            N_("No written labour contract yet: sign it by {due}."),
            act_by=due,
            due=due,
        )
    deemed_on = deemed_open_ended_on(start_of_work)
    last_owed_day = today if signed_on is None else signed_on - ONE_DAY
    owed = double_wage_owed(start_of_work, last_owed_day, monthly_wage)
    if signed_on is not None:
        if owed == ZERO:
            return None
        message = N_("The written contract was signed on {signed_on}, after {due}: {amount} yuan double wage is owed.")
    elif today < deemed_on:
        message = N_("No written labour contract since {due}: {amount} yuan double wage owed so far; sign it now.")
    else:
        message = N_(
            "No written labour contract for a year: an open-ended contract is deemed concluded on {deemed_on};"
            " sign it now. {amount} yuan double wage is owed."
        )
    return _alert(
        Rule.WRITTEN_CONTRACT_MISSING,
        Severity.HIGH,
        article,
        message,
        act_by=today,
        amount=owed,
        due=due,
        signed_on=signed_on,
        deemed_on=deemed_on,
    )


# --- a contract's own terms (the findings of contract_terms, as alerts) ---


def check_probation_length(contract: Contract, *, today: date) -> Alert | None:
    """Probation longer than the term allows (劳动合同法 Art. 19); act by the last lawful day."""
    lawful_end = lawful_probation_end(contract, max_probation_months(contract))
    return _from_finding(probation_too_long(contract), act_by=max(today, lawful_end))


def check_second_probation(contract: Contract, others: Sequence[Contract], *, today: date) -> Alert | None:
    """A second probation with the same employer (劳动合同法 Art. 19 ¶2); ``others``: the worker's other contracts."""
    return _from_finding(second_probation(contract, others), act_by=today)


def check_probation_pay(contract: Contract, *, minimum_wage: Decimal, today: date) -> Alert | None:
    """Probation pay under 80% of the contract wage or the minimum wage (劳动合同法 Art. 20)."""
    return _from_finding(probation_pay_too_low(contract, minimum_wage), act_by=today)


def check_dispatch_term(contract: Contract, *, today: date) -> Alert | None:
    """A dispatched worker's contract shorter than two years (劳动合同法 Art. 58)."""
    return _from_finding(dispatch_term_too_short(contract), act_by=today)


# --- renewal ---


def renewal_decision_due(contract_end: date, today: date) -> date:
    """A month before the contract ends, so the worker hears the decision in time.

    The law sets no lead time for an expiry and ties only compensation to the
    decision (Art. 46(5)); a month is the notice Art. 40 gives for a no-fault
    termination, and what some local regulations ask before non-renewal.
    """
    return max(today, contract_end - timedelta(days=ENDING_URGENT_DAYS))


def check_contract_ending(contract: Contract, *, renewal_decided: bool, today: date) -> Alert | None:
    """A fixed-term contract ending within 60 days (medium) or 30 (high) with no renewal decision.

    劳动合同法 Arts. 44(1), 46(5): expiry ends the contract and costs economic
    compensation unless the employer offered renewal on the same or better
    terms and the worker declined.  A contract already past its end without
    a decision stays high.
    """
    if contract.type is not ContractType.FIXED_TERM or contract.end is None or renewal_decided:
        return None
    days_left = (contract.end - today).days
    if days_left > ENDING_NOTICE_DAYS:
        return None
    return _alert(
        Rule.CONTRACT_ENDING,
        Severity.HIGH if days_left <= ENDING_URGENT_DAYS else Severity.MEDIUM,
        "劳动合同法 Arts. 44(1), 46(5)",
        N_("The contract ends on {end} and no renewal decision is recorded."),
        act_by=renewal_decision_due(contract.end, today),
        end=contract.end,
        days_left=days_left,
    )


def check_open_ended_entitlement(
    current: Contract,
    earlier: Sequence[Contract],
    *,
    service_start: date,
    dismissal_grounds: bool,
    today: date,
    within_days: int = ENDING_NOTICE_DAYS,
) -> Alert | None:
    """The worker may ask for an open-ended contract when ``current`` is renewed (劳动合同法 Art. 14).

    Raised once ``current`` (fixed-term) ends within ``within_days``, when
    at its end either:

    * service since ``service_start`` (the first day of continuous service
      with this employer, years before 2008 included, 实施条例 Art. 9) lasts
      ten years (Art. 14 ¶2 (1)); or
    * ``current`` is the second of consecutive fixed-term contracts, counting
      only contracts starting from 2008-01-01 (Art. 97), and the employer
      has no grounds under Art. 39 or Art. 40 (1)-(2) (``dismissal_grounds``),
      which bar this route only (Art. 14 ¶2 (3)).

    ``earlier`` are the worker's earlier contracts with this employer.
    Consecutive means each contract starts no later than the day after the
    one before ends; any gap, or a contract of another type, breaks the run.
    Refusing an entitled worker costs double wages (Art. 82 ¶2), hence high.
    """
    if current.type is not ContractType.FIXED_TERM or current.end is None:
        return None
    if (current.end - today).days > within_days:
        return None
    if lasts_months(service_start, current.end, OPEN_ENDED_SERVICE_MONTHS):
        message = N_(
            "At the renewal on {renewal_on} the worker has ten years of service and may ask for an open-ended contract."
        )
    elif _consecutive_fixed_terms(current, earlier) >= 2 and not dismissal_grounds:
        message = N_(
            "At the renewal on {renewal_on} the worker has had two consecutive fixed-term contracts"
            " and may ask for an open-ended contract."
        )
    else:
        return None
    return _alert(
        Rule.OPEN_ENDED_DUE,
        Severity.HIGH,
        "劳动合同法 Arts. 14, 82 ¶2, 97",
        message,
        act_by=renewal_decision_due(current.end, today),
        renewal_on=current.end + ONE_DAY,
    )


def _consecutive_fixed_terms(current: Contract, earlier: Sequence[Contract]) -> int:
    """Fixed-term contracts from 2008 on, running back from ``current`` without a gap."""
    count, follower = 0, None
    for contract in (current, *sorted(earlier, key=lambda c: c.start, reverse=True)):
        if contract.type is not ContractType.FIXED_TERM or contract.start < LCL_IN_FORCE:
            break
        if follower is not None and contract.end is not None and contract.end + ONE_DAY < follower.start:
            break
        count += 1
        follower = contract
    return count


# --- the client unit, insurance, certificates, assessment ---


def check_dispatch_cap(*, direct_headcount: int | None, dispatched_headcount: int, enabled: bool, today: date) -> Alert | None:
    """Dispatched workers above 10% of the client unit's workforce (劳务派遣暂行规定 Art. 4).

    The workforce is direct-contract plus dispatched headcount;
    ``dispatched_headcount`` is every dispatched worker the unit uses, from
    every agency, as far as known.  Nothing is checked while the agreement
    records no direct headcount.  ``enabled`` is a setting, not a fact: the
    Provisions (Art. 2) name enterprises as user units, and whether the cap
    binds a state organ such as a 城管局 is unsettled (labor-law-cn.md §4).
    """
    if not enabled or direct_headcount is None:
        return None
    if not exceeds_dispatch_cap(direct_headcount, dispatched_headcount):
        return None
    total = direct_headcount + dispatched_headcount
    return _alert(
        Rule.DISPATCH_CAP,
        Severity.MEDIUM,
        "劳务派遣暂行规定 Art. 4",
        N_("{dispatched} of the unit's {total} workers are dispatched, above 10%; at most {allowed} may be."),
        act_by=today,
        dispatched=dispatched_headcount,
        total=total,
        # d <= (direct + d) / 10  <=>  d <= direct / 9
        allowed=direct_headcount // (DISPATCH_CAP_DIVISOR - 1),
    )


def social_insurance_due(start_of_work: date) -> date:
    """The last day to register social insurance: 30 days from 用工之日 (社会保险法 Art. 58)."""
    return start_of_work + timedelta(days=SOCIAL_INSURANCE_DAYS)


def check_social_insurance_registration(*, start_of_work: date, registered: bool, today: date) -> Alert | None:
    """Social insurance not registered within 30 days of 用工之日 (社会保险法 Art. 58).

    Within the 30 days: medium, register by the due day; after: high.  A late
    registration clears the alert: the back contributions and surcharge
    (Art. 86) belong to payroll.
    """
    if registered:
        return None
    due = social_insurance_due(start_of_work)
    if today <= due:
        severity, act_by = Severity.MEDIUM, due
    else:
        severity, act_by = Severity.HIGH, today
    return _alert(
        Rule.SOCIAL_INSURANCE_UNREGISTERED,
        severity,
        "社会保险法 Art. 58",
        N_("Social insurance must be registered by {due}."),
        act_by=act_by,
        due=due,
    )


def check_certificate(*, valid_until: date, today: date, notice_days: int = CERTIFICATE_NOTICE_DAYS) -> Alert | None:
    """A certificate to work (持证上岗) expiring within ``notice_days``, or expired.

    A management rule, not a statute.  Expiring: low, renew by its last valid
    day.  Expired: medium, since the worker should not be on duty without it.
    """
    days_left = (valid_until - today).days
    if days_left > notice_days:
        return None
    if days_left >= 0:
        severity, act_by = Severity.LOW, valid_until
        message = N_("The certificate to work expires on {valid_until}.")
    else:
        severity, act_by = Severity.MEDIUM, today
        message = N_("The certificate to work expired on {valid_until}.")
    return _alert(
        Rule.CERTIFICATE_EXPIRING,
        severity,
        "management rule: 持证上岗",
        message,
        act_by=act_by,
        valid_until=valid_until,
    )


def check_assessment_failures(ratings: Sequence[Rating], *, today: date) -> Alert | None:
    """The latest two or more assessment results all 不达标: review for dismissal.

    A local rule (seed 003 篇8: "连续两次以上工作考核不合格的,应予以辞退"),
    ``ratings`` oldest first.  The rule cannot dismiss by itself: the
    dispatch company terminates "依照《劳动合同法》", so unless Art. 39 grounds
    exist it needs Art. 40(2) (still unfit after training or another post,
    30 days' notice, compensation under Art. 46(3)); the review checks that.
    """
    streak = next(
        (i for i, rating in enumerate(reversed(ratings)) if rating is not Rating.FAILS),
        len(ratings),
    )
    if streak < 2:
        return None
    return _alert(
        Rule.ASSESSMENT_FAILED_TWICE,
        Severity.MEDIUM,
        "local assessment rule; 劳动合同法 Art. 40(2)",
        N_("The last {count} assessment results failed: review the contract for dismissal."),
        act_by=today,
        count=streak,
    )


# --- building alerts ---


def _alert(
    rule: Rule,
    severity: Severity,
    article: str,
    message: str,
    *,
    act_by: date,
    amount: Decimal | None = None,
    **params: object,
) -> Alert:
    if amount is not None:
        params["amount"] = amount
    return Alert(rule, severity, article, message, act_by, params, amount)


def _from_finding(finding: Finding | None, *, act_by: date) -> Alert | None:
    """A forbidden contract term as a high alert: each one costs money or a fine."""
    if finding is None:
        return None
    return Alert(finding.rule, Severity.HIGH, finding.article, finding.message, act_by, finding.params)
