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
from tenants.isolation import control_session
from tenants.models import Tenant, WebSession

Loader = Callable[[Tenant | None, WebSession], Principal | None]


def load_principal(
    settings: Settings, loaders: Mapping[str, Loader], tenant: Tenant | None, token: str | None
) -> Principal | None:
    if not token:
        return None
    with control_session() as control:
        web_session = sessions.find(control, settings, token)
    if web_session is None or web_session.tenant_id != (tenant.id if tenant else None):
        return None
    loader = loaders.get(web_session.principal_kind)
    return loader(tenant, web_session) if loader else None
