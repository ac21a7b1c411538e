"""Text a user typed (a worker's name, a bureau's name) leaves in an Excel export as text, never as a live
formula: a name like =HYPERLINK(...) would otherwise run in whoever opens the sheet (OWASP "CSV injection")."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from service.accounts.models import StaffRole
from tests.support.factories import make_worker

NAMES = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(1)"]
BUREAU = "=1+1 城管局"
UNIT = "@SUM(A1) 中队"


def _text_cells(content: bytes) -> dict[str, str]:
    """Every string the workbook stores, by value, with its cell type."""
    sheet = load_workbook(io.BytesIO(content)).active
    return {str(c.value): c.data_type for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None}


def test_typed_text_is_exported_as_text_not_as_a_formula(settings, tenant, signed_in) -> None:
    for name in NAMES:
        make_worker(settings, tenant, name=name, client_bureau=BUREAU, unit=UNIT)
    client = signed_in(tenant, StaffRole.HR_CLERK)

    roster = client.get(f"/t/{tenant.slug}/workers/export")
    assert roster.status_code == 200
    cells = _text_cells(roster.content)
    assert {v: cells.get(v) for v in [*NAMES, BUREAU, UNIT]} == dict.fromkeys([*NAMES, BUREAU, UNIT], "s")
    assert cells["5"] == "n"  # the grade: a number stays a number

    attendance = client.get(f"/t/{tenant.slug}/attendance/import/template?month=2026-03")
    assert attendance.status_code == 200
    cells = _text_cells(attendance.content)
    assert {v: cells.get(v) for v in NAMES} == dict.fromkeys(NAMES, "s")
