"""A reviewer session's principal: the bureau's person, while both the reviewer
and the connection they signed in through are enabled."""

from __future__ import annotations

from sqlmodel import col, select

from service.database.ids import id_of
from service.reviewers.models import Reviewer
from service.sso.models import SsoConnection
from service.web.context import Principal
from tenants.isolation import TenantSession
from tenants.models import Tenant, WebSession


def load_reviewer(db: TenantSession, tenant: Tenant | None, web_session: WebSession) -> Principal | None:
    if tenant is None:
        return None
    found = db.exec(
        select(Reviewer, SsoConnection.enabled)
        .join(
            SsoConnection,
            (col(SsoConnection.tenant_id) == Reviewer.tenant_id) & (col(SsoConnection.id) == Reviewer.connection_id),
        )
        .where(Reviewer.tenant_id == tenant.id, Reviewer.id == web_session.principal_id)
    ).first()
    if found is None:
        return None
    reviewer, connection_enabled = found
    if not reviewer.active or not connection_enabled:
        return None
    return Principal("reviewer", id_of(reviewer), tenant.id, reviewer.label, reviewer.role)
