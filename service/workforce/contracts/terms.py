"""The terms of one labour contract, checked against the contract law.

Two kinds of outcome, on purpose:

* **Refusals** (``DomainError`` with the form field, raised by
  ``refuse_impossible_terms``) block saving.  They are records that cannot
  describe any real contract: an end date missing from a fixed-term contract
  or present on an open-ended one, an end before the start, probation ending
  before the start or after the end, or a period overlapping another contract
  of the same worker with the same employer (one employer holds one contract
  with a worker at a time; an overlap is a duplicate or a typing error).
* **Findings** (``Finding``, returned by ``check_contract``) are terms a real
  contract can carry although the law forbids them: probation too long, a
  second probation, probation pay too low, a dispatch contract under two
  years.  They are saved and shown, because the system must record contracts
  as they were signed (legacy contracts arrive by Excel import) and because
  the law attaches consequences to the signed term rather than voiding the
  record (劳动合同法 Art. 83: compensation for probation served beyond the
  limit).  ``compliance`` turns the same findings into alerts.

A contract's term counts its first day (see ``dates``): 1 January 2024 to
31 December 2024 is a one-year contract.  Probation starts with the contract
(Art. 19 ¶4: "试用期包含在劳动合同期限内").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from service.dates import ONE_DAY, add_months, lasts_months
from service.errors import N_, DomainError
from service.money import FEN

LCL_ART_19 = "劳动合同法 Art. 19"
LCL_ART_20 = "劳动合同法 Art. 20; 实施条例 Art. 15"
LCL_ART_58 = "劳动合同法 Art. 58; 劳务派遣暂行规定 Art. 5"

PROBATION_PAY_SHARE = Decimal("0.8")
DISPATCH_MINIMUM_MONTHS = 24


class ContractType(StrEnum):
    FIXED_TERM = "fixed_term"  # 固定期限
    OPEN_ENDED = "open_ended"  # 无固定期限
    TASK_BASED = "task_based"  # 以完成一定工作任务为期限


class TermRule(StrEnum):
    """Codes of the findings on a contract's own terms."""

    PROBATION_TOO_LONG = "probation_too_long"
    SECOND_PROBATION = "second_probation"
    PROBATION_PAY_TOO_LOW = "probation_pay_too_low"
    DISPATCH_TERM_TOO_SHORT = "dispatch_term_too_short"


@dataclass(frozen=True)
class Contract:
    """One labour contract between the employer (the tenant) and a worker."""

    type: ContractType
    start: date
    end: date | None  # last day; none for open-ended, optional for task-based
    wage: Decimal  # the monthly wage the contract states, in yuan
    probation_end: date | None = None  # last day of probation; none without probation
    probation_wage: Decimal | None = None  # none: the contract wage applies in probation
    dispatched: bool = True  # a tenant's assistants are dispatched; its own staff are not


@dataclass(frozen=True)
class Finding:
    """A term the law forbids, next to the form field it concerns."""

    rule: TermRule
    field: str
    article: str
    message: str  # English msgid; placeholders filled from params
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


def refuse_impossible_terms(contract: Contract, others: Iterable[Contract]) -> None:
    """Raise DomainError for a record no real contract can match.

    ``others`` are the worker's other contracts with the same employer.
    """
    if contract.type is ContractType.FIXED_TERM and contract.end is None:
        raise DomainError(N_("A fixed-term contract needs an end date."), field="end")
    if contract.type is ContractType.OPEN_ENDED and contract.end is not None:
        raise DomainError(N_("An open-ended contract has no end date."), field="end")
    if contract.end is not None and contract.end < contract.start:
        raise DomainError(N_("The contract cannot end before it starts."), field="end")
    if contract.probation_end is not None:
        if contract.probation_end < contract.start:
            raise DomainError(N_("Probation cannot end before the contract starts."), field="probation_end")
        if contract.end is not None and contract.probation_end > contract.end:
            raise DomainError(N_("Probation cannot end after the contract ends."), field="probation_end")
    for other in others:
        if contract.start <= _last_day(other) and other.start <= _last_day(contract):
            raise DomainError(
                N_("This contract overlaps the worker's contract starting {other_start}."),
                field="start",
                other_start=other.start,
            )


def check_contract(contract: Contract, others: Iterable[Contract], minimum_wage: Decimal) -> list[Finding]:
    """Refuse an impossible record, then list every forbidden term.

    ``others`` are the worker's other contracts with the same employer;
    ``minimum_wage`` is the monthly minimum wage of the city of work.
    """
    others = tuple(others)
    refuse_impossible_terms(contract, others)
    findings = (
        probation_too_long(contract),
        second_probation(contract, others),
        probation_pay_too_low(contract, minimum_wage),
        dispatch_term_too_short(contract),
    )
    return [finding for finding in findings if finding is not None]


