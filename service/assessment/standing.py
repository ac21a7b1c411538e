"""A worker's standing: the published ratings payroll and grade evaluation read.

Only *published* results count.  A result belongs to its period's end date:
a result is "in force" on a day when its period ended on or before that day
and no later-ending published result of the worker exists.  When two
published periods end on the same day (the annual period and December's
monthly one), the longer period wins (the earlier start), then the later
publication.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import text

from service.assessment.ratings import Rating
from tenants.isolation import TenantSession

_PUBLISHED = """
    select r.worker_id, r.rating
    from assessment_results r
    join assessment_periods p on p.tenant_id = r.tenant_id and p.id = r.period_id
    where r.tenant_id = :tenant and r.status = 'published' and p.status = 'published'
      and r.worker_id = any(:workers) and p.ends_on {comparison} :day {kinds}
    order by r.worker_id, p.ends_on desc, p.starts_on asc, r.published_at desc nulls last, r.id desc
"""


def _rows(
    db: TenantSession, worker_ids: Iterable[int], day: date, comparison: str, kinds: Collection[str] | None
) -> list[tuple[int, str]]:
    tenant_id = db.tenant_id
    workers = sorted(set(worker_ids))
    if not workers:
        return []
    params: dict = {"tenant": tenant_id, "workers": workers, "day": day}
    kinds_sql = ""
    if kinds is not None:
        kinds_sql = "and p.kind = any(:kinds)"
        params["kinds"] = sorted(kinds)
    sql = _PUBLISHED.format(comparison=comparison, kinds=kinds_sql)
    return [(row[0], row[1]) for row in db.execute(text(sql), params).all()]


def ratings_in_force(
    db: TenantSession,
    worker_ids: Iterable[int],
    on: date,
    *,
    kinds: Collection[str] | None = None,
) -> dict[int, Rating]:
    """{worker id: rating} of each worker's latest published result whose period
    ended on or before ``on``.  Workers without one are absent from the dict.
    ``kinds`` (PeriodKind values) limits which periods count; None: all."""
    found: dict[int, Rating] = {}
    for worker_id, rating in _rows(db, worker_ids, on, "<=", kinds):
        found.setdefault(worker_id, Rating(rating))
    return found


def published_ratings(
    db: TenantSession,
    worker_ids: Iterable[int],
    *,
    last: int,
    before: date,
    kinds: Collection[str] | None = None,
) -> dict[int, list[Rating]]:
    """{worker id: up to ``last`` ratings, newest first} from published periods
    that ended strictly before ``before``.  ``kinds`` (PeriodKind values, e.g.
    {"half_yearly"} or {"annual"}) limits which periods count; None: all kinds.
    Every worker asked about is in the dict (an empty list: never rated)."""
    if last < 1:
        raise ValueError("last must be at least 1")
    found: dict[int, list[Rating]] = {worker_id: [] for worker_id in worker_ids}
    for worker_id, rating in _rows(db, worker_ids, before, "<", kinds):
        ratings = found.setdefault(worker_id, [])
        if len(ratings) < last:
            ratings.append(Rating(rating))
    return found
