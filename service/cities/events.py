"""What city writers say happened."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CityFiguresChanged:
    """A city's reference figures (minimum wage, average wage) changed."""

    tenant_id: uuid.UUID
    city: str
    today: date
