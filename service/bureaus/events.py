"""What bureau writers say happened."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class BureausChanged:
    """These client bureaus' recorded workforce or name changed (the dispatch cap counts per bureau name)."""

    tenant_id: uuid.UUID
    names: tuple[str, ...]
    today: date
