"""Monthly minimum wages by city and effective date, from the reference (labor-law-cn.md §5).

City reference data, below payroll (which checks a month's pay against it,
``service.payroll.minimum_wage``) and insurance (which looks up the figure in
force, ``service.insurance.cities.minimum_wage_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from service.cities.names import BEIJING, CHENGDU, HANGZHOU, SHANGHAI

D = Decimal


@dataclass(frozen=True)
class MinimumWage:
    """One city's monthly minimum wage from ``effective`` on."""

    city: str
    effective: date
    monthly: Decimal
    excludes_employee_contributions: bool  # Beijing and Shanghai
    disputed: tuple[str, ...] = ()


# §5.  Beijing and Shanghai leave the employee's SI and housing fund out of the
# pay compared with the minimum; the reference says nothing of that for
# Hangzhou and Chengdu, so there they count (the national default).
MINIMUM_WAGES: tuple[MinimumWage, ...] = (
    MinimumWage(
        BEIJING,
        date(2023, 9, 1),
        D("2420"),
        excludes_employee_contributions=True,
        disputed=("start date 2023-09-01 not in the reference",),
    ),
    MinimumWage(BEIJING, date(2025, 9, 1), D("2540"), excludes_employee_contributions=True),
    MinimumWage(
        SHANGHAI,
        date(2023, 7, 1),
        D("2690"),
        excludes_employee_contributions=True,
        disputed=("start date 2023-07-01 not in the reference",),
    ),
    MinimumWage(SHANGHAI, date(2025, 7, 1), D("2740"), excludes_employee_contributions=True),
    MinimumWage(
        HANGZHOU,
        date(2024, 1, 1),
        D("2490"),
        excludes_employee_contributions=False,
        disputed=("treatment of employee SI and housing fund not in the reference",),
    ),
    MinimumWage(
        CHENGDU,
        date(2025, 7, 1),
        D("2330"),  # Sichuan tier 1; Chengdu's district tiers are not confirmed
        excludes_employee_contributions=False,
        disputed=(
            "start date unknown: only known to be in force on 2025-07-01",
            "treatment of employee SI and housing fund not in the reference",
        ),
    ),
)