def max_probation_months(contract: Contract) -> int:
    """The longest probation the contract's term allows (劳动合同法 Art. 19).

    Task-based or under 3 months: none; 3 months to under a year: 1 month;
    1 to under 3 years: 2 months; 3 years or more, or open-ended: 6 months.
    """
    if contract.type is ContractType.TASK_BASED:
        return 0
    if contract.end is None:  # open-ended
        return 6
    for term_months, probation_months in ((36, 6), (12, 2), (3, 1)):
        if lasts_months(contract.start, contract.end, term_months):
            return probation_months
    return 0


def probation_too_long(contract: Contract) -> Finding | None:
    """Probation longer than the term allows (劳动合同法 Art. 19 ¶1, ¶3)."""
    if contract.probation_end is None:
        return None
    months = max_probation_months(contract)
    if months == 0:
        return Finding(
            TermRule.PROBATION_TOO_LONG,
            "probation_end",
            LCL_ART_19,
            N_("This contract allows no probation."),
        )
    lawful_end = lawful_probation_end(contract, months)
    if contract.probation_end <= lawful_end:
        return None
    return Finding(
        TermRule.PROBATION_TOO_LONG,
        "probation_end",
        LCL_ART_19,
        N_("Probation may last at most {max_months} months here, until {lawful_end}."),
        {"max_months": months, "lawful_end": lawful_end},
    )


def lawful_probation_end(contract: Contract, months: int) -> date:
    """The last day of a probation of ``months`` months from the contract start."""
    return add_months(contract.start, months) - ONE_DAY


def second_probation(contract: Contract, others: Iterable[Contract]) -> Finding | None:
    """A probation after an earlier one with the same employer (劳动合同法 Art. 19 ¶2).

    Read literally ("只能约定一次试用期"): an earlier contract without probation
    does not use up the one probation.  For a dispatched worker the employer
    is the dispatch company, so a move to another bureau does not reset it.
    """
    if contract.probation_end is None:
        return None
    earlier = [o for o in others if o.start < contract.start and o.probation_end is not None]
    if not earlier:
        return None
    return Finding(
        TermRule.SECOND_PROBATION,
        "probation_end",
        LCL_ART_19,
        N_("The worker already had probation with this employer in the contract from {earlier_start}."),
        {"earlier_start": min(o.start for o in earlier)},
    )


def probation_pay_floor(wage: Decimal, minimum_wage: Decimal) -> Decimal:
    """The least probation pay: 80% of the contract wage and the minimum wage (Art. 20).

    80% is rounded up to the fen, so that a pay in fen meets the floor exactly
    when it meets 80% of the wage.  The law's other benchmark, 80% of the
    lowest pay of the same post, needs post pay tables and is not checked.
    """
    share = (wage * PROBATION_PAY_SHARE).quantize(FEN, rounding=ROUND_CEILING)
    return max(share, minimum_wage)


def probation_pay_too_low(contract: Contract, minimum_wage: Decimal) -> Finding | None:
    """Probation pay under 80% of the contract wage or the minimum wage (劳动合同法 Art. 20; 实施条例 Art. 15)."""
    if contract.probation_end is None:
        return None
    pay = contract.wage if contract.probation_wage is None else contract.probation_wage
    floor = probation_pay_floor(contract.wage, minimum_wage)
    if pay >= floor:
        return None
    return Finding(
        TermRule.PROBATION_PAY_TOO_LOW,
        "probation_wage",
        LCL_ART_20,
        N_("Probation pay must be at least {floor} yuan."),
        {"floor": floor},
    )


def dispatch_term_too_short(contract: Contract) -> Finding | None:
    """A dispatched worker's contract that is not fixed-term for two years or more (劳动合同法 Art. 58).

    Art. 58 asks for "二年以上的固定期限劳动合同".  An open-ended contract is
    not flagged: it protects the worker more than the minimum asked for.
    """
    if not contract.dispatched or contract.type is ContractType.OPEN_ENDED:
        return None
    if (
        contract.type is ContractType.FIXED_TERM
        and contract.end is not None
        and lasts_months(contract.start, contract.end, DISPATCH_MINIMUM_MONTHS)
    ):
        return None
    return Finding(
        TermRule.DISPATCH_TERM_TOO_SHORT,
        "end",
        LCL_ART_58,
        N_("A dispatched worker's contract must be fixed-term for at least two years."),
    )


def _last_day(contract: Contract) -> date:
    return date.max if contract.end is None else contract.end
