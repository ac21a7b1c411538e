"""A worker's grade and rating in force on a day: what payroll asks (issue 5's agreed interface).

``grade`` comes from the dated grade history (``grades_in_force``: a change
decided for a later date counts from that date, even before the daily job
copies it onto ``workers.grade``); ``rating`` is the latest published result
whose period ended by that day (``assessment.standing.ratings_in_force``,
None when never rated).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from service.assessment.ratings import Rating
from service.assessment.standing import ratings_in_force
from service.grades.actions import grades_in_force
from tenants.isolation import TenantSession


@dataclass(frozen=True)
class Standing:
    grade: int
    rating: Rating | None


def standing_on(db: TenantSession, worker_ids: Iterable[int], on: date) -> dict[int, Standing]:
    ids = sorted(set(worker_ids))
    grades = grades_in_force(db, ids, on)
    ratings = ratings_in_force(db, ids, on)
    return {worker_id: Standing(grade, ratings.get(worker_id)) for worker_id, grade in grades.items()}
