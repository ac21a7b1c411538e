"""From scores to the five ratings: cut-offs, quotas within a group, repeated failure.

The seeds name the five ratings (seed 000) but give neither cut-offs nor
quotas: both are configured per tenant or bureau.  Refusals name a rating by
its ``label``, an English msgid the edge translates, never by its code.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from service.assessment.ratings import Rating
from service.assessment.scoring import check_score, require_decimal
from service.errors import N_, DomainError


@dataclass(frozen=True)
class Thresholds:
    """The lowest score earning each rating; a score below ``basic`` fails.

    A score exactly at a cut-off earns that rating.  Cut-offs lie in 0..100
    and must fall strictly from ``excellent`` to ``basic``, so that every
    rating can be reached.
    """

    excellent: Decimal
    good: Decimal
    meets: Decimal
    basic: Decimal

    def __post_init__(self) -> None:
        cutoffs = self.cutoffs()
        for rating, cutoff in cutoffs:
            check_score(cutoff, field=rating.value)
        for (upper, high), (lower, low) in itertools.pairwise(cutoffs):
            if not high > low:
                raise DomainError(
                    N_("The cut-off for {upper} must be above the cut-off for {lower}."),
                    field=lower.value,
                    upper=upper.label,
                    lower=lower.label,
                )

    def cutoffs(self) -> tuple[tuple[Rating, Decimal], ...]:
        """(rating, lowest score) pairs, best rating first; 不达标 has none."""
        return (
            (Rating.EXCELLENT, self.excellent),
            (Rating.GOOD, self.good),
            (Rating.MEETS, self.meets),
            (Rating.BASIC, self.basic),
        )


def rate(score: Decimal, thresholds: Thresholds) -> Rating:
    """The best rating whose cut-off the score reaches.

    The score is compared as given: ``period_total`` and ``combine`` have
    already rounded it to two decimals.
    """
    check_score(score)
    for rating, cutoff in thresholds.cutoffs():
        if score >= cutoff:
            return rating
    return Rating.FAILS


@dataclass(frozen=True)
class Quota:
    """At most ``share`` (a fraction: 0.15 for 15%) of a group may hold ``rating``."""

    rating: Rating
    share: Decimal

    def __post_init__(self) -> None:
        if self.rating is Rating.FAILS:
            raise DomainError(N_("There can be no quota on the lowest rating."), field="rating")
        require_decimal(self.share)
        if not self.share.is_finite() or not Decimal(0) < self.share <= Decimal(1):
            raise DomainError(N_("A quota must be more than 0 and at most 100%."), field="share")


def quota_places(share: Decimal, group_size: int) -> int:
    """How many workers of a group may hold a quota's rating: ⌊share × n⌋.

    Rounding down keeps the quota a ceiling: at 15%, groups of 1 to 6 get no
    place at all, a group of 7 gets one.
    """
    return math.floor(share * group_size)


def rate_group(scores: Mapping[str, Decimal], thresholds: Thresholds, quotas: Iterable[Quota] = ()) -> dict[str, Rating]:
    """Rate every worker of one group (e.g. one bureau) by cut-offs, then quotas.

    Each worker first gets the rating their score reaches (``rate``); a quota
    can only lower it, so a worker must reach a rating's cut-off to hold it.
    Quotas apply best rating first.  For a quota, the workers holding its
    rating are ranked by score and the top ``quota_places`` keep it; the
    others move one rating down, where that rating's own quota, if any, then
    counts them too.  The group size n is every worker in ``scores``; a quota
    counts only the workers holding exactly its rating.

    Ties at the boundary: when the last place is tied (the first worker left
    out has the same score as one inside), every worker with that score moves
    down, so a quota is never exceeded even if it stays partly unused.
    """
    by_rating: dict[Rating, Quota] = {}
    for declared in quotas:
        if declared.rating in by_rating:
            raise DomainError(N_("There are two quotas for {rating}."), field="rating", rating=declared.rating.label)
        by_rating[declared.rating] = declared
    ratings = {worker: rate(score, thresholds) for worker, score in scores.items()}
    for rating in Rating:
        quota = by_rating.get(rating)
        if quota is None:
            continue
        holders = sorted(
            (worker for worker, held in ratings.items() if held is rating),
            key=lambda worker: scores[worker],
            reverse=True,
        )
        places = quota_places(quota.share, len(scores))
        if len(holders) <= places:
            continue
        first_left_out = scores[holders[places]]
        for worker in holders:
            if scores[worker] <= first_left_out:
                ratings[worker] = rating.next_lower()
    return ratings


def two_consecutive_failures(ratings_in_order: Iterable[Rating]) -> bool:
    """Whether two ratings in a row, anywhere in the sequence, are 不达标.

    Seed 003 篇8 §三(一): "连续两次以上工作考核不合格的，应予以辞退" (failing
    twice or more in a row is a ground for dismissal); 不合格 is read as the
    rating 不达标.  The caller passes the periods that count, oldest first.
    """
    previous_failed = False
    for rating in ratings_in_order:
        failed = rating is Rating.FAILS
        if failed and previous_failed:
            return True
        previous_failed = failed
    return False
