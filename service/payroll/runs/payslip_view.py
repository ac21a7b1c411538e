"""How a stored payslip is shown: its lines grouped by category, its tax year to date, and how a
part month was prorated.

Shared by the payroll clerk's payslip page, the assistant's payslip page and
the payslip PDF, so the three always show the same figures the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.errors import N_
from service.payroll.payslip import Category
from service.payroll.proration import ProrationRule
from service.payroll.runs.models import PayslipLineRow

CATEGORY_LABELS = {
    Category.EARNING: N_("Earnings"),
    Category.DEDUCTION: N_("Deductions"),
    Category.EMPLOYEE_CONTRIBUTION: N_("Employee contributions"),
    Category.TAX: N_("Income tax"),
    Category.EMPLOYER_CONTRIBUTION: N_("Employer contributions (not deducted from pay)"),
    Category.INFO: N_("For information"),
}

# The cumulative withholding figures kept on each payslip (run_inputs.ytd_to_json), in the order shown.
YEAR_TO_DATE_LABELS = (
    ("income", N_("Income this year")),
    ("tax_free_income", N_("Tax-free income this year")),
    ("special_deductions", N_("Social insurance and housing fund this year")),
    ("special_additional_deductions", N_("Special additional deductions this year")),
    ("other_deductions", N_("Other deductions this year")),
    ("tax_withheld", N_("Income tax withheld this year")),
)
# Shown only when not zero: only an opening balance brings other deductions, and most workers have none.
SHOWN_WHEN_NOT_ZERO = frozenset({"other_deductions"})


@dataclass(frozen=True)
class LineGroup:
    label: str  # msgid
    lines: list[PayslipLineRow]
    total: Decimal
    info: bool  # shown, never added: no total


def payslip_groups(lines: list[PayslipLineRow]) -> list[LineGroup]:
    """The payslip's lines by category, in the order a payslip reads, each with its total."""
    groups = []
    for category, label in CATEGORY_LABELS.items():
        members = [line for line in lines if line.category == category.value]
        if members:
            total = sum((line.amount for line in members), Decimal("0"))
            groups.append(LineGroup(label, members, total, category is Category.INFO))
    return groups


@dataclass(frozen=True)
class BeforeUs:
    """The part of the year to date the previous payroll system paid (the opening balance), through ``as_of``."""

    as_of: str  # 2025-08
    months_employed: int
    rows: list[tuple[str, Decimal]]  # (msgid, amount), the year to date's rows


@dataclass(frozen=True)
class YearToDate:
    year: int
    through_month: int | None
    months_employed: int
    rows: list[tuple[str, Decimal]]  # (msgid, amount)
    before_us: BeforeUs | None = None


def _rows(stored: dict[str, Any]) -> list[tuple[str, Decimal]]:
    rows = []
    for key, label in YEAR_TO_DATE_LABELS:
        if key in stored:
            amount = Decimal(str(stored[key]))
            if amount or key not in SHOWN_WHEN_NOT_ZERO:
                rows.append((label, amount))
    return rows


def year_to_date(stored: dict[str, Any] | None) -> YearToDate | None:
    """The payslip's stored tax year to date (through its month), or None if it has none; with the
    opening balance it includes, when the year began in the previous payroll system."""
    if not stored or "year" not in stored:
        return None
    opening = stored.get("opening")
    before_us = (
        None
        if not opening
        else BeforeUs(f"{opening['year']}-{int(opening['as_of_month']):02d}", int(opening["months_employed"]), _rows(opening))
    )
    months = int(stored.get("months_employed") or 0)
    return YearToDate(int(stored["year"]), stored.get("month"), months, _rows(stored), before_us)


@dataclass(frozen=True)
class ProrationNote:
    """A part month's proration as the payslip keeps it (``actions.proration_to_json``)."""

    rule: str  # the rule's label, a msgid
    explanation: str  # a msgid, filled with ``params``
    params: dict[str, Any]
    basis: str  # the rule's legal basis, shown with it


def proration_note(stored: dict[str, Any] | None) -> ProrationNote | None:
    """The payslip's proration, or None for a whole month."""
    if not stored:
        return None
    return ProrationNote(ProrationRule(stored["rule"]).label, stored["explanation"], dict(stored["params"]), stored["basis"])
