"""Appeals (异议/申诉) against a published assessment result.

Seed 000 (优化考核反馈机制) asks that a worker who disputes a result be heard
and answered promptly; the seeds set no window length, so ``days`` is
configured per tenant.  That the original recorder may not answer, and what
an answer must carry, are product rules (DOMAIN.md, Assessment).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from service.assessment.ratings import Rating
from service.assessment.scoring import check_score
from service.errors import N_, DomainError


def appeal_deadline(published_on: date, days: int) -> date:
    """The last day on which a worker may appeal.

    ``days`` are calendar days counted from the day after publication: a
    result published on 1 March with 7 days may be appealed until 8 March
    inclusive.  Weekends and public holidays are not skipped.
    """
    if days < 1:
        raise DomainError(N_("The appeal window must be at least one day."), field="days")
    return published_on + timedelta(days=days)


def can_appeal(published_on: date, days: int, today: date) -> bool:
    """Whether ``today`` falls from publication to the deadline, both inclusive."""
    return published_on <= today <= appeal_deadline(published_on, days)


def check_answerer(answerer_id: str, recorder_ids: Collection[str]) -> None:
    """Refuse an answer from anyone who recorded the assessment appealed against."""
    if answerer_id in recorder_ids:
        raise DomainError(
            N_("Whoever recorded an assessment cannot answer the appeal against it."),
            field="answerer",
        )


class Decision(Enum):
    UPHELD = "upheld"  # the appeal succeeds: the result is corrected
    REJECTED = "rejected"  # the result stands


@dataclass(frozen=True)
class AppealOutcome:
    """The answer to an appeal; refused on construction unless complete.

    Upheld: a corrected score and rating are required.  Rejected: an
    explanation is required and no new score or rating may be given.
    """

    decision: Decision
    new_score: Decimal | None = None
    new_rating: Rating | None = None
    explanation: str = ""

    def __post_init__(self) -> None:
        if self.decision is Decision.UPHELD:
            if self.new_score is None:
                raise DomainError(N_("An upheld appeal needs the new score."), field="new_score")
            check_score(self.new_score, field="new_score")
            if self.new_rating is None:
                raise DomainError(N_("An upheld appeal needs the new rating."), field="new_rating")
        else:
            if not self.explanation.strip():
                raise DomainError(N_("A rejected appeal needs an explanation."), field="explanation")
            if self.new_score is not None or self.new_rating is not None:
                raise DomainError(
                    N_("A rejected appeal keeps the original score and rating."),
                    field="new_score" if self.new_score is not None else "new_rating",
                )
