"""Domain events: a writer records what happened; reactions run just before its transaction commits.

The compliance engine reads workers, contracts, certificates, ratings, client
bureaus and city figures, so the packages that write those cannot call it
without importing their own reader (a package cycle).  Instead a writer
records an event on the session it writes with (``record``), and the
composition root (``service.app``, ``service.cli``) registers compliance's
reaction to it (``react``).  Just before the session commits, every reaction
to the events recorded runs on that same session: same transaction, so a
failing reaction rolls back the write that caused it, exactly as when the
writer called the engine itself.  Events of one kind are handed over
together, so a batch of writes costs one reaction.  A rolled-back transaction
drops its events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event
from sqlmodel import Session  # every session the app opens is one (a TenantSession)

_PENDING = "domain_events"

Reaction = Callable[[Session, Sequence[Any]], None]
_REACTIONS: dict[type, list[Reaction]] = defaultdict(list)


def record(db: Session, happened: object) -> None:
    """Say, in ``db``'s transaction, that ``happened`` happened."""
    db.info.setdefault(_PENDING, []).append(happened)


def react(kind: type, reaction: Reaction) -> None:
    """Run ``reaction(db, events)`` before each commit that recorded events of ``kind`` (once per reaction)."""
    if reaction not in _REACTIONS[kind]:
        _REACTIONS[kind].append(reaction)


@event.listens_for(Session, "before_commit")
def _run_reactions(db: Session) -> None:
    # A reaction may record events of its own: run until none is left.
    while pending := db.info.pop(_PENDING, None):
        db.flush()  # reactions read with SQL what the writers have only added to the session
        by_kind: dict[type, list[Any]] = defaultdict(list)
        for happened in pending:
            by_kind[type(happened)].append(happened)
        for kind, happenings in by_kind.items():
            for reaction in _REACTIONS.get(kind, ()):
                reaction(db, happenings)


@event.listens_for(Session, "after_rollback")
def _drop_events(db: Session) -> None:
    db.info.pop(_PENDING, None)
