"""Special additional deductions (专项附加扣除) for one month of withholding.

The items and amounts are those of 国发〔2018〕41号 as raised by 国发〔2023〕13号
(from 2023-01-01) and extended by 国发〔2022〕8号 (infant care); earlier years
had lower amounts and are refused rather than computed wrongly.  The employer
may not refuse what a worker declares (个人所得税法 Art. 11), but it must
refuse a declaration the rules make impossible, hence the `DomainError`s.

A worker's `Declarations` cover one tax year, since declarations are confirmed
year by year.  Two items need a decision for monthly withholding:

* Professional certificate (职业资格继续教育): 3,600 "in the year the
  certificate is obtained".  It counts in full in the month the year's first
  certificate is obtained; the cumulative method then carries it through the
  rest of the year, and whatever the year's income cannot absorb is settled
  at the annual reconciliation.  It is not spread over twelve months, which
  would deduct before the certificate exists.
* Serious illness (大病医疗) is absent on purpose: 国发〔2018〕41号 Art. 11
  allows it only when the worker files the annual reconciliation (the
  reference §1.4 calls this a reading), so it never enters monthly withholding.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import Enum

from service.errors import N_, DomainError
from service.money import ZERO, to_fen

FIRST_SUPPORTED_YEAR = 2023  # 国发〔2023〕13号 amounts apply from 2023-01-01

CHILD_AMOUNT = Decimal("2000")  # per child per month, education and infant care alike
ELDERLY_ONLY_CHILD = Decimal("3000")
ELDERLY_SIBLING_CAP = Decimal("1500")  # siblings share 3,000, none above 1,500
DEGREE_MONTHLY = Decimal("400")
DEGREE_MAX_MONTHS = 48
CERTIFICATE_YEARLY = Decimal("3600")
HOUSING_LOAN_MONTHLY = Decimal("1000")
HOUSING_LOAN_MAX_MONTHS = 240
INFANT_CARE_MONTHS = 36  # from the birth month until the month before the 3rd birthday
ELDERLY_AGE_MONTHS = 60 * 12  # from the month a parent turns 60


def _month_number(day: date) -> int:
    """A running month count, so month arithmetic is plain subtraction."""
    return day.year * 12 + day.month - 1


class ParentShare(str, Enum):
    """Parents take a child's deduction 100% by one or 50% each (41号; 国发〔2022〕8号)."""

    FULL = "full"
    HALF = "half"

    @property
    def fraction(self) -> Decimal:
        return Decimal("1") if self is ParentShare.FULL else Decimal("0.5")


@dataclass(frozen=True)
class Child:
    """One child; its age in the month decides which item applies.

    Under 3 the child gives infant care (国发〔2022〕8号); from the month it
    turns 3 it gives children's education, if it is in preschool or full-time
    education.  One declaration per child keeps the two from being claimed
    together.
    """

    birth_date: date
    share: ParentShare = ParentShare.FULL
    in_education: bool = True


@dataclass(frozen=True)
class ElderlySupport:
    """Support of parents aged 60 or over (41号 赡养老人, amounts of 国发〔2023〕13号).

    An only child takes 3,000.  Siblings split 3,000 equally, by agreement or
    as the parents designate; this worker's ``sibling_share`` may not exceed
    1,500.  The siblings' total cannot be checked from one worker's form.
    """

    oldest_parent_birth_date: date
    only_child: bool
    sibling_share: Decimal | None = None

    def __post_init__(self) -> None:
        if self.only_child:
            if self.sibling_share is not None:
                raise DomainError(
                    N_("An only child takes the full amount and declares no share."),
                    field="sibling_share",
                )
        elif self.sibling_share is None or not ZERO < self.sibling_share <= ELDERLY_SIBLING_CAP:
            raise DomainError(
                N_("A sibling's share of elderly support must be above 0 and at most {cap}."),
                field="sibling_share",
                cap=ELDERLY_SIBLING_CAP,
            )

    @property
    def monthly_amount(self) -> Decimal:
        return ELDERLY_ONLY_CHILD if self.sibling_share is None else self.sibling_share


