"""Economic compensation (经济补偿) when a labour contract ends, and why a contract ends.

``economic_compensation`` applies 劳动合同法 Art. 47 and 实施条例 Art. 27 and
returns every step of the figure, so the termination form can explain it.
``TerminationReason`` lists the statutory reasons with their article and
whether compensation is due (Art. 46).

Service before 2008-01-01 in a contract running on that day is compensated
under the rules of the time (Art. 97 ¶3); the caller passes the start of the
service this law compensates and settles earlier years separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from service.dates import whole_months
from service.errors import N_, DomainError
from service.money import to_fen

AVERAGE_WINDOW_MONTHS = 12
HIGH_EARNER_MULTIPLE = 3
HIGH_EARNER_MAX_YEARS = Decimal(12)
HALF = Decimal("0.5")


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
    """Economic compensation and how it was reached."""

    service: ServiceLength
    years_counted: Decimal  # after the 12-year limit for high earners
    months_averaged: int  # wage months averaged: 12, or fewer for shorter service
    average_wage: Decimal  # their average, to the fen
    monthly_base: Decimal  # the monthly wage used: the average, floored, then capped
    floored: bool  # the minimum wage replaced a lower average
    capped: bool  # 3 x the city average replaced a higher one
    amount: Decimal


def service_length(first_day: date, last_day: date) -> ServiceLength:
    """Whole years, months and days of service from ``first_day`` to ``last_day``, both counted."""
    months, days = whole_months(first_day, last_day)
    years, months = divmod(months, 12)
    return ServiceLength(years, months, days)


def economic_compensation(
    *,
    service_start: date,
    last_day: date,
    monthly_wages: Sequence[Decimal],
    minimum_wage: Decimal,
    city_average_wage: Decimal,
) -> Severance:
    """Economic compensation by 劳动合同法 Art. 47 and 实施条例 Art. 27.

    ``monthly_wages`` are the gross wages earned (应得工资: with bonuses,
    allowances and subsidies) in each month before the contract ended, oldest
    first; the last 12 are averaged, or all of them when there are fewer
    (实施条例 Art. 27).  An average below ``minimum_wage`` (the city's monthly
    minimum) is raised to it.  A base above 3 x ``city_average_wage`` (the
    previous-year average monthly wage the employer's city publishes) is
    lowered to that, and then at most 12 years are paid (Art. 47 ¶2).
    The average is rounded to the fen, half up, and so is the amount.
    """
    if not monthly_wages:
        raise DomainError(N_("Enter at least one month's wage."), field="monthly_wages")
    window = monthly_wages[-AVERAGE_WINDOW_MONTHS:]
    average = to_fen(sum(window, Decimal(0)) / len(window))
    service = service_length(service_start, last_day)
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
        years_counted=years,
        months_averaged=len(window),
        average_wage=average,
        monthly_base=base,
        floored=floored,
        capped=capped,
        amount=to_fen(base * years),
    )


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
