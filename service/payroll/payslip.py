"""One worker's payslip for one month: the pure heart of a payroll run.

Everything here composes rules written and tested elsewhere; nothing is
re-computed by hand:

* band pay (post + grade + performance) from ``bands.rules.band_pay``,
  each part to the fen half up;
* absence and overtime from ``pay_days`` on the *band's monthly pay*
  (post + grade + performance).  That sum is the monthly wage the worker's
  contract agrees through the band, so it is the overtime base of the
  reference §3 (monthly wage ÷ 21.75 ÷ 8 = ÷ 174 an hour, × 150% / 200% /
  300%, 劳动法 Art. 44) and the wage an unpaid absence day is withheld from
  (÷ 21.75 a day).  Tenant components (allowances, subsidies, deductions)
  are neither reduced by absence nor part of the overtime base: they are
  valued by the tenant already.  ``pay_days`` rounds each amount once, to
  the fen half up, and caps absence at the band pay;
* contributions from ``insurance.contributions.monthly_contributions``,
  each item and side rounded by the city's rule;
* this month's special additional deductions from
  ``special_deductions.monthly_deductions``;
* the tax from ``income_tax.withholding_this_month`` on the year to date
  including this month (rounded to the fen on the cumulative tax, never
  negative);
* the minimum-wage check from ``minimum_wage.check_minimum_wage``;
* a part month (the worker joins or leaves during it: ``employment``) from
  ``leavers.proration.prorate`` by the tenant's rule (``proration_rule``).

**Part months.**  What is prorated is what the month pays for being
employed: the band's monthly wage (post + grade + performance pay, prorated
once as a whole and shared over its three lines, the last line taking the
fen left over) and the tenant's fixed monthly additions (``Component.prorated``:
fixed and per-year-of-service allowances, each prorated on its own).  Not
prorated: an imported amount or a formula (the tenant valued them for the
month already), a deduction component (rent, a fine: what it is), overtime
and absence (attendance records them by the hour and day, on the full
monthly wage ÷ 21.75), and the social insurance and housing fund: they are
monthly contributions on the declared base, due in full for a month of
employment (社会保险法 Art. 10; the housing fund's first month follows the
city's ``housing_fund_due``).  The monthly minimum wage compared is
prorated by the same rule, as the worker owes only the days employed.

**Months employed** for the basic deduction (``tax.months_employed``) are
counted from the employment (hire date to last day), so a month without a
payslip (suspension without pay) still counts; the roster keeps only the
current employment, so an earlier one in the same year is known by its
payslips: the count is never less than the months already paid plus this one.

How the figures fit together (every line amount is positive; its category
says which way it counts):

    gross pay   = Σ earning lines (band pay, overtime, addition components)
    deductions  = Σ deduction lines (absence, deduction components)
    net pay     = gross − deductions − employee contributions − tax

A component's ``taxable`` flag: an addition that is not taxable is 免税收入
(in income, then taken out as tax-free income, as the return declares it);
a deduction that is "taxable" is a *pre-tax* deduction that reduces the
wage itself (like absence), one that is not is withheld from pay after tax
(dormitory rent, a repaid advance).  So

    income this month     = gross − absence − pre-tax deduction components
    taxable income        = income − tax-free additions   (before 5,000,
                            三险一金 and 专项附加扣除, which income_tax takes
                            off cumulatively)
    employer cost         = income this month + employer contributions

A leaver's final payslip (``LeaverPay``) adds the annual-leave compensation
as a taxable addition of the month, and the severance as an earning with
its own tax line: both are in gross pay, tax and net pay, neither in income
nor in the year to date (the severance is taxed apart from wages), and the
severance is in the employer's cost.

A component's ``counts_for_minimum_wage`` flag: an addition that does not
count is a special allowance (最低工资规定 Art. 12: shift, heat, cold,
underground, toxic work); a deduction that counts reduces the pay compared.
Absence reduces it too, and the monthly minimum is not prorated for
absence, so a month with unpaid absence may be flagged: the check is a
warning for the clerk, and it errs on the side of flagging.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from enum import Enum

from service.errors import N_, DomainError
from service.insurance.contributions import Contributions, monthly_contributions
from service.insurance.policy import CityPolicy
from service.money import ZERO, to_fen
from service.payroll.bands.rules import BandCell, BandPay, band_pay
from service.payroll.minimum_wage import MinimumWage, MinimumWageCheck, MonthPay, check_minimum_wage
from service.payroll.pay_days import OvertimeKind, absence_deduction, overtime_pay
from service.payroll.proration import DEFAULT_RULE, Proration, ProrationRule, prorate
from service.payroll.tax.income_tax import (
    Amounts,
    TaxYearToDate,
    YearToDate,
    cumulative_taxable_income,
    withholding_this_month,
)
from service.payroll.tax.months_employed import Employment, months_employed
from service.payroll.tax.special_deductions import Declarations, monthly_deductions

# --- inputs ------------------------------------------------------------------


class ComponentKind(str, Enum):
    ADDITION = "addition"
    DEDUCTION = "deduction"


@dataclass(frozen=True)
class Component:
    """A tenant-defined pay item, already valued for the month."""

    code: str
    label: str  # an English msgid, translated at the edge
    kind: ComponentKind
    amount: Decimal
    taxable: bool = True  # addition: taxable income; deduction: taken off before tax
    counts_for_minimum_wage: bool = True
    prorated: bool = False  # a fixed monthly addition: a part month pays it for the days employed

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise DomainError(N_("The amount must not be negative."), field=f"components.{self.code}")


@dataclass(frozen=True)
class Attendance:
    """Days (halves allowed) and overtime hours for the month."""

    days_worked: Decimal
    absence_days: Decimal = ZERO  # unpaid absence
    overtime_weekday_hours: Decimal = ZERO
    overtime_rest_day_hours: Decimal = ZERO
    overtime_holiday_hours: Decimal = ZERO

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) < 0:
                raise DomainError(N_("The number must not be negative."), field=field.name)


@dataclass(frozen=True)
class Insurance:
    """What ``monthly_contributions`` needs: the city policy in force, the
    wages the bases are declared on, the employer's housing-fund rate and
    work-injury rate; and whether the housing fund is paid this month (not in
    a new hire's first month where the city starts it the month after)."""

    policy: CityPolicy
    si_base_wage: Decimal
    hf_base_wage: Decimal
    housing_fund_rate: Decimal
    injury_rate: Decimal
    housing_fund_due: bool = True


@dataclass(frozen=True)
class PayslipInput:
    month: date  # any day of the pay month
    band: BandCell
    performance_base: Decimal | None  # needed when the cell has a coefficient
    components: tuple[Component, ...]
    attendance: Attendance
    insurance: Insurance
    year_to_date: TaxYearToDate  # before this month
    declarations: Declarations | None  # this year's 专项附加扣除, if any
    minimum_wage: MinimumWage  # the city's standard in force this month
    employment: Employment | None = None  # hire date .. last day; None: employed the whole month
    proration_rule: ProrationRule = DEFAULT_RULE  # the tenant's rule for a part month
    leaver: LeaverPay | None = None  # a leaver's final payslip: what the settlement pays besides wages


@dataclass(frozen=True)
class LeaverPay:
    """What a leaver's settlement (``service.payroll.leavers``) adds to the final payslip.

    The annual-leave compensation is wages: taxed with the month's wages by
    cumulative withholding, and not counted towards the minimum wage (it pays
    no normal working time).  The severance is one-off compensation for
    ending employment, taxed on its own as the settlement computed it
    (财税〔2018〕164号 Art. 5(1)), never part of the year to date.
    """

    annual_leave_pay: Decimal
    severance: Decimal
    severance_tax: Decimal

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) < 0:
                raise DomainError(N_("The amount must not be negative."), field=field.name)
        if self.severance_tax > self.severance:
            raise DomainError(N_("The tax on the severance cannot exceed the severance."), field="severance_tax")


