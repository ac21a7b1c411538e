"""A city's social insurance and housing-fund policy, as data that checks itself.

Who pays what is national law: pension, medical and unemployment are paid by
employer and employee; work injury and maternity by the employer alone
(社会保险法 Arts. 10, 23, 33, 44, 53).  Bases, rates and rounding are local
(reference §2.2-2.3), so each city version carries its own, per item and per
side.  Maternity was merged into medical in 2019 (reference §2.1); where a
city has merged it, as all four cities here are modelled, ``maternity`` is None.

The work-injury rate is not a city figure: the agency sets it per employer by
industry risk class (8 classes, 0.2%-1.9% before floating, 人社部发〔2015〕71号),
so the caller supplies it with each calculation; the policy fixes only how the
amount is rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from service.errors import N_, DomainError
from service.money import ZERO, Rounding


@dataclass(frozen=True)
class Limits:
    """A closed range: contribution base limits, or a permitted rate range."""

    lower: Decimal
    upper: Decimal

    def contains(self, value: Decimal) -> bool:
        return self.lower <= value <= self.upper


@dataclass(frozen=True)
class Scheme:
    """Rates and rounding of one social insurance item, both sides."""

    employer_rate: Decimal
    employee_rate: Decimal
    employee_fixed: Decimal = ZERO  # a flat monthly sum, e.g. Beijing 大额医疗 3 yuan
    employer_rounding: Rounding = Rounding.FEN_HALF_UP
    employee_rounding: Rounding = Rounding.FEN_HALF_UP


@dataclass(frozen=True)
class HousingFundRule:
    """Housing fund: base limits, the rates an employer may choose, and rounding.

    Employer and employee pay the same chosen rate on the same base
    (住房公积金管理条例 Arts. 16, 18), each side rounded by ``rounding``.
    """

    base: Limits
    rates: Limits
    rounding: Rounding = Rounding.FEN_HALF_UP


@dataclass(frozen=True)
class CityPolicy:
    """One city's rules in force from ``effective`` until the next version."""

    city: str
    effective: date
    si_base: Limits
    pension: Scheme
    medical: Scheme
    unemployment: Scheme
    housing_fund: HousingFundRule
    maternity: Scheme | None = None  # only where not merged into medical
    work_injury_rounding: Rounding = Rounding.FEN_HALF_UP
    # Figures the reference marks as conflicting or lacks, with the choice made.
    disputed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_limits(self.si_base, "si_base", is_rate=False)
        _check_limits(self.housing_fund.base, "housing_fund.base", is_rate=False)
        _check_limits(self.housing_fund.rates, "housing_fund.rates", is_rate=True)
        for name, scheme in self.schemes():
            for side in ("employer_rate", "employee_rate"):
                check_rate(getattr(scheme, side), f"{name}.{side}")
            if scheme.employee_fixed < 0:
                raise DomainError(N_("The amount must not be negative."), field=f"{name}.employee_fixed")
        if self.maternity is not None and (self.maternity.employee_rate or self.maternity.employee_fixed):
            # 社会保险法 Art. 53: the employee pays no maternity insurance.
            raise DomainError(N_("Employees pay no maternity insurance."), field="maternity.employee_rate")

    def schemes(self) -> tuple[tuple[str, Scheme], ...]:
        """The rate-table items by name, maternity only where separate."""
        named = (
            ("pension", self.pension),
            ("medical", self.medical),
            ("unemployment", self.unemployment),
            ("maternity", self.maternity),
        )
        return tuple((name, scheme) for name, scheme in named if scheme is not None)


def check_rate(rate: Decimal, field: str) -> None:
    """Refuse a rate outside 0-1 (rates are fractions: 8% is 0.08)."""
    if not 0 <= rate <= 1:
        raise DomainError(N_("A rate must be between 0 and 1."), field=field)


def _check_limits(limits: Limits, field: str, *, is_rate: bool) -> None:
    if is_rate:
        check_rate(limits.lower, field)
        check_rate(limits.upper, field)
    elif limits.lower < 0:
        raise DomainError(N_("The amount must not be negative."), field=field)
    if limits.lower > limits.upper:
        raise DomainError(N_("The lower limit must not exceed the upper limit."), field=field)
