"""Professional grade evaluation (职级评定), seed 002 (Sichuan group standard).

Seed 002 §6 等级划分: five grades; every grade needs the basic conditions
(思想政治、身心素质、行为标准、违法违纪情况), and each grade adds conditions on
age, education, basic skills, capability, post points (岗位积分) and the
assessment results matching the grade.  The seed gives no figures, so the
conditions per grade are configured (``GradeCriteria``); basic skills and
capability are checked as required trainings and certificates.

Seed 002 §8 职级评定: "以区综合行政执法局和区属国有人力资源公司共同评定五级
辅助岗位人员、区委编办评定四级及以上辅助岗位人员为原则".  Since the bureau and
the company decide grade 5 and the establishment office decides "grade 4 and
above", grade 5 is the entry grade and grade 1 the highest.  Grades move both
ways, "能者上、庸者下、劣者汰" (seed 002, 一(一) 研究背景): a worker is
evaluated against the target grade's criteria, promotion or demotion alike.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from types import MappingProxyType

from service.assessment.ratings import Rating
from service.errors import N_, DomainError, Label
from service.workforce.models import LABELS as WORKFORCE_LABELS
from service.workforce.models import Education

GRADES = (1, 2, 3, 4, 5)  # 1 is the highest, 5 the entry grade (seed 002 §8)


def check_grade(grade: int) -> int:
    """Refuse anything but a grade from 1 to 5."""
    if grade not in GRADES:
        raise DomainError(N_("A grade runs from 1 to 5."), field="grade")
    return grade


class GradeChange(Enum):
    PROMOTION = "promotion"  # 能者上
    DEMOTION = "demotion"  # 庸者下
    UNCHANGED = "unchanged"


def grade_change(current: int, target: int) -> GradeChange:
    """Whether moving from ``current`` to ``target`` is a promotion (towards grade 1)."""
    if check_grade(target) < check_grade(current):
        return GradeChange.PROMOTION
    if target > current:
        return GradeChange.DEMOTION
    return GradeChange.UNCHANGED


class Body(Enum):
    """A body taking part in grade decisions (seed 002 §8)."""

    CLIENT_BUREAU = "client_bureau"  # 区综合行政执法局
    DISPATCH_COMPANY = "dispatch_company"  # 区属国有人力资源公司
    ESTABLISHMENT_OFFICE = "establishment_office"  # 区委编办

    @property
    def label(self) -> str:
        """The display name: an English msgid, translated at the edge."""
        return BODY_LABELS[self]


BODY_LABELS: dict[Body, str] = {
    Body.CLIENT_BUREAU: N_("Client bureau"),
    Body.DISPATCH_COMPANY: N_("Dispatch company"),
    Body.ESTABLISHMENT_OFFICE: N_("Establishment office"),
}

_JOINTLY = frozenset({Body.CLIENT_BUREAU, Body.DISPATCH_COMPANY})
_OFFICE = frozenset({Body.ESTABLISHMENT_OFFICE})

# Seed 002 §8: grade 5 jointly by the bureau and the company; 4 and above
# (4, 3, 2, 1) by the establishment office.
AUTHORITY: Mapping[int, frozenset[Body]] = MappingProxyType({5: _JOINTLY, 4: _OFFICE, 3: _OFFICE, 2: _OFFICE, 1: _OFFICE})

# The refusal for each set of bodies in AUTHORITY, one whole sentence per set:
# a list of bodies joined in code could not be translated at the edge.
AUTHORITY_MESSAGES: Mapping[frozenset[Body], str] = MappingProxyType(
    {
        _JOINTLY: N_("Grade {grade} is decided jointly by the client bureau and the dispatch company."),
        _OFFICE: N_("Grade {grade} is decided by the establishment office."),
    }
)


def check_authority(deciders: Collection[Body], target_grade: int) -> None:
    """Refuse a decision on ``target_grade`` unless every body it needs took part.

    ``deciders`` are the bodies that signed the decision.  Grade 5 needs both
    the client bureau and the dispatch company (either alone is refused);
    grades 4 to 1 need the establishment office.  Others may join without
    harm.  Authority follows the target grade, for promotions and demotions
    alike.
    """
    required = AUTHORITY[check_grade(target_grade)]
    if not required <= set(deciders):
        raise DomainError(AUTHORITY_MESSAGES[required], field="deciders", grade=target_grade)


# Education is the roster's own enum (service.workforce.models): levels compare
# by ``Education.rank``, lowest first, never by their stored values.


def education_label(education: Education) -> str:
    """The roster's display name of an education level: an English msgid."""
    return Label(WORKFORCE_LABELS[education])


@dataclass(frozen=True)
class BasicConditions:
    """The conditions every grade shares (seed 002 §6).

    A disciplinary record counts when dated within ``disciplinary_window_years``
    before the evaluation date: from the same day that many years earlier
    (28 February for 29 February) up to the evaluation date, both inclusive.
    """

    disciplinary_window_years: int

    def __post_init__(self) -> None:
        if self.disciplinary_window_years < 1:
            raise DomainError(
                N_("The disciplinary window must be at least one year."),
                field="disciplinary_window_years",
            )


