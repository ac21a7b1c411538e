"""Who may call a route: every handler declares it, and one guard checks it.

A handler says ``opt=allow(StaffRole.ADMIN, ...)`` or ``opt=PUBLIC``.  A
handler that says neither is refused at start-up (``check_declared``), so no
route can be added without deciding who may use it.  The guard also checks
the CSRF token of every state-changing request.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.keys import keys_for
from service.web import csrf
from service.web.context import RequestContext

PUBLIC = {"public": True}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def allow(*roles: str) -> dict:
    """The roles that may call a handler: StaffRole members, or another principal kind's roles."""
    if not roles:
        raise ValueError("name at least one role, or use PUBLIC")
    return {"roles": frozenset(roles)}


class CsrfRefused(PermissionDeniedException):
    """The form's CSRF token is missing or stale."""


async def _check_csrf(connection: ASGIConnection, ctx: RequestContext) -> None:
    submitted = connection.headers.get(csrf.HEADER)
    if submitted is None:
        form = await connection.form()  # type: ignore[attr-defined]
        submitted = form.get(csrf.FORM_FIELD)
    key = keys_for(connection.app.state.settings).csrf
    if not csrf.is_valid(key, ctx.csrf_binding, submitted if isinstance(submitted, str) else None):
        raise CsrfRefused()


async def authorize(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    ctx: RequestContext = connection.state.ctx
    opt = handler.opt
    if not opt.get("public"):
        if ctx.principal is None:
            raise NotAuthorizedException()
        if ctx.principal.role not in opt.get("roles", ()):
            raise PermissionDeniedException()
    if connection.scope.get("method", "GET") not in SAFE_METHODS:
        _refuse_read_only_write(connection, ctx, opt)
        if not opt.get("csrf_exempt"):
            await _check_csrf(connection, ctx)


class ReadOnly(PermissionDeniedException):
    """A write in a suspended or cancelled tenant, or by support access (read-only)."""


# The one place a tenant becomes read-only: suspended or cancelled (billing,
# service/billing) refuses every write except signing in and out and the
# billing pages that let the administrator pay (opt "billing"); an operator's
# support access never writes.  Reading stays open to everyone allowed,
# assistants reading their payslips included.
READ_ONLY_STATUSES = frozenset({"suspended", "cancelled"})


def _refuse_read_only_write(connection: ASGIConnection, ctx: RequestContext, opt: dict) -> None:
    if opt.get("public") or connection.scope.get("path", "").endswith("/logout"):
        return
    if ctx.principal is not None and ctx.principal.kind == "support":
        raise ReadOnly()
    if ctx.tenant is not None and ctx.tenant.status.value in READ_ONLY_STATUSES and not opt.get("billing"):
        raise ReadOnly()


def check_declared(app: Litestar) -> None:
    """Refuse to start if any route handler has not declared who may call it."""
    undeclared = [
        f"{route.path} {sorted(handler.http_methods)}"
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.http_methods != {"OPTIONS"}  # Litestar's automatic preflight answers
        and not handler.opt.get("public")
        and not handler.opt.get("roles")
    ]
    if undeclared:
        raise RuntimeError("routes without an access declaration: " + ", ".join(undeclared))
