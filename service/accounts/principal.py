"""A staff session's principal: the tenant's own user, while active."""

from __future__ import annotations

from sqlmodel import select

from service.accounts.models import StaffUser
from service.database.ids import id_of
from service.web.context import Principal
from tenants.isolation import TenantSession
from tenants.models import Tenant, WebSession


def load_staff(db: TenantSession, tenant: Tenant | None, web_session: WebSession) -> Principal | None:
    if tenant is None:
        return None
    user = db.exec(select(StaffUser).where(StaffUser.tenant_id == tenant.id, StaffUser.id == web_session.principal_id)).first()
    if user is None or not user.active:
        return None
    return Principal("staff", id_of(user), tenant.id, user.display_name, user.role)
