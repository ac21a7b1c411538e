"""What the staff users page reads."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from service.accounts.models import StaffUser


def staff_users(db: Session, tenant_id: uuid.UUID) -> list[StaffUser]:
    return list(db.exec(select(StaffUser).where(StaffUser.tenant_id == tenant_id).order_by(col(StaffUser.id))))


def staff_user(db: Session, tenant_id: uuid.UUID, user_id: int) -> StaffUser | None:
    return db.exec(select(StaffUser).where(StaffUser.tenant_id == tenant_id, StaffUser.id == user_id)).first()
