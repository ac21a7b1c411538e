"""The 专项附加扣除 declaration form of one worker and tax year (pure).

``parse_declaration_form`` turns the typed fields into
``special_deductions.Declarations`` (whose own rules then apply), collecting
every problem with its form field; ``form_values`` is the reverse, to show a
saved declaration; ``year_schedule`` values the twelve months with
``special_deductions.monthly_deductions``, so the page shows the amounts
that the payroll will deduct (the reference §1.4 amounts).

Fields (every date typed as 2026-03-01; a period's months are typed as
2026-03 or a date, and count from that month):

* ``child-N-birth_date``, ``child-N-share`` (``full``/``half``),
  ``child-N-in_education`` for N = 1..CHILD_ROWS; a row without a birth date
  is empty.  Under 3 a child gives infant care, from 3 children's education
  (when in education);
* ``elderly`` (``""``, ``only_child``, ``shared``),
  ``elderly_parent_birth_date`` (the oldest parent), ``elderly_share``
  (the worker's monthly share when shared, at most 1,500);
* ``degree_start``, ``degree_end`` (学历继续教育, 400 a month, ≤ 48 months),
  ``certificate-1``, ``certificate-2`` (dates certificates were obtained in
  the year, 3,600 once);
* ``housing`` (``""``, ``loan``, ``rent``): ``loan_start``, ``loan_end``;
  ``rent_tier`` (``major``/``large``/``other``), ``rent_start``, ``rent_end``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from service.errors import N_, DomainError, InputErrors
from service.money import ZERO, parse_yuan
from service.payroll.tax.special_deductions import (
    ELDERLY_AGE_MONTHS,
    FIRST_SUPPORTED_YEAR,
    Child,
    Declarations,
    ElderlySupport,
    MonthlyDeductions,
    ParentShare,
    Period,
    Rent,
    RentTier,
    monthly_deductions,
)
from service.workforce.roster.input import parse_date

CHILD_ROWS = 4
CERTIFICATE_ROWS = 2
_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")

ELDERLY_KINDS = {
    "only_child": N_("Only child (3,000 a month)"),
    "shared": N_("Shared with siblings (at most 1,500 a month)"),
}
HOUSING_KINDS = {
    "loan": N_("Housing loan interest (1,000 a month)"),
    "rent": N_("Housing rent"),
}
RENT_TIER_LABELS = {
    RentTier.MAJOR: N_("Municipality, provincial capital or separately planned city: 1,500 a month"),
    RentTier.LARGE: N_("Other city over 1 million registered residents: 1,100 a month"),
    RentTier.OTHER: N_("City of at most 1 million registered residents: 800 a month"),
}
SHARE_LABELS = {ParentShare.FULL: N_("100% (one parent)"), ParentShare.HALF: N_("50% each")}
ITEM_LABELS = {
    "children_education": N_("Children's education"),
    "infant_care": N_("Infant care"),
    "elderly_support": N_("Elderly support"),
    "continuing_education": N_("Continuing education"),
    "housing_loan_interest": N_("Housing loan interest"),
    "housing_rent": N_("Housing rent"),
}


def form_fields() -> tuple[str, ...]:
    children = tuple(f"child-{n}-{part}" for n in range(1, CHILD_ROWS + 1) for part in ("birth_date", "share", "in_education"))
    certificates = tuple(f"certificate-{n}" for n in range(1, CERTIFICATE_ROWS + 1))
    return (
        *children,
        "elderly",
        "elderly_parent_birth_date",
        "elderly_share",
        "degree_start",
        "degree_end",
        *certificates,
        "housing",
        "loan_start",
        "loan_end",
        "rent_tier",
        "rent_start",
        "rent_end",
    )


def _text(raw: Mapping[str, str], name: str) -> str:
    value = raw.get(name)
    return value.strip() if isinstance(value, str) else ""


def _flag(raw: Mapping[str, str], name: str) -> bool:
    return _text(raw, name).lower() in ("1", "on", "true", "yes")


def _month(text: str, field: str) -> date:
    """A period's month: 2026-03 or a date in it → the month's first day."""
    match = _MONTH.fullmatch(text)
    if match and 1900 <= int(match.group(1)) <= 2100 and 1 <= int(match.group(2)) <= 12:
        first = date(int(match.group(1)), int(match.group(2)), 1)
        if match.group(3) is None:
            return first
        try:
            date(first.year, first.month, int(match.group(3)))
        except ValueError:
            pass
        else:
            return first
    raise DomainError(N_("Enter a month like 2025-03."), field=field)


def _period(raw: Mapping[str, str], start_field: str, end_field: str, errors: list[DomainError]) -> Period | None:
    start = end = None
    ok = True
    try:
        start = _month(_text(raw, start_field), start_field) if _text(raw, start_field) else None
    except DomainError as error:
        errors.append(error)
        ok = False
    if start is None and ok:
        errors.append(DomainError(N_("Enter the first month."), field=start_field))
        ok = False
    if _text(raw, end_field):
        try:
            end = _month(_text(raw, end_field), end_field)
        except DomainError as error:
            errors.append(error)
            ok = False
    if not ok or start is None:
        return None
    try:
        return Period(start, end)
    except DomainError as error:
        errors.append(DomainError(error.message, field=end_field, **error.params))
        return None


def _date(raw: Mapping[str, str], name: str, errors: list[DomainError]) -> date | None:
    try:
        return parse_date(_text(raw, name), name)
    except DomainError as error:
        errors.append(error)
        return None


def parse_declaration_form(raw: Mapping[str, str], year: int) -> Declarations:
    """The declarations typed for ``year``; raises InputErrors with every problem."""
    errors: list[DomainError] = []
    if year < FIRST_SUPPORTED_YEAR:
        raise InputErrors(
            [
                DomainError(
                    N_("Special additional deductions before {year} are not supported."),
                    field="year",
                    year=FIRST_SUPPORTED_YEAR,
                )
            ]
        )
    year_end = date(year, 12, 31)

    children: list[Child] = []
    for n in range(1, CHILD_ROWS + 1):
        prefix = f"child-{n}-"
        if not _text(raw, prefix + "birth_date"):
            continue
        born = _date(raw, prefix + "birth_date", errors)
        try:
            share = ParentShare(_text(raw, prefix + "share") or ParentShare.FULL.value)
        except ValueError:
            errors.append(DomainError(N_("Choose a value."), field=prefix + "share"))
            continue
        if born is None:
            continue
        if born > year_end:
            errors.append(DomainError(N_("The date is after {year}."), field=prefix + "birth_date", year=year))
            continue
        children.append(Child(born, share, _flag(raw, prefix + "in_education")))

    elderly: ElderlySupport | None = None
    kind = _text(raw, "elderly")
    if kind:
        if kind not in ELDERLY_KINDS:
            errors.append(DomainError(N_("Choose a value."), field="elderly"))
        else:
            born = _date(raw, "elderly_parent_birth_date", errors)
            elderly_share: Decimal | None = None
            if kind == "shared":
                typed = _text(raw, "elderly_share")
                try:
                    elderly_share = parse_yuan(typed) if typed else None
                except ValueError:
                    errors.append(DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field="elderly_share"))
                    born = None
                if elderly_share is None and typed == "":
                    errors.append(DomainError(N_("Enter an amount."), field="elderly_share"))
                    born = None
            if born is not None:
                months_at_year_end = (year * 12 + 11) - (born.year * 12 + born.month - 1)
                if months_at_year_end < ELDERLY_AGE_MONTHS:
                    errors.append(
                        DomainError(
                            N_("The parent is not 60 by the end of {year}: nothing can be deducted."),
                            field="elderly_parent_birth_date",
                            year=year,
                        )
                    )
                else:
                    try:
                        elderly = ElderlySupport(born, kind == "only_child", elderly_share)
                    except DomainError as error:
                        errors.append(DomainError(error.message, field="elderly_share", **error.params))

    degree = None
    if _text(raw, "degree_start") or _text(raw, "degree_end"):
        degree = _period(raw, "degree_start", "degree_end", errors)
    certificates: list[date] = []
    for n in range(1, CERTIFICATE_ROWS + 1):
        name = f"certificate-{n}"
        if not _text(raw, name):
            continue
        obtained = _date(raw, name, errors)
        if obtained is not None:
            if obtained.year != year:
                errors.append(
                    DomainError(
                        N_("The certificate counts in the year it is obtained: enter a date in {year}."), field=name, year=year
                    )
                )
            else:
                certificates.append(obtained)

    loan = rent = None
    housing = _text(raw, "housing")
    if housing == "loan":
        loan = _period(raw, "loan_start", "loan_end", errors)
    elif housing == "rent":
        tier = None
        try:
            tier = RentTier(_text(raw, "rent_tier"))
        except ValueError:
            errors.append(DomainError(N_("Choose the city tier."), field="rent_tier"))
        period = _period(raw, "rent_start", "rent_end", errors)
        if tier is not None and period is not None:
            rent = Rent(tier, period)
    elif housing:
        errors.append(DomainError(N_("Choose a value."), field="housing"))

    if errors:
        raise InputErrors(errors)
    try:
        declarations = Declarations(
            year=year,
            children=tuple(children),
            elderly_support=elderly,
            degree_study=degree,
            certificates=tuple(certificates),
            housing_loan=loan,
            rent=rent,
        )
        for month in range(1, 13):
            monthly_deductions(declarations, month)
    except DomainError as error:
        raise InputErrors([DomainError(error.message, field="housing", **error.params)]) from None
    return declarations


def _month_text(day: date | None) -> str:
    return "" if day is None else day.isoformat()[:7]


def form_values(declarations: Declarations | None) -> dict[str, str]:
    """The form's fields showing saved declarations (empty fields when None)."""
    values = dict.fromkeys(form_fields(), "")
    for n in range(1, CHILD_ROWS + 1):
        values[f"child-{n}-share"] = ParentShare.FULL.value
        values[f"child-{n}-in_education"] = "on"
    if declarations is None:
        return values
    for n, child in enumerate(declarations.children[:CHILD_ROWS], start=1):
        values[f"child-{n}-birth_date"] = child.birth_date.isoformat()
        values[f"child-{n}-share"] = child.share.value
        values[f"child-{n}-in_education"] = "on" if child.in_education else ""
    elderly = declarations.elderly_support
    if elderly is not None:
        values["elderly"] = "only_child" if elderly.only_child else "shared"
        values["elderly_parent_birth_date"] = elderly.oldest_parent_birth_date.isoformat()
        values["elderly_share"] = "" if elderly.sibling_share is None else str(elderly.sibling_share)
    if declarations.degree_study is not None:
        values["degree_start"] = _month_text(declarations.degree_study.start)
        values["degree_end"] = _month_text(declarations.degree_study.end)
    for n, obtained in enumerate(declarations.certificates[:CERTIFICATE_ROWS], start=1):
        values[f"certificate-{n}"] = obtained.isoformat()
    if declarations.housing_loan is not None:
        values.update(
            housing="loan",
            loan_start=_month_text(declarations.housing_loan.start),
            loan_end=_month_text(declarations.housing_loan.end),
        )
    if declarations.rent is not None:
        values.update(
            housing="rent",
            rent_tier=declarations.rent.tier.value,
            rent_start=_month_text(declarations.rent.period.start),
            rent_end=_month_text(declarations.rent.period.end),
        )
    return values


@dataclass(frozen=True)
class ScheduleRow:
    """Consecutive months ``first``..``last`` with the same deductions."""

    first: int
    last: int
    deductions: MonthlyDeductions

    @property
    def items(self) -> dict[str, Decimal]:
        """The items deducted in these months (non-zero only), by field name."""
        return {f.name: getattr(self.deductions, f.name) for f in fields(MonthlyDeductions) if getattr(self.deductions, f.name)}


def year_schedule(declarations: Declarations) -> tuple[list[ScheduleRow], dict[str, Decimal], Decimal]:
    """The year's deductions as runs of equal months, the year's total per item and overall."""
    months = [monthly_deductions(declarations, m) for m in range(1, 13)]
    rows: list[ScheduleRow] = []
    for number, month in enumerate(months, start=1):
        if rows and rows[-1].deductions == month:
            rows[-1] = ScheduleRow(rows[-1].first, number, month)
        else:
            rows.append(ScheduleRow(number, number, month))
    items = {f.name: sum((getattr(m, f.name) for m in months), ZERO) for f in fields(MonthlyDeductions)}
    return rows, items, sum(items.values(), ZERO)
