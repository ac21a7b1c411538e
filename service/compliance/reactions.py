"""Compliance reacts to what the other packages say happened (``service.events``).

Writers of workers, contracts, certificates, ratings, bureaus and city
figures record an event; before their transaction commits, these reactions
recompute the alerts those facts feed, in the same transaction.  ``install``
is called by the composition root (``service.app``, ``service.cli``) and by
the test suite: the writers never import compliance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from service import events
from service.bureaus.events import BureausChanged
from service.cities.events import CityFiguresChanged
from service.compliance.engine import recompute_for_bureaus, recompute_for_city, recompute_for_workers
from service.workforce.events import WorkersChanged
from tenants.isolation import TenantSession


def install() -> None:
    events.react(WorkersChanged, _workers_changed)
    events.react(BureausChanged, _bureaus_changed)
    events.react(CityFiguresChanged, _city_figures_changed)


def _tenant_db(db: Session) -> TenantSession:
    """The session the events were recorded on: every session the app opens is a ``TenantSession``, and a writer
    records its events on the one bound to its tenant, so the recomputes read that tenant from it."""
    assert isinstance(db, TenantSession)
    return db


def _workers_changed(db: Session, changes: Sequence[WorkersChanged]) -> None:
    """One recompute per day for every worker changed in the transaction."""
    workers: dict[date, set[int]] = defaultdict(set)
    for change in changes:
        workers[change.today].update(change.worker_ids)
    for today, ids in workers.items():
        recompute_for_workers(_tenant_db(db), ids, today)


def _bureaus_changed(db: Session, changes: Sequence[BureausChanged]) -> None:
    bureaus: dict[date, set[int]] = defaultdict(set)
    for change in changes:
        bureaus[change.today].update(change.bureau_ids)
    for today, ids in bureaus.items():
        recompute_for_bureaus(_tenant_db(db), ids, today)


def _city_figures_changed(db: Session, changes: Sequence[CityFiguresChanged]) -> None:
    for city, today in dict.fromkeys((c.city, c.today) for c in changes):
        recompute_for_city(_tenant_db(db), city, today)
