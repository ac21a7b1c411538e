"""The audit trail: who changed which business data, from what to what.

``record`` is called by actions inside the transaction that makes the change,
so a change and its audit entry are committed or lost together.  The app role
may only insert and read this table (see migration 0003).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Session, SQLModel

from service.database.types import now_by_default


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the audit trail names them."""

    kind: str  # staff, operator, system (assistant and reviewer later)
    id: int | None
    label: str
    request_id: str | None = None


SYSTEM = Actor(kind="system", id=None, label="system")


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    occurred_at: datetime | None = now_by_default()
    actor_kind: str
    actor_id: int | None = Field(default=None, sa_type=BigInteger)
    actor_label: str
    action: str
    entity: str
    entity_id: str | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    request_id: str | None = None


def _row(tenant_id, actor, action, entity, entity_id, before, after) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_label": actor.label,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": before,
        "after": after,
        "request_id": actor.request_id,
    }


def record(
    db: Session,
    tenant_id: uuid.UUID,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    db.execute(insert(AuditEntry), [_row(tenant_id, actor, action, entity, entity_id, before, after)])


# One audited change: (entity id, before, after); None for a side that does not exist.
Change = tuple[object, dict[str, Any] | None, dict[str, Any] | None]


def record_many(
    db: Session,
    tenant_id: uuid.UUID,
    actor: Actor,
    action: str,
    entity: str,
    changes: Sequence[Change],
) -> None:
    """One entry per (entity_id, before, after), written in one statement."""
    if changes:
        db.execute(
            insert(AuditEntry),
            [_row(tenant_id, actor, action, entity, eid, b, a) for eid, b, a in changes],
        )
