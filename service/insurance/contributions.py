"""One month's social insurance and housing-fund contributions for one worker.

The base is the worker's wage clamped to the city's limits (60%-300% of the
average wage for social insurance, 国办发〔2019〕13号); the housing fund has
its own base and limits (住房公积金管理条例 Art. 16).  Every item and side is
rounded on its own by the city's rule, then added: totals are sums of what is
actually paid, never a rounding of a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from service.errors import N_, DomainError
from service.insurance.policy import CityPolicy, Scheme, check_rate
from service.money import ZERO, apply_rounding


def clamp_base(wage: Decimal, lower: Decimal, upper: Decimal) -> Decimal:
    """The contribution base: the wage, raised to ``lower`` or cut to ``upper``."""
    if wage < 0:
        raise DomainError(N_("The amount must not be negative."), field="wage")
    if lower > upper:
        raise DomainError(N_("The lower limit must not exceed the upper limit."), field="lower")
    return min(max(wage, lower), upper)


@dataclass(frozen=True)
class Split:
    """One item's monthly amount, employer side and employee side."""

    employer: Decimal
    employee: Decimal = ZERO


NOTHING = Split(ZERO)


@dataclass(frozen=True)
class Contributions:
    si_base: Decimal
    hf_base: Decimal
    pension: Split
    medical: Split
    unemployment: Split
    maternity: Split  # NOTHING where merged into medical
    work_injury: Split  # employer only
    housing_fund: Split

    def social_insurance(self) -> tuple[Split, ...]:
        return (self.pension, self.medical, self.unemployment, self.maternity, self.work_injury)

    @property
    def employee_social_insurance(self) -> Decimal:
        return sum((s.employee for s in self.social_insurance()), ZERO)

    @property
    def employee_total(self) -> Decimal:
        """What the worker pays: 三险一金, the 专项扣除 for income tax."""
        return self.employee_social_insurance + self.housing_fund.employee

    @property
    def employer_total(self) -> Decimal:
        """What the employer pays on top of gross pay, housing fund included."""
        return sum((s.employer for s in (*self.social_insurance(), self.housing_fund)), ZERO)


def _split(scheme: Scheme, base: Decimal) -> Split:
    return Split(
        employer=apply_rounding(base * scheme.employer_rate, scheme.employer_rounding),
        employee=apply_rounding(base * scheme.employee_rate, scheme.employee_rounding) + scheme.employee_fixed,
    )


def monthly_contributions(
    policy: CityPolicy,
    si_base_wage: Decimal,
    hf_base_wage: Decimal,
    housing_fund_rate: Decimal,
    injury_rate: Decimal,
    *,
    housing_fund_due: bool = True,
) -> Contributions:
    """Employer and employee amounts per item for one month.

    ``si_base_wage`` and ``hf_base_wage`` are the wages the bases are declared
    on (usually last year's monthly average; a new hire's first wage);
    ``housing_fund_rate`` is the employer's chosen rate, which must lie in the
    city's range; ``injury_rate`` is the employer's risk-class rate.
    ``housing_fund_due`` False: no housing fund this month, either side (a new
    hire's first month where the city starts it the month after,
    ``service.cities.housing_fund``).
    """
    hf = policy.housing_fund
    if not hf.rates.contains(housing_fund_rate):
        raise DomainError(
            N_("The housing-fund rate must be between {lower} and {upper} in {city}."),
            field="housing_fund_rate",
            lower=hf.rates.lower,
            upper=hf.rates.upper,
            city=policy.city,
        )
    check_rate(injury_rate, "injury_rate")
    si_base = clamp_base(si_base_wage, policy.si_base.lower, policy.si_base.upper)
    hf_base = clamp_base(hf_base_wage, hf.base.lower, hf.base.upper)
    hf_amount = apply_rounding(hf_base * housing_fund_rate, hf.rounding)
    return Contributions(
        si_base=si_base,
        hf_base=hf_base,
        pension=_split(policy.pension, si_base),
        medical=_split(policy.medical, si_base),
        unemployment=_split(policy.unemployment, si_base),
        maternity=NOTHING if policy.maternity is None else _split(policy.maternity, si_base),
        work_injury=Split(employer=apply_rounding(si_base * injury_rate, policy.work_injury_rounding)),
        housing_fund=Split(employer=hf_amount, employee=hf_amount) if housing_fund_due else NOTHING,
    )
