"""The reference figures new tenants start with, and the version in force on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.cities.housing_fund import housing_fund_due
from service.cities.reference import REFERENCE, CityFigures, version_in_force
from service.cities.version_input import CityInputErrors, parse_city_version
from service.insurance.cities import MINIMUM_WAGES

D = Decimal


def test_reference_follows_the_minimum_wage_table() -> None:
    assert [(f.city, f.effective_from, f.minimum_wage_monthly) for f in REFERENCE] == [
        (m.city, m.effective, m.monthly) for m in MINIMUM_WAGES
    ]
    assert all(f.minimum_wage_hourly > 0 and f.average_wage_monthly > 0 and f.source for f in REFERENCE)
    assert all(len(f.source) <= 300 for f in REFERENCE)


@pytest.mark.parametrize(
    ("city", "average"),
    [("beijing", D("11937")), ("shanghai", D("12434")), ("hangzhou", D("8433")), ("chengdu", D("7646"))],
)
def test_average_wages(city: str, average: Decimal) -> None:
    assert {f.average_wage_monthly for f in REFERENCE if f.city == city} == {average}


def test_shanghai_and_zhejiang_averages_are_a_third_of_the_base_ceiling() -> None:
    assert D("37302") / 3 == D("12434") and D("25299") / 3 == D("8433")


def test_version_in_force() -> None:
    assert version_in_force(REFERENCE, "beijing", date(2025, 8, 31)).minimum_wage_monthly == D("2420")
    assert version_in_force(REFERENCE, "beijing", date(2025, 9, 1)).minimum_wage_monthly == D("2540")
    assert version_in_force(REFERENCE, "beijing", date(2023, 8, 31)) is None
    assert version_in_force(REFERENCE, "wuhan", date(2025, 9, 1)) is None
    extra = CityFigures("chengdu", date(2026, 1, 1), D("2500"), D("25"), D("8000"))
    assert version_in_force((*REFERENCE, extra), "chengdu", date(2026, 1, 1)) is extra


def test_parse_city_version() -> None:
    parsed = parse_city_version(
        {
            "city": " Chengdu ",
            "effective_from": "2026年1月1日",
            "minimum_wage_monthly": "2,500",
            "minimum_wage_hourly": "25",
            "average_wage_monthly": "8000.5",
            "source": " 川人社 ",
            "housing_fund_start": "hire_month",
        }
    )
    assert parsed.city == "chengdu" and parsed.effective_from == date(2026, 1, 1)
    assert parsed.minimum_wage_monthly == D("2500.00") and parsed.average_wage_monthly == D("8000.50")
    assert parsed.source == "川人社" and parsed.housing_fund_start == "hire_month"


def test_parse_city_version_collects_every_problem() -> None:
    with pytest.raises(CityInputErrors) as caught:
        parse_city_version(
            {
                "city": "成都",
                "effective_from": "2026-02-30",
                "minimum_wage_monthly": "0",
                "minimum_wage_hourly": "2.555",
                "average_wage_monthly": "",
                "source": "x" * 301,
                "housing_fund_start": "sometime",
            }
        )
    assert [e.field for e in caught.value.errors] == [
        "city",
        "effective_from",
        "minimum_wage_monthly",
        "minimum_wage_hourly",
        "average_wage_monthly",
        "source",
        "housing_fund_start",
    ]
    with pytest.raises(CityInputErrors) as too_large:
        parse_city_version(
            {
                "city": "x1",
                "effective_from": "2026-01-01",
                "minimum_wage_monthly": "1",
                "minimum_wage_hourly": "1000000",
                "average_wage_monthly": "1",
                "housing_fund_start": "next_month",
            }
        )
    assert [e.field for e in too_large.value.errors] == ["minimum_wage_hourly"]


def test_the_housing_fund_is_due_from_the_month_the_city_says() -> None:
    hired = date(2026, 1, 31)
    assert not housing_fund_due("next_month", hired, date(2026, 1, 1))
    assert housing_fund_due("next_month", hired, date(2026, 2, 1))
    assert housing_fund_due("hire_month", hired, date(2026, 1, 1))
    assert housing_fund_due("next_month", date(2025, 1, 10), date(2026, 1, 1))  # a year earlier: not this month
    assert {f.housing_fund_start for f in REFERENCE} == {"next_month"}  # every seeded city: the month after
