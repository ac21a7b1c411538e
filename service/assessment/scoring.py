"""Assessment scores: daily points against a rule catalogue, and weighted totals.

A score runs from 0 to 100 and is a Decimal, never a float.  Every score that
leaves this module is rounded by ``round_score``: to two decimals, half up.

Daily assessment adds and deducts points by a rule catalogue (DOMAIN.md,
Assessment; the daily routine of seed 002 §5: roll call, handover, meetings,
leave, dress, duty).  The period a total covers is the caller's choice: a
month, a quarter, or the half-year of seed 003 篇8 ("每半年要对社区服务协管员
考核一次，考核内容主要包括考勤、完成工作情况、参加培训情况").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from types import MappingProxyType

from service.errors import N_, DomainError, Label

SCORE_MIN = Decimal(0)
SCORE_MAX = Decimal(100)
_HUNDREDTH = Decimal("0.01")

# One local rule, seed 003 篇2 §六.6: "年度考核总成绩=日常考核成绩×10%+月考核成绩
# ×30%+季度考核成绩×30%+专项检查成绩×30%".  Tenants configure their own.
ANNUAL_WEIGHTS: Mapping[str, Decimal] = MappingProxyType(
    {
        "daily": Decimal("0.10"),
        "monthly": Decimal("0.30"),
        "quarterly": Decimal("0.30"),
        "special": Decimal("0.30"),
    }
)

# Display names of the kinds above, as English msgids (zh_CN: 日常考核, 月考核...):
# messages about a kind carry its label, never the internal code, so the edge
# can translate it.  A tenant's own kind has no entry and is shown as named.
KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "daily": N_("daily assessment"),
        "monthly": N_("monthly assessment"),
        "quarterly": N_("quarterly assessment"),
        "special": N_("special inspection"),
    }
)


def kind_label(kind: str) -> str:
    """The msgid naming ``kind`` (``KIND_LABELS``), or the kind itself if it has none."""
    return Label(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def round_score(score: Decimal) -> Decimal:
    """Round a score to two decimals, half up (89.995 becomes 90.00)."""
    return score.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def require_decimal(value: object) -> Decimal:
    """Refuse a float (or anything else) where a Decimal score or points belong."""
    if not isinstance(value, Decimal):
        raise TypeError(f"scores and points are Decimal, not {type(value).__name__}")
    return value


def check_score(score: Decimal, field: str = "score") -> Decimal:
    """Refuse a score that is not a Decimal from 0 to 100 inclusive."""
    require_decimal(score)
    if not score.is_finite() or not SCORE_MIN <= score <= SCORE_MAX:
        raise DomainError(
            N_("A score must be between {low} and {high}."),
            field=field,
            low=SCORE_MIN,
            high=SCORE_MAX,
        )
    return score


class Category(Enum):
    """What a catalogue item assesses."""

    ATTENDANCE = "attendance"  # 考勤, roll call 点名 (seed 002 §5, seed 003 篇8)
    DUTY = "duty"  # 执勤, work completed (seed 002 §5, seed 003 篇8)
    DRESS_AND_BEARING = "dress_and_bearing"  # 着装 (seed 002 §5)
    CONDUCT = "conduct"  # 行为规范 (seed 000)
    SERVICE_QUALITY = "service_quality"  # public feedback on attitude and quality (seed 000)
    TRAINING = "training"  # 参加培训情况 (seed 003 篇8)


@dataclass(frozen=True)
class RuleItem:
    """One line of a bureau's rule catalogue (考核细则).

    A record under the item carries ``min_points`` to ``max_points`` inclusive:
    deductions are negative, additions positive.  ``period_cap``, when set,
    limits the absolute value of the sum of the item's points in one period.
    """

    code: str
    name: str
    category: Category
    min_points: Decimal
    max_points: Decimal
    period_cap: Decimal | None = None

    def __post_init__(self) -> None:
        require_decimal(self.min_points)
        require_decimal(self.max_points)
        if not (self.min_points.is_finite() and self.max_points.is_finite()):
            raise DomainError(N_("Points must be numbers."), field="min_points")
        if self.min_points > self.max_points:
            raise DomainError(
                N_("The lowest points of an item cannot exceed its highest points."),
                field="min_points",
            )
        if self.period_cap is not None:
            require_decimal(self.period_cap)
            if not self.period_cap.is_finite() or self.period_cap <= 0:
                raise DomainError(N_("A period cap must be a positive number."), field="period_cap")


@dataclass(frozen=True)
class DailyRecord:
    """Points recorded against one catalogue item on one day by one reviewer."""

    item_code: str
    on: date
    points: Decimal
    recorded_by: str


def validate_points(item: RuleItem, points: Decimal) -> Decimal:
    """Refuse points outside the item's range; the range's ends are allowed."""
    require_decimal(points)
    if not points.is_finite() or not item.min_points <= points <= item.max_points:
        raise DomainError(
            N_("Points for {item} must be between {min_points} and {max_points}."),
            field="points",
            item=item.name,
            min_points=item.min_points,
            max_points=item.max_points,
        )
    return points


def period_total(base_score: Decimal, records: Iterable[DailyRecord], items: Iterable[RuleItem]) -> Decimal:
    """The score of one period: the base score plus the points recorded in it.

    Every record is checked against its item (``validate_points``).  The
    points of each item are summed; where the item has a period cap, that sum
    is limited to at most the cap in absolute value (cap 10: deductions of
    -4, -4 and -4 count as -10; additions of 3, 3, 3, 3 as +10).  The total
    is then clamped to 0..100 (no deductions take a worker below 0, no
    additions above 100) and rounded by ``round_score``.  The caller passes
    only the records of the period.
    """
    check_score(base_score, field="base_score")
    catalogue = _catalogue(items)
    sums: dict[str, Decimal] = {}
    for record in records:
        item = catalogue.get(record.item_code)
        if item is None:
            raise DomainError(N_("Unknown assessment item {code}."), field="item_code", code=record.item_code)
        sums[item.code] = sums.get(item.code, Decimal(0)) + validate_points(item, record.points)
    total = base_score + sum((_capped(catalogue[code], points) for code, points in sums.items()), Decimal(0))
    return round_score(min(max(total, SCORE_MIN), SCORE_MAX))


def _catalogue(items: Iterable[RuleItem]) -> dict[str, RuleItem]:
    catalogue: dict[str, RuleItem] = {}
    for item in items:
        if item.code in catalogue:
            raise DomainError(N_("The assessment item {code} appears twice."), field="code", code=item.code)
        catalogue[item.code] = item
    return catalogue


def _capped(item: RuleItem, points: Decimal) -> Decimal:
    if item.period_cap is None:
        return points
    return min(max(points, -item.period_cap), item.period_cap)


def combine(components: Mapping[str, Decimal], weights: Mapping[str, Decimal]) -> Decimal:
    """The weighted total of component scores, rounded by ``round_score``.

    ``weights`` maps each kind (e.g. ``ANNUAL_WEIGHTS``: daily, monthly,
    quarterly, special) to a positive weight; the weights are fractions adding
    up to exactly 1 or percentages adding up to exactly 100, anything else is
    refused.  Every weighted kind must have a score and every score a weight:
    a missing component is refused, never counted as 0 nor re-weighted over
    the others, since either would silently change the worker's result.  A
    kind that does not apply in a period belongs out of that period's weights.

    A refusal names one kind, the first in sorted order, by ``kind_label``
    (its ``field`` is the kind's code).
    """
    if not weights:
        raise DomainError(N_("At least one weight is needed."), field="weights")
    for kind, weight in weights.items():
        require_decimal(weight)
        if not weight.is_finite() or weight <= 0:
            raise DomainError(N_("The weight of {kind} must be positive."), field=kind, kind=kind_label(kind))
    total = sum(weights.values(), Decimal(0))
    if total not in (Decimal(1), Decimal(100)):
        raise DomainError(
            N_("Weights must add up to 1 (or 100%); these add up to {total}."),
            field="weights",
            total=total,
        )
    missing = sorted(set(weights) - set(components))
    if missing:
        raise DomainError(N_("There is no score for {kind}."), field=missing[0], kind=kind_label(missing[0]))
    unweighted = sorted(set(components) - set(weights))
    if unweighted:
        raise DomainError(
            N_("There is no weight for {kind}."),
            field=unweighted[0],
            kind=kind_label(unweighted[0]),
        )
    weighted = sum(
        (check_score(components[kind], field=kind) * weight for kind, weight in weights.items()),
        Decimal(0),
    )
    return round_score(weighted / total)
