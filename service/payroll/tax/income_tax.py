"""Resident wage income tax, withheld by the cumulative method.

Tax on 综合所得 is an annual tax (个人所得税法 Art. 3); the employer withholds
it each month on year-to-date figures so that, for a steady year, December's
cumulative withholding equals the annual tax (STA Announcement 2018 No. 61,
Art. 6):

    本期应预扣预缴税额 = (累计应纳税所得额 × 预扣率 − 速算扣除数)
                         − 累计减免税额 − 累计已预扣预缴税额
    累计应纳税所得额 = 累计收入 − 累计免税收入 − 累计减除费用 − 累计专项扣除
                       − 累计专项附加扣除 − 累计依法确定的其他扣除

Two later announcements change only 累计减除费用 (the basic deduction), which
is why they appear here as a choice of `BasicDeduction`:

* STA 2020 No. 13: a resident whose first wage income of the year starts
  mid-year counts 5,000 for every month from January;
* STA 2020 No. 19: a small full-year earner (three conditions, see
  `qualifies_for_full_year_deduction`) deducts the full 60,000 from January.

Tax is rounded to the fen, half up, once: on the cumulative tax due.  Each
month's withholding is then a difference of fen amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import Enum

from service.errors import N_, DomainError
from service.money import ZERO, to_fen

MONTHLY_BASIC_DEDUCTION = Decimal("5000")  # 个人所得税法 Art. 6(1): 60,000 a year
ANNUAL_BASIC_DEDUCTION = MONTHLY_BASIC_DEDUCTION * 12


@dataclass(frozen=True)
class Bracket:
    """One band of the annual table: up to ``upper`` (inclusive) at ``rate``."""

    upper: Decimal | None  # None for the open top band
    rate: Decimal
    quick_deduction: Decimal


# 预扣率表一, the annex to STA 2018 No. 61: the annual 综合所得 table of
# 个人所得税法 Art. 3 with quick deductions, so that tax = taxable × rate − quick
# deduction in whichever band the taxable income falls.
ANNUAL_RATE_TABLE: tuple[Bracket, ...] = (
    Bracket(Decimal("36000"), Decimal("0.03"), Decimal("0")),
    Bracket(Decimal("144000"), Decimal("0.10"), Decimal("2520")),
    Bracket(Decimal("300000"), Decimal("0.20"), Decimal("16920")),
    Bracket(Decimal("420000"), Decimal("0.25"), Decimal("31920")),
    Bracket(Decimal("660000"), Decimal("0.30"), Decimal("52920")),
    Bracket(Decimal("960000"), Decimal("0.35"), Decimal("85920")),
    Bracket(None, Decimal("0.45"), Decimal("181920")),
)


def annual_tax(taxable: Decimal) -> Decimal:
    """Tax on a (cumulative) taxable income by the annual table, to the fen.

    Zero or negative taxable income bears no tax.
    """
    if taxable <= 0:
        return ZERO
    bracket = next(b for b in ANNUAL_RATE_TABLE if b.upper is None or taxable <= b.upper)
    return to_fen(taxable * bracket.rate - bracket.quick_deduction)


class BasicDeduction(str, Enum):
    """How 累计减除费用 is counted this year."""

    MONTHS_EMPLOYED = "months_employed"  # No. 61 Art. 6: 5,000 × months with this employer
    FROM_JANUARY = "from_january"  # STA 2020 No. 13: first wage income of the year
    FULL_YEAR = "full_year"  # STA 2020 No. 19: 60,000 from January


@dataclass(frozen=True)
class SmallEarnerConditions:
    """The three conditions of STA 2020 No. 19, as the employer knows them."""

    declared_here_every_month_last_year: bool  # withheld and declared by us, all 12 months
    wages_last_year: Decimal  # wage income we declared for the worker last year
    employed_here_since_january: bool  # still employed by us and paid wages from January


def qualifies_for_full_year_deduction(conditions: SmallEarnerConditions) -> bool:
    """Whether the 60,000 basic deduction applies from January (STA 2020 No. 19).

    All three must hold: declared by the same employer every month of last
    year, last year's wages at most 60,000, and employed by it from January.
    """
    return (
        conditions.declared_here_every_month_last_year
        and conditions.wages_last_year <= ANNUAL_BASIC_DEDUCTION
        and conditions.employed_here_since_january
    )


@dataclass(frozen=True)
class Amounts:
    """Wage figures for one month, or summed for the year to date."""

    income: Decimal
    tax_free_income: Decimal = ZERO
    special_deductions: Decimal = ZERO  # 专项扣除: employee SI and housing fund
    special_additional_deductions: Decimal = ZERO  # 专项附加扣除
    other_deductions: Decimal = ZERO  # 依法确定的其他扣除
    tax_relief: Decimal = ZERO  # 减免税额

    def __post_init__(self) -> None:
        for name in _AMOUNT_FIELDS:
            if getattr(self, name) < 0:
                raise DomainError(N_("The amount must not be negative."), field=name)

    def __add__(self, other: Amounts) -> Amounts:
        # Field by field, not dataclasses.astuple (which deep-copies every Decimal: ~0.2 ms a
        # payslip, a fifth of a payroll run's compute time).
        return Amounts(*(getattr(self, name) + getattr(other, name) for name in _AMOUNT_FIELDS))


_AMOUNT_FIELDS = tuple(f.name for f in fields(Amounts))


NOTHING = Amounts(income=ZERO)


@dataclass(frozen=True)
class YearToDate:
    """Everything the withholding for calendar ``month`` depends on.

    ``totals`` run from the first month with this employer this year through
    ``month``; ``tax_withheld`` is what was withheld in the earlier months.
    """

    month: int
    months_employed: int  # 当年截至本月在本单位的任职受雇月份数
    totals: Amounts
    tax_withheld: Decimal = ZERO
    deduction: BasicDeduction = BasicDeduction.MONTHS_EMPLOYED

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise DomainError(N_("The month must be between 1 and 12."), field="month")
        if not 1 <= self.months_employed <= self.month:
            raise DomainError(
                N_("Months employed must be between 1 and the month number."),
                field="months_employed",
            )
        if self.tax_withheld < 0:
            raise DomainError(N_("The amount must not be negative."), field="tax_withheld")
        if self.deduction is BasicDeduction.FULL_YEAR and self.months_employed != self.month:
            # No. 19 requires employment with us from January.
            raise DomainError(
                N_("The full-year basic deduction needs employment since January."),
                field="deduction",
            )


# The figures of an opening balance (期初累计), in the order the sheet, the form and the payslip show them.
OPENING_AMOUNTS = (
    "income",
    "tax_free_income",
    "special_deductions",
    "special_additional_deductions",
    "other_deductions",
    "tax_withheld",
)


@dataclass(frozen=True)
class OpeningBalance:
    """The tax year to date another payroll system withheld for this employer, January through
    ``as_of_month``: the month before the first month paid here.  The cumulative method goes on from
    it (No. 61 Art. 6 sums the whole year with the employer, whichever system computed it)."""

    year: int
    as_of_month: int  # 1..11: the first month paid here is the next one, in the same year
    income: Decimal = ZERO  # 累计收入额, tax-free income included
    tax_free_income: Decimal = ZERO  # 累计免税收入
    special_deductions: Decimal = ZERO  # 累计专项扣除: the employee's social insurance and housing fund
    special_additional_deductions: Decimal = ZERO  # 累计专项附加扣除
    other_deductions: Decimal = ZERO  # 累计依法确定的其他扣除
    tax_withheld: Decimal = ZERO  # 累计已预扣预缴税额
    months_employed: int = 0  # 累计减除费用的月份数: months with this employer through ``as_of_month``

    def __post_init__(self) -> None:
        if not 1 <= self.as_of_month <= 11:
            raise DomainError(
                N_("The balance is as of a month from 1 to 11: the month before the first payroll here."),
                field="as_of_month",
            )
        for name in OPENING_AMOUNTS:
            if getattr(self, name) < 0:
                raise DomainError(N_("The amount must not be negative."), field=name)
        if self.tax_free_income > self.income:
            raise DomainError(N_("Tax-free income is part of the income: it cannot be larger."), field="tax_free_income")
        if not 0 <= self.months_employed <= self.as_of_month:
            raise DomainError(
                N_("Months employed must be between 0 and {month}, the month of the balance."),
                field="months_employed",
                month=self.as_of_month,
            )


@dataclass(frozen=True)
class TaxYearToDate:
    """The worker's withholding figures with this employer in tax ``year``,
    through ``month`` (None before the first payslip of the year).

    Store the payslip's ``year_to_date`` and pass it to next month's.  A new
    year starts from ``TaxYearToDate.start``, where the flags are decided
    afresh: ``first_job`` is STA 2020 No. 13 (first wage income of the year,
    5,000 for every month from January), ``small_earner`` STA 2020 No. 19
    (60,000 from January; see ``income_tax.qualifies_for_full_year_deduction``).
    """

    year: int
    month: int | None = None
    income: Decimal = ZERO  # 累计收入, tax-free income included
    tax_free_income: Decimal = ZERO  # 累计免税收入
    special_deductions: Decimal = ZERO  # 累计专项扣除: employee SI and housing fund
    special_additional_deductions: Decimal = ZERO  # 累计专项附加扣除
    tax_withheld: Decimal = ZERO  # 累计已预扣预缴税额
    months_employed: int = 0  # months with this employer through ``month``
    first_job: bool = False
    small_earner: bool = False
    other_deductions: Decimal = ZERO  # 累计依法确定的其他扣除 (from the opening balance: payslips have none)
    opening: OpeningBalance | None = None  # the months before this system, included in the figures above

    @classmethod
    def start(cls, year: int, *, first_job: bool = False, small_earner: bool = False) -> TaxYearToDate:
        return cls(year=year, first_job=first_job, small_earner=small_earner)

    def __post_init__(self) -> None:
        if self.month is not None and not 1 <= self.month <= 12:
            raise DomainError(N_("The month must be between 1 and 12."), field="year_to_date.month")
        for name in OPENING_AMOUNTS:
            if getattr(self, name) < 0:
                raise DomainError(N_("The amount must not be negative."), field=f"year_to_date.{name}")
        if self.months_employed < 0:
            raise DomainError(N_("The number must not be negative."), field="year_to_date.months_employed")
        if self.months_employed > (self.month or 0) or (self.month is not None and self.months_employed == 0):
            raise DomainError(
                N_("Months employed must be between 1 and the month number."),
                field="year_to_date.months_employed",
            )

    @property
    def deduction(self) -> BasicDeduction:
        """The basic-deduction rule; No. 19 wins over No. 13, as it deducts more."""
        if self.small_earner:
            return BasicDeduction.FULL_YEAR
        if self.first_job:
            return BasicDeduction.FROM_JANUARY
        return BasicDeduction.MONTHS_EMPLOYED


def cumulative_basic_deduction(ytd: YearToDate) -> Decimal:
    """累计减除费用 under the rule that applies this year."""
    if ytd.deduction is BasicDeduction.FULL_YEAR:
        return ANNUAL_BASIC_DEDUCTION
    months = ytd.month if ytd.deduction is BasicDeduction.FROM_JANUARY else ytd.months_employed
    return MONTHLY_BASIC_DEDUCTION * months


def cumulative_taxable_income(ytd: YearToDate) -> Decimal:
    """累计预扣预缴应纳税所得额; negative when the deductions exceed the income."""
    t = ytd.totals
    return (
        t.income
        - t.tax_free_income
        - cumulative_basic_deduction(ytd)
        - t.special_deductions
        - t.special_additional_deductions
        - t.other_deductions
    )


def withholding_this_month(ytd: YearToDate) -> Decimal:
    """Tax to withhold this month; never negative.

    When earlier months withheld more than the year to date now calls for, the
    employer withholds nothing and refunds nothing: the difference is settled
    at the annual reconciliation (个人所得税法 Art. 11; the "暂不退税" reading
    of No. 61, reference §1.1).
    """
    due = annual_tax(cumulative_taxable_income(ytd)) - ytd.totals.tax_relief - ytd.tax_withheld
    return max(to_fen(due), ZERO)


def withhold_year(
    months: Sequence[Amounts],
    *,
    first_month: int = 1,
    deduction: BasicDeduction = BasicDeduction.MONTHS_EMPLOYED,
) -> tuple[Decimal, ...]:
    """Each month's withholding for consecutive months with one employer.

    ``months[0]`` is calendar month ``first_month`` (the month of hire, or
    January); every month's tax feeds the next month's ``tax_withheld``.
    """
    totals = NOTHING
    withheld = ZERO
    taxes: list[Decimal] = []
    for index, figures in enumerate(months):
        totals = totals + figures
        tax = withholding_this_month(
            YearToDate(
                month=first_month + index,
                months_employed=index + 1,
                totals=totals,
                tax_withheld=withheld,
                deduction=deduction,
            )
        )
        withheld += tax
        taxes.append(tax)
    return tuple(taxes)
