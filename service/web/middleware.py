"""Builds the request context: request id, language, tenant, session, CSRF.

It runs after routing, so the tenant slug is already a path parameter.  An
unknown slug answers 404 before any handler runs.  The database work is sync
(SQLAlchemy + psycopg) and runs in a worker thread.
"""

from __future__ import annotations

import secrets
import uuid

import anyio
from litestar import Litestar, Request
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlmodel import select

from service.i18n import translator
from service.keys import keys_for
from service.settings import Settings
from service.web import csrf, sessions
from service.web.context import RequestContext
from service.web.cookies import cookie_header
from service.web.principals import load_principal
from tenants.isolation import control_session
from tenants.models import Tenant

LANG_COOKIE = "pq_lang"

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        (
            b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
    ),
]


def _find_tenant(slug: str) -> Tenant | None:
    with control_session() as control:
        return control.exec(select(Tenant).where(Tenant.slug == slug)).first()


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = Litestar.from_scope(scope).state
        settings: Settings = state.settings
        request: Request = Request(scope)
        cookies = request.cookies
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        pre_token = cookies.get(csrf.PRE_COOKIE)
        minted_pre = None
        if not pre_token:
            pre_token = minted_pre = secrets.token_urlsafe(24)

        slug = scope.get("path_params", {}).get("slug")
        tenant = await anyio.to_thread.run_sync(_find_tenant, slug) if slug else None
        session_token = cookies.get(sessions.COOKIE)
        principal = await anyio.to_thread.run_sync(load_principal, settings, state.principal_loaders, tenant, session_token)
        # Tokens are bound to the session cookie whenever there is one (even on
        # pages outside the tenant, like the language switch), else to the
        # pre-session cookie: signing in changes every token.
        binding = session_token or pre_token
        ctx = RequestContext(
            request_id=request_id,
            translate=translator(cookies.get(LANG_COOKIE)),
            csrf_token=csrf.token_for(keys_for(settings).csrf, binding),
            csrf_binding=binding,
            tenant=tenant,
            principal=principal,
            session_token=session_token if principal else None,
        )
        scope.setdefault("state", {})["ctx"] = ctx

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(SECURITY_HEADERS)
                if minted_pre:
                    headers.append((b"set-cookie", cookie_header(settings, csrf.PRE_COOKIE, minted_pre)))
                message["headers"] = headers
            await send(message)

        if slug and tenant is None:
            raise NotFoundException()
        await self.app(scope, receive, send_with_headers)
