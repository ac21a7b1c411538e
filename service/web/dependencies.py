"""What a handler is given instead of opening things itself.

Every handler under ``/t/{slug}/`` may ask for ``ctx`` (the request context the middleware built: tenant,
principal, translator, CSRF) and ``db`` (a ``TenantSession`` bound to that tenant).  The session is one
transaction for the whole request: it commits after the handler has returned and its response has been
rendered, and rolls back when the handler raises, so a refused form, a 404 or a crash writes nothing.
The platform's own pages (sign-up, the operator console) get ``db`` as a session bound to no tenant,
which sees the control-plane tables only.

It is the transaction the middleware began to find the tenant, the session and the principal
(``service.web.middleware``), or, on a platform page without a session cookie, one that begins with the
handler's first statement.  Litestar's dependency clean-up commits it before the response is sent: a
failed commit still becomes an error page, never a "saved" page for something that was not.  The commit
and the rollback run in a worker thread, like every other statement, not on the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from litestar import Request
from litestar.di import NamedDependency, Provide

from service.web.context import RequestContext
from tenants.isolation import TenantSession

# What handlers annotate their parameters with: named dependencies, so Litestar never has to guess.
RequestCtx = NamedDependency[RequestContext]
TenantDb = NamedDependency[TenantSession]  # bound to the request's tenant
PlatformDb = NamedDependency[TenantSession]  # bound to no tenant: control-plane tables only


def provide_ctx(request: Request) -> RequestContext:
    return request.state.ctx


async def provide_db(request: Request) -> AsyncIterator[TenantSession]:
    db: TenantSession = request.state.db
    try:
        yield db
        await anyio.to_thread.run_sync(db.commit)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(db.rollback)
        raise


# For the tenant's routes and the platform's alike: the middleware binds ``db`` to the slug's tenant inside
# /t/{slug}/ and to none elsewhere; the names above say which a handler expects.
REQUEST_DEPENDENCIES = {
    "ctx": Provide(provide_ctx, sync_to_thread=False),
    "db": Provide(provide_db),
}