# --- output ------------------------------------------------------------------


class Category(str, Enum):
    EARNING = "earning"
    DEDUCTION = "deduction"
    EMPLOYEE_CONTRIBUTION = "employee_contribution"
    EMPLOYER_CONTRIBUTION = "employer_contribution"
    TAX = "tax"
    INFO = "info"  # shown, never added


@dataclass(frozen=True)
class Line:
    code: str
    label: str  # msgid
    amount: Decimal  # positive; the category gives the direction
    category: Category


@dataclass(frozen=True)
class Payslip:
    month: date  # the first of the pay month
    lines: tuple[Line, ...]
    gross_pay: Decimal
    deductions: Decimal  # absence and deduction components
    employee_social_insurance: Decimal
    employee_housing_fund: Decimal
    income: Decimal  # this month's income for tax (tax-free income included)
    taxable_income: Decimal  # income − tax-free income
    special_additional_deductions: Decimal
    cumulative_taxable_income: Decimal  # 累计预扣预缴应纳税所得额 (negative when deductions exceed)
    tax: Decimal
    net_pay: Decimal
    employer_contributions: Decimal
    employer_cost: Decimal
    contributions: Contributions
    year_to_date: TaxYearToDate  # through this month: store it for next month
    minimum_wage: MinimumWageCheck
    proration: Proration | None = None  # the band wage's, in a part month; None: a whole month
    severance: Decimal = ZERO  # in gross and net pay, not in income: taxed on its own
    severance_tax: Decimal = ZERO  # in tax, not in the year to date's tax withheld

    @property
    def employee_contributions(self) -> Decimal:
        return self.employee_social_insurance + self.employee_housing_fund

    def total(self, category: Category) -> Decimal:
        return sum((line.amount for line in self.lines if line.category is category), ZERO)


