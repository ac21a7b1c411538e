"""Salary band rules: the table in force, the pay of a cell, refusals."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import pytest

from service.assessment.ratings import Rating
from service.errors import DomainError
from service.payroll.bands.rules import (
    RATINGS,
    BandCell,
    BandInputErrors,
    band_in_force,
    band_pay,
    cell_field,
    form_fields,
    parse_band_form,
    validate_cells,
)
from service.workforce.models import GRADES

D = Decimal
BUREAU, BUREAU_ID, OTHER_ID = "成都市锦江区城市管理和综合行政执法局", 7, 8
BUREAUS = {BUREAU: BUREAU_ID}


@dataclass
class Table:
    bureau_id: int | None
    effective_from: date


def full_cells() -> list[BandCell]:
    return [BandCell(g, r, D(2000 + 100 * g), D(300), performance_pay=D(500 - 100 * r.rank)) for g in GRADES for r in RATINGS]


def test_fixed_performance_pay_and_coefficient_times_base() -> None:
    fixed = BandCell(3, Rating.GOOD, D("2100"), D("300.50"), performance_pay=D("800"))
    assert band_pay(fixed).total == D("3200.50")
    coefficient = BandCell(3, Rating.GOOD, D("2100"), D("300"), performance_coefficient=D("1.125"))
    pay = band_pay(coefficient, D("1000.05"))
    assert pay.performance_pay == D("1125.06")  # 1125.05625 → fen, half up
    with pytest.raises(DomainError) as refused:
        band_pay(coefficient)
    assert refused.value.field == "performance_base"


def test_effective_date_day_before_of_and_after() -> None:
    old, new = Table(None, date(2025, 1, 1)), Table(None, date(2026, 7, 1))
    assert band_in_force([old, new], BUREAU_ID, date(2026, 6, 30)) is old
    assert band_in_force([old, new], BUREAU_ID, date(2026, 7, 1)) is new
    assert band_in_force([old, new], BUREAU_ID, date(2026, 7, 2)) is new
    assert band_in_force([old, new], BUREAU_ID, date(2024, 12, 31)) is None


def test_a_bureau_table_in_force_beats_the_tenant_wide_one() -> None:
    tenant_wide, newer_wide = Table(None, date(2025, 1, 1)), Table(None, date(2026, 1, 1))
    bureau = Table(BUREAU_ID, date(2025, 7, 1))
    tables = [tenant_wide, newer_wide, bureau]
    assert band_in_force(tables, BUREAU_ID, date(2025, 6, 30)) is tenant_wide  # the bureau's not started yet
    assert band_in_force(tables, BUREAU_ID, date(2025, 7, 1)) is bureau
    assert band_in_force(tables, BUREAU_ID, date(2026, 3, 1)) is bureau  # even against a newer tenant-wide one
    assert band_in_force(tables, OTHER_ID, date(2026, 3, 1)) is newer_wide
    assert band_in_force([bureau], OTHER_ID, date(2026, 3, 1)) is None


def test_validation_refuses_a_missing_cell_negative_amounts_and_two_performance_forms() -> None:
    assert len(validate_cells(full_cells())) == 25
    cells = full_cells()
    cells.pop(7)  # grade 2, the third rating
    cells[0] = replace(cells[0], post_pay=D("-1"))
    cells[1] = replace(cells[1], performance_coefficient=D("1"))
    with pytest.raises(BandInputErrors) as refused:
        validate_cells(cells)
    fields = {e.field for e in refused.value.errors}
    assert fields == {"cell-2-meets-post_pay", "cell-1-excellent-post_pay", "cell-1-good-performance_pay"}
    assert isinstance(refused.value, DomainError)


def form(**changes: str) -> dict[str, str]:
    values = dict.fromkeys(form_fields(), "")
    values["effective_from"] = "2026-07-01"
    values["performance_base"] = "1,000"  # the cells below use coefficients
    for g in GRADES:
        for r in RATINGS:
            values[cell_field(g, r, "post_pay")] = "2,000"
            values[cell_field(g, r, "grade_pay")] = str(100 * g)
            values[cell_field(g, r, "performance_coefficient")] = str(D("1.2") - D("0.2") * r.rank)
    values.update(changes)
    return values


def test_the_form_parses_into_25_cells() -> None:
    parsed = parse_band_form(form(client_bureau=f" {BUREAU} "), BUREAUS)
    assert parsed.bureau_id == BUREAU_ID and parsed.effective_from == date(2026, 7, 1)
    assert len(parsed.cells) == 25 and parsed.cells[0].performance_coefficient == D("1.200")
    assert parse_band_form(form(), BUREAUS).bureau_id is None


def test_the_form_refuses_a_bureau_the_tenant_does_not_have() -> None:
    with pytest.raises(BandInputErrors) as refused:
        parse_band_form(form(client_bureau="某局"), BUREAUS)
    assert [(e.field, e.params) for e in refused.value.errors] == [("client_bureau", {"name": "某局"})]


def test_the_form_reports_every_bad_field() -> None:
    with pytest.raises(BandInputErrors) as refused:
        parse_band_form(
            form(
                **{
                    "effective_from": "2026-02-30",
                    "cell-3-good-post_pay": "abc",
                    "cell-4-fails-grade_pay": "-5",
                    "cell-5-basic-performance_pay": "100",  # and a coefficient already
                    "cell-1-meets-post_pay": "",
                    "cell-2-good-performance_coefficient": "1.2345",
                }
            ),
            BUREAUS,
        )
    assert {e.field for e in refused.value.errors} == {
        "effective_from",
        "cell-3-good-post_pay",
        "cell-4-fails-grade_pay",
        "cell-5-basic-performance_pay",
        "cell-1-meets-post_pay",
        "cell-2-good-performance_coefficient",
    }


def test_coefficient_cells_need_the_performance_base_of_the_table() -> None:
    assert parse_band_form(form(), BUREAUS).performance_base == D("1000.00")
    with pytest.raises(BandInputErrors) as refused:
        parse_band_form(form(performance_base=""), BUREAUS)
    assert [e.field for e in refused.value.errors] == ["performance_base"]
    with pytest.raises(BandInputErrors) as refused:
        parse_band_form(form(performance_base="-1"), BUREAUS)
    assert [e.field for e in refused.value.errors] == ["performance_base"]
    fixed = form(performance_base="")
    for g in GRADES:
        for r in RATINGS:
            fixed[cell_field(g, r, "performance_coefficient")] = ""
            fixed[cell_field(g, r, "performance_pay")] = "300"
    assert parse_band_form(fixed, BUREAUS).performance_base is None  # fixed performance pay needs no base
