"""What a leaver is paid besides the last month's wages: the settlement, composed from the pure rules.

* **The pay averaged** is each month's wages as the published payslip in
  force shows them, for the (up to) 12 months before the month of the last
  day (``MonthPay``): gross pay less unpaid absence and the deductions that
  reduce the wage itself (the payslip's income).  That is the wage earned
  (应得工资), bonuses, allowances and subsidies included, before social
  insurance and tax, which is what 实施条例 Art. 27 averages for the
  severance; the annual-leave compensation averages the same months with
  overtime pay left out (企业职工带薪年休假实施办法 Art. 11).  Severance paid on
  an earlier final payslip is not wages and is not in it.
* **Severance** (``contracts.severance.severance_pay``): N, N + 1 or 2N
  with the reason it was chosen; the floor is the city's monthly minimum
  wage and the cap three times its previous-year average monthly wage, both
  in force on the last day.  The notice month of N + 1 is the wage of the
  month before the month of the last day, so that month must be published.
  No severance is recorded only where the termination reason gives none.
* **Service before 2008** counts only where the rules of the time
  compensated this way of ending (劳动合同法 Art. 97 ¶3); HR says whether,
  and why, for a worker hired before 2008.
* **Annual leave** (``annual_leave.untaken_leave_pay``): the entitlement is
  the statutory one of the years of work (``statutory_entitlement``), or
  HR's figure with a reason; the days taken this year are HR's figure.
* **Tax on the severance** (``severance_tax``): exempt up to three times the
  local average annual wage, taken as 12 × the city's average monthly wage.

Everything is rounded to the fen half up by the rules it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from service.dates import add_months
from service.errors import N_, DomainError
from service.money import ZERO
from service.payroll.leavers.annual_leave import AnnualLeavePay, untaken_leave_pay
from service.payroll.leavers.severance_tax import SeveranceTax, severance_tax
from service.workforce.contracts.severance import (
    AVERAGE_WINDOW_MONTHS,
    LCL_IN_FORCE,
    SeveranceKind,
    SeverancePay,
    TerminationReason,
    severance_pay,
)
from service.workforce.leave.rules import statutory_annual_leave, years_of_service

MONTHS_A_YEAR = 12  # the local average annual wage from the city's average monthly wage
TEXT_LIMIT = 500


@dataclass(frozen=True)
class MonthPay:
    """One month's pay as the published payslip in force shows it."""

    month: date  # its first day
    wages: Decimal  # gross pay less unpaid absence and pre-tax deductions (the payslip's income)
    overtime: Decimal  # the overtime pay in it

    @property
    def without_overtime(self) -> Decimal:
        return self.wages - self.overtime


@dataclass(frozen=True)
class SettlementTerms:
    """What HR decides for the leaver."""

    last_day: date
    kind: SeveranceKind | None  # None: no severance
    kind_reason: str
    pre_2008_compensable: bool
    pre_2008_explanation: str
    entitlement_days: int | None  # None: the statutory entitlement
    entitlement_reason: str
    days_taken: int


@dataclass(frozen=True)
class CityWages:
    """The city's figures in force on the last day."""

    city: str
    effective_from: date
    minimum_wage: Decimal  # monthly
    average_wage: Decimal  # the previous-year average monthly wage

    @property
    def average_annual_wage(self) -> Decimal:
        return self.average_wage * MONTHS_A_YEAR


@dataclass(frozen=True)
class Settlement:
    terms: SettlementTerms
    termination: TerminationReason
    history: tuple[MonthPay, ...]  # the months averaged, oldest first
    city: CityWages
    statutory_days: int  # the entitlement the years of work give
    annual_leave: AnnualLeavePay
    severance: SeverancePay | None
    tax: SeveranceTax | None

    @property
    def pay_month(self) -> date:
        """The month of the final payslip that pays it."""
        return self.terms.last_day.replace(day=1)

    @property
    def severance_amount(self) -> Decimal:
        return self.severance.amount if self.severance else ZERO

    @property
    def severance_tax_amount(self) -> Decimal:
        return self.tax.tax if self.tax else ZERO

    @property
    def entitlement_overridden(self) -> bool:
        return self.annual_leave.entitlement_days != self.statutory_days

    def basis(self) -> dict[str, Any]:
        """Every input and step, JSON-able, for the stored record and the audit trail."""
        severance = self.severance
        return {
            "months": [
                {"month": m.month.isoformat()[:7], "wages": str(m.wages), "overtime": str(m.overtime)} for m in self.history
            ],
            "city": self.city.city,
            "city_figures_from": self.city.effective_from.isoformat(),
            "minimum_wage": str(self.city.minimum_wage),
            "city_average_wage": str(self.city.average_wage),
            "statutory_days": self.statutory_days,
            "annual_leave": {
                "untaken_days": self.annual_leave.untaken_days,
                "monthly_wage": str(self.annual_leave.monthly_wage),
                "daily_wage": str(self.annual_leave.daily_wage),
                "amount": str(self.annual_leave.amount),
                "basis": self.annual_leave.basis,
            },
            "severance": None
            if severance is None
            else {
                "kind": severance.kind.value,
                "average_wage": str(severance.compensation.average_wage),
                "monthly_base": str(severance.compensation.monthly_base),
                "floored": severance.compensation.floored,
                "capped": severance.compensation.capped,
                "years_counted": str(severance.compensation.years_counted),
                "counted_from": severance.compensation.counted_from.isoformat(),
                "compensation": str(severance.compensation.amount),
                "notice_pay": str(severance.notice_pay),
                "amount": str(severance.amount),
                "basis": severance.basis,
            },
            "tax": None
            if self.tax is None
            else {
                "exempt_limit": str(self.tax.exempt_limit),
                "exempt": str(self.tax.exempt),
                "taxable": str(self.tax.taxable),
                "tax": str(self.tax.tax),
                "basis": self.tax.basis,
            },
        }


