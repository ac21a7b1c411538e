"""The end of every sign-in: a new session and the browser sent on with its cookie.

Staff, assistants, bureau reviewers, operators, support access and a company just signed up all end here,
so the rule lives once: the token the browser brought is ended and a new one started (no session
fixation), in the request's transaction (the session exists only if the sign-in it follows is committed),
and the cookie lives as long as the session may.
"""

from __future__ import annotations

import uuid

from litestar import Request, Response

from service.web import sessions
from service.web.cookies import set_cookie
from service.web.pages import see_other
from tenants.isolation import TenantSession


def signed_in(
    request: Request,
    db: TenantSession,
    *,
    tenant_id: uuid.UUID | None,
    principal_kind: str,
    principal_id: int,
    then: str,
    replacing: str | None = None,
) -> Response:
    """Start the session and redirect (303) to ``then``; ``replacing`` defaults to the browser's own token."""
    settings = request.app.state.settings
    token = sessions.start(
        db,
        settings,
        tenant_id=tenant_id,
        principal_kind=principal_kind,
        principal_id=principal_id,
        replacing=replacing if replacing is not None else request.cookies.get(sessions.COOKIE),
    )
    return set_cookie(see_other(then), settings, sessions.COOKIE, token, settings.session_absolute_hours * 3600)
