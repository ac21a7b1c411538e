"""Whether a month's pay meets the local monthly minimum wage (劳动法 Art. 48).

Overtime pay and special-condition allowances (middle and night shift, heat,
cold, underground, toxic work) never count towards the minimum (最低工资规定
Art. 12).  Beijing and Shanghai also leave out the employee's own social
insurance and housing fund, so the pay compared is net of them there
(reference §2.4, §5); other cities count them unless their rule says not.

The check assumes a full month of normal working time, which is what the
monthly minimum is set for; a dispatched worker waiting between placements
is also owed it (劳动合同法 Art. 58).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from service.cities.minimum_wages import MinimumWage
from service.errors import N_, DomainError
from service.money import ZERO, to_fen


@dataclass(frozen=True)
class MonthPay:
    """The parts of a month's gross pay that the minimum-wage rule looks at."""

    gross: Decimal  # everything paid for the month, before any deduction
    overtime: Decimal = ZERO
    special_allowances: Decimal = ZERO
    employee_contributions: Decimal = ZERO  # employee SI and housing fund

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) < 0:
                raise DomainError(N_("The amount must not be negative."), field=field.name)
        if self.overtime + self.special_allowances > self.gross:
            raise DomainError(N_("Overtime and allowances cannot exceed the gross pay."), field="gross")


@dataclass(frozen=True)
class MinimumWageCheck:
    counted_pay: Decimal  # the pay compared with the minimum
    minimum: Decimal
    shortfall: Decimal  # what must be added to meet it; 0 when met

    @property
    def meets(self) -> bool:
        return self.shortfall == ZERO


def check_minimum_wage(pay: MonthPay, standard: MinimumWage) -> MinimumWageCheck:
    """Compare the pay that counts with the city's monthly minimum."""
    counted = pay.gross - pay.overtime - pay.special_allowances
    if standard.excludes_employee_contributions:
        counted -= pay.employee_contributions
    counted = to_fen(counted)
    return MinimumWageCheck(
        counted_pay=counted,
        minimum=standard.monthly,
        shortfall=to_fen(max(standard.monthly - counted, ZERO)),
    )
