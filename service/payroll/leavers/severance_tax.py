"""Individual income tax on one-off compensation for ending employment (财税〔2018〕164号 Art. 5(1)).

"个人与用人单位解除劳动关系取得一次性补偿收入（包括用人单位发放的经济补偿金、
生活补助费和其他补助费），在当地上年职工平均工资3倍数额以内的部分，免征个人所得税；
超过3倍数额的部分，不并入当年综合所得，单独适用综合所得税率表，计算纳税。"

So the part up to 3 × the local previous-year average annual wage is exempt,
and the excess is taxed on its own by the annual comprehensive-income table
(``income_tax.ANNUAL_RATE_TABLE``, the same 3%-45% bands), with no basic
deduction and apart from the year's wages.  Amounts are in yuan; the tax is
rounded once, to the fen, half up (ROUND_HALF_UP).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from service.errors import N_, DomainError
from service.money import ZERO, to_fen
from service.payroll.tax.income_tax import annual_tax

EXEMPT_MULTIPLE = 3
BASIS = "财税〔2018〕164号 Art. 5(1); 个人所得税法 Art. 3"


@dataclass(frozen=True)
class SeveranceTax:
    payment: Decimal  # the one-off compensation income
    exempt_limit: Decimal  # 3 × the local previous-year average annual wage
    exempt: Decimal  # the part within it
    taxable: Decimal  # the part above it, taxed on its own
    tax: Decimal
    basis: str = BASIS

    @property
    def net(self) -> Decimal:
        return self.payment - self.tax


def severance_tax(payment: Decimal, local_average_annual_wage: Decimal) -> SeveranceTax:
    """The tax on ``payment``, the one-off compensation a leaver receives from the employer (经济补偿,
    生活补助费 and other subsidies; the 2N 赔偿金 too, it replaces the compensation).

    ``local_average_annual_wage`` is the previous year's average annual wage
    of the place (12 × the city's average monthly wage where only that is
    published).
    """
    if payment < 0:
        raise DomainError(N_("The amount must not be negative."), field="payment")
    if local_average_annual_wage < 0:
        raise DomainError(N_("The amount must not be negative."), field="local_average_annual_wage")
    limit = to_fen(local_average_annual_wage * EXEMPT_MULTIPLE)
    exempt = min(payment, limit)
    taxable = max(payment - limit, ZERO)
    return SeveranceTax(
        payment=to_fen(payment),
        exempt_limit=limit,
        exempt=to_fen(exempt),
        taxable=to_fen(taxable),
        tax=annual_tax(taxable),
    )
