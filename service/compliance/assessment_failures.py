"""The two-failures alert (seed 003 篇8): workers whose latest published results failed twice in a row.

Read set-based from the published results (``standing.published_ratings``:
every period kind, periods ended by today, the latest ``LOOKBACK``), for the
workers the engine examines (on probation, active or suspended, hired by
today).  ``rating_rules.two_consecutive_failures`` over the latest two
decides; ``compliance.check_assessment_failures`` builds the alert with the
length of the failing streak.  An upheld appeal that lifts one of the two
results closes the alert at the next recompute (answering an appeal
recomputes the worker).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from service.assessment.rating_rules import two_consecutive_failures
from service.assessment.standing import published_ratings
from service.compliance.evaluate import EMPLOYED, Raised
from service.compliance.facts import WorkerFacts
from service.compliance.rules import check_assessment_failures
from tenants.isolation import TenantSession

LOOKBACK = 12  # results read per worker: enough to count a long failing streak


def assessment_failures(db: TenantSession, workers: Iterable[WorkerFacts], today: date) -> list[Raised]:
    ids = [w.id for w in workers if w.status in EMPLOYED and w.hire_date <= today]
    if not ids:
        return []

    newest_first = published_ratings(db, ids, last=LOOKBACK, before=today + timedelta(days=1))
    raised = []
    for worker_id in ids:
        ratings = list(reversed(newest_first.get(worker_id, [])))  # oldest first
        if not two_consecutive_failures(ratings[-2:]):
            continue
        alert = check_assessment_failures(ratings, today=today)
        if alert is not None:
            raised.append(Raised(f"worker:{worker_id}", worker_id, alert))
    return raised
