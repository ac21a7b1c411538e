"""City insurance policies, 2024-2025, from the reference (labor-law-cn.md), and the lookup of the
policy and the minimum wage (``service.cities.minimum_wages``) in force on a date.

Pure data plus the lookup of the version in force on a date.  Every figure is
the reference's (§2.2 for insurance, §2.3 for rounding, §5 for minimum wages)
unless a ``disputed`` note says it was chosen here; rates are fractions.
Shanghai's supplementary housing fund (补充公积金, 1-5%) is voluntary and not
modelled.  Verify each dated figure against the issuing notice before release.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

from service.cities.minimum_wages import MINIMUM_WAGES, MinimumWage
from service.cities.names import BEIJING, CHENGDU, HANGZHOU, SHANGHAI
from service.errors import N_, DomainError
from service.insurance.policy import CityPolicy, HousingFundRule, Limits, Scheme
from service.money import Rounding

D = Decimal
PENSION = Scheme(D("0.16"), D("0.08"))  # employer at the 16% cap of 国办发〔2019〕13号
HF_5_TO_12 = Limits(D("0.05"), D("0.12"))  # 条例 Art. 18 floor, the widely applied 12% ceiling
WORK_INJURY_NOTE = "work-injury rate: set per employer by risk class; the 城管 post's class must come from the local agency"


# Beijing: maternity is inside the 9.8% employer medical rate (0.8 points); the
# employee pays 2% plus 3 yuan a month for 大额医疗互助.  No local rounding rule
# was found, so every item is to the fen, half up.
def _beijing(effective: date, si_base: Limits, hf_base: Limits, *notes: str) -> CityPolicy:
    return CityPolicy(
        city=BEIJING,
        effective=effective,
        si_base=si_base,
        pension=PENSION,
        medical=Scheme(D("0.098"), D("0.02"), employee_fixed=D("3")),
        unemployment=Scheme(D("0.005"), D("0.005")),
        housing_fund=HousingFundRule(base=hf_base, rates=HF_5_TO_12),
        disputed=(*notes, WORK_INJURY_NOTE),
    )


# Shanghai rounds the employee's pension, medical and unemployment "见分进角"
# (up to the jiao) and the housing fund "精确到元，四舍五入" per side (a 2018
# calculator's README [G]; a 2025 suite still rounds the housing fund to the
# yuan).  The 见分进角 source is an employee-side calculator and says nothing
# of the employer's share, which therefore keeps the default fen half up.
# This is what reproduces the reference's Aug-2025 worked example (§2.4): the
# employee items on 7,460 are whole jiao anyway (596.80, 149.20, 37.30), and
# the employer's 0.2% injury share stays 14.92, giving the published employer
# cost 2,372.22; rounding that up to the jiao would give 15.00 and 2,372.30.
SHANGHAI_EMPLOYEE_ROUNDING = Rounding.JIAO_UP
SHANGHAI_ROUNDING_NOTE = (
    "rounding: employee SI 见分进角 and housing fund to the yuan from [G] sources; "
    "employer SI rounding not stated, fen half-up chosen"
)
SHANGHAI_MEDICAL_NOTE = (
    "medical employer 9% (Forvis 2024; 沪医保规〔2025〕2号 per a [G] suite) conflicts with 9.5% in one calculator; 9% used"
)


def _shanghai(effective: date, si_base: Limits, hf_base: Limits, *notes: str) -> CityPolicy:
    def scheme(employer: str, employee: str) -> Scheme:
        return Scheme(D(employer), D(employee), employee_rounding=SHANGHAI_EMPLOYEE_ROUNDING)

    return CityPolicy(
        city=SHANGHAI,
        effective=effective,
        si_base=si_base,
        pension=scheme("0.16", "0.08"),
        medical=scheme("0.09", "0.02"),
        unemployment=scheme("0.005", "0.005"),
        housing_fund=HousingFundRule(base=hf_base, rates=Limits(D("0.05"), D("0.07")), rounding=Rounding.YUAN_HALF_UP),
        disputed=(SHANGHAI_MEDICAL_NOTE, SHANGHAI_ROUNDING_NOTE, *notes, WORK_INJURY_NOTE),
    )


POLICIES: tuple[CityPolicy, ...] = (
    _beijing(
        date(2024, 7, 1),
        Limits(D("6821"), D("35283")),
        Limits(D("2420"), D("35283")),
        "effective 2024-07-01 chosen: the reference gives the 2024 figures without a "
        "start date; Beijing's base year runs from July",
    ),
    _beijing(
        date(2025, 7, 1),
        Limits(D("7162"), D("35811")),
        Limits(D("2540"), D("35811")),
        "housing-fund base 2,540-35,811 from one [G] source, notice not checked",
    ),
    _shanghai(
        date(2024, 7, 1),
        Limits(D("7384"), D("36921")),
        Limits(D("2690"), D("36921")),
        "effective 2024-07-01 chosen (the 2025 bases start 2025-07-01); housing-fund "
        "base chosen: the 2025 floor 2,690 (the minimum wage until 2025-06) and the "
        "2024 SI ceiling, as Shanghai's fund ceiling equals the SI ceiling in 2025",
    ),
    _shanghai(
        date(2025, 7, 1),
        Limits(D("7460"), D("37302")),
        Limits(D("2690"), D("37302")),
        "housing-fund floor 2,690 equals the minimum wage before 2025-07-01 (2,740 after); check the fund's 2025 notice",
    ),
    CityPolicy(
        city=HANGZHOU,
        effective=date(2025, 1, 1),
        si_base=Limits(D("4986"), D("25299")),  # 浙人社发〔2025〕52号 (Zhejiang base)
        pension=PENSION,
        medical=Scheme(D("0.095"), D("0.02")),
        unemployment=Scheme(D("0.005"), D("0.005")),
        housing_fund=HousingFundRule(base=Limits(D("2490"), D("40694")), rates=HF_5_TO_12),
        disputed=(
            (
                "effective 2025-01-01 chosen: the reference gives no start date, and one "
                "file dates the 4,986 floor to 2026 with a 24,930 ceiling"
            ),
            "housing-fund ceiling 40,694 or 42,151 (sources disagree); the lower is used, far above any 协管员 wage either way",
            "medical 9.5%/2% and unemployment 0.5%/0.5% from [G] sources only",
            WORK_INJURY_NOTE,
        ),
    ),
    CityPolicy(
        city=CHENGDU,
        effective=date(2025, 7, 1),
        # 川人社办发〔2025〕39号: 60%-300% of the Sichuan average wage 7,646.
        si_base=Limits(D("4588"), D("22938")),
        pension=PENSION,
        medical=Scheme(D("0.0755"), D("0.02")),
        unemployment=Scheme(D("0.006"), D("0.004")),
        housing_fund=HousingFundRule(base=Limits(D("2330"), D("31378")), rates=HF_5_TO_12),
        disputed=(
            "effective 2025-07-01 chosen: the reference gives no start date",
            (
                "medical not confirmed: one file gives about 6.75%-7.55% on a fixed 7,646 "
                "base; 7.55% (the top, so cost is not understated) on the SI base and the "
                "usual 2% employee share chosen"
            ),
            (
                "unemployment 0.6%/0.4% and housing-fund base 2,330-31,378 from one "
                "unverified file; housing-fund rates 5%-12% assumed (national floor, "
                "customary ceiling)"
            ),
            WORK_INJURY_NOTE,
        ),
    ),
)


class _Versioned(Protocol):
    @property
    def city(self) -> str: ...

    @property
    def effective(self) -> date: ...


V = TypeVar("V", bound=_Versioned)


def _in_force(versions: Sequence[V], city: str, on: date) -> V:
    """The city's latest version effective on or before ``on``."""
    candidates = [v for v in versions if v.city == city and v.effective <= on]
    if not candidates:
        raise DomainError(N_("No rules for {city} are in force on {on}."), field="city", city=city, on=on)
    return max(candidates, key=lambda v: v.effective)


def policy_for(city: str, on: date) -> CityPolicy:
    """The insurance policy in force in ``city`` on ``on``."""
    return _in_force(POLICIES, city, on)


def minimum_wage_for(city: str, on: date) -> MinimumWage:
    """The monthly minimum wage in force in ``city`` on ``on``."""
    return _in_force(MINIMUM_WAGES, city, on)
