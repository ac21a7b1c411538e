"""What a handler is given instead of opening things itself.

Every handler under ``/t/{slug}/`` may ask for ``ctx`` (the request context the middleware built: tenant,
principal, translator, CSRF) and ``db`` (a ``TenantSession`` bound to that tenant).  The session is one
transaction for the whole request: it commits after the handler has returned and its response has been
rendered, and rolls back when the handler raises, so a refused form, a 404 or a crash writes nothing.
The platform's own pages (sign-up, the operator console) get ``db`` as a session bound to no tenant,
which sees the control-plane tables only.

The transaction is opened lazily (no connection until the first statement) and committed by Litestar's
dependency clean-up, before the response is sent: a failed commit still becomes an error page, never a
"saved" page for something that was not.
"""

from __future__ import annotations

from collections.abc import Iterator

from litestar import Request
from litestar.di import NamedDependency, Provide

from service.web.context import RequestContext
from tenants.isolation import TenantSession, control_session, tenant_session

# What handlers annotate their parameters with: named dependencies, so Litestar never has to guess.
RequestCtx = NamedDependency[RequestContext]
TenantDb = NamedDependency[TenantSession]  # bound to the request's tenant
PlatformDb = NamedDependency[TenantSession]  # bound to no tenant: control-plane tables only


def provide_ctx(request: Request) -> RequestContext:
    return request.state.ctx


def provide_tenant_db(ctx: RequestCtx) -> Iterator[TenantSession]:
    with tenant_session(ctx.tenant_id) as db:
        yield db


def provide_control_db() -> Iterator[TenantSession]:
    with control_session() as db:
        yield db


TENANT_DEPENDENCIES = {
    "ctx": Provide(provide_ctx, sync_to_thread=False),
    "db": Provide(provide_tenant_db),
}

PLATFORM_DEPENDENCIES = {
    "ctx": Provide(provide_ctx, sync_to_thread=False),
    "db": Provide(provide_control_db),
}
