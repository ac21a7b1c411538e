"""What workforce writers (and assessment, whose ratings are facts about workers) say happened."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class WorkersChanged:
    """Facts about these workers changed: their record, contracts, certificates or ratings, as seen on ``today``."""

    tenant_id: uuid.UUID
    worker_ids: tuple[int, ...]
    today: date


@dataclass(frozen=True)
class LastDaySet:
    """A worker's last day employed was recorded: they were marked as left, or their contract was terminated.
    Payroll, which pays to that day, refuses one that would change pay it has published."""

    tenant_id: uuid.UUID
    worker_id: int
    last_day: date
