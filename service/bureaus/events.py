"""What bureau writers say happened."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class BureausChanged:
    """These client bureaus' recorded workforce changed (the dispatch cap is checked per bureau record)."""

    tenant_id: uuid.UUID
    bureau_ids: tuple[int, ...]
    today: date
