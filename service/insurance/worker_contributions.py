"""One worker's monthly contributions: which base, which rates, then the pure rule.

The base is the worker's declared ``contribution_base`` or, when none is
declared, the city's previous-year average monthly wage (the figure bases are
declared on, 住房公积金管理条例 Art. 16; 国办发〔2019〕13号); ``monthly_contributions``
clamps it to the policy's limits, social insurance and housing fund each to
their own.  The tenant's rates come from its per-city settings; a rate not
chosen yet is assumed at its lowest (the housing-fund floor of the city's
range, the lowest work-injury class rate) and said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from service.cities.actions import in_force as city_figures_in_force
from service.cities.names import CITY_NAMES
from service.errors import N_, DomainError, Label
from service.insurance.contributions import Contributions, monthly_contributions
from service.insurance.policy import CityPolicy, Limits
from service.insurance.store import policy_in_force, setting_for
from tenants.isolation import TenantSession

# 人社部发〔2015〕71号: 8 classes at 0.2%-1.9%; class I may float up to +50%,
# classes II-VIII up or down by 20% or 50%, so a rate lies in 0.2%-2.85%.
# (The floating steps are from the notice, not the reference: verify.)
WORK_INJURY_RATES = Limits(Decimal("0.002"), Decimal("0.0285"))

DECLARED = "declared"
CITY_AVERAGE = "city_average"

FLOOR = "floor"
CEILING = "ceiling"
WITHIN = "within"


def percent(rate: Decimal) -> str:
    """0.098 -> '9.8%'."""
    return f"{(rate * 100).normalize():f}%"


def check_rates(policy: CityPolicy, housing_fund_rate: Decimal | None, work_injury_rate: Decimal | None) -> list[DomainError]:
    """Every problem with a tenant's rates for the policy's city (None = not chosen)."""
    errors: list[DomainError] = []
    hf = policy.housing_fund.rates
    if housing_fund_rate is not None and not hf.contains(housing_fund_rate):
        errors.append(
            DomainError(
                N_("The housing-fund rate must be between {lower} and {upper} in {city}."),
                field="housing_fund_rate",
                lower=percent(hf.lower),
                upper=percent(hf.upper),
                city=Label(CITY_NAMES.get(policy.city, policy.city)),
            )
        )
    # WORK_INJURY_RATES lies within 0-1, so this is also ``check_rate``'s test.
    if work_injury_rate is not None and not WORK_INJURY_RATES.contains(work_injury_rate):
        errors.append(
            DomainError(
                N_("The work-injury rate must be between {lower} and {upper}."),
                field="work_injury_rate",
                lower=percent(WORK_INJURY_RATES.lower),
                upper=percent(WORK_INJURY_RATES.upper),
            )
        )
    return errors


def clamp_reason(wage: Decimal, limits: Limits) -> str:
    if wage < limits.lower:
        return FLOOR
    if wage > limits.upper:
        return CEILING
    return WITHIN


@dataclass(frozen=True)
class WorkerContributions:
    """The month's amounts with how they were reached, for the preview page."""

    policy: CityPolicy
    wage: Decimal  # the base before clamping
    wage_source: str  # DECLARED or CITY_AVERAGE
    si_reason: str  # FLOOR, CEILING or WITHIN
    hf_reason: str
    housing_fund_rate: Decimal
    housing_fund_rate_assumed: bool
    work_injury_rate: Decimal
    work_injury_rate_assumed: bool
    amounts: Contributions


def worker_month(
    policy: CityPolicy,
    contribution_base: Decimal | None,
    average_wage: Decimal | None,
    housing_fund_rate: Decimal | None,
    work_injury_rate: Decimal | None,
) -> WorkerContributions:
    """Pure: the worker's base (declared, else the city average), the rates
    (chosen, else the lowest), and ``monthly_contributions``."""
    if contribution_base is not None:
        wage, source = contribution_base, DECLARED
    elif average_wage is not None:
        wage, source = average_wage, CITY_AVERAGE
    else:
        raise DomainError(
            N_("No contribution base: declare one for the worker or add the city's average wage."),
            field="contribution_base",
        )
    hf_rate = policy.housing_fund.rates.lower if housing_fund_rate is None else housing_fund_rate
    injury_rate = WORK_INJURY_RATES.lower if work_injury_rate is None else work_injury_rate
    errors = check_rates(policy, hf_rate, injury_rate)
    if errors:
        raise errors[0]
    amounts = monthly_contributions(policy, wage, wage, hf_rate, injury_rate)
    return WorkerContributions(
        policy=policy,
        wage=wage,
        wage_source=source,
        si_reason=clamp_reason(wage, policy.si_base),
        hf_reason=clamp_reason(wage, policy.housing_fund.base),
        housing_fund_rate=hf_rate,
        housing_fund_rate_assumed=housing_fund_rate is None,
        work_injury_rate=injury_rate,
        work_injury_rate_assumed=work_injury_rate is None,
        amounts=amounts,
    )


def for_worker(db: TenantSession, worker, on: date) -> WorkerContributions:
    """Read what the worker's month needs (policy, average wage, tenant rates) and compute it."""
    if not worker.city:
        raise DomainError(N_("The worker has no insurance city."), field="city")
    policy = policy_in_force(db, worker.city, on)
    if policy is None:
        raise DomainError(
            N_("No insurance policy for {city} is in force on {on}."),
            field="city",
            city=Label(CITY_NAMES.get(worker.city, worker.city)),
            on=on.isoformat(),
        )
    figures = city_figures_in_force(db, worker.city, on)
    setting = setting_for(db, worker.city)
    return worker_month(
        policy,
        worker.contribution_base,
        None if figures is None else figures.average_wage_monthly,
        None if setting is None else setting.housing_fund_rate,
        None if setting is None else setting.work_injury_rate,
    )


def preview_for_worker(db: TenantSession, worker, on: date) -> tuple[WorkerContributions | None, DomainError | None]:
    """``for_worker`` for the preview page, which shows a worker whose month cannot be computed yet
    (no city, no policy, no base) with the reason instead of the amounts: not a refused request."""
    try:
        return for_worker(db, worker, on), None
    except DomainError as problem:
        return None, problem