@dataclass(frozen=True)
class Period:
    """A declared period: from ``start``'s month through ``end``'s (open if None)."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise DomainError(N_("The period must not end before it starts."), field="end")

    def covers(self, month: int, max_months: int | None = None) -> bool:
        """Whether running ``month`` is in the period and within its first ``max_months``."""
        elapsed = month - _month_number(self.start)
        if elapsed < 0 or (max_months is not None and elapsed >= max_months):
            return False
        return self.end is None or month <= _month_number(self.end)


class RentTier(str, Enum):
    """City tiers for housing rent (41号 住房租金)."""

    MAJOR = "major"  # 直辖市、省会、计划单列市及国务院确定的其他城市
    LARGE = "large"  # other cities with over 1 million registered urban residents
    OTHER = "other"  # cities with at most 1 million

    @property
    def monthly_amount(self) -> Decimal:
        return {
            RentTier.MAJOR: Decimal("1500"),
            RentTier.LARGE: Decimal("1100"),
            RentTier.OTHER: Decimal("800"),
        }[self]


@dataclass(frozen=True)
class Rent:
    tier: RentTier
    period: Period


@dataclass(frozen=True)
class Declarations:
    """One worker's special additional deductions declared for tax ``year``."""

    year: int
    children: tuple[Child, ...] = ()
    elderly_support: ElderlySupport | None = None
    degree_study: Period | None = None  # 学历（学位）继续教育, 400 a month, ≤ 48 months
    certificates: tuple[date, ...] = ()  # dates 职业资格 certificates were obtained
    housing_loan: Period | None = None  # first-home loan repayments, 1,000 a month, ≤ 240 months
    rent: Rent | None = None

    def __post_init__(self) -> None:
        if self.year < FIRST_SUPPORTED_YEAR:
            raise DomainError(
                N_("Special additional deductions before {year} are not supported."),
                field="year",
                year=FIRST_SUPPORTED_YEAR,
            )
        if self.housing_loan is not None and self.rent is not None:
            # 41号: a worker and spouse never take loan interest and rent in the same year.
            raise DomainError(
                N_("Housing loan interest and housing rent cannot both be deducted."),
                field="rent",
            )


@dataclass(frozen=True)
class MonthlyDeductions:
    """This month's special additional deductions, item by item."""

    children_education: Decimal = ZERO
    infant_care: Decimal = ZERO
    elderly_support: Decimal = ZERO
    continuing_education: Decimal = ZERO
    housing_loan_interest: Decimal = ZERO
    housing_rent: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return to_fen(sum((getattr(self, f.name) for f in fields(self)), ZERO))


def _covers(period: Period | None, now: int, max_months: int | None = None) -> bool:
    return period is not None and period.covers(now, max_months)


def _children(children: tuple[Child, ...], now: int) -> tuple[Decimal, Decimal]:
    """(children's education, infant care) in running month ``now``."""
    education = infant = ZERO
    for child in children:
        age = now - _month_number(child.birth_date)
        amount = CHILD_AMOUNT * child.share.fraction
        if 0 <= age < INFANT_CARE_MONTHS:
            infant += amount
        elif age >= INFANT_CARE_MONTHS and child.in_education:
            education += amount
    return education, infant


def _elderly(support: ElderlySupport | None, now: int) -> Decimal:
    if support is None or now - _month_number(support.oldest_parent_birth_date) < ELDERLY_AGE_MONTHS:
        return ZERO
    return support.monthly_amount


def _continuing_education(declarations: Declarations, now: int) -> Decimal:
    degree = _covers(declarations.degree_study, now, DEGREE_MAX_MONTHS)
    obtained = [d for d in declarations.certificates if d.year == declarations.year]
    certificate = bool(obtained) and _month_number(min(obtained)) == now
    return (DEGREE_MONTHLY if degree else ZERO) + (CERTIFICATE_YEARLY if certificate else ZERO)


def monthly_deductions(declarations: Declarations, month: int) -> MonthlyDeductions:
    """The deductions that apply in calendar ``month`` of the declarations' year."""
    if not 1 <= month <= 12:
        raise DomainError(N_("The month must be between 1 and 12."), field="month")
    now = _month_number(date(declarations.year, month, 1))
    education, infant = _children(declarations.children, now)
    loan = _covers(declarations.housing_loan, now, HOUSING_LOAN_MAX_MONTHS)
    rent = declarations.rent
    rent_due = rent is not None and rent.period.covers(now)
    return MonthlyDeductions(
        children_education=to_fen(education),
        infant_care=to_fen(infant),
        elderly_support=to_fen(_elderly(declarations.elderly_support, now)),
        continuing_education=to_fen(_continuing_education(declarations, now)),
        housing_loan_interest=to_fen(HOUSING_LOAN_MONTHLY) if loan else ZERO,
        housing_rent=to_fen(rent.tier.monthly_amount) if rent and rent_due else ZERO,
    )