# --- the rule ----------------------------------------------------------------

BAND_LINES = (
    ("post_pay", N_("Post pay")),
    ("grade_pay", N_("Grade pay")),
    ("performance_pay", N_("Performance pay")),
)
OVERTIME_LINES = (
    ("overtime_weekday", N_("Weekday overtime"), OvertimeKind.WEEKDAY, "overtime_weekday_hours"),
    ("overtime_rest_day", N_("Rest-day overtime"), OvertimeKind.REST_DAY, "overtime_rest_day_hours"),
    ("overtime_holiday", N_("Holiday overtime"), OvertimeKind.HOLIDAY, "overtime_holiday_hours"),
)
ABSENCE = ("absence", N_("Absence deduction"))
CONTRIBUTION_LINES = (
    ("pension", N_("Pension")),
    ("medical", N_("Medical")),
    ("unemployment", N_("Unemployment")),
    ("maternity", N_("Maternity")),
    ("work_injury", N_("Work injury")),
    ("housing_fund", N_("Housing fund")),
)
TAX = ("income_tax", N_("Individual income tax"))
SAD_INFO = ("special_additional_deductions", N_("Special additional deductions"))
ANNUAL_LEAVE = ("annual_leave_pay", N_("Compensation for untaken annual leave"))
SEVERANCE = ("severance", N_("Severance"))
SEVERANCE_TAX = ("severance_tax", N_("Individual income tax on the severance"))
RESERVED_CODES = frozenset(
    [code for code, _ in BAND_LINES]
    + [code for code, *_ in OVERTIME_LINES]
    + [ABSENCE[0], TAX[0], SAD_INFO[0], ANNUAL_LEAVE[0], SEVERANCE[0], SEVERANCE_TAX[0]]
    + [f"{code}.{side}" for code, _ in CONTRIBUTION_LINES for side in ("employee", "employer")]
)


def _check(inputs: PayslipInput) -> None:
    month, ytd, attendance = inputs.month, inputs.year_to_date, inputs.attendance
    days = calendar.monthrange(month.year, month.month)[1]
    if attendance.days_worked + attendance.absence_days > days:
        raise DomainError(N_("This month has only {days} days."), field="absence_days", days=days)
    if ytd.year != month.year:
        raise DomainError(
            N_("The year to date is for {year}; start a new one for {pay_year}."),
            field="year_to_date",
            year=ytd.year,
            pay_year=month.year,
        )
    if ytd.month is not None and month.month <= ytd.month:
        raise DomainError(
            N_("The pay month must come after {month}, the last month of the year to date."),
            field="month",
            month=f"{ytd.year}-{ytd.month:02d}",
        )
    if inputs.declarations is not None and inputs.declarations.year != month.year:
        raise DomainError(
            N_("The special additional deductions are declared for {year}, not {pay_year}."),
            field="declarations",
            year=inputs.declarations.year,
            pay_year=month.year,
        )
    if ytd.small_earner and _months_employed(inputs) != month.month:
        raise DomainError(N_("The full-year basic deduction needs employment since January."), field="small_earner")
    seen: set[str] = set()
    for component in inputs.components:
        if component.code in seen or component.code in RESERVED_CODES:
            raise DomainError(N_("The component code {code} is used twice."), field="components", code=component.code)
        seen.add(component.code)