def statutory_entitlement(hired_on: date, last_day: date) -> int:
    """The annual leave of the year of leaving by the full years worked with this employer by the last day
    (职工带薪年休假条例 Art. 3).  Years with earlier employers count too: HR enters those as its own figure."""
    return statutory_annual_leave(years_of_service(hired_on, last_day))


def history_window(last_day: date) -> tuple[date, date]:
    """The first of the earliest month averaged and the first of the month of the last day (excluded)."""
    month = last_day.replace(day=1)
    return add_months(month, -AVERAGE_WINDOW_MONTHS), month


def _text(value: str, field: str, *, required: bool, message: str, **params: object) -> str:
    value = value.strip()
    if required and not value:
        raise DomainError(message, field=field, **params)
    if len(value) > TEXT_LIMIT:
        raise DomainError(N_("At most {max} characters."), field=field, max=TEXT_LIMIT)
    return value


def refuse_before_hire(last_day: date, hired_on: date) -> None:
    if last_day < hired_on:
        raise DomainError(
            N_("The last day is before the worker's hire date ({hire_date})."), field="last_day", hire_date=hired_on
        )


def settle(
    terms: SettlementTerms,
    *,
    termination: TerminationReason,
    hired_on: date,
    history: Sequence[MonthPay],
    city: CityWages,
) -> Settlement:
    """The leaver's settlement; raises DomainError (with a field) for what HR must correct."""
    last_day = terms.last_day
    refuse_before_hire(last_day, hired_on)
    if not history:
        raise DomainError(
            N_("No published payslip before {month}: the average pay of the months before cannot be computed."),
            field="last_day",
            month=last_day.isoformat()[:7],
        )
    if terms.kind is None and termination.compensation_due:
        raise DomainError(N_("Economic compensation is due for this termination reason: choose N, N + 1 or 2N."), field="kind")
    before_2008 = hired_on < LCL_IN_FORCE
    compensable = terms.pre_2008_compensable and before_2008
    explanation = _text(
        terms.pre_2008_explanation,
        "pre_2008_explanation",
        required=before_2008 and terms.kind is not None,
        message=N_("Say whether the rules before 2008 compensated this way of ending the contract, and why."),
    )
    statutory = statutory_entitlement(hired_on, last_day)
    entitlement = statutory if terms.entitlement_days is None else terms.entitlement_days
    entitlement_reason = _text(
        terms.entitlement_reason,
        "entitlement_reason",
        required=entitlement != statutory,
        message=N_("Say why the entitlement differs from the statutory {days} days."),
        days=statutory,
    )
    month_before = add_months(last_day.replace(day=1), -1)
    previous = history[-1].wages if history[-1].month == month_before else None
    # (N + 1 for another reason is refused by severance_pay, in its own words.)
    if terms.kind is SeveranceKind.N_PLUS_ONE and termination is TerminationReason.DISMISSAL_NO_FAULT and previous is None:
        raise DomainError(
            N_("The payslip of {month} is not published: the month in lieu of notice pays that month's wage."),
            field="kind",
            month=month_before.isoformat()[:7],
        )
    kind_reason = _text(
        terms.kind_reason, "kind_reason", required=terms.kind is not None, message=N_("Say why this severance is paid.")
    )
    wages = [m.wages for m in history]
    severance = (
        None
        if terms.kind is None
        else severance_pay(
            terms.kind,
            reason=kind_reason,
            termination=termination,
            service_start=hired_on,
            last_day=last_day,
            monthly_wages=wages,
            minimum_wage=city.minimum_wage,
            city_average_wage=city.average_wage,
            pre_2008_compensable=compensable,
            previous_month_wage=previous,
        )
    )
    annual_leave = untaken_leave_pay(
        entitlement_days=entitlement,
        hired_on=hired_on,
        last_day=last_day,
        days_taken=terms.days_taken,
        monthly_wages=[m.without_overtime for m in history],
    )
    return Settlement(
        terms=SettlementTerms(
            last_day=last_day,
            kind=terms.kind,
            kind_reason=kind_reason if severance else "",
            pre_2008_compensable=compensable,
            pre_2008_explanation=explanation if before_2008 else "",
            entitlement_days=entitlement,
            entitlement_reason=entitlement_reason,
            days_taken=terms.days_taken,
        ),
        termination=termination,
        history=tuple(history),
        city=city,
        statutory_days=statutory,
        annual_leave=annual_leave,
        severance=severance,
        tax=None if severance is None else severance_tax(severance.amount, city.average_annual_wage),
    )
