"""Payroll reacts to what workforce says happened (``service.events``): workforce is below payroll and
never imports it, so its writers record an event and these reactions run just before their transaction
commits, in it.  A refusal here rolls the write back: the form comes back with the message, nothing written.
``install`` is called by the composition root (``service.app``, ``service.cli``) and the test suite."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

from sqlmodel import Session

from service import events
from service.errors import N_, DomainError
from service.payroll.runs.queries import first_published_month_from
from service.workforce.events import LastDaySet
from tenants.isolation import TenantSession


def install() -> None:
    events.react(LastDaySet, _last_day_set)


def first_month_changed(last_day: date) -> date:
    """The first pay month a last day employed changes: its own month, unless it is that month's last day
    (the month is then paid whole, as it was: HR often records a month-end leaver after the month's
    payroll is published), when the months after it are the ones no longer paid."""
    month = last_day.replace(day=1)
    if last_day.day == calendar.monthrange(last_day.year, last_day.month)[1]:
        return last_day + timedelta(days=1)
    return month


def _last_day_set(db: Session, changes: Sequence[LastDaySet]) -> None:
    """Issue 12's bad input "a leave date inside a published month": a roster edit never changes published pay."""
    assert isinstance(db, TenantSession)  # the writers record on the session bound to their tenant
    for change in changes:
        published = first_published_month_from(db, change.worker_id, first_month_changed(change.last_day))
        if published is not None:
            raise DomainError(
                N_(
                    "The payroll of {month} is already published with this worker in it, so their last day employed "
                    "cannot be {day}: it would change pay already published. Choose a day in a month not yet published."
                ),
                month=published.strftime("%Y-%m"),
                day=change.last_day.isoformat(),
            )
