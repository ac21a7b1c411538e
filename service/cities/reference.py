"""The reference figures every new tenant starts with, and the pure lookup of
the version in force on a day.

Minimum wages (monthly) are those of ``minimum_wages.MINIMUM_WAGES``
(labor-law-cn.md §5); hourly minimums are the part-time ones of §5 (the
figure 劳动合同法 Art. 72 compares with).  The previous-year average monthly
wage is the reference's where it gives one (Chengdu/Sichuan 7,646 §2.2;
Beijing 11,937 §3, "2024 per [G]"); for Shanghai and Hangzhou the reference
gives none, so it is derived from the social-insurance base ceiling, which is
300% of it (§2.2: 37,302 / 3 = 12,434; Zhejiang 25,299 / 3 = 8,433).  Each
row's ``source`` says where its figures come from; the tenant's admin corrects
them on the cities page, with history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from service.cities.housing_fund import DEFAULT_START
from service.cities.minimum_wages import MINIMUM_WAGES
from service.cities.names import BEIJING, CHENGDU, HANGZHOU, SHANGHAI

D = Decimal


@dataclass(frozen=True)
class CityFigures:
    """One version of a city's figures, in force from ``effective_from``."""

    city: str
    effective_from: date
    minimum_wage_monthly: Decimal
    minimum_wage_hourly: Decimal
    average_wage_monthly: Decimal
    source: str = ""
    housing_fund_start: str = DEFAULT_START.value  # every seeded city: the month after the hire month


# Part-time hourly minimum per (city, effective date of the monthly figure).
_HOURLY: dict[tuple[str, date], tuple[Decimal, str]] = {
    (BEIJING, date(2023, 9, 1)): (
        D("26.4"),
        "小时最低工资 26.4 元不在参考资料中（取自 2023 年通知，待核实）",
    ),
    (BEIJING, date(2025, 9, 1)): (D("27.7"), "非全日制小时最低工资 27.7 元（参考资料第5节）"),
    (SHANGHAI, date(2023, 7, 1)): (
        D("24"),
        "小时最低工资 24 元不在参考资料中（取自 2023 年通知，待核实）",
    ),
    (SHANGHAI, date(2025, 7, 1)): (D("25"), "小时最低工资 25 元（参考资料第5节）"),
    (HANGZHOU, date(2024, 1, 1)): (D("24"), "小时最低工资 24 元（参考资料第5节，第三方数据）"),
    (CHENGDU, date(2025, 7, 1)): (D("23"), "小时最低工资 23 元，四川一类地区（参考资料第5节，第三方数据）"),
}

# Previous-year average monthly wage per city, with where it comes from.
_AVERAGE: dict[str, tuple[Decimal, str]] = {
    BEIJING: (D("11937"), "月平均工资 11,937 元：北京 2024 年（参考资料第3节，第三方数据）"),
    SHANGHAI: (D("12434"), "月平均工资由社保缴费基数上限 37,302 ÷ 3 推算（300% 规则，参考资料第2.2节）"),
    HANGZHOU: (D("8433"), "月平均工资由浙江社保缴费基数上限 25,299 ÷ 3 推算（300% 规则，参考资料第2.2节）"),
    CHENGDU: (D("7646"), "月平均工资 7,646 元：四川，川人社办发〔2025〕39号（参考资料第2.2节）"),
}


def _reference() -> tuple[CityFigures, ...]:
    rows = []
    for minimum in MINIMUM_WAGES:
        hourly, hourly_source = _HOURLY[(minimum.city, minimum.effective)]
        average, average_source = _AVERAGE[minimum.city]
        monthly_note = f"月最低工资 {minimum.monthly} 元，自 {minimum.effective} 起执行（参考资料第5节）"
        notes = [monthly_note, hourly_source, average_source]
        if minimum.disputed:  # the details are in English in service/insurance/cities.py
            notes.append("部分数据存疑，见参考资料第6节，使用前请向当地主管部门核实")
        rows.append(
            CityFigures(
                city=minimum.city,
                effective_from=minimum.effective,
                minimum_wage_monthly=minimum.monthly,
                minimum_wage_hourly=hourly,
                average_wage_monthly=average,
                source="；".join(notes)[:300],
            )
        )
    return tuple(rows)


REFERENCE: tuple[CityFigures, ...] = _reference()


def version_in_force(versions: Iterable[CityFigures], city: str, on: date) -> CityFigures | None:
    """The city's latest version effective on or before ``on``; None before the first one."""
    candidates = [v for v in versions if v.city == city and v.effective_from <= on]
    return max(candidates, key=lambda v: v.effective_from) if candidates else None