@dataclass(frozen=True)
class GradeCriteria:
    """What one grade requires beyond the basic conditions; None means no condition.

    Ages are in full years on the evaluation date, ``min_age`` and
    ``max_age`` both inclusive.  Years of service are full years since the
    hire date.  ``min_rating`` over ``rating_periods``: each of the worker's
    last that many ratings must be ``min_rating`` or better, and a worker
    with fewer periods on record does not qualify.
    """

    grade: int
    basic: BasicConditions
    min_age: int | None = None
    max_age: int | None = None
    min_education: Education | None = None
    min_years_of_service: int | None = None
    min_post_points: Decimal | None = None
    required_trainings: frozenset[str] = frozenset()
    min_rating: Rating | None = None
    rating_periods: int = 0

    def __post_init__(self) -> None:
        check_grade(self.grade)
        for name in (
            "min_age",
            "max_age",
            "min_years_of_service",
            "min_post_points",
            "rating_periods",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise DomainError(N_("This value cannot be negative."), field=name)
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise DomainError(N_("The minimum age cannot be above the maximum age."), field="min_age")
        if (self.min_rating is None) != (self.rating_periods == 0):
            raise DomainError(
                N_("A required rating needs the number of periods it applies to, and back."),
                field="rating_periods",
            )


@dataclass(frozen=True)
class WorkerFacts:
    """What evaluation needs to know about one worker.

    ``trainings`` holds the codes of trainings completed and certificates
    currently held; ``ratings`` the assessment ratings, oldest first.  The
    three confirmations are recorded by the evaluating body.
    """

    birth_date: date
    hire_date: date
    education: Education
    post_points: Decimal
    trainings: frozenset[str]
    ratings: tuple[Rating, ...]
    disciplinary_dates: tuple[date, ...]
    political_standing_confirmed: bool
    fitness_confirmed: bool
    conduct_confirmed: bool


@dataclass(frozen=True)
class Reason:
    """One condition, met or not: an English msgid and its params, for a page.

    Params are numbers, free text (training codes) or msgids to translate
    before filling the message: ``required``, ``actual`` and ``rating`` hold
    the msgid of an education level or rating, and ``had`` a tuple of rating
    msgids, oldest first, to translate one by one and join with the locale's
    list separator (、 in Chinese).
    """

    condition: str
    met: bool
    message: str
    params: Mapping[str, object]


@dataclass(frozen=True)
class Eligibility:
    grade: int
    reasons: tuple[Reason, ...]

    @property
    def eligible(self) -> bool:
        return all(reason.met for reason in self.reasons)

    @property
    def unmet(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if not reason.met)


def evaluate(facts: WorkerFacts, criteria: GradeCriteria, on_date: date) -> Eligibility:
    """Check a worker against a grade's criteria as of ``on_date``.

    Every condition yields a reason, met or not, basic conditions first, so
    a page can show why a worker is or is not eligible.
    """
    return Eligibility(
        grade=criteria.grade,
        reasons=(*_basic(facts, criteria.basic, on_date), *_graded(facts, criteria, on_date)),
    )


def _basic(facts: WorkerFacts, basic: BasicConditions, on_date: date) -> list[Reason]:
    since = _years_before(on_date, basic.disciplinary_window_years)
    records = sum(1 for day in facts.disciplinary_dates if since <= day <= on_date)
    return [
        Reason(
            "political_standing",
            facts.political_standing_confirmed,
            N_("Political standing confirmed"),
            {},
        ),
        Reason("fitness", facts.fitness_confirmed, N_("Physical and mental fitness confirmed"), {}),
        Reason("conduct", facts.conduct_confirmed, N_("Conduct meets the code of behaviour"), {}),
        Reason(
            "discipline",
            records == 0,
            N_("No disciplinary record in the last {years} years (records: {count})"),
            {"years": basic.disciplinary_window_years, "count": records},
        ),
    ]


def _graded(facts: WorkerFacts, criteria: GradeCriteria, on_date: date) -> list[Reason]:
    reasons: list[Reason] = []
    age = _full_years(facts.birth_date, on_date)
    if criteria.min_age is not None:
        reasons.append(
            Reason(
                "min_age",
                age >= criteria.min_age,
                N_("Aged at least {min_age} (age: {age})"),
                {"min_age": criteria.min_age, "age": age},
            )
        )
    if criteria.max_age is not None:
        reasons.append(
            Reason(
                "max_age",
                age <= criteria.max_age,
                N_("Aged at most {max_age} (age: {age})"),
                {"max_age": criteria.max_age, "age": age},
            )
        )
    if criteria.min_education is not None:
        reasons.append(
            Reason(
                "education",
                facts.education.rank >= criteria.min_education.rank,
                N_("Education at least {required} (has: {actual})"),
                {
                    "required": education_label(criteria.min_education),
                    "actual": education_label(facts.education),
                },
            )
        )
    if criteria.min_years_of_service is not None:
        years = _full_years(facts.hire_date, on_date)
        reasons.append(
            Reason(
                "years_of_service",
                years >= criteria.min_years_of_service,
                N_("At least {min_years} years of service (has: {years})"),
                {"min_years": criteria.min_years_of_service, "years": years},
            )
        )
    if criteria.min_post_points is not None:
        reasons.append(
            Reason(
                "post_points",
                facts.post_points >= criteria.min_post_points,
                N_("At least {min_points} post points (has: {points})"),
                {"min_points": criteria.min_post_points, "points": facts.post_points},
            )
        )
    for training in sorted(criteria.required_trainings):
        reasons.append(
            Reason(
                "training",
                training in facts.trainings,
                N_("Training or certificate {training}"),
                {"training": training},
            )
        )
    if criteria.min_rating is not None:
        recent = facts.ratings[-criteria.rating_periods :]
        reasons.append(
            Reason(
                "ratings",
                len(recent) == criteria.rating_periods and all(rating.at_least(criteria.min_rating) for rating in recent),
                N_("Rated {rating} or better in the last {periods} assessments (had: {had})"),
                {
                    "rating": criteria.min_rating.label,
                    "periods": criteria.rating_periods,
                    "had": tuple(rating.label for rating in recent),
                },
            )
        )
    return reasons


def _full_years(start: date, end: date) -> int:
    """Whole years from ``start`` to ``end`` (周岁); a 29 February counts on 1 March."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)
