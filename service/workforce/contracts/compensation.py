"""The economic compensation shown on the termination form and stored with it.

The figure itself is ``severance.economic_compensation`` (劳动合同法 Art. 47,
实施条例 Art. 27); this module gathers its inputs:

* service starts on the worker's hire date and ends on the termination date;
* the monthly wages are the contract wage in force in each of the last 12
  months (the probation pay inside probation).  Art. 27 asks for the wages
  actually earned, bonuses and allowances included: payroll will supply them
  once payroll runs exist, and this function is where they will come in;
* the minimum wage and the city's previous-year average wage come from the
  tenant's ``city_parameters`` in force on the termination date for the
  worker's city.  When the city is unknown or has no figures, the figure is
  computed without the minimum-wage floor and without the high-earner cap,
  and the form says so: no figure is ever made up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from service.cities import actions as cities
from service.cities.reference import CityFigures
from service.dates import add_months
from service.errors import N_, DomainError
from service.money import ZERO
from service.workforce.contracts.severance import (
    AVERAGE_WINDOW_MONTHS,
    Severance,
    TerminationReason,
    economic_compensation,
)
from service.workforce.contracts.state import last_day as contract_last_day
from service.workforce.models import Contract, ContractStatus, Worker
from tenants.isolation import TenantSession


@dataclass(frozen=True)
class SeveranceFigure:
    """What the termination form shows, and the basis the audit trail keeps."""

    service_start: date
    last_day: date
    monthly_wages: tuple[Decimal, ...]  # oldest first
    city: str | None  # the worker's city code, None when unknown
    figures: CityFigures | None  # None: no floor, no cap applied
    result: Severance

    @property
    def without_city_figures(self) -> bool:
        return self.figures is None

    def amount_for(self, reason: TerminationReason) -> Decimal:
        return self.result.amount if reason.compensation_due else ZERO

    def basis(self) -> dict:
        """A JSON-able summary for the audit trail."""
        return {
            "service_start": self.service_start.isoformat(),
            "last_day": self.last_day.isoformat(),
            "monthly_wages": [str(w) for w in self.monthly_wages],
            "city": self.city,
            "city_figures_from": self.figures.effective_from.isoformat() if self.figures else None,
            "minimum_wage": str(self.figures.minimum_wage_monthly) if self.figures else None,
            "city_average_wage": str(self.figures.average_wage_monthly) if self.figures else None,
            "years_counted": str(self.result.years_counted),
            "monthly_base": str(self.result.monthly_base),
            "amount": str(self.result.amount),
        }


def _wage_on(contracts: Sequence[Contract], day: date) -> Decimal | None:
    for contract in contracts:
        if contract.status is ContractStatus.DRAFT:
            continue
        end = contract_last_day(contract)
        if contract.start_date <= day and (end is None or day <= end):
            in_probation = contract.probation_end is not None and day <= contract.probation_end
            if in_probation and contract.probation_wage is not None:
                return contract.probation_wage
            return contract.wage
    return None


def monthly_wages(contracts: Sequence[Contract], service_start: date, last_day: date) -> list[Decimal]:
    """The contract wage for each of the (up to 12) months of service ending on ``last_day``, oldest first.

    Each month is represented by its last day (``last_day``, then the same
    date one month earlier, and so on) and takes the wage of the signed
    contract covering that day; a month no contract covers is left out
    rather than guessed.  Service shorter than a year gives fewer months
    (实施条例 Art. 27: "不满12个月的，按照实际工作的月数计算平均工资").
    """
    wages: list[Decimal] = []
    for back in range(AVERAGE_WINDOW_MONTHS):
        day = add_months(last_day, -back)
        if day < service_start:
            break
        wage = _wage_on(contracts, day)
        if wage is not None:
            wages.append(wage)
    return wages[::-1]


def compute(
    *,
    service_start: date,
    last_day: date,
    wages: Sequence[Decimal],
    city: str | None,
    figures: CityFigures | None,
) -> SeveranceFigure:
    if figures is not None:
        minimum_wage, city_average = figures.minimum_wage_monthly, figures.average_wage_monthly
    else:
        # Without the city's figures: no floor (a minimum of zero never raises
        # the average) and no cap (three times the highest wage is never below
        # the average).  The form says both are missing.
        minimum_wage, city_average = ZERO, max(wages, default=ZERO)
    result = economic_compensation(
        service_start=service_start,
        last_day=last_day,
        monthly_wages=list(wages),
        minimum_wage=minimum_wage,
        city_average_wage=city_average,
        # The form does not ask whether the rules before 2008 compensated this ending: it counts all the
        # service and tells the user to check the part before 2008 (劳动合同法 Art. 97 ¶3).
        pre_2008_compensable=True,
    )
    return SeveranceFigure(service_start, last_day, tuple(wages), city, figures, result)


def city_figures(db: TenantSession, city: str | None, on: date) -> CityFigures | None:
    if not city:
        return None
    row = cities.in_force(db, city, on)
    return None if row is None else cities.figures(row)


def severance_for(db: TenantSession, worker: Worker, contracts: Sequence[Contract], terminated_on: date) -> SeveranceFigure:
    """The figure for ending the worker's service on ``terminated_on``.

    ``contracts`` are the worker's contracts (the wages come from them).
    """
    if terminated_on < worker.hire_date:
        raise DomainError(
            N_("The termination date is before the worker's hire date ({hire_date})."),
            field="terminated_on",
            hire_date=worker.hire_date,
        )
    wages = monthly_wages(contracts, worker.hire_date, terminated_on)
    if not wages:
        raise DomainError(
            N_("No signed contract covers the months before {day}: the wage is unknown."),
            field="terminated_on",
            day=terminated_on,
        )
    city = worker.city
    return compute(
        service_start=worker.hire_date,
        last_day=terminated_on,
        wages=wages,
        city=city,
        figures=city_figures(db, city, terminated_on),
    )
