"""The audit trail as the admin reads it: the newest entries matching a filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from service.audit import AuditEntry
from tenants.isolation import TenantSession

PER_PAGE = 100


@dataclass(frozen=True)
class AuditFilter:
    entity: str = ""
    entity_id: str = ""
    action: str = ""  # the start of the action's name
    actor: str = ""  # part of the actor's label
    since: date | None = None
    until: date | None = None  # inclusive


@dataclass(frozen=True)
class AuditPage:
    entries: Sequence[AuditEntry]  # newest first, at most PER_PAGE
    total: int
    entities: list[str]  # every entity the trail names, for the filter's menu


def audit_page(db: TenantSession, f: AuditFilter) -> AuditPage:
    tenant_id = db.tenant_id
    conditions = [col(AuditEntry.tenant_id) == tenant_id]
    if f.entity:
        conditions.append(col(AuditEntry.entity) == f.entity)
    if f.entity_id:
        conditions.append(col(AuditEntry.entity_id) == f.entity_id)
    if f.action:
        conditions.append(col(AuditEntry.action).startswith(f.action, autoescape=True))
    if f.actor:
        conditions.append(col(AuditEntry.actor_label).contains(f.actor, autoescape=True))
    if f.since is not None:
        conditions.append(col(AuditEntry.occurred_at) >= f.since)
    if f.until is not None:
        conditions.append(col(AuditEntry.occurred_at) < f.until + timedelta(days=1))
    entries = db.exec(select(AuditEntry).where(*conditions).order_by(col(AuditEntry.id).desc()).limit(PER_PAGE)).all()
    entities = db.exec(select(AuditEntry.entity).where(AuditEntry.tenant_id == tenant_id).distinct()).all()
    total = db.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    return AuditPage(entries=entries, total=total, entities=sorted(entities))
