"""Economic compensation (经济补偿) when a labour contract ends, and why a contract ends.

``economic_compensation`` applies 劳动合同法 Art. 47 and 实施条例 Art. 27 and
returns every step of the figure, so the termination form and the final
payslip can explain it.  ``severance_pay`` turns it into what is paid: N,
N + 1 (Art. 40 notice pay) or 2N (Art. 87).  ``TerminationReason`` lists the
statutory reasons with their article and whether compensation is due
(Art. 46).

Service before 2008-01-01 in a contract running on that day is compensated
under the rules of the time (Art. 97 ¶3): only where those rules gave
compensation for the way the contract ended does it count.  The caller says
whether they did (``pre_2008_compensable``); the old rules' own formula is
not modelled, the earlier years are counted like the later ones.

Money is in yuan, rounded to the fen half up (ROUND_HALF_UP): the average
once, the amount once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from service.dates import whole_months_served
from service.errors import N_, DomainError
from service.money import ZERO, to_fen

AVERAGE_WINDOW_MONTHS = 12
HIGH_EARNER_MULTIPLE = 3
HIGH_EARNER_MAX_YEARS = Decimal(12)
HALF = Decimal("0.5")
LCL_IN_FORCE = date(2008, 1, 1)  # 劳动合同法 Art. 98


@dataclass(frozen=True)
class ServiceLength:
    """Service from its first day to its last, both counted."""

    years: int
    months: int
    days: int

    @property
    def counted_years(self) -> Decimal:
        """Years of compensation (劳动合同法 Art. 47 ¶1).

        A month's wage per full year; a remainder of six months or more counts
        as a year ("六个月以上不满一年的，按一年计算"), a shorter one, even a day,
        as half a month's wage.
        """
        if self.months >= 6:
            return Decimal(self.years + 1)
        if self.months or self.days:
            return self.years + HALF
        return Decimal(self.years)


@dataclass(frozen=True)
class Severance:
    """Economic compensation (N) and how it was reached."""

    service: ServiceLength  # from ``counted_from`` to the last day
    counted_from: date  # the hire date, or 2008-01-01 when earlier service is not compensated
    years_counted: Decimal  # after the 12-year limit for high earners
    months_averaged: int  # wage months averaged: 12, or fewer for shorter service
    average_wage: Decimal  # their average, to the fen
    monthly_base: Decimal  # the monthly wage used: the average, floored, then capped
    floored: bool  # the minimum wage replaced a lower average
    capped: bool  # 3 x the city average replaced a higher one
    amount: Decimal

    @property
    def pre_2008_excluded(self) -> bool:
        """Service before 2008 was left out (劳动合同法 Art. 97 ¶3)."""
        return self.counted_from == LCL_IN_FORCE

    @property
    def basis(self) -> str:
        """The provisions the figure rests on, in the compact citation form pages show."""
        return _cite(["46", "47"], ["27"], pre_2008_excluded=self.pre_2008_excluded)


def _cite(contract_law: list[str], regulations: list[str], *, pre_2008_excluded: bool) -> str:
    """ "劳动合同法 Arts. 46, 47; 实施条例 Art. 27", with Art. 97 ¶3 when service before 2008 was left out."""
    articles = [*contract_law, "97 ¶3"] if pre_2008_excluded else contract_law

    def part(law: str, numbers: list[str]) -> str:
        return f"{law} Art{'s' if len(numbers) > 1 else ''}. {', '.join(numbers)}"

    return f"{part('劳动合同法', articles)}; {part('实施条例', regulations)}"


def service_length(first_day: date, last_day: date) -> ServiceLength:
    """Whole years, months and days of service from ``first_day`` to ``last_day``, both counted.

    Months are counted by ``whole_months_served``: a hire on 29 February has
    served a year on 28 February of a common year.
    """
    months, days = whole_months_served(first_day, last_day)
    years, months = divmod(months, 12)
    return ServiceLength(years, months, days)


def average_monthly_wage(monthly_wages: Sequence[Decimal]) -> tuple[Decimal, int]:
    """The average of the last 12 months' pay, or of all of them when there are fewer, to the fen half up,
    and how many months it took.

    This is the "月工资" of 实施条例 Art. 27 (wages earned, bonuses, allowances
    and subsidies included) and, with overtime left out by the caller, the
    "月工资收入" of 企业职工带薪年休假实施办法 Art. 11; both average the 12
    months before and take the months actually worked when there are fewer.
    ``monthly_wages`` are oldest first.
    """
    if not monthly_wages:
        raise DomainError(N_("Enter at least one month's wage."), field="monthly_wages")
    window = monthly_wages[-AVERAGE_WINDOW_MONTHS:]
    for wage in window:
        if wage < 0:
            raise DomainError(N_("The amount must not be negative."), field="monthly_wages")
    return to_fen(sum(window, ZERO) / len(window)), len(window)


def economic_compensation(
    *,
    service_start: date,
    last_day: date,
    monthly_wages: Sequence[Decimal],
    minimum_wage: Decimal,
    city_average_wage: Decimal,
    pre_2008_compensable: bool,
) -> Severance:
    """Economic compensation (N) by 劳动合同法 Art. 47 and 实施条例 Art. 27.

    ``monthly_wages`` are the wages actually earned (应得工资: with bonuses,
    allowances and subsidies) in each month before the contract ended, oldest
    first, as payroll paid them; see ``average_monthly_wage``.  An average
    below ``minimum_wage`` (the city's monthly minimum) is raised to it.  A
    base above 3 x ``city_average_wage`` (the previous-year average monthly
    wage the employer's city publishes) is lowered to that, and then at most
    12 years are paid (Art. 47 ¶2).

    ``service_start`` is the hire date.  Service before 2008-01-01 counts only
    when ``pre_2008_compensable``: the rules of the time gave compensation for
    this way of ending the contract (Art. 97 ¶3; e.g. 劳动法 Art. 28 for a
    dismissal without fault or a redundancy, none for a contract that simply
    expired).  Otherwise service is counted from 2008-01-01.

    Rounded to the fen, half up: the average, and the amount once at the end.
    """
    if last_day < service_start:
        raise DomainError(N_("The last day may not be before the first day."), field="last_day")
    average, months_averaged = average_monthly_wage(monthly_wages)
    counted_from = service_start if pre_2008_compensable else max(service_start, LCL_IN_FORCE)
    service = service_length(counted_from, last_day)
    floored = average < minimum_wage
    base = to_fen(minimum_wage) if floored else average
    cap = to_fen(city_average_wage * HIGH_EARNER_MULTIPLE)
    capped = base > cap
    years = service.counted_years
    if capped:
        base = cap
        years = min(years, HIGH_EARNER_MAX_YEARS)
    return Severance(
        service=service,
        counted_from=counted_from,
        years_counted=years,
        months_averaged=months_averaged,
        average_wage=average,
        monthly_base=base,
        floored=floored,
        capped=capped,
        amount=to_fen(base * years),
    )


class SeveranceKind(StrEnum):
    """What is paid when the employer ends the contract."""

    N = "n"  # economic compensation (Arts. 46-47)
    N_PLUS_ONE = "n_plus_one"  # and a month's wage in lieu of 30 days' notice (Art. 40)
    DOUBLE = "double"  # unlawful termination: twice the compensation instead (Art. 87)


# The articles of 劳动合同法 and of its 实施条例 each kind rests on.
_KIND_ARTICLES: dict[SeveranceKind, tuple[list[str], list[str]]] = {
    SeveranceKind.N: (["46", "47"], ["27"]),
    SeveranceKind.N_PLUS_ONE: (["40", "46(3)", "47"], ["20", "27"]),
    SeveranceKind.DOUBLE: (["47", "48", "87"], ["25", "27"]),
}

SEVERANCE_KIND_LABELS: dict[SeveranceKind, str] = {
    SeveranceKind.N: N_("Economic compensation (N)"),
    SeveranceKind.N_PLUS_ONE: N_("Economic compensation and a month's wage in lieu of notice (N + 1)"),
    SeveranceKind.DOUBLE: N_("Unlawful termination: twice the economic compensation (2N)"),
}


@dataclass(frozen=True)
class SeverancePay:
    """What the leaver is paid on top of their wages, and why."""

    kind: SeveranceKind
    reason: str  # why this kind, as the person who chose it wrote it
    compensation: Severance  # N
    notice_pay: Decimal  # N + 1: the previous month's wage; otherwise 0
    amount: Decimal  # N, N + notice pay, or 2N

    @property
    def basis(self) -> str:
        """The provisions the figure rests on, in the compact citation form pages show."""
        contract_law, regulations = _KIND_ARTICLES[self.kind]
        return _cite(contract_law, regulations, pre_2008_excluded=self.compensation.pre_2008_excluded)


def severance_pay(
    kind: SeveranceKind,
    *,
    reason: str,
    termination: TerminationReason,
    service_start: date,
    last_day: date,
    monthly_wages: Sequence[Decimal],
    minimum_wage: Decimal,
    city_average_wage: Decimal,
    pre_2008_compensable: bool,
    previous_month_wage: Decimal | None = None,
) -> SeverancePay:
    """The severance paid by ``kind``, with the reason it was chosen.

    The compensation N is ``economic_compensation`` of the same arguments.

    * N: due only where the termination reason makes it due (Art. 46).
    * N + 1: only for a dismissal without fault (Art. 40) without 30 days'
      written notice; the extra month is the worker's wage of the month before
      the termination (实施条例 Art. 20: "按照该劳动者上一个月的工资标准确定"),
      ``previous_month_wage``, neither averaged nor capped.
    * 2N: a termination found unlawful, whatever reason it gave; twice the
      compensation by the Art. 47 standard, caps included, instead of it and
      not on top of it, with service counted from the hire date, before 2008
      too (Art. 87; 实施条例 Art. 25: "赔偿金的计算年限自用工之日起计算").

    Rounded to the fen, half up.
    """
    reason = reason.strip()
    if not reason:
        raise DomainError(N_("Say why this severance is paid."), field="reason")
    if kind is not SeveranceKind.DOUBLE and not termination.compensation_due:
        raise DomainError(N_("No economic compensation is due for this termination reason."), field="kind")
    if kind is SeveranceKind.N_PLUS_ONE:
        if termination is not TerminationReason.DISMISSAL_NO_FAULT:
            raise DomainError(N_("A month's wage in lieu of notice is paid only for a dismissal without fault."), field="kind")
        if previous_month_wage is None or previous_month_wage < 0:
            raise DomainError(N_("Enter the wage of the month before the termination."), field="previous_month_wage")
    compensation = economic_compensation(
        service_start=service_start,
        last_day=last_day,
        monthly_wages=monthly_wages,
        minimum_wage=minimum_wage,
        city_average_wage=city_average_wage,
        pre_2008_compensable=pre_2008_compensable or kind is SeveranceKind.DOUBLE,
    )
    notice_pay = to_fen(previous_month_wage) if kind is SeveranceKind.N_PLUS_ONE and previous_month_wage is not None else ZERO
    multiple = 2 if kind is SeveranceKind.DOUBLE else 1
    return SeverancePay(kind, reason, compensation, notice_pay, to_fen(compensation.amount * multiple + notice_pay))


class TerminationReason(StrEnum):
    """Why a labour contract ended, with its article and the article making compensation due.

    Where the law's answer turns on a fact (who proposed a mutual
    termination, whether the worker declined a renewal), each answer is its
    own member.
    """

    MUTUAL_EMPLOYER_PROPOSED = "mutual_employer_proposed"
    MUTUAL_WORKER_PROPOSED = "mutual_worker_proposed"
    WORKER_NOTICE = "worker_notice"
    WORKER_EMPLOYER_FAULT = "worker_employer_fault"
    DISMISSAL_WORKER_FAULT = "dismissal_worker_fault"
    DISMISSAL_NO_FAULT = "dismissal_no_fault"
    REDUNDANCY = "redundancy"
    EXPIRY_NOT_RENEWED = "expiry_not_renewed"
    EXPIRY_RENEWAL_DECLINED = "expiry_renewal_declined"
    TASK_COMPLETED = "task_completed"
    RETIREMENT = "retirement"
    DEATH = "death"
    BANKRUPTCY = "bankruptcy"
    EMPLOYER_CLOSED = "employer_closed"

    @property
    def article(self) -> str:
        return _REASONS[self][0]

    @property
    def compensation_article(self) -> str | None:
        """The provision that makes compensation due; None where none is due."""
        return _REASONS[self][1]

    @property
    def compensation_due(self) -> bool:
        return self.compensation_article is not None


# Labels for the termination form's choice of reason (English msgids).
REASON_LABELS: dict[TerminationReason, str] = {
    TerminationReason.MUTUAL_EMPLOYER_PROPOSED: N_("Mutual agreement, proposed by the employer"),
    TerminationReason.MUTUAL_WORKER_PROPOSED: N_("Mutual agreement, proposed by the worker"),
    TerminationReason.WORKER_NOTICE: N_("The worker resigns with notice"),
    TerminationReason.WORKER_EMPLOYER_FAULT: N_("The worker terminates for the employer's fault"),
    TerminationReason.DISMISSAL_WORKER_FAULT: N_("Dismissal for the worker's fault"),
    TerminationReason.DISMISSAL_NO_FAULT: N_("Dismissal without fault (illness, incompetence, changed circumstances)"),
    TerminationReason.REDUNDANCY: N_("Economic redundancy"),
    TerminationReason.EXPIRY_NOT_RENEWED: N_("Expiry, not renewed by the employer"),
    TerminationReason.EXPIRY_RENEWAL_DECLINED: N_("Expiry, the worker declined a renewal on equal or better terms"),
    TerminationReason.TASK_COMPLETED: N_("The task of a task-based contract is completed"),
    TerminationReason.RETIREMENT: N_("Retirement (pension entitlement)"),
    TerminationReason.DEATH: N_("Death of the worker"),
    TerminationReason.BANKRUPTCY: N_("Bankruptcy of the employer"),
    TerminationReason.EMPLOYER_CLOSED: N_("The employer closes or is dissolved"),
}

_LCL = "劳动合同法"
_REASONS: dict[TerminationReason, tuple[str, str | None]] = {
    TerminationReason.MUTUAL_EMPLOYER_PROPOSED: (f"{_LCL} Art. 36", f"{_LCL} Art. 46(2)"),
    TerminationReason.MUTUAL_WORKER_PROPOSED: (f"{_LCL} Art. 36", None),
    TerminationReason.WORKER_NOTICE: (f"{_LCL} Art. 37", None),
    TerminationReason.WORKER_EMPLOYER_FAULT: (f"{_LCL} Art. 38", f"{_LCL} Art. 46(1)"),
    TerminationReason.DISMISSAL_WORKER_FAULT: (f"{_LCL} Art. 39", None),
    # Also 30 days' notice or a month's wage in lieu (Art. 40), paid apart.
    TerminationReason.DISMISSAL_NO_FAULT: (f"{_LCL} Art. 40", f"{_LCL} Art. 46(3)"),
    TerminationReason.REDUNDANCY: (f"{_LCL} Art. 41", f"{_LCL} Art. 46(4)"),
    # Not renewed, or renewal offered only on worse terms.
    TerminationReason.EXPIRY_NOT_RENEWED: (f"{_LCL} Art. 44(1)", f"{_LCL} Art. 46(5)"),
    # The worker declined a renewal on the same or better terms.
    TerminationReason.EXPIRY_RENEWAL_DECLINED: (f"{_LCL} Art. 44(1)", None),
    TerminationReason.TASK_COMPLETED: (f"{_LCL} Art. 44(1); 实施条例 Art. 22", "实施条例 Art. 22"),
    TerminationReason.RETIREMENT: (f"{_LCL} Art. 44(2); 实施条例 Art. 21", None),
    TerminationReason.DEATH: (f"{_LCL} Art. 44(3)", None),
    TerminationReason.BANKRUPTCY: (f"{_LCL} Art. 44(4)", f"{_LCL} Art. 46(6)"),
    TerminationReason.EMPLOYER_CLOSED: (f"{_LCL} Art. 44(5)", f"{_LCL} Art. 46(6)"),
}
