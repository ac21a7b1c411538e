"""The bulk entry form of daily points: a day, an item, the ticked workers and their points.

Staff and bureau reviewers post the same form; every problem is reported at once (``InputErrors``),
each next to its field.  Whether the item and the workers may be used is the caller's to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from service import clock
from service.assessment.inputs import parse_points, short_text
from service.errors import N_, DomainError, InputErrors
from service.web.forms import field_text, whole_number
from service.workforce.roster.input import parse_date

FIELDS = ("bureau", "unit", "on_date", "item_id", "points", "note")
OVERRIDE_PREFIX = "points_"  # points_<worker id>: one worker's points instead of the common ones


@dataclass(frozen=True)
class PointsEntry:
    on_date: date
    item_id: int
    points: dict[int, Decimal]  # by worker id
    note: str


def ticked(form: dict[str, Any], name: str = "workers") -> list[str]:
    """The ticked boxes of a repeated field, as stripped text."""
    value = form.get(name)
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str)]
    return [value.strip()] if isinstance(value, str) else []


def overrides(form: dict[str, Any]) -> dict[str, str]:
    return {name: field_text(form, name) for name in form if name.startswith(OVERRIDE_PREFIX)}


def day_or_today(text: str) -> date:
    """The day a page is about: the one typed when it is a date, else today."""
    try:
        return parse_date(text, "on_date")
    except DomainError:
        return clock.today()


def parse_entry(values: dict[str, str], chosen: list[str], own_points: dict[str, str]) -> PointsEntry:
    """``values`` the text fields, ``chosen`` the ticked worker ids, ``own_points`` the per-worker overrides."""
    errors: list[DomainError] = []
    day = note = None
    try:
        day = parse_date(values["on_date"], "on_date")
    except DomainError as error:
        errors.append(error)
    item_id = whole_number(values["item_id"])
    if item_id is None:
        errors.append(DomainError(N_("Choose an item."), field="item_id"))
    try:
        note = short_text(values["note"], "note", 500)
    except DomainError as error:
        errors.append(error)
    points: dict[int, Decimal] = {}
    for text in chosen:
        worker_id = whole_number(text)
        if worker_id is None:
            errors.append(DomainError(N_("Unknown worker {id}."), field="workers", id=text[:20]))
            continue
        own = own_points.get(f"{OVERRIDE_PREFIX}{worker_id}", "")
        try:
            points[worker_id] = parse_points(own or values["points"], f"{OVERRIDE_PREFIX}{worker_id}" if own else "points")
        except DomainError as error:
            errors.append(error)
    if not chosen:
        errors.append(DomainError(N_("Tick at least one worker."), field="workers"))
    if errors:
        raise InputErrors(errors)
    return PointsEntry(day, item_id, points, note)  # type: ignore[arg-type]
