"""Who a session cookie belongs to.

A session row says which kind of principal it is for; each kind has one
loader that turns the row into a ``Principal`` (or None when the account is
gone or disabled).  A session counts only where it was started: a tenant
session inside its own tenant, a platform session (tenant_id null) outside
every tenant.  The loaders belong to the packages that own each kind of
account, which build on ``service.web``; so the composition root
(``service.app``) hands them over, in the app's state, and adding a kind of
principal means adding its loader there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from service.settings import Settings
from service.web import sessions
from service.web.context import Principal
from tenants.isolation import TenantSession
from tenants.models import Tenant, WebSession

Loader = Callable[[TenantSession, Tenant | None, WebSession], Principal | None]


def load_principal(
    settings: Settings, loaders: Mapping[str, Loader], db: TenantSession, tenant: Tenant | None, found: WebSession | None
) -> Principal | None:
    """The principal of the session row the request's binding read (``found``), in the request's transaction,
    which is bound to the request's tenant (the sessions table is a platform table, readable in any
    transaction; the principal's tables are the tenant's)."""
    web_session = sessions.live(db, settings, found)
    if web_session is None or web_session.tenant_id != (tenant.id if tenant else None):
        return None
    loader = loaders.get(web_session.principal_kind)
    return loader(db, tenant, web_session) if loader else None