def _sum(amounts: Sequence[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def _months_employed(inputs: PayslipInput) -> int:
    """Months employed in the year through this month: from the employment, never fewer than the
    months already paid plus this one (see the module docstring)."""
    paid = inputs.year_to_date.months_employed + 1
    if inputs.employment is None:
        return paid
    month = inputs.month
    return max(paid, months_employed(month.year, month.month, [inputs.employment]))


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _prorate(inputs: PayslipInput, monthly: Decimal) -> Proration:
    employment = inputs.employment
    assert employment is not None  # only called for a part month
    return prorate(
        monthly,
        inputs.month,
        employed_from=employment.first_day,
        employed_to=employment.last_day,
        rule=inputs.proration_rule,
    )


def _band_proration(inputs: PayslipInput, band: BandPay) -> tuple[BandPay, Proration | None]:
    """The band pay for the days employed, and its proration (None for a whole month).

    Prorated once on the monthly total, so the payslip shows the figure the rule's explanation
    gives; each line gets its share, rounded to the fen, the last line what is left."""
    employment, month = inputs.employment, inputs.month.replace(day=1)
    if employment is None or (
        employment.first_day <= month and (employment.last_day is None or employment.last_day >= _month_end(month))
    ):
        return band, None
    proration = _prorate(inputs, band.total)
    if proration.whole_month or proration.amount == band.total:
        return band, None if proration.whole_month else proration
    ratio = proration.amount / band.total
    post, grade = to_fen(band.post_pay * ratio), to_fen(band.grade_pay * ratio)
    performance = proration.amount - post - grade
    if band.performance_pay == 0 and performance:  # the fen left over goes to a line that pays something
        grade, performance = grade + performance, ZERO
    return BandPay(post, grade, performance), proration


def compute_payslip(inputs: PayslipInput) -> Payslip:
    """The month's payslip; raises DomainError (with a field) for impossible input."""
    _check(inputs)
    month = inputs.month.replace(day=1)
    attendance = inputs.attendance
    earnings: list[Line] = []
    deductions: list[Line] = []

    full_band = band_pay(inputs.band, inputs.performance_base)
    band, proration = _band_proration(inputs, full_band)
    for code, label in BAND_LINES:
        earnings.append(Line(code, label, getattr(band, code), Category.EARNING))
    monthly_wage = full_band.total  # the absence and overtime base, see the module docstring

    overtime = ZERO
    for code, label, kind, hours_field in OVERTIME_LINES:
        hours = getattr(attendance, hours_field)
        if hours:
            amount = overtime_pay(monthly_wage, hours, kind)
            overtime += amount
            earnings.append(Line(code, label, amount, Category.EARNING))

    absence = absence_deduction(monthly_wage, attendance.absence_days)
    if absence:
        deductions.append(Line(*ABSENCE, absence, Category.DEDUCTION))

    tax_free = special_allowances = pre_tax_components = counted_deductions = ZERO
    for c in (*inputs.components, *_annual_leave_pay(inputs.leaver)):
        amount = _prorate(inputs, c.amount).amount if proration and c.prorated else to_fen(c.amount)
        if c.kind is ComponentKind.ADDITION:
            earnings.append(Line(c.code, c.label, amount, Category.EARNING))
            tax_free += ZERO if c.taxable else amount
            special_allowances += ZERO if c.counts_for_minimum_wage else amount
        else:
            deductions.append(Line(c.code, c.label, amount, Category.DEDUCTION))
            pre_tax_components += amount if c.taxable else ZERO
            counted_deductions += amount if c.counts_for_minimum_wage else ZERO

    gross = _sum([line.amount for line in earnings])
    income = gross - absence - pre_tax_components
    if income - tax_free < 0:
        raise DomainError(N_("Deductions before tax cannot exceed the taxable pay."), field="components")

    ins = inputs.insurance
    contributions = monthly_contributions(
        ins.policy,
        ins.si_base_wage,
        ins.hf_base_wage,
        ins.housing_fund_rate,
        ins.injury_rate,
        housing_fund_due=ins.housing_fund_due,
    )
    splits = {
        "pension": contributions.pension,
        "medical": contributions.medical,
        "unemployment": contributions.unemployment,
        "maternity": contributions.maternity,
        "work_injury": contributions.work_injury,
        "housing_fund": contributions.housing_fund,
    }
    employee_lines: list[Line] = []
    employer_lines: list[Line] = []
    for code, label in CONTRIBUTION_LINES:
        if code == "maternity" and ins.policy.maternity is None:
            continue  # merged into medical
        split = splits[code]
        if code != "work_injury":  # employer only (社会保险法 Art. 33)
            employee_lines.append(Line(f"{code}.employee", label, split.employee, Category.EMPLOYEE_CONTRIBUTION))
        employer_lines.append(Line(f"{code}.employer", label, split.employer, Category.EMPLOYER_CONTRIBUTION))
    employee_total = contributions.employee_total

    sad = monthly_deductions(inputs.declarations, month.month).total if inputs.declarations is not None else ZERO
    before = inputs.year_to_date
    this_month = Amounts(
        income=income,
        tax_free_income=tax_free,
        special_deductions=employee_total,
        special_additional_deductions=sad,
    )
    totals = (
        Amounts(
            income=before.income,
            tax_free_income=before.tax_free_income,
            special_deductions=before.special_deductions,
            special_additional_deductions=before.special_additional_deductions,
            other_deductions=before.other_deductions,
        )
        + this_month
    )
    ytd = YearToDate(
        month=month.month,
        months_employed=_months_employed(inputs),
        totals=totals,
        tax_withheld=before.tax_withheld,
        deduction=before.deduction,
    )
    tax = withholding_this_month(ytd)

    pay = MonthPay(
        # Pay before deductions is what MonthPay wants; what reduces the pay
        # compared (absence, counted deductions) comes off the part that
        # counts, floored at zero so MonthPay's own check holds.
        gross=overtime + special_allowances + max(gross - overtime - special_allowances - absence - counted_deductions, ZERO),
        overtime=overtime,
        special_allowances=special_allowances,
        employee_contributions=employee_total,
    )
    standard = inputs.minimum_wage
    if proration is not None:  # owed for the days employed only
        standard = replace(standard, monthly=_prorate(inputs, standard.monthly).amount)
    minimum = check_minimum_wage(pay, standard)

    deduction_total = _sum([line.amount for line in deductions])
    employer_total = contributions.employer_total
    lines = (
        *earnings,
        *deductions,
        *employee_lines,
        Line(*TAX, tax, Category.TAX),
        *employer_lines,
        *([Line(*SAD_INFO, sad, Category.INFO)] if sad else []),
    )
    payslip = Payslip(
        month=month,
        lines=lines,
        gross_pay=gross,
        deductions=deduction_total,
        employee_social_insurance=contributions.employee_social_insurance,
        employee_housing_fund=contributions.housing_fund.employee,
        income=income,
        taxable_income=income - tax_free,
        special_additional_deductions=sad,
        cumulative_taxable_income=cumulative_taxable_income(ytd),
        tax=tax,
        net_pay=gross - deduction_total - employee_total - tax,
        employer_contributions=employer_total,
        employer_cost=income + employer_total,
        contributions=contributions,
        year_to_date=TaxYearToDate(
            year=before.year,
            month=month.month,
            income=totals.income,
            tax_free_income=totals.tax_free_income,
            special_deductions=totals.special_deductions,
            special_additional_deductions=totals.special_additional_deductions,
            tax_withheld=before.tax_withheld + tax,
            months_employed=ytd.months_employed,
            first_job=before.first_job,
            small_earner=before.small_earner,
            other_deductions=totals.other_deductions,
            opening=before.opening,
        ),
        minimum_wage=minimum,
        proration=proration,
    )
    return payslip if inputs.leaver is None else _with_severance(payslip, inputs.leaver)


def _annual_leave_pay(leaver: LeaverPay | None) -> tuple[Component, ...]:
    """The annual-leave compensation as a taxable addition that does not count for the minimum wage."""
    if leaver is None or not leaver.annual_leave_pay:
        return ()
    return (Component(*ANNUAL_LEAVE, ComponentKind.ADDITION, leaver.annual_leave_pay, counts_for_minimum_wage=False),)


def _with_severance(payslip: Payslip, leaver: LeaverPay) -> Payslip:
    """The payslip paying the severance too: in gross pay, net of its own tax, and in the employer's cost;
    income, the year to date and the minimum-wage check stay the wages'."""
    if not leaver.severance:
        return payslip
    earnings = [line for line in payslip.lines if line.category is Category.EARNING]
    rest = [line for line in payslip.lines if line.category is not Category.EARNING]
    taxes = [i for i, line in enumerate(rest) if line.category is Category.TAX]
    at = taxes[-1] + 1
    lines = (
        *earnings,
        Line(*SEVERANCE, leaver.severance, Category.EARNING),
        *rest[:at],
        Line(*SEVERANCE_TAX, leaver.severance_tax, Category.TAX),
        *rest[at:],
    )
    return replace(
        payslip,
        lines=lines,
        gross_pay=payslip.gross_pay + leaver.severance,
        tax=payslip.tax + leaver.severance_tax,
        net_pay=payslip.net_pay + leaver.severance - leaver.severance_tax,
        employer_cost=payslip.employer_cost + leaver.severance,
        severance=leaver.severance,
        severance_tax=leaver.severance_tax,
    )
