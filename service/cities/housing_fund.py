"""When a new hire's housing fund starts: a per-city setting on the city's figures.

住房公积金管理条例 Art. 17 has those who start working contribute from their
second month, and the reference the seeded figures come from (labor-law-cn.md
§2.1) reads it as "new hires start in month 2"; so every seeded city starts
the fund in the month after the hire month.  Local practice differs (a worker
transferring from another employer may be due from the month the new employer
first pays wages), so each version of a city's figures says which month the
payroll uses, and the admin can change it with the other figures.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from service.errors import N_


class HousingFundStart(str, Enum):
    HIRE_MONTH = "hire_month"
    NEXT_MONTH = "next_month"


DEFAULT_START = HousingFundStart.NEXT_MONTH  # the seeded cities' rule (Art. 17, reference §2.1)

START_LABELS = {
    HousingFundStart.HIRE_MONTH: N_("From the month of hire"),
    HousingFundStart.NEXT_MONTH: N_("From the month after the hire month"),
}
START_EXPLANATIONS = {
    HousingFundStart.HIRE_MONTH: N_(
        "A worker hired in a month pays the housing fund, and the company its share, already in that month's payroll."
    ),
    HousingFundStart.NEXT_MONTH: N_(
        "A worker hired in a month pays no housing fund in that month's payroll; both shares start the month after "
        "(Housing Provident Fund Regulations Art. 17: new hires contribute from their second month)."
    ),
}


def housing_fund_due(start: str, hire_date: date, month: date) -> bool:
    """Pure: whether the housing fund is paid in ``month`` for a worker hired on ``hire_date``."""
    first = month.replace(day=1)
    hired_this_month = (hire_date.year, hire_date.month) == (first.year, first.month)
    return not (hired_this_month and start == HousingFundStart.NEXT_MONTH.value)
