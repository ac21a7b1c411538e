"""Reads the salary bands page needs that belong to no band table."""

from __future__ import annotations

from sqlmodel import select

from service.workforce.models import Worker
from tenants.isolation import TenantSession


def bureaus_with_workers(db: TenantSession) -> list[str]:
    """The client bureaus some worker is assigned to, by name: the scopes a band table may be given."""
    return sorted(db.exec(select(Worker.client_bureau).where(Worker.tenant_id == db.tenant_id).distinct()).all())
