"""Reads the salary bands page needs that belong to no band table."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from service.workforce.models import Worker


def bureaus_with_workers(db: Session, tenant_id: uuid.UUID) -> list[str]:
    """The client bureaus some worker is assigned to, by name: the scopes a band table may be given."""
    return sorted(db.exec(select(Worker.client_bureau).where(Worker.tenant_id == tenant_id).distinct()).all())
