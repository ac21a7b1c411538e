"""What the staff users page reads."""

from __future__ import annotations

from sqlmodel import col, select

from service.accounts.models import StaffUser
from tenants.isolation import TenantSession


def staff_users(db: TenantSession) -> list[StaffUser]:
    tenant_id = db.tenant_id
    return list(db.exec(select(StaffUser).where(StaffUser.tenant_id == tenant_id).order_by(col(StaffUser.id))))


def staff_user(db: TenantSession, user_id: int) -> StaffUser | None:
    tenant_id = db.tenant_id
    return db.exec(select(StaffUser).where(StaffUser.tenant_id == tenant_id, StaffUser.id == user_id)).first()
